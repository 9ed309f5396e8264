import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { SegueEvent } from '../domain/index.js';
import { StateEngine, type ListenerEntry, type TrackInfo } from './engine.js';
import { RedisOnlineState, type SeqEvent } from './redis-state.js';
import { RedisCounters } from './redis-counters.js';
import { decodeListener, encodeListener, encodeSession, decodeSession } from './codec.js';
import { requireRedis, testPrefix, testRedisUrl } from './testing.js';

const T0 = Date.UTC(2024, 4, 1, 10);
const MIN = 60_000;

/** 30 tracks by 5 artists, two genres each, 4-dimensional embeddings. */
const INFO: TrackInfo = {
  artistOf: (t) => `a${Number(t.slice(1)) % 5}`,
  genresOf: (t) => [`g${Number(t.slice(1)) % 3}`, `g${3 + (Number(t.slice(1)) % 2)}`],
  embed: (t) => Float32Array.from([1, Number(t.slice(1)) % 7, Number(t.slice(1)) % 3, 0.5]),
};

/** A seeded stream of plays, skips, likes, unlikes, bans and counts of 12 listeners, with seqs 1..n. */
function stream(n: number, seed = 11): SeqEvent[] {
  let s = seed;
  const rnd = (k: number): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % k;
  const out: SeqEvent[] = [];
  let ts = T0;
  for (let i = 0; i < n; i++) {
    ts += rnd(4) === 0 ? 45 * MIN : rnd(3) * MIN; // sessions end now and then
    const listenerId = `u${rnd(12)}`, trackId = `t${rnd(30)}`;
    const k = rnd(20);
    const base = { source: 'test', eventId: `e${i}`, listenerId, ts: ts - (rnd(10) === 0 ? 20 * MIN : 0), seq: i + 1 };
    const e: SegueEvent =
      k < 9 ? { ...base, type: 'play_end', trackId, msPlayed: 200_000, skipped: false }
      : k < 14 ? { ...base, type: 'skip', trackId, msPlayed: 5000, skipped: true }
      : k < 16 ? { ...base, type: 'like', trackId }
      : k === 16 ? { ...base, type: 'unlike', trackId }
      : k === 17 ? { ...base, type: 'ban', artistId: `a${rnd(5)}` }
      : k === 18 ? { ...base, type: 'play_count', trackId, count: 1 + rnd(5) }
      : { ...base, type: 'play_end', trackId };
    out.push({ ...e, seq: i + 1 });
  }
  return out;
}

function expectRowsClose(got: Map<string, Float64Array>, want: Map<string, Float64Array>, tol: number): void {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, w] of want) {
    const g = got.get(k)!;
    for (let i = 0; i < 4; i++) expect(Math.abs(g[i]! - w[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i]!)));
    expect(g[4]).toBe(w[4]);
  }
}

function expectListenerClose(got: ListenerEntry, want: ListenerEntry): void {
  expectRowsClose(got.tracks, want.tracks, 1e-5);
  expectRowsClose(got.artists, want.artists, 1e-5);
  expectRowsClose(got.genres, want.genres, 1e-5);
  expect([...got.bannedArtists].sort()).toEqual([...want.bannedArtists].sort());
  expect([...got.bannedTracks].sort()).toEqual([...want.bannedTracks].sort());
  const { vector: gv, ...gs } = got.session!;
  const { vector: wv, ...ws } = want.session!;
  expect(gs).toEqual(ws);
  expect(gv === undefined).toBe(wv === undefined);
  for (let i = 0; i < (wv?.length ?? 0); i++) expect(gv![i]).toBeCloseTo(wv![i]!, 4);
}

const redisUp = await requireRedis();

