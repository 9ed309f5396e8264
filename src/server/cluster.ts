import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/**
 * `segue serve --workers N`: N server processes on one port and one embedded store (Node's
 * cluster module hands each new connection to the next process). The processes share what
 * must be counted or seen once:
 *
 * - rate limits and the invalid-key lockout count every process's requests (counters held by
 *   the primary process, asked over IPC);
 * - a started, stopped or shipped experiment, or a catalog upsert, made through one process is
 *   announced to the others at once;
 * - /metrics, whichever process answers it, adds up every process's metrics;
 * - the online state is written by process 0 only; the others hold read-only replicas that
 *   fold the event log before each recommendation, so an event acknowledged by one process
 *   is seen by the next request to any of them (see EmbeddedOnlineState.openReplica).
 */

/** Counts per key in fixed windows. */
export interface Counters {
  /** Count a hit of `key` in its current window of `windowMs`: the count in the window so far, and the ms left of it. */
  hit(key: string, windowMs: number): Promise<Count>;
  /** The count in the current window without counting (0 when no window is open). */
  peek(key: string, windowMs: number): Promise<Count>;
}
export interface Count { count: number; ttl: number }

/** Counters in this process's memory. */
export class LocalCounters implements Counters {
  private readonly windows = new Map<string, { count: number; start: number }>();
  constructor(private readonly now: () => number = Date.now) {}
  hitNow(key: string, windowMs: number): Count {
    const t = this.now();
    let w = this.windows.get(key);
    if (w === undefined || w.start + windowMs <= t) {
      if (this.windows.size >= 10_000) this.prune(t, windowMs);
      w = { count: 0, start: t };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, ttl: w.start + windowMs - t };
  }
  peekNow(key: string, windowMs: number): Count {
    const t = this.now();
    const w = this.windows.get(key);
    return w === undefined || w.start + windowMs <= t ? { count: 0, ttl: 0 } : { count: w.count, ttl: w.start + windowMs - t };
  }
  async hit(key: string, windowMs: number): Promise<Count> {
    return this.hitNow(key, windowMs);
  }
  async peek(key: string, windowMs: number): Promise<Count> {
    return this.peekNow(key, windowMs);
  }
  /** Drop closed windows (keys are bounded by live clients, not by every address ever seen). */
  private prune(t: number, windowMs: number): void {
    for (const [k, w] of this.windows) if (w.start + windowMs <= t) this.windows.delete(k);
  }
}

export type Announcement = 'experiments' | 'catalog';

/** What one server process of several shares with the others. */
export interface Siblings {
  /** 0..count-1; process 0 writes the online state. */
  readonly index: number;
  readonly count: number;
  readonly counters: Counters;
  /** Tell the other processes (not this one) that experiments or the catalog changed. */
  announce(what: Announcement): void;
  onAnnouncement(fn: (what: Announcement) => void): void;
  /** This process's metrics, for the aggregate. */
  provideMetrics(fn: () => Promise<MetricObjectWithValues<MetricValue<string>>[]>): void;
  /** Every process's metrics, added up, as Prometheus text. */
  metrics(): Promise<string>;
  /** Tell the primary this process is listening. */
  listening(url: string): void;
}

type ToPrimary =
  | { segue: 'hit' | 'peek'; id: number; key: string; windowMs: number }
  | { segue: 'announce'; what: Announcement }
  | { segue: 'metrics'; id: number }
  | { segue: 'collected'; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] }
  | { segue: 'listening'; url: string };
type ToWorker =
  | { segue: 'count'; id: number; count: number; ttl: number }
  | { segue: 'announced'; what: Announcement }
  | { segue: 'collect'; id: number }
  | { segue: 'metrics-text'; id: number; text?: string; error?: string };

/** How long the primary waits for every worker's metrics; a worker waits longer for the primary's answer. */
const COLLECT_TIMEOUT_MS = 3_000;
const IPC_TIMEOUT_MS = 5_000;
/** After SIGTERM, how long the workers have to finish their requests before they are killed. */
export const STOP_GRACE_MS = 30_000;

/** The Siblings of a worker process, talking to the primary over the cluster's IPC channel. */
export class WorkerSiblings implements Siblings {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (m: ToWorker) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners: Array<(what: Announcement) => void> = [];
  private provider: (() => Promise<MetricObjectWithValues<MetricValue<string>>[]>) | undefined;
  readonly counters: Counters;

