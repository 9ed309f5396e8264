import { describe, it, expect, afterEach } from 'vitest';
import type { SegueEvent, Track } from '../domain/index.js';
import { openStore, type Store } from '../store/index.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../store/testing.js';
import { NatsBus } from '../bus/index.js';
import { requireNats, testBusPrefix, testNatsUrl } from '../bus/testing.js';
import { checkState, rebuildState, RedisOnlineState, TrackTable, openOnlineState } from '../features/index.js';
import { requireRedis, testPrefix, testRedisUrl } from '../features/testing.js';
import { startWorker, type RunningWorker } from './run.js';

const T0 = Date.UTC(2024, 4, 1, 10);
const MIN = 60_000;
const tracks: Track[] = Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, title: `T${i}`, artists: [{ id: `a${i % 4}`, name: `A${i % 4}` }], genres: [`g${i % 3}`], durationMs: 200_000 }));

function events(n: number, from = 0): SegueEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const base = { source: 'app', eventId: `e${i}`, listenerId: `u${i % 13}`, trackId: `t${(i * 7) % 20}`, ts: T0 + i * MIN };
    return i % 5 === 0 ? { ...base, type: 'skip' as const, msPlayed: 4000, skipped: true } : { ...base, type: 'play_end' as const, msPlayed: 200_000, skipped: false };
  });
}

async function until(what: string, ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const up = (await requirePostgres()) && (await requireRedis()) && (await requireNats());

describe.runIf(up)('segue worker (real PostgreSQL, Redis and NATS; a database, key prefix and streams of its own)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function world(): Promise<{ store: Store; db: TestDatabase; redis: ReturnType<typeof testPrefix>; busPrefix: string; publisher: NatsBus }> {
    const db = await createTestDatabase();
    cleanup.push(() => db.drop());
    const store = await openStore(db.url);
    cleanup.push(() => store.close());
    await store.ingest({ tracks });
    const redis = testPrefix();
    cleanup.push(() => redis.drop());
    const busPrefix = testBusPrefix();
    const publisher = await NatsBus.open(testNatsUrl(), { prefix: busPrefix, partitions: 4, ackWaitMs: 1500 });
    cleanup.push(async () => {
      await publisher.destroy();
      await publisher.close();
    });
    return { store, db, redis, busPrefix, publisher };
  }

  const start = async (w: Awaited<ReturnType<typeof world>>, log: string[] = []): Promise<RunningWorker> => {
    const r = await startWorker({ store: w.store, state: { url: testRedisUrl(), prefix: w.redis.prefix }, bus: { url: testNatsUrl(), prefix: w.busPrefix, partitions: 4, ackWaitMs: 1500 }, metricsPort: 0, log: (l) => log.push(l) });
    cleanup.push(() => r.stop());
    return r;
  };

  const redisState = async (w: Awaited<ReturnType<typeof world>>): Promise<RedisOnlineState> => {
    const { state } = await openOnlineState(w.store, await TrackTable.load(w.store), { redis: { url: testRedisUrl(), prefix: w.redis.prefix } });
    cleanup.push(() => (state as RedisOnlineState).close());
    return state as RedisOnlineState;
  };

  it('persists every published event once, folds it once into Redis, and acks: the state equals a fold of the log', async () => {
    const w = await world();
    const log: string[] = [];
    const worker = await start(w, log);
    await w.publisher.publishEvents(events(400));
    await w.publisher.publishEvents(events(50, 380)); // 380..399 retried, 400..429 new
    await w.publisher.publishEvents([{ type: 'play_end', source: 'app', eventId: 'bad', listenerId: 'u1', trackId: 'nope', ts: T0 }]);
    await w.publisher.publishExposures([{ listenerId: 'u1', requestId: 'r1', surface: 'radio', ts: T0, items: [] } as never]);
    await until('430 events in the store', async () => (await w.store.events.count()) === 430);
    await until('the exposure', async () => (await w.store.exposures.get('r1')) !== undefined);
    const state = await redisState(w);
    await until('a clean check', async () => (await checkState(w.store, state)).differences.length === 0);
    const check = await checkState(w.store, state);
    expect(check).toMatchObject({ events: 430, listeners: 13, differences: [] });
    await until('the refusal logged', async () => log.some((l) => /refused.*unknown track "nope"/.test(l)));
    // Metrics: fold latency observed for each folded event, lag per partition.
    const metrics = await (await fetch(`${worker.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/segue_fold_latency_seconds_count 430/);
    expect(metrics).toMatch(/segue_consumer_lag\{stream="events",partition="3",kind="pending"\} 0/);
    expect(metrics).toMatch(/segue_worker_events_total\{outcome="refused"\} 1/);
  });

  it('a second worker takes over the batches of one that stopped without acking; nothing lost, nothing folded twice', async () => {
    const w = await world();
    const a = await start(w);
    // Worker a "dies" mid-batch: its folds fail from now on, so it never acks (its leases it still holds).
    const real = await redisState(w);
    a.worker.setState(new Proxy(real, { get: (t, k) => (k === 'fold' ? () => Promise.reject(new Error('gone')) : Reflect.get(t, k)) }));
    await w.publisher.publishEvents(events(300));
    await until('a persisted some events', async () => (await w.store.events.count()) > 0);
    await a.stop();
    const b = await start(w);
    await until('every event persisted', async () => (await w.store.events.count()) === 300);
    const state = await redisState(w);
    await until('a clean check', async () => (await checkState(w.store, state)).differences.length === 0);
    expect((await checkState(w.store, state)).events).toBe(300);
    await b.stop();
  });

  it('state check finds a flushed state; state rebuild restores it exactly while a worker keeps folding', async () => {
    const w = await world();
    await start(w);
    await w.publisher.publishEvents(events(200));
    await until('200 events', async () => (await w.store.events.count()) === 200);
    const state = await redisState(w);
    await until('a clean check', async () => (await checkState(w.store, state)).differences.length === 0);
    await w.redis.drop(); // FLUSHDB of this test's keys
    const broken = await checkState(w.store, state);
    expect(broken.differences.length).toBeGreaterThan(13);
    expect(broken.differences).toContain('the state has no ready mark (flushed, or never rebuilt): run segue state rebuild');
    expect((await state.view('u1')).degraded).toBe(true);
    // More events arrive during the rebuild.
    const more = w.publisher.publishEvents(events(200, 200));
    expect(await rebuildState(w.store, state)).toMatchObject({ listeners: 13 });
    await more;
    await until('400 events', async () => (await w.store.events.count()) === 400);
    await until('a clean check', async () => (await checkState(w.store, state)).differences.length === 0);
    expect((await state.view('u1')).degraded).toBeUndefined();
  });
});
