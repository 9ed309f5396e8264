import { createServer, type Server } from 'node:http';
import type { Store } from '../store/index.js';
import { NatsBus } from '../bus/index.js';
import { openOnlineState, TrackTable, type RedisOnlineState } from '../features/index.js';
import { Worker } from './worker.js';

export interface WorkerConfig {
  store: Store;
  state: { url: string; prefix?: string };
  bus: { url: string; prefix?: string; partitions?: number; batch?: number; ackWaitMs?: number };
  /** Port of /metrics and /health (0 picks a free one; undefined: none). */
  metricsPort?: number;
  metricsHost?: string;
  /** How often to look for a grown catalog (the fold needs each track's artist and genres). */
  catalogCheckMs?: number;
  log?: (line: string) => void;
}

export interface RunningWorker {
  worker: Worker;
  bus: NatsBus;
  /** http://host:port of /metrics, when a port was given. */
  metricsUrl: string | undefined;
  /** Stop consuming (batches in progress finish or stay unacked), close the services. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
}

/**
 * Start a worker on a store, a Redis state and a bus: consume, persist, fold, ack (see
 * Worker), serve /metrics (fold latency, consumer lag per partition, outcomes), and reload
 * the catalog when it grows.
 */
export async function startWorker(c: WorkerConfig): Promise<RunningWorker> {
  const log = c.log ?? (() => {});
  const openState = async (): Promise<RedisOnlineState> =>
    (await openOnlineState(c.store, await TrackTable.load(c.store), { redis: { url: c.state.url, ...(c.state.prefix !== undefined ? { prefix: c.state.prefix } : {}), readTimeoutMs: 5000 } })).state as RedisOnlineState;
  let state = await openState();
  let bus: NatsBus;
  try {
    bus = await NatsBus.open(c.bus.url, c.bus);
  } catch (err) {
    await state.close();
    throw err;
  }
  if (!(await state.isReady())) {
    if ((await c.store.events.lastSeq()) === 0) await state.markReady(); // a new deployment: nothing to fold yet
    else log(`worker: the Redis state under ${state.prefix} has no ready mark but the store's log has events: run segue state rebuild (nodes answer degraded until then)`);
  }
  const abort = new AbortController();
  const worker = new Worker({ store: c.store, state, bus, signal: abort.signal, log });
  let counts = JSON.stringify(await c.store.catalog.counts());
  const check = setInterval(() => {
    void (async () => {
      const now = JSON.stringify(await c.store.catalog.counts());
      if (now === counts) return;
      const next = await openState();
      worker.setState(next);
      const old = state;
      state = next;
      counts = now;
      log(`worker: the catalog changed (${now}): folding with it`);
      setTimeout(() => void old.close(), 5000).unref();
    })().catch((err: unknown) => log(`worker: catalog check failed (${(err as Error).message})`));
  }, c.catalogCheckMs ?? 10_000);
  check.unref();

  let server: Server | undefined;
  let metricsUrl: string | undefined;
  if (c.metricsPort !== undefined) {
    server = createServer((req, res) => {
      void (async () => {
        if (req.url === '/metrics') {
          for (const kind of ['events', 'exposures'] as const) {
            for (const l of await bus.lag(kind).catch(() => [])) {
              worker.metrics.lag.set({ stream: kind, partition: String(l.partition), kind: 'pending' }, l.pending);
              worker.metrics.lag.set({ stream: kind, partition: String(l.partition), kind: 'unacked' }, l.unacked);
            }
          }
          res.writeHead(200, { 'content-type': worker.metrics.registry.contentType }).end(await worker.metrics.registry.metrics());
        } else if (req.url === '/health') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, partitions: bus.partitions }));
        } else {
          res.writeHead(404).end();
        }
      })().catch((err: unknown) => res.writeHead(500).end(String((err as Error).message)));
    });
    const host = c.metricsHost ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(c.metricsPort, host, () => resolve());
    });
    const addr = server.address();
    metricsUrl = `http://${host}:${typeof addr === 'object' && addr ? addr.port : c.metricsPort}`;
  }

  const done = worker.run();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      abort.abort();
      clearInterval(check);
      await done.catch(() => undefined);
      server?.close();
      await bus.close();
      await state.close();
    })());
  return { worker, bus, metricsUrl, stop, done };
}