  constructor(readonly index: number, readonly count: number) {
    if (!cluster.isWorker || !process.send) throw new Error('WorkerSiblings: not a cluster worker');
    process.on('message', (m: ToWorker) => this.receive(m));
    // Should the primary not answer, this process counts alone: limits still hold per process.
    const local = new LocalCounters();
    const shared = (op: 'hit' | 'peek', key: string, windowMs: number): Promise<Count> =>
      this.ask({ segue: op, id: 0, key, windowMs }).then(
        (r) => {
          if (r.segue !== 'count' || !Number.isFinite(r.count) || !Number.isFinite(r.ttl)) throw new Error(`unexpected answer to ${op} from the primary process`);
          return { count: r.count, ttl: r.ttl };
        },
      ).catch((err: Error) => {
        if (!this.warned) {
          this.warned = true;
          process.stderr.write(`segue serve: worker ${this.index}: ${err.message}; counting rate limits in this process alone\n`);
        }
        return op === 'hit' ? local.hitNow(key, windowMs) : local.peekNow(key, windowMs);
      });
    this.counters = { hit: (key, windowMs) => shared('hit', key, windowMs), peek: (key, windowMs) => shared('peek', key, windowMs) };
  }
  private warned = false;

  private ask(m: Extract<ToPrimary, { segue: 'hit' | 'peek' | 'metrics' }>): Promise<ToWorker> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer from the primary process to ${m.segue} within ${IPC_TIMEOUT_MS} ms`));
      }, IPC_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      process.send!({ ...m, id });
    });
  }

  private receive(m: ToWorker): void {
    if (typeof m !== 'object' || m === null || !('segue' in m)) return;
    if (m.segue === 'announced') for (const fn of this.listeners) fn(m.what);
    else if (m.segue === 'collect') {
      const provider = this.provider;
      void (provider ? provider() : Promise.resolve([])).then(
        (metrics) => process.send?.({ segue: 'collected', id: m.id, metrics } satisfies ToPrimary),
        () => process.send?.({ segue: 'collected', id: m.id, metrics: [] } satisfies ToPrimary),
      );
    } else {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.segue === 'metrics-text' && m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m);
    }
  }

  announce(what: Announcement): void {
    process.send?.({ segue: 'announce', what } satisfies ToPrimary);
  }
  onAnnouncement(fn: (what: Announcement) => void): void {
    this.listeners.push(fn);
  }
  provideMetrics(fn: () => Promise<MetricObjectWithValues<MetricValue<string>>[]>): void {
    this.provider = fn;
  }
  async metrics(): Promise<string> {
    const r = await this.ask({ segue: 'metrics', id: 0 });
    if (r.segue !== 'metrics-text' || typeof r.text !== 'string') throw new Error('unexpected answer to metrics from the primary process');
    return r.text;
  }
  listening(url: string): void {
    process.send?.({ segue: 'listening', url } satisfies ToPrimary);
  }
}

export interface PrimaryOptions {
  workers: number;
  /** Hears of each worker's lifecycle (for the console). */
  log: (msg: string) => void;
  /** Once every worker listens. */
  onListening: (url: string) => void;
}

/**
 * The primary process: forks the workers (each runs `segue serve` again, as worker `i` of
 * `n`, from SEGUE_WORKER), holds the shared counters, relays announcements, aggregates
 * metrics, restarts a worker that dies after it was up, and on SIGINT or SIGTERM stops them
 * all (each finishes its in-flight requests). Resolves with the exit code.
 */
export function runPrimary(o: PrimaryOptions): Promise<number> {
  const counters = new LocalCounters();
  const byIndex = new Map<number, Worker>();
  const up = new Set<number>();
  let url: string | undefined;
  let stopping = false;
  let collectNext = 1;
  /** Collections of metrics under way: the workers still to answer, and what came. */
  const collecting = new Map<number, { waiting: Set<number>; got: MetricObjectWithValues<MetricValue<string>>[][]; done: (text?: string, error?: string) => void }>();
  /** Restarts in a row of each worker that died young (backoff). */
  const failures = new Map<number, number>();
  const startedAt = new Map<number, number>();
  let killTimer: NodeJS.Timeout | undefined;

  return new Promise<number>((resolve) => {
    let exitCode = 0;
    const fork = (i: number): void => {
      // Once listening, a replacement takes the port the cluster got (with --port 0, a new
      // listen after every worker died would get another one).
      const port = url === undefined ? undefined : new URL(url).port;
      const w = cluster.fork({ SEGUE_WORKER: `${i}/${o.workers}`, ...(port ? { SEGUE_WORKER_PORT: port } : {}) });
      byIndex.set(i, w);
      startedAt.set(i, Date.now());
      w.on('message', (m: ToPrimary) => onMessage(i, w, m));
      w.on('exit', (code, signal) => {
        if (byIndex.get(i) !== w) return;
        byIndex.delete(i);
        const wasUp = up.delete(i);
        // A collection of metrics no longer waits for it.
        for (const c of collecting.values()) if (c.waiting.delete(i)) finishIfDone(c);
        if (stopping) {
          if (byIndex.size === 0) {
            if (killTimer) clearTimeout(killTimer);
            resolve(exitCode);
          }
          return;
        }
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (!wasUp && url === undefined) {
          // A worker that cannot start (a bad store, a port in use) would only fail again.
          o.log(`worker ${i} failed to start (${how}); stopping`);
          exitCode = 1;
          stop();
          return;
        }
        // A worker that keeps dying young is restarted ever more slowly (0.5 s doubling to 30 s).
        // The timer is not unref'd: with every worker gone it is what keeps the primary alive.
        const young = Date.now() - (startedAt.get(i) ?? 0) < 60_000;
        const n = young ? (failures.get(i) ?? 0) + 1 : 1;
        failures.set(i, n);
        const delay = Math.min(30_000, 500 * 2 ** (n - 1));
        o.log(`worker ${i} exited (${how}); starting a new one${delay > 500 ? ` in ${delay / 1000} s` : ''}`);
        setTimeout(() => {
          if (!stopping) fork(i);
        }, delay);
      });
    };
    const send = (w: Worker, m: ToWorker): void => {
      if (w.isConnected()) w.send(m);
    };
    const onMessage = (i: number, w: Worker, m: ToPrimary): void => {
      if (typeof m !== 'object' || m === null || !('segue' in m)) return;
      switch (m.segue) {
        case 'hit':
        case 'peek': {
          const c = m.segue === 'hit' ? counters.hitNow(m.key, m.windowMs) : counters.peekNow(m.key, m.windowMs);
          send(w, { segue: 'count', id: m.id, count: c.count, ttl: c.ttl });
          break;
        }
        case 'announce':
          for (const [j, other] of byIndex) if (j !== i) send(other, { segue: 'announced', what: m.what });
          break;
        case 'metrics': {
          // From the workers that are up (one starting does not answer yet); one that dies meanwhile is dropped.
          const cid = collectNext++;
          const timer = setTimeout(() => finish(undefined, 'a worker did not report its metrics in time'), COLLECT_TIMEOUT_MS);
          const finish = (text?: string, error?: string): void => {
            clearTimeout(timer);
            collecting.delete(cid);
            send(w, { segue: 'metrics-text', id: m.id, ...(text !== undefined ? { text } : {}), ...(error !== undefined ? { error } : {}) });
          };
          const c = { waiting: new Set([...up].filter((j) => byIndex.get(j)?.isConnected())), got: [] as MetricObjectWithValues<MetricValue<string>>[][], done: finish };
          collecting.set(cid, c);
          for (const j of c.waiting) send(byIndex.get(j)!, { segue: 'collect', id: cid });
          finishIfDone(c);
          break;
        }
        case 'collected': {
          const c = collecting.get(m.id);
          if (!c || !c.waiting.delete(i)) break;
          c.got.push(m.metrics);
          finishIfDone(c);
          break;
        }
        case 'listening':
          if (byIndex.get(i) !== w || stopping) break;
          failures.delete(i);
          up.add(i);
          if (url === undefined && up.size === o.workers) {
            url = m.url;
            o.onListening(m.url);
          }
          break;
      }
    };
    const finishIfDone = (c: { waiting: Set<number>; got: MetricObjectWithValues<MetricValue<string>>[][]; done: (text?: string, error?: string) => void }): void => {
      if (c.waiting.size > 0) return;
      let text: Promise<string>;
      try {
        text = AggregatorRegistry.aggregate(c.got).metrics();
      } catch (err) {
        c.done(undefined, (err as Error).message);
        return;
      }
      text.then((t) => c.done(t), (err: Error) => c.done(undefined, err.message));
    };
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      if (byIndex.size === 0) {
        resolve(exitCode);
        return;
      }
      for (const w of byIndex.values()) w.process.kill('SIGTERM');
      // A worker stuck in a request does not hold the stop open for ever.
      killTimer = setTimeout(() => {
        o.log(`workers still running ${STOP_GRACE_MS / 1000} s after SIGTERM: killing them`);
        exitCode = 1;
        for (const w of byIndex.values()) w.process.kill('SIGKILL');
      }, STOP_GRACE_MS);
    };
    process.once('SIGINT', () => {
      o.log('SIGINT: the workers finish their in-flight requests, then stop');
      stop();
    });
    process.once('SIGTERM', () => {
      o.log('SIGTERM: the workers finish their in-flight requests, then stop');
      stop();
    });
    for (let i = 0; i < o.workers; i++) fork(i);
  });
}

/** This process's place in a `--workers` cluster, from SEGUE_WORKER ("i/n"), or undefined; `port`: the cluster's port, for a replacement. */
export function workerPlace(): { index: number; count: number; port?: number } | undefined {
  if (!cluster.isWorker) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(process.env.SEGUE_WORKER ?? '');
  if (!m) return undefined;
  const port = Number(process.env.SEGUE_WORKER_PORT);
  return { index: Number(m[1]), count: Number(m[2]), ...(Number.isInteger(port) && port > 0 ? { port } : {}) };
}
