import { EVENT_TYPE_BY_CODE, EVENT_TYPE_CODE, type EventType } from '../../domain/index.js';
import { PLAYS_SQL, PLAY_TYPES_SQL, TIMED_PLAY_TYPES_SQL } from '../sql.js';
import type { Leader, StoreStats } from '../types.js';
import type { PgDb } from './db.js';

/** Plays of an event row: one per play_end or skip, `count` for an aggregate play_count. */
const PLAYS = PLAYS_SQL('e');
const PLAY_TYPES = PLAY_TYPES_SQL;

/**
 * The numbers of sqlite/stats.ts computeStats, by the same queries (ties broken by ix, and
 * genres by their bytes: the genre columns are COLLATE "C").
 */
export async function computeStats(db: PgDb, top: number): Promise<StoreStats> {
  const byType = await db.arrays('SELECT type, count(*) FROM events GROUP BY type ORDER BY type');
  const eventsByType: Partial<Record<EventType, number>> = {};
  let events = 0;
  for (const [type, n] of byType) {
    eventsByType[EVENT_TYPE_BY_CODE[type as number]!] = n as number;
    events += n as number;
  }
  const agg = (await db.rows<{ plays: number; timed: number; skips: number }>(
    `SELECT coalesce(SUM(${PLAYS}), 0) AS plays,
            coalesce(SUM(CASE WHEN e.type IN ${TIMED_PLAY_TYPES_SQL} AND e.skipped IS NOT NULL THEN 1 ELSE 0 END), 0) AS timed,
            coalesce(SUM(CASE WHEN e.type IN ${TIMED_PLAY_TYPES_SQL} AND e.skipped = 1 THEN 1 ELSE 0 END), 0) AS skips
     FROM events e WHERE e.type IN ${PLAY_TYPES}`,
  ))[0]!;
  const span = (await db.rows<{ first: number | null; last: number | null }>(`SELECT min(ts) AS first, max(ts) AS last FROM events WHERE type != ${EVENT_TYPE_CODE.play_count}`))[0]!;
  const sessions = (await db.value<number>('SELECT count(DISTINCT session_id) FROM events WHERE session_id IS NOT NULL'))!;
  const counts = (await db.rows<{ tracks: number; artists: number; listeners: number; playlists: number }>(
    `SELECT (SELECT count(*) FROM tracks) AS tracks, (SELECT count(*) FROM artists) AS artists,
            (SELECT count(*) FROM listeners) AS listeners, (SELECT count(*) FROM playlists) AS playlists`,
  ))[0]!;

  const leaders = async (sql: string): Promise<Leader[]> =>
    (await db.arrays(sql, [top])).map(([id, name, plays]) => (name === null ? { id: id as string, plays: plays as number } : { id: id as string, name: name as string, plays: plays as number }));

  const topTracks = await leaders(
    `SELECT t.id, t.title, p.plays FROM (SELECT track_ix, SUM(${PLAYS}) AS plays FROM events e
       WHERE e.type IN ${PLAY_TYPES} AND e.track_ix IS NOT NULL GROUP BY track_ix) p JOIN tracks t ON t.ix = p.track_ix
     ORDER BY p.plays DESC, t.ix LIMIT $1`,
  );
  const topArtists = await leaders(
    `SELECT a.id, a.name, p.plays FROM (SELECT artist_ix, SUM(${PLAYS}) AS plays FROM events e
       WHERE e.type IN ${PLAY_TYPES} AND e.artist_ix IS NOT NULL GROUP BY artist_ix) p JOIN artists a ON a.ix = p.artist_ix
     ORDER BY p.plays DESC, a.ix LIMIT $1`,
  );
  // A play counts for its track's genres; plays of a track without genres, or of an artist
  // alone, count for the artist's genres.
  const topGenres = await leaders(
    `SELECT genre, NULL, SUM(plays) AS plays FROM (
       SELECT g.genre, SUM(${PLAYS}) AS plays FROM events e JOIN track_genres g ON g.track_ix = e.track_ix
         WHERE e.type IN ${PLAY_TYPES} GROUP BY g.genre
       UNION ALL
       SELECT g.genre, SUM(${PLAYS}) AS plays FROM events e JOIN artist_genres g ON g.artist_ix = e.artist_ix
         WHERE e.type IN ${PLAY_TYPES} AND (e.track_ix IS NULL OR NOT EXISTS (SELECT 1 FROM track_genres tg WHERE tg.track_ix = e.track_ix))
         GROUP BY g.genre) x
     GROUP BY genre ORDER BY plays DESC, genre LIMIT $1`,
  );
  const mostActiveListeners = await leaders(
    `SELECT l.id, NULL, p.plays FROM (SELECT listener_ix, SUM(${PLAYS}) AS plays FROM events e
       WHERE e.type IN ${PLAY_TYPES} GROUP BY listener_ix) p JOIN listeners l ON l.ix = p.listener_ix
     ORDER BY p.plays DESC, l.ix LIMIT $1`,
  );
  return {
    events,
    eventsByType,
    plays: agg.plays,
    skips: agg.skips,
    skipRate: agg.timed > 0 ? agg.skips / agg.timed : null,
    sessions,
    ...counts,
    firstTs: span.first,
    lastTs: span.last,
    topTracks,
    topArtists,
    topGenres,
    mostActiveListeners,
  };
}
