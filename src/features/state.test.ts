import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import type { SegueEvent } from '../domain/index.js';
import { StateEngine, EmbeddedOnlineState, DEFAULT_STATE, acceptEvents, STATE_KEY, TrackTable, type TrackInfo, type StateConfig } from './index.js';
import { TRACKS_OWNER, trackShard } from './embedded.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const info: TrackInfo = {
  artistOf: (t) => ({ t1: 'a1', t2: 'a1', t3: 'a2' } as Record<string, string>)[t],
  genresOf: (t) => ({ t1: ['rock'], t2: ['rock', 'indie'], t3: ['jazz'] } as Record<string, string[]>)[t] ?? [],
  embed: (t) => ({ t1: Float32Array.of(1, 0), t2: Float32Array.of(0.9, 0.1), t3: Float32Array.of(0, 1) } as Record<string, Float32Array>)[t],
};
const cfg: StateConfig = { ...DEFAULT_STATE, halfLifeDays: { listenerTrack: 10, listenerArtist: 20, listenerGenre: 30, track: 5 } };
let seq = 0;
const ev = (type: SegueEvent['type'], trackId: string, ts: number, extra: Partial<SegueEvent> = {}): SegueEvent =>
  ({ type, source: 'test', eventId: `e${seq++}`, listenerId: 'u1', trackId, ts, ...extra });
const read = (e: StateEngine | { view(id: string): ReturnType<StateEngine['view']> }, kind: 'track' | 'artist' | 'genre' | 'global', key: string, now: number): number[] => {
  const out = new Float64Array(4);
  (e as StateEngine).view('u1').countersInto(kind, key, now, out, 0);
  return Array.from(out, (x) => Number(x.toFixed(6)));
};

describe('online state engine', () => {
  it('counts plays, listen-throughs, skips and likes per listener x track, artist, genre and per track', () => {
    const s = new StateEngine(info, cfg);
    s.apply(ev('play_end', 't1', T0, { skipped: false }));
    s.apply(ev('skip', 't2', T0));
    s.apply(ev('play_end', 't2', T0, {})); // unknown skip status: a play only
    s.apply(ev('like', 't1', T0));
    expect(read(s, 'track', 't1', T0)).toEqual([1, 1, 0, 1]);
    expect(read(s, 'track', 't2', T0)).toEqual([2, 0, 1, 0]);
    expect(read(s, 'artist', 'a1', T0)).toEqual([3, 1, 1, 1]);
    expect(read(s, 'genre', 'rock', T0)).toEqual([3, 1, 1, 1]);
    expect(read(s, 'genre', 'indie', T0)).toEqual([2, 0, 1, 0]);
    expect(read(s, 'global', 't2', T0)).toEqual([2, 0, 1, 0]);
    expect(read(s, 'track', 't3', T0)).toEqual([0, 0, 0, 0]);
    // What the no-repeat rule reads: tracks touched since a time, with when.
    s.apply(ev('play_end', 't3', T0 + 5000, { skipped: false }));
    expect([...s.view('u1').touchedSince(T0 + 1)]).toEqual([['t3', T0 + 5000]]);
    expect(new Set(s.view('u1').touchedSince(T0).keys())).toEqual(new Set(['t1', 't2', 't3']));
  });

  it('decays each kind with its own half-life, also for late events', () => {
    const s = new StateEngine(info, cfg);
    s.apply(ev('play_end', 't1', T0, { skipped: false }));
    expect(read(s, 'track', 't1', T0 + 10 * DAY)[0]).toBeCloseTo(0.5, 6);
    expect(read(s, 'artist', 'a1', T0 + 20 * DAY)[0]).toBeCloseTo(0.5, 6);
    expect(read(s, 'genre', 'rock', T0 + 60 * DAY)[0]).toBeCloseTo(0.25, 6);
    expect(read(s, 'global', 't1', T0 + 5 * DAY)[0]).toBeCloseTo(0.5, 6);
    // A late event counts as if it had arrived in order.
    s.apply(ev('play_end', 't1', T0 + 10 * DAY, { skipped: true }));
    s.apply(ev('play_end', 't1', T0 - 10 * DAY, { skipped: true }));
    const inOrder = new StateEngine(info, cfg);
    for (const t of [T0 - 10 * DAY, T0, T0 + 10 * DAY]) inOrder.apply(ev('play_end', 't1', t, { skipped: t !== T0 }));
    expect(read(s, 'track', 't1', T0 + 12 * DAY)).toEqual(read(inOrder, 'track', 't1', T0 + 12 * DAY));
  });

  it('floors likes at zero on unlike and records bans', () => {
    const s = new StateEngine(info, cfg);
    s.apply(ev('like', 't3', T0));
    s.apply(ev('unlike', 't3', T0 + 1));
    s.apply(ev('unlike', 't3', T0 + 2));
    expect(read(s, 'track', 't3', T0 + 2)[3]).toBe(0);
    s.apply({ type: 'ban', listenerId: 'u1', ts: T0, artistId: 'a2' });
    expect(s.view('u1').banned('t3', 'a2')).toBe(true);
    expect(s.view('u1').banned('t1', 'a1')).toBe(false);
  });

  it('keeps a session: position, skip streak, per-artist skips, recent tracks, and a new one after a gap', () => {
    const s = new StateEngine(info, { ...cfg, recentTracks: 3 });
    const plays: [string, boolean][] = [['t1', false], ['t3', true], ['t3', true], ['t2', false], ['t3', true]];
    plays.forEach(([t, skipped], i) => s.apply(ev('play_end', t, T0 + i * 60_000, { skipped })));
    const now = T0 + 5 * 60_000;
    const sess = s.view('u1').session(now)!;
    expect(sess.plays).toBe(5);
    expect(sess.skips).toBe(3);
    expect(sess.skipStreak).toBe(1);
    expect(sess.artistSkips.get('a2')).toBe(3);
    expect(sess.artistListens.get('a1')).toBe(2);
    expect(sess.recent.map((p) => p.trackId)).toEqual(['t3', 't2', 't3']);
    // The session vector points toward a1's tracks (listened) and away from a2's (skipped).
    const v = sess.vector!;
    expect(v[0]).toBeGreaterThan(0);
    expect(v[1]).toBeLessThan(0);
    expect(s.view('u1').session(now + 31 * 60_000)).toBeUndefined();
    s.apply(ev('play_end', 't1', now + 40 * 60_000, { skipped: false }));
    expect(s.view('u1').session(now + 40 * 60_000)!.plays).toBe(1);
  });

  it('uses the event sessionId when given', () => {
    const s = new StateEngine(info, cfg);
    s.apply(ev('play_end', 't1', T0, { skipped: false, sessionId: 's1' }));
    s.apply(ev('play_end', 't2', T0 + 1000, { skipped: false, sessionId: 's2' }));
    const sess = s.view('u1').session(T0 + 1000)!;
    expect(sess.id).toBe('s2');
    expect(sess.plays).toBe(1);
  });

  it('rejects a non-positive half-life', () => {
    expect(() => new StateEngine(info, { ...cfg, halfLifeDays: { ...cfg.halfLifeDays, track: 0 } })).toThrow('halfLifeDays.track must be positive');
  });
});

