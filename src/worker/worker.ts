import { setMaxListeners } from 'node:events';
import { storedEventProblem, type Exposure, type SegueEvent } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { BusMessage, NatsBus } from '../bus/index.js';
import type { RedisOnlineState, SeqEvent } from '../features/index.js';
import { WorkerMetrics } from './metrics.js';

export interface WorkerOptions {
  store: Store;
  /** The Redis state to fold into; replaced by `setState` when the catalog grows. */
  state: RedisOnlineState;
  bus: NatsBus;
  signal: AbortSignal;
  log?: (line: string) => void;
  /** First and largest wait between retries of a store or Redis that does not answer (ms). */
  backoff?: { firstMs: number; maxMs: number };
}

/**
 * `segue worker`: consume every partition of the events and exposures streams (shared with
 * every other worker: a partition's consumer holds one batch out at a time, so whoever
 * fetches folds its messages in order), and for each batch:
 *
 * 1. append the events to the store (idempotent on source/eventId), asking for their seqs;
 * 2. fold them into the Redis state (idempotent: a listener folds only seqs past its own);
 * 3. acknowledge, only now: a worker killed before this has its batch delivered again.
 *
 * A store or Redis that does not answer is retried with backoff, the batch kept (and its
 * ack deadline extended). A message that can never be stored (not JSON, an invalid event,
 * an unknown track) is terminated and counted, not retried for ever.
 */
export class Worker {
  readonly metrics = new WorkerMetrics();
  private state: RedisOnlineState;
  private readonly log: (line: string) => void;
  private readonly backoff: { firstMs: number; maxMs: number };

  constructor(private readonly opts: WorkerOptions) {
    this.state = opts.state;
    this.log = opts.log ?? (() => {});
    this.backoff = opts.backoff ?? { firstMs: 100, maxMs: 5000 };
  }

  /** Fold with another state (a reloaded catalog); the next batch uses it. */
  setState(state: RedisOnlineState): void {
    this.state = state;
  }

  /** Consume every partition until the signal aborts. */
  async run(): Promise<void> {
    const { bus, signal } = this.opts;
    setMaxListeners(0, signal); // one consumer per stream and partition listens to it
    const loops: Array<Promise<void>> = [];
    for (let p = 0; p < bus.partitions; p++) {
      loops.push(this.loop(() => bus.consume<unknown>('events', p, (b) => this.events(b), signal)));
      loops.push(this.loop(() => bus.consume<unknown>('exposures', p, (b) => this.exposures(b), signal)));
    }
    await Promise.all(loops);
  }

  /** Keep a consumer running: start it again after a failure (a stream recreated, NATS gone for long). */
  private async loop(run: () => Promise<void>): Promise<void> {
    let wait = this.backoff.firstMs;
    while (!this.opts.signal.aborted) {
      try {
        await run();
        wait = this.backoff.firstMs;
      } catch (err) {
        if (this.opts.signal.aborted) return;
        this.log(`worker: consumer stopped (${(err as Error).message}); starting it again in ${wait} ms`);
        await this.sleep(wait);
        wait = Math.min(this.backoff.maxMs, wait * 2);
      }
    }
  }

  /** Persist, fold, then ack one batch of events. */
  async events(batch: Array<BusMessage<unknown>>): Promise<void> {
    const good: Array<{ m: BusMessage<unknown>; e: SegueEvent }> = [];
    for (const m of batch) {
      const problem = m.body === undefined ? (m.error ?? 'empty') : storedEventProblem(m.body);
      if (problem === undefined) good.push({ m, e: m.body as SegueEvent });
      else this.refuse(m, `stream seq ${m.streamSeq}: ${problem}`);
    }
    if (good.length === 0) return;
    const events = good.map((g) => g.e);
    const result = await this.retry('store', batch, () => this.opts.store.ingest({ events, wantSeqs: true }));
    this.metrics.persisted(result.accepted, result.duplicates);
    const folded: SeqEvent[] = [];
    const rejected = new Map(result.rejected.filter((r) => r.kind === 'event').map((r) => [r.index, r.reason]));
    good.forEach((g, i) => {
      const reason = rejected.get(i);
      if (reason !== undefined) this.refuse(g.m, `stream seq ${g.m.streamSeq}: ${reason}`);
      else if (result.seqs![i]! > 0) folded.push({ ...g.e, seq: result.seqs![i]! });
    });
    const applied = await this.retry('redis', batch, () => this.state.fold(folded));
    this.metrics.folded(applied);
    const now = Date.now();
    good.forEach((g, i) => {
      if (rejected.has(i)) return;
      g.m.raw.ack();
      this.metrics.foldLatency((now - g.m.publishedMs) / 1000);
    });
  }

  /** Log exposures (idempotent on request id), then ack. */
  async exposures(batch: Array<BusMessage<unknown>>): Promise<void> {
    const good: Array<BusMessage<unknown>> = [];
    for (const m of batch) {
      if (m.body !== undefined && typeof (m.body as Exposure).requestId === 'string') good.push(m);
      else this.refuse(m, `exposure stream seq ${m.streamSeq}: ${m.error ?? 'no requestId'}`);
    }
    await this.retry('store', batch, () => Promise.all(good.map((m) => this.opts.store.exposures.append(m.body as Exposure))));
    for (const m of good) {
      m.raw.ack();
      this.metrics.exposure();
    }
  }

  /** A message that can never be stored: terminated (not delivered again), logged and counted. */
  private refuse(m: BusMessage<unknown>, why: string): void {
    m.raw.term(why.slice(0, 200));
    this.metrics.refused();
    this.log(`worker: refused ${why}`);
  }

  /**
   * Run `fn` until it succeeds: a service that does not answer is waited for with backoff,
   * the batch's ack deadline extended meanwhile. Gives up only when the worker stops (the
   * batch, unacked, goes to another worker).
   */
  private async retry<T>(what: 'store' | 'redis', batch: Array<BusMessage<unknown>>, fn: () => Promise<T>): Promise<T> {
    let wait = this.backoff.firstMs;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (this.opts.signal.aborted) throw err;
        this.metrics.retry(what);
        this.log(`worker: ${what} failed (${(err as Error).message}); retrying in ${wait} ms`);
        for (const m of batch) m.raw.working();
        await this.sleep(wait);
        wait = Math.min(this.backoff.maxMs, wait * 2);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.opts.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}