describe.runIf(redisUp)('RedisOnlineState (a real Redis, a key prefix of its own)', () => {
  let space: ReturnType<typeof testPrefix>;
  let states: RedisOnlineState[] = [];
  const open = async (opts = {}) => {
    const s = await RedisOnlineState.open(testRedisUrl(), INFO, undefined, { prefix: space.prefix, ...opts });
    states.push(s);
    return s;
  };
  beforeEach(() => {
    space = testPrefix();
    states = [];
  });
  afterEach(async () => {
    for (const s of states) await s.close();
    expect(await space.drop()).toBeGreaterThanOrEqual(0);
  });

  it('folds a stream in batches to the state one StateEngine folds it to, listener and track counters alike', async () => {
    const events = stream(600);
    const state = await open();
    let applied = 0;
    for (let i = 0; i < events.length; i += 37) applied += await state.fold(events.slice(i, i + 37));
    expect(applied).toBe(600);
    const ref = new StateEngine(INFO);
    for (const e of events) ref.apply(e);
    const ids = [...ref.listeners.keys()];
    expect(ids).toHaveLength(12);
    const stored = await state.read(ids);
    for (const id of ids) {
      expectListenerClose(stored.get(id)!.entry, ref.listeners.get(id)!);
      expect(stored.get(id)!.seq).toBe(Math.max(...events.filter((e) => e.listenerId === id).map((e) => e.seq)));
    }
    // A node reads the track counters the fold wrote.
    const node = await open();
    expectRowsClose(new Map([...ref.tracks.keys()].map((t) => [t, node.trackRow(t)!])), ref.tracks, 1e-9);
  });

  it('applies a redelivered batch never, and of an overlapping one only what is new', async () => {
    const events = stream(300);
    const state = await open();
    await state.fold(events.slice(0, 200));
    const before = await state.redis.hgetallBuffer(state.tracksKey);
    const listeners = await state.read(['u1', 'u2']);
    expect(await state.fold(events.slice(0, 200))).toBe(0);
    expect(await state.fold(events.slice(150, 200))).toBe(0);
    expect(await state.redis.hgetallBuffer(state.tracksKey)).toEqual(before);
    const again = await state.read(['u1', 'u2']);
    for (const id of ['u1', 'u2']) expect(encodeListener(again.get(id)!.entry, 0)).toEqual(encodeListener(listeners.get(id)!.entry, 0));
    expect(await state.fold(events.slice(150, 300))).toBe(100);
    const ref = new StateEngine(INFO);
    for (const e of events) ref.apply(e);
    const all = await state.read([...ref.listeners.keys()]);
    for (const [id, want] of ref.listeners) expectListenerClose(all.get(id)!.entry, want);
  });

  it('folds an event once when a batch carries it twice (a message delivered again into the same batch)', async () => {
    const events = stream(60);
    const state = await open();
    const twice = events.flatMap((e, i) => (i % 7 === 0 ? [e, e] : [e]));
    expect(await state.fold(twice)).toBe(60);
    const ref = new StateEngine(INFO);
    for (const e of events) ref.apply(e);
    const all = await state.read([...ref.listeners.keys()]);
    for (const [id, want] of ref.listeners) expectListenerClose(all.get(id)!.entry, want);
  });

  it('counts each event once when two folders fold the same events at once (compare-and-set per listener)', async () => {
    const events = stream(400);
    const [a, b] = [await open(), await open()];
    const halves = await Promise.all([
      (async () => { let n = 0; for (let i = 0; i < 400; i += 25) n += await a.fold(events.slice(i, i + 25)); return n; })(),
      (async () => { let n = 0; for (let i = 0; i < 400; i += 40) n += await b.fold(events.slice(i, i + 40)); return n; })(),
    ]);
    expect(halves[0] + halves[1]).toBeGreaterThanOrEqual(400);
    const ref = new StateEngine(INFO);
    for (const e of events) ref.apply(e);
    await b.refreshTracks();
    expectRowsClose(new Map([...ref.tracks.keys()].map((t) => [t, b.trackRow(t)!])), ref.tracks, 1e-9);
    const all = await a.read([...ref.listeners.keys()]);
    for (const [id, want] of ref.listeners) expectListenerClose(all.get(id)!.entry, want);
  });

  it('a node sees folds of a worker: the listener at once, the track counters at its next refresh', async () => {
    const events = stream(100);
    const worker = await open();
    const node = await open({ refreshMs: 0 });
    await worker.fold(events);
    // Without the ready mark (a flushed state) a read is marked degraded.
    expect((await node.view('u3')).degraded).toBe(true);
    await worker.markReady();
    const view = await node.view('u3');
    expect(view.degraded).toBeUndefined();
    const ref = new StateEngine(INFO);
    for (const e of events) ref.apply(e);
    const out = new Float64Array(4), want = new Float64Array(4);
    const now = T0 + 3 * 86_400_000;
    for (const t of ref.listeners.get('u3')!.tracks.keys()) {
      view.countersInto('track', t, now, out, 0);
      ref.view('u3').countersInto('track', t, now, want, 0);
      for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(want[i]!, 4);
    }
    expect(view.session(ref.listeners.get('u3')!.session!.lastTs)?.id).toBe(ref.listeners.get('u3')!.session!.id);
    expect(await node.refreshTracks()).toBe(ref.tracks.size);
    node.view('u3').then(() => undefined, () => undefined);
    const t = [...ref.tracks.keys()][0]!;
    node.view('u3').then((v) => v.countersInto('global', t, now, out, 0), () => undefined);
    (await node.view('u3')).countersInto('global', t, now, out, 0);
    ref.view('u3').countersInto('global', t, now, want, 0);
    for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(want[i]!, 9);
  });

  it('answers degraded (an empty listener), not an error, while Redis does not answer; then recovers', async () => {
    const worker = await open();
    await worker.fold(stream(50));
    await worker.markReady();
    const node = await open();
    node.redis.disconnect();
    if (node.redis.status !== 'end') await new Promise((r) => node.redis.once('end', r));
    const v = await node.view('u1');
    expect(v.degraded).toBe(true);
    expect(v.top('track', T0, 5)).toEqual([]);
    expect(node.degraded).toBe(true);
    await node.redis.connect();
    const back = await node.view('u1');
    expect(back.degraded).toBeUndefined();
    expect(back.top('track', T0 + MIN * 600, 5).length).toBeGreaterThan(0);
  });

  it('keeps station histories shared by every node: appends from two nodes at once all stay', async () => {
    const [a, b] = [await open(), await open()];
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).stations.append('u1', 'station:s1', [{ ts: T0 + i }, { ts: T0 + 100 + i }])));
    const got = await a.stations.read('u1', 'station:s1');
    expect(got).toHaveLength(40);
    expect(new Set(got.map((h) => h.ts)).size).toBe(40);
    expect(await b.stations.read('u1', 'station:other')).toEqual([]);
    expect(await a.redis.pttl(`${space.prefix}st:u1:station:s1`)).toBeGreaterThan(86_000_000);
  });

  it('counts rate-limit windows across nodes, and falls back to its own memory while Redis is away', async () => {
    const fallback = { hits: 0, async hit() { this.hits++; return { count: 1, ttl: 60_000 }; }, async peek() { return { count: 0, ttl: 0 }; } };
    const [a, b] = [await RedisCounters.open(testRedisUrl(), space.prefix, fallback), await RedisCounters.open(testRedisUrl(), space.prefix, fallback)];
    try {
      for (let i = 0; i < 3; i++) await a.hit('key:k1', 60_000);
      const c = await b.hit('key:k1', 60_000);
      expect(c.count).toBe(4);
      expect(c.ttl).toBeGreaterThan(59_000);
      expect((await a.peek('key:k1', 60_000)).count).toBe(4);
      expect(await a.peek('key:none', 60_000)).toEqual({ count: 0, ttl: 0 });
      // Windows end: a short one expires and starts again at 1.
      await a.hit('key:short', 50);
      await new Promise((r) => setTimeout(r, 80));
      expect((await a.hit('key:short', 50)).count).toBe(1);
      b.close();
      expect(await b.hit('key:k1', 60_000)).toEqual({ count: 1, ttl: 60_000 });
      expect(fallback.hits).toBe(1);
    } finally {
      a.close();
      b.close();
    }
  });

  it('refuses to fold events without their log seq', async () => {
    const state = await open();
    await expect(state.apply([{ type: 'play_end', source: 'test', eventId: 'x', listenerId: 'u1', trackId: 't1', ts: T0 }])).rejects.toThrow(/needs its log seq/);
  });
});

describe('the Redis state codec', () => {
  it('round-trips a listener and its session, and refuses a truncated or foreign value with its name', () => {
    const ref = new StateEngine(INFO);
    for (const e of stream(300)) ref.apply(e);
    const l = ref.listeners.get('u4')!;
    const buf = encodeListener(l, 1234);
    const back = decodeListener(buf, 'state of listener u4');
    expect(back.seq).toBe(1234);
    expectRowsClose(back.entry.tracks, l.tracks, 1e-6);
    expect(decodeSession(encodeSession(l.session!), 's')).toEqual({ ...l.session!, vector: Float32Array.from(l.session!.vector!) });
    expect(() => decodeListener(buf.subarray(0, buf.length - 3), 'state of listener u4')).toThrow(/state of listener u4 is truncated/);
    expect(() => decodeListener(Buffer.from([9, 0, 0]), 'state of listener u4')).toThrow(/has format 9/);
    expect(decodeListener(null, 'x')).toMatchObject({ seq: 0 });
  });
});