describe('embedded online state', () => {
  it('persists in the store on flush and reads back the same state, lazily per listener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-state-'));
    try {
      const path = join(dir, 'segue.db');
      const store = await openStore(path);
      const a = await EmbeddedOnlineState.open(store, info, cfg);
      await a.apply([ev('play_end', 't1', T0, { skipped: false }), ev('skip', 't3', T0 + 1000), ev('like', 't2', T0 + 2000)]);
      await a.apply([{ type: 'ban', source: 'test', eventId: 'b1', listenerId: 'u1', ts: T0, trackId: 't2' }]);
      // A row never bumped holds -Infinity, which JSON cannot: it is stored as null and must come back.
      const never = Float64Array.from(a.engine.listeners.get('u1')!.tracks.get('t1')!).fill(-Infinity);
      a.engine.listeners.get('u1')!.tracks.set('t-never', never);
      await a.flush();
      await store.close();

      const again = await openStore(path);
      const b = await EmbeddedOnlineState.open(again, info, cfg);
      expect(b.engine.listeners.size).toBe(0); // nothing loaded until asked
      const now = T0 + 3000;
      for (const [kind, key] of [['track', 't1'], ['artist', 'a2'], ['genre', 'rock'], ['global', 't3']] as const) {
        const x = new Float64Array(4), y = new Float64Array(4);
        (await a.view('u1')).countersInto(kind, key, now, x, 0);
        (await b.view('u1')).countersInto(kind, key, now, y, 0);
        expect(Array.from(y)).toEqual(Array.from(x));
      }
      const sa = (await a.view('u1')).session(now)!, sb = (await b.view('u1')).session(now)!;
      expect(sb.plays).toBe(sa.plays);
      expect(sb.artistSkips).toEqual(sa.artistSkips);
      expect(Array.from(sb.vector!)).toEqual(Array.from(sa.vector!));
      expect((await b.view('u1')).banned('t2', 'a1')).toBe(true);
      // Every counter row comes back exactly, a row never bumped (-Infinity, stored as null) included.
      const la = a.engine.listeners.get('u1')!, lb = b.engine.listeners.get('u1')!;
      for (const m of ['tracks', 'artists', 'genres'] as const) expect(lb[m]).toEqual(la[m]);
      expect(Array.from(lb.tracks.get('t-never')!)).toEqual(Array.from(never));
      // New events continue from the stored state.
      await b.apply([ev('play_end', 't1', T0 + 4000, { skipped: false })]);
      const x = new Float64Array(4);
      (await b.view('u1')).countersInto('track', 't1', T0 + 4000, x, 0);
      expect(x[0]).toBeCloseTo(2, 4);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded online state: folding the log', () => {
  it('folds every event of the log once, from a durable cursor, whoever wrote it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-state-'));
    try {
      const path = join(dir, 'segue.db');
      const store = await openStore(path);
      await store.ingest({ tracks: ['t1', 't2', 't3'].map((id) => ({ id, title: id, artists: [{ id: info.artistOf(id)!, name: info.artistOf(id)! }], genres: [...info.genresOf(id)] })) });
      const first = await store.ingest({ events: [ev("play_end", "t1", T0, { skipped: false }), ev("play_end", "t3", T0 + 1000, { skipped: true })] });
      expect(first.rejected).toEqual([]);
      const a = await EmbeddedOnlineState.open(store, info, cfg);
      expect(await a.catchUp()).toBe(2);
      expect(await a.catchUp()).toBe(0);
      const x = new Float64Array(4);
      (await a.view('u1')).countersInto('global', 't3', T0 + 1000, x, 0);
      expect(Array.from(x)).toEqual([1, 0, 1, 0]);
      // acceptEvents: written, folded, durable; a duplicate changes nothing.
      const e = ev('like', 't3', T0 + 2000);
      expect((await acceptEvents(store, a, [e])).accepted).toBe(1);
      expect((await acceptEvents(store, a, [{ ...e }])).duplicates).toBe(1);
      (await a.view('u1')).countersInto('track', 't3', T0 + 2000, x, 0);
      expect(x[3]).toBeCloseTo(1, 6);
      await store.close();

      // Reopened: the cursor and the state are where they were; only new events fold.
      const again = await openStore(path);
      const b = await EmbeddedOnlineState.open(again, info, cfg);
      expect(b.cursor).toBe(a.cursor);
      expect(await b.catchUp()).toBe(0);
      await again.ingest({ events: [ev('play_end', 't3', T0 + 3000, { skipped: true })] });
      expect(await b.catchUp()).toBe(1);
      (await b.view('u1')).countersInto('track', 't3', T0 + 3000, x, 0);
      expect(x[0]).toBeCloseTo(2, 4);
      expect(x[2]).toBeCloseTo(2, 4);
      expect(x[3]).toBeCloseTo(1, 4);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded online state: a replica for a second server process', () => {
  it('starts from one snapshot, folds the log like the owner, never writes, and never rereads a listener the owner flushed later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-state-'));
    try {
      const store = await openStore(join(dir, 'segue.db'));
      await store.ingest({ tracks: ['t1', 't2', 't3'].map((id) => ({ id, title: id, artists: [{ id: info.artistOf(id)!, name: info.artistOf(id)! }], genres: [...info.genresOf(id)] })) });
      const play = (l: string, t: string, ts: number, skipped = false) => ev('play_end', t, ts, { listenerId: l, skipped });
      const owner = await EmbeddedOnlineState.open(store, info, cfg);
      await store.ingest({ events: [play('u1', 't1', T0), play('u2', 't3', T0 + 1000, true), play('u1', 't2', T0 + 2000)] });
      await owner.catchUp(); // flushed: stored state at this cursor
      await store.ingest({ events: [play('u1', 't3', T0 + 3000), play('u3', 't1', T0 + 4000)] });
      await owner.catchUp({ flush: false }); // folded in memory only: the stored state lags

      const stored = async () => (await store.listenerState.snapshot({ keys: [STATE_KEY], listenerIds: [TRACKS_OWNER] })).map((r) => `${r.listenerId}/${r.key}/${Buffer.from(r.value).toString('base64')}`).sort();
      const replica = await EmbeddedOnlineState.openReplica(store, info, cfg);
      expect(replica.isReplica).toBe(true);
      expect(replica.cursor).toBeLessThan(owner.cursor);
      // The owner writes u1 (and u3) at its later cursor before the replica folds those events:
      // reading u1's stored state now would count them twice.
      await owner.flush();
      await store.ingest({ events: [play('u2', 't2', T0 + 5000), play('u1', 't1', T0 + 6000, true)] });
      await owner.catchUp({ flush: false });
      const before = await stored();
      expect(await replica.catchUp()).toBe(4);
      expect(replica.cursor).toBe(owner.cursor);

      const now = T0 + 7000;
      const viewOf = async (s: EmbeddedOnlineState, l: string) => {
        const v = await s.view(l);
        const c = new Float64Array(4);
        const counters: number[] = [];
        for (const t of ['t1', 't2', 't3']) for (const kind of ['track', 'global'] as const) {
          v.countersInto(kind, t, now, c, 0);
          counters.push(...Array.from(c, (x) => Number(x.toFixed(9))));
        }
        return { counters, tracks: v.top('track', now, 10), artists: v.top('artist', now, 10), session: v.session(now)?.recent.map((p) => p.trackId) };
      };
      for (const l of ['u1', 'u2', 'u3', 'nobody']) expect(await viewOf(replica, l)).toEqual(await viewOf(owner, l));
      expect((await viewOf(replica, 'u1')).counters.slice(0, 4)[0]).toBeCloseTo(2, 3); // t1 played twice by u1, each once

      // A replica writes nothing: neither its fold nor its flush.
      await replica.flush();
      expect(await stored()).toEqual(before);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded online state: deferred flushes and storage format', () => {
  it('folds in memory without flushing; after a crash the stored cursor refolds what was not flushed, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-state-'));
    try {
      const path = join(dir, 'segue.db');
      const store = await openStore(path);
      await store.ingest({ tracks: ['t1', 't2', 't3'].map((id) => ({ id, title: id, artists: [{ id: info.artistOf(id)!, name: info.artistOf(id)! }], genres: [...info.genresOf(id)] })) });
      const a = await EmbeddedOnlineState.open(store, info, cfg);
      await store.ingest({ events: [ev('play_end', 't1', T0, { skipped: false })] });
      expect(await a.catchUp()).toBe(1); // flushed
      await store.ingest({ events: [ev('play_end', 't1', T0 + 1000, { skipped: false }), ev('play_end', 't2', T0 + 2000, { skipped: true })] });
      // Concurrent folds are serialized: each event once.
      expect((await Promise.all([a.catchUp({ flush: false }), a.catchUp({ flush: false })])).reduce((x, y) => x + y)).toBe(2);
      const x = new Float64Array(4);
      (await a.view('u1')).countersInto('track', 't1', T0 + 2000, x, 0);
      expect(x[0]).toBeCloseTo(2, 3);
      // "Crash": a second state opens from what is stored (cursor after the first event only).
      const b = await EmbeddedOnlineState.open(store, info, cfg);
      expect(b.cursor).toBeLessThan(a.cursor);
      expect(await b.catchUp()).toBe(2);
      const y = new Float64Array(4);
      (await b.view('u1')).countersInto('track', 't1', T0 + 2000, y, 0);
      expect(Array.from(y)).toEqual(Array.from(x));
      (await b.view('u1')).countersInto('global', 't2', T0 + 2000, y, 0);
      expect(y[2]).toBeCloseTo(1, 6);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads global track counters of the first format (one blob) and rewrites them as shards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-state-'));
    try {
      const store = await openStore(join(dir, 'segue.db'));
      const legacy = { v: 1, t: [['t1', 3, 2, 1, 0, T0], ['t2', 1, 0, 1, 0, T0]] };
      await store.listenerState.put(TRACKS_OWNER, STATE_KEY, new TextEncoder().encode(JSON.stringify(legacy)));
      const a = await EmbeddedOnlineState.open(store, info, cfg);
      expect(Array.from(a.engine.tracks.get('t1')!)).toEqual([3, 2, 1, 0, T0]);
      await a.flush();
      const blob = JSON.parse(new TextDecoder().decode(await store.listenerState.get(TRACKS_OWNER, STATE_KEY))) as { t: unknown[] };
      expect(blob.t).toEqual([]);
      const shard = await store.listenerState.get(TRACKS_OWNER, `${STATE_KEY}:tracks:${trackShard('t1')}`);
      expect(new TextDecoder().decode(shard)).toContain('"t1"');
      const b = await EmbeddedOnlineState.open(store, info, cfg);
      expect(Array.from(b.engine.tracks.get('t2')!)).toEqual([1, 0, 1, 0, T0]);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('track table', () => {
  it('lists an album\'s tracks in catalog order, and sees tracks added later', () => {
    const t = new TrackTable(2);
    const track = (id: string, album?: string) => ({ id, title: id, artists: [{ id: 'a1' }], ...(album ? { album: { id: album } } : {}) }) as Parameters<TrackTable['add']>[0];
    t.add(track('x1', 'al1'));
    t.add(track('x2'));
    t.add(track('x3', 'al2'));
    t.add(track('x4', 'al1'));
    expect(t.albumTracks('al1')).toEqual([0, 3]);
    expect(t.albumTracks('al2')).toEqual([2]);
    expect(t.albumTracks('')).toEqual([]);
    expect(t.albumTracks('nope')).toEqual([]);
    t.add(track('x5', 'al1'));
    t.add(track('x3', 'al1')); // moved to another album
    expect(t.albumTracks('al1')).toEqual([0, 2, 3, 4]);
    expect(t.albumTracks('al2')).toEqual([]);
  });
});
