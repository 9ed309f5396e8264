import { describe, it, expect, afterAll } from 'vitest';
import type { Artist, Listener, Playlist, SegueEvent, Track } from '../../domain/index.js';
import { all, T0, MIN } from '../contract/index.js';
import { SqliteStore } from '../sqlite/index.js';
import { TABLES } from '../tables.js';
import type { IngestBatch, Store } from '../types.js';
import { PostgresStore } from './index.js';
import { COPY_MIN_EVENTS } from './event-writer.js';
import { createTestDatabase, requirePostgres, skipMessage, type TestDatabase } from './testing.js';

const pgUp = await requirePostgres();
if (!pgUp) describe.skip(skipMessage(), () => it('needs PostgreSQL', () => {}));

/** A small seeded generator (LCG), so the workload is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Strings that COPY's text format must escape, and some it need not. */
const AWKWARD = ['tab\there', 'new\nline', 'back\\slash', 'cr\rlf', '"quoted"', "it's", 'ünïcødé ♫', '\\N', 'comma,semi;', '{brace}'];

/**
 * A workload touching every ingest rule: catalog upserts that merge, repeat and union
 * genres; playlists naming unknown tracks; events of every kind, repeated within and across
 * batches, naming unknown ids, late (pending for sessionize), with explicit sessions, spread
 * over months and beyond the partitioned years; batches above and below the COPY threshold.
 */
function workload(): IngestBatch[] {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const genres = ['jazz', 'rock', 'Pop', 'pop', 'électro', 'hip hop'];
  const artists: Artist[] = Array.from({ length: 12 }, (_, i) => ({ id: `a${i}`, name: `Artist ${pick(AWKWARD)} ${i}`, ...(i % 3 === 0 ? { emerging: i % 2 === 0 } : {}), ...(i % 4 === 0 ? { genres: [pick(genres)] } : {}) }));
  const track = (i: number, extra: Partial<Track> = {}): Track => ({
    id: `t${i}`, title: `Title ${pick(AWKWARD)} ${i}`, artists: [{ id: `a${i % 12}`, name: `Artist a${i % 12}` }, ...(i % 5 === 0 ? [{ id: `b${i}`, name: `Guest ${i}` }] : [])],
    durationMs: 100_000 + i, ...(i % 2 === 0 ? { genres: [pick(genres), pick(genres)] } : {}), ...(i % 7 === 0 ? { popularity: i / 7 } : {}), ...extra,
  });
  const listeners: Listener[] = Array.from({ length: 5 }, (_, i) => ({ id: `u${i}`, ...(i % 2 === 0 ? { country: 'SE' } : {}) }) as Listener);
  const playlists: Playlist[] = [
    { id: 'p1', name: 'One', trackIds: ['t1', 't2'] },
    { id: 'p2', name: 'Bad', trackIds: ['t1', 'zz'] },
    { id: 'p3', name: `Three ${AWKWARD[0]}`, trackIds: ['t3'] },
  ];
  let n = 0;
  const months = [T0, Date.UTC(2024, 5, 15), Date.UTC(2023, 11, 31, 23, 59), Date.UTC(1850, 0, 1), Date.UTC(2024, 4, 31, 23, 59, 59)];
  const event = (): SegueEvent => {
    const i = n++;
    const listenerId = `u${Math.floor(r() * 9)}`;
    const ts = pick(months) + Math.floor(r() * 180) * MIN;
    const eventId = r() < 0.05 ? pick(AWKWARD) : `e${i}`;
    const kind = r();
    if (kind < 0.05) return { type: 'play_count', source: 'import', eventId, listenerId, artistId: `a${i % 12}`, ts, count: 1 + (i % 50) };
    if (kind < 0.1) return { type: 'ban', source: 'app', eventId, listenerId, artistId: r() < 0.3 ? 'ghost' : `a${i % 12}`, ts };
    const trackId = r() < 0.04 ? 'nope' : `t${Math.floor(r() * 40)}`;
    const e: SegueEvent = { type: kind < 0.7 ? 'play_end' : kind < 0.85 ? 'skip' : 'like', source: r() < 0.8 ? 'app' : 'web', eventId, listenerId, trackId, ts };
    if (e.type !== 'like') Object.assign(e, { msPlayed: Math.floor(r() * 300_000), skipped: e.type === 'skip' ? true : r() < 0.5 ? false : undefined, endReason: e.type === 'skip' ? 'fwdbtn' : 'trackdone' });
    if (r() < 0.2) e.context = { type: 'radio', id: `st${i % 3}`, surface: 'radio', requestId: `req ${pick(AWKWARD)}`, position: i % 10 };
    if (r() < 0.1) e.platform = pick(AWKWARD);
    if (r() < 0.1) e.sessionId = `s${i % 4}`;
    if (r() < 0.05) e.shuffle = r() < 0.5;
    return e;
  };
  const events = (k: number): SegueEvent[] => {
    const out = Array.from({ length: k }, event);
    // Repeats within the batch (the first wins) and of earlier batches.
    for (let j = 0; j < k / 10; j++) out.push({ ...pick(out), ts: T0 + j });
    if (n > 200) out.push({ type: 'play_end', source: 'app', eventId: 'e3', listenerId: 'u1', trackId: 't1', ts: T0 });
    return out;
  };
  return [
    { artists: artists.slice(0, 6), tracks: Array.from({ length: 20 }, (_, i) => track(i)), listeners: listeners.slice(0, 3), playlists },
    { events: events(150) },
    { artists: artists.slice(4), tracks: Array.from({ length: 20 }, (_, i) => track(i + 20)), playlists: [{ ...playlists[1]!, trackIds: ['t1', 't30'] }], listeners },
    { mergeGenres: true, tracks: [track(2, { genres: ['rock'] }), track(2, { genres: ['jazz', 'folk'] }), track(4)], events: events(5) },
    { sessionGapMs: 10 * MIN, events: events(COPY_MIN_EVENTS + 30) },
    { tracks: [track(1, { title: 'Renamed' }), track(41)], artists: [{ id: 'a1', name: 'New name', emerging: true }], events: events(3) },
    { events: events(300) },
    { events: [] },
  ];
}

