import type Database from 'better-sqlite3';
import { EVENT_TYPE_BY_CODE, EVENT_TYPE_CODE, type EventType } from '../../domain/index.js';
import { PLAYS_SQL, PLAY_TYPES_SQL, TIMED_PLAY_TYPES_SQL } from '../sql.js';
import type { Leader, StoreStats } from '../types.js';

/** Plays of an event row: one per play_end or skip, `count` for an aggregate play_count. */
const PLAYS = PLAYS_SQL('e');
const PLAY_TYPES = PLAY_TYPES_SQL;

export function computeStats(db: Database.Database, top: number): StoreStats {
  const byType = db.prepare<[], { type: number; n: number }>('SELECT type, count(*) AS n FROM events GROUP BY type').all();
  const eventsByType: Partial<Record<EventType, number>> = {};
  let events = 0;
  for (const r of byType) {
    eventsByType[EVENT_TYPE_BY_CODE[r.type]!] = r.n;
    events += r.n;
  }
  const agg = db
    .prepare(
      `SELECT coalesce(SUM(${PLAYS}), 0) AS plays,
              coalesce(SUM(CASE WHEN e.type IN ${TIMED_PLAY_TYPES_SQL} AND e.skipped IS NOT NULL THEN 1 ELSE 0 END), 0) AS timed,
              coalesce(SUM(CASE WHEN e.type IN ${TIMED_PLAY_TYPES_SQL} AND e.skipped = 1 THEN 1 ELSE 0 END), 0) AS skips
       FROM events e WHERE e.type IN ${PLAY_TYPES}`,
    )
    .get() as { plays: number; timed: number; skips: number };
  const span = db.prepare(`SELECT min(ts) AS first, max(ts) AS last FROM events WHERE type != ${EVENT_TYPE_CODE.play_count}`).get() as { first: number | null; last: number | null };
  const sessions = (db.prepare('SELECT count(DISTINCT session_id) AS n FROM events WHERE session_id IS NOT NULL').get() as { n: number }).n;
  const counts = db
    .prepare(`SELECT (SELECT count(*) FROM tracks) AS tracks, (SELECT count(*) FROM artists) AS artists,
              (SELECT count(*) FROM listeners) AS listeners, (SELECT count(*) FROM playlists) AS playlists`)
    .get() as { tracks: number; artists: number; listeners: number; playlists: number };

  const leaders = (sql: string): Leader[] =>
    db.prepare<[number], { id: string; name: string | null; plays: number }>(sql).all(top).map((r) => (r.name === null ? { id: r.id, plays: r.plays } : { id: r.id, name: r.name, plays: r.plays }));

  const topTracks = leaders(
    `SELECT t.id, t.title AS name, p.plays FROM (SELECT track_ix, SUM(${PLAYS}) AS plays FROM events e
       WHERE e.type IN ${PLAY_TYPES} AND e.track_ix IS NOT NULL GROUP BY track_ix) p JOIN tracks t ON t.ix = p.track_ix
     ORDER BY p.plays DESC, t.ix LIMIT ?`,
  );
  const topArtists = leaders(
    `SELECT a.id, a.name, p.plays FROM (SELECT artist_ix, SUM(${PLAYS}) AS plays FROM events e
       WHERE e.type IN ${PLAY_TYPES} AND e.artist_ix IS NOT NULL GROUP BY artist_ix) p JOIN artists a ON a.ix = p.artist_ix
     ORDER BY p.plays DESC, a.ix LIMIT ?`,
  );
  // A play counts for its track's genres; plays of a track without genres, or of an artist
  // alone, count for the artist's genres.
  const topGenres = leaders(
    `SELECT genre AS id, NULL AS name, SUM(plays) AS plays FROM (
       SELECT g.genre, SUM(${PLAYS}) AS plays FROM events e JOIN track_genres g ON g.track_ix = e.track_ix
         WHERE e.type IN ${PLAY_TYPES} GROUP BY g.genre
       UNION ALL
       SELECT g.genre, SUM(${PLAYS}) AS plays FROM events e JOIN artist_genres g ON g.artist_ix = e.artist_ix
         WHERE e.type IN ${PLAY_TYPES} AND (e.track_ix IS NULL OR NOT EXISTS (SELECT 1 FROM track_genres tg WHERE tg.track_ix = e.track_ix))
         GROUP BY g.genre)
     GROUP BY genre ORDER BY plays DESC, genre LIMIT ?`,
  );
  const mostActiveListeners = leaders(
    `SELECT l.id, NULL AS name, p.plays FROM (SELECT listener_ix, SUM(${PLAYS}) AS plays FROM events e
       WHERE e.type IN ${PLAY_TYPES} GROUP BY listener_ix) p JOIN listeners l ON l.ix = p.listener_ix
     ORDER BY p.plays DESC, l.ix LIMIT ?`,
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
