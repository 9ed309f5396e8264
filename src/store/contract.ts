import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { SegueEvent, Track } from '../domain/index.js';
import type { Store } from './types.js';

/** A track with one artist, for contract tests. */
export function track(id: string, artist = 'a1', extra: Partial<Track> = {}): Track {
  return { id, title: `Title ${id}`, artists: [{ id: artist, name: `Artist ${artist}` }], durationMs: 200_000, ...extra };
}

const T0 = Date.UTC(2024, 4, 1, 10);
const MIN = 60_000;

/** A play_end event, for contract tests. */
export function play(eventId: string, listenerId: string, trackId: string, ts: number, extra: Partial<SegueEvent> = {}): SegueEvent {
  return { type: 'play_end', source: 'test', eventId, listenerId, trackId, ts, msPlayed: 200_000, endReason: 'trackdone', skipped: false, ...extra };
}

async function all<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of it) out.push(...b);
  return out;
}

/**
 * The storage contract: every Store implementation runs this suite (one factory per
 * implementation, each call returning a fresh, empty, isolated store).
 */
export function storeContract(name: string, open: () => Promise<Store>, cleanup: () => Promise<void> = async () => {}): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('writes catalog and events in one batch; events may refer to tracks of the same batch', async () => {
      expect(await store.events.lastSeq()).toBe(0);
      const r = await store.ingest({ tracks: [track('t1'), track('t2', 'a2')], events: [play('e1', 'u1', 't1', T0), play('e2', 'u1', 't2', T0 + 4 * MIN)] });
      expect(r.accepted).toBe(4);
      expect(r.duplicates).toBe(0);
      expect(r.rejected).toEqual([]);
      expect(await store.events.count()).toBe(2);
      // The latest event's seq: what a scan from it would return last.
      const seqs: number[] = [];
      for await (const batch of store.events.scan()) for (const e of batch) seqs.push(e.seq);
      expect(await store.events.lastSeq()).toBe(Math.max(...seqs));
      expect((await store.catalog.getArtist('a2'))?.name).toBe('Artist a2');
      expect(await store.catalog.counts()).toEqual({ tracks: 2, artists: 2, listeners: 1, playlists: 0 });
    });

    it('is idempotent on (source, eventId): a repeat is a duplicate, another source is a new event', async () => {
      await store.ingest({ tracks: [track('t1')], events: [play('e1', 'u1', 't1', T0)] });
      const again = await store.ingest({ events: [play('e1', 'u1', 't1', T0), play('e1', 'u1', 't1', T0, { source: 'other' })] });
      expect(again.accepted).toBe(1);
      expect(again.duplicates).toBe(1);
      expect(Array.from(again.status.event)).toEqual([1, 0]);
      expect(await store.events.count()).toBe(2);
    });

    it('rejects events with unknown ids and commits the rest of the batch', async () => {
      await store.ingest({ tracks: [track('t1')] });
      const r = await store.ingest({
        events: [
          play('e1', 'u1', 't1', T0),
          play('e2', 'u1', 'nope', T0),
          { type: 'ban', source: 'test', eventId: 'e3', listenerId: 'u1', ts: T0, artistId: 'ghost' },
        ],
      });
      expect(r.accepted).toBe(1);
      expect(r.rejected.map((x) => [x.kind, x.index])).toEqual([['event', 1], ['event', 2]]);
      expect(r.rejected[0]!.reason).toMatch(/unknown track "nope"/);
      expect(r.rejected[1]!.reason).toMatch(/unknown artist "ghost"/);
      expect(await store.events.count()).toBe(1);
    });

    it('merges catalog upserts: new fields replace old ones, an identical upsert changes nothing', async () => {
      await store.ingest({ tracks: [track('t1', 'a1', { genres: ['jazz'] })] });
      const same = await store.ingest({ tracks: [track('t1', 'a1', { genres: ['jazz'] })] });
      expect(same.duplicates).toBe(1);
      await store.ingest({ tracks: [{ ...track('t1'), audio: { tempo: 120, energy: 0.5 } }] });
      const t = await store.catalog.getTrack('t1');
      expect(t?.genres).toEqual(['jazz']);
      expect(t?.audio).toEqual({ tempo: 120, energy: 0.5 });
      await store.ingest({ artists: [{ id: 'a1', name: 'Renamed', emerging: true }] });
      expect(await store.catalog.getArtist('a1')).toMatchObject({ name: 'Renamed', emerging: true });
    });

    it('unions genres when the batch asks for it, so repeated rows are idempotent', async () => {
      await store.ingest({ mergeGenres: true, tracks: [track('t1', 'a1', { genres: ['pop'] }), track('t1', 'a1', { genres: ['rock'] })] });
      expect((await store.catalog.getTrack('t1'))?.genres).toEqual(['pop', 'rock']);
      const again = await store.ingest({ mergeGenres: true, tracks: [track('t1', 'a1', { genres: ['pop'] }), track('t1', 'a1', { genres: ['rock'] })] });
      expect(again.duplicates).toBe(2);
      await store.ingest({ tracks: [track('t1', 'a1', { genres: ['jazz'] })] }); // without the flag: replace
      expect((await store.catalog.getTrack('t1'))?.genres).toEqual(['jazz']);
    });

    it('stores playlists whose tracks exist and rejects those naming unknown tracks', async () => {
      await store.ingest({ tracks: [track('t1'), track('t2')] });
      const r = await store.ingest({
        playlists: [
          { id: 'p1', name: 'Mix', trackIds: ['t2', 't1'] },
          { id: 'p2', name: 'Bad', trackIds: ['t1', 'zz'] },
        ],
      });
      expect(r.accepted).toBe(1);
      expect(r.rejected[0]).toMatchObject({ kind: 'playlist', index: 1 });
      expect((await store.catalog.getPlaylist('p1'))?.trackIds).toEqual(['t2', 't1']);
      expect(await store.catalog.getPlaylist('p2')).toBeUndefined();
      await store.ingest({ playlists: [{ id: 'p3', name: 'Three', trackIds: ['t1'] }, { id: 'p4', name: 'Four', trackIds: ['t2'] }] });
      const pages: string[][] = [];
      for await (const page of store.catalog.scanPlaylists({ batchSize: 2 })) pages.push(page.map((p) => p.id));
      expect(pages).toEqual([['p1', 'p3'], ['p4']]);
    });

    it('round-trips every event field and scans in log order', async () => {
      await store.ingest({ tracks: [track('t1')], artists: [{ id: 'a9', name: 'Nine' }] });
      const events: SegueEvent[] = [
        play('e1', 'u1', 't1', T0, {
          startReason: 'clickrow', shuffle: true, platform: 'android', sessionId: 's-explicit',
          context: { type: 'radio', id: 'st1', surface: 'radio', requestId: 'r1', position: 3 },
        }),
        { type: 'skip', source: 'test', eventId: 'e2', listenerId: 'u1', trackId: 't1', ts: T0 + MIN, msPlayed: 5000, endReason: 'fwdbtn', skipped: true },
        { type: 'add_to_playlist', source: 'test', eventId: 'e3', listenerId: 'u1', trackId: 't1', ts: T0 + 2 * MIN, playlistId: 'p1' },
        { type: 'ban', source: 'test', eventId: 'e4', listenerId: 'u1', artistId: 'a9', ts: T0 + 3 * MIN },
        { type: 'play_count', source: 'test', eventId: 'e5', listenerId: 'u2', artistId: 'a9', ts: T0, count: 42 },
      ];
      await store.ingest({ events: events.map((e) => ({ ...e })) });
      const got = await all(store.events.scan({ batchSize: 2 }));
      expect(got.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
      expect(got[0]).toMatchObject({ ...events[0], seq: got[0]!.seq });
      expect(got[1]).toMatchObject({ type: 'skip', msPlayed: 5000, skipped: true });
      expect(got[2]).toMatchObject({ playlistId: 'p1' });
      expect(got[3]).toMatchObject({ type: 'ban', artistId: 'a9' });
      expect(got[4]).toMatchObject({ type: 'play_count', count: 42, artistId: 'a9' });
      expect(got[4]!.sessionId).toBeUndefined(); // an aggregate belongs to no session
      expect(await store.events.sessionize()).toEqual({ listeners: 0, events: 0 });
      expect(got.every((e, i) => i === 0 || e.seq > got[i - 1]!.seq)).toBe(true);
      const skips = await all(store.events.scan({ types: ['skip'] }));
      expect(skips.map((e) => e.eventId)).toEqual(['e2']);
      const after = await all(store.events.scan({ afterSeq: got[2]!.seq }));
      expect(after.map((e) => e.eventId)).toEqual(['e4', 'e5']);
    });

    it('derives sessions by gap as events arrive, and resolves late events with sessionize()', async () => {
      await store.ingest({ tracks: [track('t1')] });
      // u1: 10:00, 10:10, then 11:00 (a 50-minute gap: new session)
      await store.ingest({ events: [play('e1', 'u1', 't1', T0), play('e2', 'u1', 't1', T0 + 10 * MIN), play('e3', 'u1', 't1', T0 + 60 * MIN)] });
      let evs = await store.events.forListener('u1');
      expect(evs.map((e) => e.sessionId)).toEqual([`u1@${T0}`, `u1@${T0}`, `u1@${T0 + 60 * MIN}`]);
      // A late event at 10:35 bridges the gap: the two sessions become one.
      await store.ingest({ events: [play('e4', 'u1', 't1', T0 + 35 * MIN)] });
      const r = await store.events.sessionize();
      expect(r.listeners).toBe(1);
      evs = await store.events.forListener('u1');
      expect(evs.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e4', 'e3']);
      expect(new Set(evs.map((e) => e.sessionId))).toEqual(new Set([`u1@${T0}`]));
      expect(await store.events.sessionize()).toEqual({ listeners: 0, events: 0 });
      // The cursor continues after the recompute: 11:20 joins, 13:00 starts anew.
      await store.ingest({ events: [play('e5', 'u1', 't1', T0 + 80 * MIN), play('e6', 'u1', 't1', T0 + 180 * MIN)] });
      evs = await store.events.forListener('u1');
      expect(evs.slice(-2).map((e) => e.sessionId)).toEqual([`u1@${T0}`, `u1@${T0 + 180 * MIN}`]);
      expect((await store.stats()).sessions).toBe(2);
    });

    it('keeps explicit sessions and honours a custom gap', async () => {
      await store.ingest({ tracks: [track('t1')] });
      await store.ingest({
        sessionGapMs: 5 * MIN,
        events: [play('e1', 'u1', 't1', T0), play('e2', 'u1', 't1', T0 + 6 * MIN), play('e3', 'u2', 't1', T0, { sessionId: 'mine' })],
      });
      expect((await store.events.forListener('u1')).map((e) => e.sessionId)).toEqual([`u1@${T0}`, `u1@${T0 + 6 * MIN}`]);
      expect((await store.events.forListener('u2'))[0]!.sessionId).toBe('mine');
    });

    it('counts plays, skips and leaders in stats', async () => {
      await store.ingest({ tracks: [track('t1', 'a1', { genres: ['jazz'] }), track('t2', 'a2', { genres: ['rock'] })] });
      await store.ingest({
        events: [
          play('e1', 'u1', 't1', T0),
          play('e2', 'u1', 't1', T0 + MIN, { endReason: 'fwdbtn', skipped: true }),
          play('e3', 'u2', 't2', T0),
          play('e4', 'u2', 't1', T0 + MIN, { endReason: undefined, skipped: undefined }),
          { type: 'like', source: 'test', eventId: 'e5', listenerId: 'u2', trackId: 't2', ts: T0 + 2 * MIN },
        ],
      });
      const s = await store.stats({ top: 5 });
      expect(s.events).toBe(5);
      expect(s.plays).toBe(4);
      expect(s.skips).toBe(1);
      expect(s.skipRate).toBeCloseTo(1 / 3); // e4 has no skip status
      expect(s.topTracks).toEqual([{ id: 't1', name: 'Title t1', plays: 3 }, { id: 't2', name: 'Title t2', plays: 1 }]);
      expect(s.topArtists[0]).toEqual({ id: 'a1', name: 'Artist a1', plays: 3 });
      expect(s.topGenres).toEqual([{ id: 'jazz', plays: 3 }, { id: 'rock', plays: 1 }]);
      expect(s.mostActiveListeners.map((l) => l.id)).toEqual(['u1', 'u2']);
      expect(s.eventsByType).toEqual({ play_end: 4, like: 1 });
    });

    it('derives the emerging flag unless the service set it', async () => {
      const tracks = Array.from({ length: 10 }, (_, i) => track(`t${i}`, `a${i}`, { releaseDate: '2024-01-01' }));
      await store.ingest({ tracks, artists: [{ id: 'a0', name: 'Set', emerging: false }] });
      // a0 and a9 get many plays; others few.
      const events = [0, 9].flatMap((a) => Array.from({ length: 20 }, (_, i) => play(`x${a}-${i}`, 'u1', `t${a}`, T0 + i * MIN)));
      await store.ingest({ events });
      const n = await store.catalog.deriveEmerging(Date.UTC(2024, 6, 1));
      expect((await store.catalog.getArtist('a0'))?.emergingDerived).toBe(false);
      expect((await store.catalog.getArtist('a9'))?.emergingDerived).toBe(false);
      // a1..a8 have no plays: below the 0.8 quantile of plays (20), so emerging.
      expect((await store.catalog.getArtist('a1'))?.emergingDerived).toBe(true);
      expect(n).toBe(8);
    });

    it('keeps listener state as bytes per key', async () => {
      expect(await store.listenerState.get('u1', 'counters')).toBeUndefined();
      await store.listenerState.put('u1', 'counters', new Uint8Array([1, 2, 3]));
      await store.listenerState.put('u1', 'counters', new Uint8Array([4, 5]));
      expect(Array.from((await store.listenerState.get('u1', 'counters'))!)).toEqual([4, 5]);
      await store.listenerState.delete('u1', 'counters');
      expect(await store.listenerState.get('u1', 'counters')).toBeUndefined();
      expect(await store.listenerState.putMany([
        { listenerId: 'u1', key: 'a', value: new Uint8Array([1]) },
        { listenerId: 'u2', key: 'a', value: new Uint8Array([2]) },
      ])).toBe(2);
      expect(Array.from((await store.listenerState.get('u2', 'a'))!)).toEqual([2]);
      // A failing entry leaves none of the batch written.
      const bad = { listenerId: 'u3', key: 'a', get value(): Uint8Array { throw new Error('boom'); } };
      await expect(store.listenerState.putMany([{ listenerId: 'u3', key: 'b', value: new Uint8Array([3]) }, bad])).rejects.toThrow('boom');
      expect(await store.listenerState.get('u3', 'b')).toBeUndefined();
      // Read-modify-write: the function sees the stored value; concurrent updates all land.
      const appendByte = (b: number) => (old: Uint8Array | undefined) => Uint8Array.from([...(old ?? []), b]);
      expect(Array.from(await store.listenerState.update('u4', 'h', appendByte(1)))).toEqual([1]);
      await Promise.all([2, 3, 4, 5].map((b) => store.listenerState.update('u4', 'h', appendByte(b))));
      expect(Array.from((await store.listenerState.get('u4', 'h'))!).sort()).toEqual([1, 2, 3, 4, 5]);
      await expect(store.listenerState.update('u4', 'h', () => { throw new Error('no'); })).rejects.toThrow('no');
      expect((await store.listenerState.get('u4', 'h'))!.length).toBe(5);
      // A snapshot: values under the keys, or of the listeners, asked for; nothing else.
      await store.listenerState.put('*', 'cursor', new Uint8Array([9]));
      const snap = await store.listenerState.snapshot({ keys: ['a'], listenerIds: ['*'] });
      expect(snap.map((e) => [e.listenerId, e.key, Array.from(e.value)]).sort()).toEqual([['*', 'cursor', [9]], ['u1', 'a', [1]], ['u2', 'a', [2]]]);
      expect(await store.listenerState.snapshot({ keys: [], listenerIds: [] })).toEqual([]);
    });

    it('logs exposures once per request id', async () => {
      const x = { requestId: 'r1', listenerId: 'u1', surface: 'radio', ts: T0, items: [{ trackId: 't1', position: 0, score: 0.9, propensity: 1 }] };
      expect(await store.exposures.append(x)).toBe(true);
      expect(await store.exposures.append({ ...x, surface: 'other' })).toBe(false);
      expect(await store.exposures.get('r1')).toEqual(x);
      await store.exposures.append({ ...x, requestId: 'r2', ts: T0 + 1 });
      expect((await store.exposures.forListener('u1')).map((e) => e.requestId)).toEqual(['r1', 'r2']);
      expect(await store.exposures.forListener('u1', { since: T0 + 1 })).toHaveLength(1);
      // Concurrent appends (a server's simultaneous responses): each stored once, each told whether it was new.
      const many = Array.from({ length: 50 }, (_, i) => ({ ...x, requestId: `c${i % 40}`, ts: T0 + 10 + i }));
      const got = await Promise.all(many.map((e) => store.exposures.append(e)));
      expect(got.filter(Boolean)).toHaveLength(40);
      expect(got.slice(40)).toEqual(new Array(10).fill(false));
      expect(await store.exposures.forListener('u1', { since: T0 + 10 })).toHaveLength(40);
    });

    it('versions model artifacts', async () => {
      const v1 = await store.models.put('als', new Uint8Array([1]), { dims: 8 });
      const v2 = await store.models.put('als', new Uint8Array([2, 2]));
      expect([v1.version, v2.version]).toEqual([1, 2]);
      expect(Array.from((await store.models.get('als'))!.data)).toEqual([2, 2]);
      expect((await store.models.get('als', 1))!.meta.info).toEqual({ dims: 8 });
      expect(await store.models.get('none')).toBeUndefined();
      expect((await store.models.list()).map((m) => `${m.name}@${m.version}`)).toEqual(['als@1', 'als@2']);
    });

    it('keeps API keys hashed: verifies the exact key, refuses a changed or revoked one', async () => {
      const { meta: m, key } = await store.keys.create({ scopes: ['ingest', 'recommend'], name: 'app', rateLimit: 600 });
      expect(key).toMatch(/^sg_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      expect(key).toContain(m.id);
      expect(await store.keys.verify(key)).toEqual(m);
      const last = key.at(-1) === 'A' ? 'B' : 'A';
      expect(await store.keys.verify(key.slice(0, -1) + last)).toBeUndefined();
      expect(await store.keys.verify('sg_0000000000000000_' + key.slice(-43))).toBeUndefined();
      expect(await store.keys.verify('garbage')).toBeUndefined();
      const other = await store.keys.create({ scopes: ['admin'] });
      expect(await store.keys.revoke(m.id)).toBe(true);
      expect(await store.keys.verify(key)).toBeUndefined();
      expect(await store.keys.verify(other.key)).toMatchObject({ scopes: ['admin'], rateLimit: null });
      expect(await store.keys.revoke('nope')).toBe(false);
      const listed = await store.keys.list();
      expect(listed.map((k) => k.id).sort()).toEqual([m.id, other.meta.id].sort());
      expect(listed.find((k) => k.id === m.id)!.revokedAt).toBeTypeOf('number');
      expect(JSON.stringify(listed)).not.toContain(key.slice(-43));
      await expect(store.keys.create({ scopes: [] })).rejects.toThrow(/scopes must be/);
      await expect(store.keys.create({ scopes: ['root' as 'admin'] })).rejects.toThrow(/scopes must be/);
    });

    it('keeps experiments with their status, and scans exposures by time', async () => {
      const x = { name: 'e1', def: { name: 'e1', surfaces: ['radio'] }, status: 'draft', createdAt: T0, startedAt: null, stoppedAt: null, offset: 0, shippedVariant: null };
      expect(await store.experiments.create(x)).toBe(true);
      expect(await store.experiments.create({ ...x, status: 'running' })).toBe(false);
      expect(await store.experiments.update('e1', { status: 'running', startedAt: T0 + 1, offset: 0.25 })).toBe(true);
      expect(await store.experiments.get('e1')).toEqual({ ...x, status: 'running', startedAt: T0 + 1, offset: 0.25 });
      expect(await store.experiments.update('nope', { status: 'running' })).toBe(false);
      expect((await store.experiments.list()).map((e) => e.name)).toEqual(['e1']);
      for (let i = 0; i < 7; i++) await store.exposures.append({ requestId: `q${i}`, listenerId: 'u1', surface: 'radio', ts: T0 + (i % 3), items: [] });
      const seen: string[] = [];
      for await (const b of store.exposures.scan({ since: T0 + 1, batchSize: 2 })) seen.push(...b.map((e) => e.requestId));
      expect(seen).toEqual(['q1', 'q4', 'q2', 'q5']);
    });

    it('keeps named policies in versions, the newest first', async () => {
      expect(await store.policies.put('fair', { objectives: { emergingArtists: 0.2 } })).toBe(1);
      expect(await store.policies.put('fair', { objectives: { emergingArtists: 0.3 } })).toBe(2);
      expect((await store.policies.get('fair'))).toMatchObject({ name: 'fair', version: 2, policy: { objectives: { emergingArtists: 0.3 } } });
      expect(await store.policies.get('none')).toBeUndefined();
      expect((await store.policies.list()).map((p) => `${p.name}@${p.version}`)).toEqual(['fair@2']);
    });
  });
}