describe.runIf(pgUp)('PostgresStore and SqliteStore give the same answers', () => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  it('to the same workload: statuses, ixs, seqs, sessions, scans, stats and every table', async () => {
    db = await createTestDatabase();
    const p: Store = await PostgresStore.open(db.url);
    const s: Store = SqliteStore.open(':memory:');
    try {
      const results = [];
      for (const batch of workload()) {
        const r = await p.ingest(structuredClone(batch));
        expect(r).toEqual(await s.ingest(structuredClone(batch)));
        results.push(r);
      }
      // The workload does reach every rule.
      expect(results.reduce((n, r) => n + r.duplicates, 0)).toBeGreaterThan(40);
      expect(new Set(results.flatMap((r) => r.rejected.map((x) => `${x.kind} ${x.reason.split(' ').slice(0, 3).join(' ')}`)))).toEqual(
        new Set(['playlist trackIds: unknown track', 'event trackId: unknown track', 'event artistId: unknown artist']),
      );
      expect((await p.events.scan({ until: Date.UTC(1900, 0, 1) })[Symbol.asyncIterator]().next()).value?.length).toBeGreaterThan(10);
      const same = async <T>(f: (x: Store) => Promise<T>, what: string) => expect(await f(p), what).toEqual(await f(s));
      await same((x) => all(x.events.scan()), 'log');
      await same((x) => all(x.events.scan({ types: ['skip', 'ban'], batchSize: 7 })), 'log by type');
      await same((x) => all(x.events.scan({ since: T0, until: T0 + 60 * MIN, batchSize: 5 })), 'window');
      await same((x) => all(x.events.scan({ until: Date.UTC(2000, 0, 1) })), 'window before the partitioned years');
      await same((x) => all(x.events.scan({ since: Date.UTC(2024, 4, 31, 23) })), 'window across a month');
      await same((x) => all(x.catalog.scanTracks({ batchSize: 9 })), 'tracks');
      await same((x) => all(x.catalog.scanPlaylists()), 'playlists');
      await same((x) => x.catalog.counts(), 'counts');
      await same((x) => Promise.all(['a0', 'a1', 'a4', 'b5', 'b10'].map((id) => x.catalog.getArtist(id))), 'artists');
      await same((x) => Promise.all(['u0', 'u4', 'u8'].map((id) => x.catalog.getListener(id))), 'listeners');
      await same((x) => x.stats({ top: 20 }), 'stats');
      const resolved = await p.events.sessionize({ gapMs: 20 * MIN });
      expect(resolved).toEqual(await s.events.sessionize({ gapMs: 20 * MIN }));
      expect(resolved.events).toBeGreaterThan(10);
      expect((await all(p.events.scan())).some((e) => e.sessionId === undefined && e.type !== 'play_count')).toBe(false);
      await same((x) => Promise.all(['u0', 'u3', 'u8'].map((id) => x.events.forListener(id))), 'after sessionize');
      await same((x) => x.catalog.deriveEmerging(Date.UTC(2024, 6, 1)), 'derived emerging');
      await same((x) => x.stats({ top: 20 }), 'stats after sessionize');
      // The same batch again: all duplicates, nothing moves.
      const again = workload()[6]!;
      expect(await p.ingest(structuredClone(again))).toEqual(await s.ingest(structuredClone(again)));
      for (const t of TABLES) {
        if (['listener_state', 'exposures', 'models', 'api_keys', 'experiments', 'policies'].includes(t.name)) continue;
        await same((x) => all(x.tables.read(t.name)), `table ${t.name}`);
      }
    } finally {
      await p.close();
      await s.close();
    }
  });

  it('keeps each month in its own partition and times outside the partitioned years in the default one', async () => {
    const months = await (async () => {
      const d = await createTestDatabase();
      const p = await PostgresStore.open(d.url);
      try {
        await p.ingest({ tracks: [{ id: 't1', title: 't', artists: [] }] });
        const at = [Date.UTC(2024, 0, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 1), Date.UTC(1850, 5, 1), -1, Date.UTC(2024, 1, 29, 12)];
        await p.ingest({ events: at.map((ts, i) => ({ type: 'play_end', source: 's', eventId: `e${i}`, listenerId: 'u', trackId: 't1', ts })) });
        return await p.db.rows<{ part: string; n: number }>('SELECT tableoid::regclass::text AS part, count(*) AS n FROM events GROUP BY 1 ORDER BY 1');
      } finally {
        await p.close();
        await d.drop();
      }
    })();
    expect(months).toEqual([
      { part: 'events_1969_12', n: 1 },
      { part: 'events_2024_01', n: 1 },
      { part: 'events_2024_02', n: 2 },
      { part: 'events_default', n: 1 },
    ]);
  });
});
