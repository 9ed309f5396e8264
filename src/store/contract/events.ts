import { it, expect } from 'vitest';
import type { SegueEvent } from '../../domain/index.js';
import type { Store } from '../types.js';
import { contractSuite, track, play, all, T0, MIN, type Cleanup, type Opener } from './fixtures.js';

/**
 * The EventLog contract: every implementation runs it (one factory per implementation,
 * each call returning a fresh, empty, isolated subject). Events are written through `ingest`, so this suite takes a whole store; it covers ingest's per-record statuses, sessions and stats too.
 */
export function eventLogContract(name: string, open: Opener<Store>, cleanup?: Cleanup): void {
  contractSuite(`EventLog contract: ${name}`, open, cleanup, (store) => {
    it('is idempotent on (source, eventId): a repeat is a duplicate, another source is a new event', async () => {
      await store().ingest({ tracks: [track('t1')], events: [play('e1', 'u1', 't1', T0)] });
      const again = await store().ingest({ events: [play('e1', 'u1', 't1', T0), play('e1', 'u1', 't1', T0, { source: 'other' })] });
      expect(again.accepted).toBe(1);
      expect(again.duplicates).toBe(1);
      expect(Array.from(again.status.event)).toEqual([1, 0]);
      expect(await store().events.count()).toBe(2);
    });

    it('gives each event its seq when asked: new ones their own, a repeat the logged one, a reused key with other content 0', async () => {
      await store().ingest({ tracks: [track('t1')], events: [play('e0', 'u0', 't1', T0)] });
      const plain = await store().ingest({ events: [play('e1', 'u1', 't1', T0)] });
      expect(plain.seqs).toBeUndefined();
      // Large enough for a bulk path too.
      const many = Array.from({ length: 3000 }, (_, i) => play(`m${i}`, `u${i % 9}`, 't1', T0 + i * MIN));
      const first = await store().ingest({ events: [...many, play('e1', 'u1', 't1', T0), play('m5', 'u5', 't1', T0 + 5 * MIN)], wantSeqs: true });
      const log = new Map((await all(store().events.scan())).map((e) => [e.eventId, e.seq]));
      expect(Array.from(first.seqs!.subarray(0, 3000))).toEqual(many.map((e) => log.get(e.eventId)));
      expect(first.seqs![3000]).toBe(log.get('e1')); // logged before
      expect(first.seqs![3001]).toBe(log.get('m5')); // repeated within the batch
      const again = await store().ingest({
        events: [play('m7', 'u7', 't1', T0 + 7 * MIN), play('m8', 'u1', 't1', T0 + 8 * MIN), play('m9', 'u0', 't1', T0), play('x', 'u1', 'nope', T0), play('n1', 'u1', 't1', T0)],
        wantSeqs: true,
      });
      expect(Array.from(again.seqs!)).toEqual([log.get('m7'), 0, 0, 0, Math.max(...log.values()) + 1]);
    });

    it('rejects events with unknown ids and commits the rest of the batch', async () => {
      await store().ingest({ tracks: [track('t1')] });
      const r = await store().ingest({
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
      expect(await store().events.count()).toBe(1);
    });

    it('round-trips every event field and scans in log order', async () => {
      await store().ingest({ tracks: [track('t1')], artists: [{ id: 'a9', name: 'Nine' }] });
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
      await store().ingest({ events: events.map((e) => ({ ...e })) });
      const got = await all(store().events.scan({ batchSize: 2 }));
      expect(got.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
      expect(got[0]).toMatchObject({ ...events[0], seq: got[0]!.seq });
      expect(got[1]).toMatchObject({ type: 'skip', msPlayed: 5000, skipped: true });
      expect(got[2]).toMatchObject({ playlistId: 'p1' });
      expect(got[3]).toMatchObject({ type: 'ban', artistId: 'a9' });
      expect(got[4]).toMatchObject({ type: 'play_count', count: 42, artistId: 'a9' });
      expect(got[4]!.sessionId).toBeUndefined(); // an aggregate belongs to no session
      expect(await store().events.sessionize()).toEqual({ listeners: 0, events: 0 });
      expect(got.every((e, i) => i === 0 || e.seq > got[i - 1]!.seq)).toBe(true);
      const skips = await all(store().events.scan({ types: ['skip'] }));
      expect(skips.map((e) => e.eventId)).toEqual(['e2']);
      const after = await all(store().events.scan({ afterSeq: got[2]!.seq }));
      expect(after.map((e) => e.eventId)).toEqual(['e4', 'e5']);
    });

    it('scans a time window (since <= ts < until) in time order, ties in log order, across pages', async () => {
      await store().ingest({ tracks: [track('t1')] });
      // Log order differs from time order; e2 and e5 share a moment, and a page ends between them.
      await store().ingest({
        events: [
          play('e1', 'u1', 't1', T0 + 30 * MIN),
          play('e2', 'u2', 't1', T0 + 10 * MIN),
          play('e3', 'u1', 't1', T0 + 50 * MIN),
          play('e4', 'u2', 't1', T0),
          { type: 'skip', source: 'test', eventId: 'e5', listenerId: 'u3', trackId: 't1', ts: T0 + 10 * MIN, msPlayed: 1000, skipped: true },
          play('e6', 'u3', 't1', T0 - MIN),
        ],
      });
      const ids = async (opts: Parameters<Store['events']['scan']>[0]) => (await all(store().events.scan(opts))).map((e) => e.eventId);
      const pages: string[][] = [];
      for await (const page of store().events.scan({ since: T0, until: T0 + 50 * MIN, batchSize: 2 })) pages.push(page.map((e) => e.eventId));
      expect(pages).toEqual([['e4', 'e2'], ['e5', 'e1']]);
      expect(await ids({ since: T0 + 30 * MIN })).toEqual(['e1', 'e3']);
      expect(await ids({ until: T0 })).toEqual(['e6']);
      expect(await ids({ since: T0, types: ['skip'] })).toEqual(['e5']);
      expect(await ids({ since: T0, until: T0 })).toEqual([]);
      const seq2 = (await all(store().events.scan())).find((e) => e.eventId === 'e2')!.seq;
      expect(await ids({ since: T0, until: T0 + 50 * MIN, afterSeq: seq2 })).toEqual(['e4', 'e5']);
      // Without a range: log order, as before.
      expect(await ids({})).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    });

    it('scans time windows of a large log written out of time order exactly as a filter and sort of the whole log', async () => {
      await store().ingest({ tracks: [track('t1')] });
      // 24,000 events in 12 batches: most batches cover a short, overlapping stretch of time
      // (as a live log does); every fourth is late history spread over the whole range.
      let seed = 7;
      const rnd = (k: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % k);
      const HOURS = 48;
      for (let b = 0; b < 12; b++) {
        const late = b % 4 === 3;
        const events: SegueEvent[] = [];
        for (let i = 0; i < 2000; i++) {
          const ts = late ? T0 + rnd(HOURS * 60) * MIN : T0 + (b * 4 + rnd(6)) * 60 * MIN + rnd(60) * MIN;
          const id = `b${b}-${i}`;
          events.push(i % 5 === 0 ? { type: 'skip', source: 'test', eventId: id, listenerId: `u${rnd(50)}`, trackId: 't1', ts, msPlayed: 1000, skipped: true } : play(id, `u${rnd(50)}`, 't1', ts));
        }
        expect((await store().ingest({ events })).accepted).toBe(2000);
      }
      const log = await all(store().events.scan());
      expect(log).toHaveLength(24_000);
      const expected = (since: number, until: number, afterSeq = 0, type?: string) =>
        log.filter((e) => e.ts >= since && e.ts < until && e.seq > afterSeq && (type === undefined || e.type === type))
          .sort((x, y) => x.ts - y.ts || x.seq - y.seq)
          .map((e) => e.seq);
      const scanned = async (opts: Parameters<Store['events']['scan']>[0]) => {
        const pages = [];
        for await (const p of store().events.scan(opts)) pages.push(p.map((e) => e.seq));
        expect(pages.slice(0, -1).every((p) => p.length === opts!.batchSize)).toBe(true);
        return pages.flat();
      };
      const H = 60 * MIN;
      expect(await scanned({ since: T0, until: T0 + HOURS * H, batchSize: 1000 })).toEqual(expected(T0, T0 + HOURS * H));
      expect(await scanned({ since: T0 + 10 * H, until: T0 + 13 * H + 7, batchSize: 333 })).toEqual(expected(T0 + 10 * H, T0 + 13 * H + 7));
      expect(await scanned({ since: T0 + 30 * H, until: T0 + 31 * H, batchSize: 50, types: ['skip'] })).toEqual(expected(T0 + 30 * H, T0 + 31 * H, 0, 'skip'));
      const mid = log[15_000]!.seq;
      expect(await scanned({ since: T0 + 5 * H, until: T0 + 40 * H, batchSize: 4096, afterSeq: mid })).toEqual(expected(T0 + 5 * H, T0 + 40 * H, mid));
      expect(await scanned({ since: T0 + HOURS * H, batchSize: 10 })).toEqual([]);
    });

    it('derives sessions by gap as events arrive, and resolves late events with sessionize()', async () => {
      await store().ingest({ tracks: [track('t1')] });
      // u1: 10:00, 10:10, then 11:00 (a 50-minute gap: new session)
      await store().ingest({ events: [play('e1', 'u1', 't1', T0), play('e2', 'u1', 't1', T0 + 10 * MIN), play('e3', 'u1', 't1', T0 + 60 * MIN)] });
      let evs = await store().events.forListener('u1');
      expect(evs.map((e) => e.sessionId)).toEqual([`u1@${T0}`, `u1@${T0}`, `u1@${T0 + 60 * MIN}`]);
      // A late event at 10:35 bridges the gap: the two sessions become one.
      await store().ingest({ events: [play('e4', 'u1', 't1', T0 + 35 * MIN)] });
      const r = await store().events.sessionize();
      expect(r.listeners).toBe(1);
      evs = await store().events.forListener('u1');
      expect(evs.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e4', 'e3']);
      expect(new Set(evs.map((e) => e.sessionId))).toEqual(new Set([`u1@${T0}`]));
      expect(await store().events.sessionize()).toEqual({ listeners: 0, events: 0 });
      // The cursor continues after the recompute: 11:20 joins, 13:00 starts anew.
      await store().ingest({ events: [play('e5', 'u1', 't1', T0 + 80 * MIN), play('e6', 'u1', 't1', T0 + 180 * MIN)] });
      evs = await store().events.forListener('u1');
      expect(evs.slice(-2).map((e) => e.sessionId)).toEqual([`u1@${T0}`, `u1@${T0 + 180 * MIN}`]);
      expect((await store().stats()).sessions).toBe(2);
    });

    it('reads a window of one listener\'s events, its oldest or newest page, and counts it without reading', async () => {
      await store().ingest({ tracks: [track('t1')] });
      // u1: e0..e9 a minute apart, e9b at e9's time (after it in the log); u2's events never show.
      const u1 = Array.from({ length: 10 }, (_, i) => play(`e${i}`, 'u1', 't1', T0 + i * MIN));
      await store().ingest({ events: [...u1, play('e9b', 'u1', 't1', T0 + 9 * MIN), play('x1', 'u2', 't1', T0 + 3 * MIN), play('x2', 'u2', 't1', T0 + 20 * MIN)] });
      const ids = (evs: Array<{ eventId: string }>) => evs.map((e) => e.eventId);
      const window = { since: T0 + 2 * MIN, until: T0 + 6 * MIN };
      expect(ids(await store().events.forListener('u1', window))).toEqual(['e2', 'e3', 'e4', 'e5']);
      expect(ids(await store().events.forListener('u1', { ...window, limit: 2 }))).toEqual(['e2', 'e3']);
      expect(ids(await store().events.forListener('u1', { ...window, limit: 2, newest: true }))).toEqual(['e4', 'e5']);
      // The newest event: ties in time go to the later in the log.
      expect(ids(await store().events.forListener('u1', { limit: 1, newest: true }))).toEqual(['e9b']);
      expect(ids(await store().events.forListener('u1', { limit: 3, newest: true }))).toEqual(['e8', 'e9', 'e9b']);
      expect(await store().events.forListener('nobody', { limit: 1, newest: true })).toEqual([]);
      expect(await store().events.countForListener('u1', window)).toBe(4);
      expect(await store().events.countForListener('u1')).toBe(11);
      expect(await store().events.countForListener('u1', { since: T0 + 9 * MIN })).toBe(2);
      expect(await store().events.countForListener('nobody')).toBe(0);
    });

    it('keeps explicit sessions and honours a custom gap', async () => {
      await store().ingest({ tracks: [track('t1')] });
      await store().ingest({
        sessionGapMs: 5 * MIN,
        events: [play('e1', 'u1', 't1', T0), play('e2', 'u1', 't1', T0 + 6 * MIN), play('e3', 'u2', 't1', T0, { sessionId: 'mine' })],
      });
      expect((await store().events.forListener('u1')).map((e) => e.sessionId)).toEqual([`u1@${T0}`, `u1@${T0 + 6 * MIN}`]);
      expect((await store().events.forListener('u2'))[0]!.sessionId).toBe('mine');
    });

    it('counts plays, skips and leaders in stats', async () => {
      await store().ingest({ tracks: [track('t1', 'a1', { genres: ['jazz'] }), track('t2', 'a2', { genres: ['rock'] })] });
      await store().ingest({
        events: [
          play('e1', 'u1', 't1', T0),
          play('e2', 'u1', 't1', T0 + MIN, { endReason: 'fwdbtn', skipped: true }),
          play('e3', 'u2', 't2', T0),
          play('e4', 'u2', 't1', T0 + MIN, { endReason: undefined, skipped: undefined }),
          { type: 'like', source: 'test', eventId: 'e5', listenerId: 'u2', trackId: 't2', ts: T0 + 2 * MIN },
        ],
      });
      const s = await store().stats({ top: 5 });
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
  });
}
