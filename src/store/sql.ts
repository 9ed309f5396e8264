import { EVENT_TYPE_CODE } from '../domain/index.js';

/**
 * SQL fragments shared by the SQL backends (SQLite, PostgreSQL), built from the domain's
 * one definition of each rule, so that a rule changed in the domain changes every backend.
 * Each takes the column expressions it applies to.
 */

/** The domain's sessionId(listenerId, startTs) (`<listener>@<start>`) over two column expressions. */
export const SESSION_ID_SQL = (listenerCol: string, startCol: string): string => `${listenerCol} || '@' || ${startCol}`;

/** The domain's startsSession(prevTs, ts, gapMs) over column expressions (or a `?` placeholder for the gap). */
export const SESSION_STARTS_SQL = (prevCol: string, tsCol: string, gap: string): string => `${tsCol} - ${prevCol} > ${gap}`;

const PLAY_COUNT = EVENT_TYPE_CODE.play_count;
/** Event types that are plays: a finished play, a skip, and an aggregate play count. */
export const PLAY_TYPES_SQL = `(${EVENT_TYPE_CODE.play_end}, ${EVENT_TYPE_CODE.skip}, ${PLAY_COUNT})`;
/** Timed plays (with a moment and a skip status): play_end and skip. */
export const TIMED_PLAY_TYPES_SQL = `(${EVENT_TYPE_CODE.play_end}, ${EVENT_TYPE_CODE.skip})`;
/** Plays of one event row (alias `e`, or none): `count` for an aggregate play_count, else one. */
export const PLAYS_SQL = (alias = 'e'): string => {
  const p = alias === '' ? '' : `${alias}.`;
  return `CASE WHEN ${p}type = ${PLAY_COUNT} THEN ${p}count ELSE 1 END`;
};

/** What catalog search looks in: kind to table, id column and name column (a listener has no name: its id). */
export const SEARCH_TABLES = {
  track: { table: 'tracks', name: 'title' },
  artist: { table: 'artists', name: 'name' },
  listener: { table: 'listeners', name: 'id' },
} as const;

/**
 * Catalog search over one kind: records whose id or name contains the query (LIKE, with `%`,
 * `_` and `\` in the query escaped by `\`), those that start with it first, then by id. `like`
 * is the backend's case-insensitive LIKE (SQLite's LIKE is; PostgreSQL's ILIKE), `p1`..`p3` its
 * placeholders for the contains pattern, the prefix pattern and the limit.
 */
export function searchSql(kind: keyof typeof SEARCH_TABLES, like: string, p: [string, string, string], idOrder = 'id'): string {
  const { table, name } = SEARCH_TABLES[kind];
  const match = (pat: string) => `(id ${like} ${pat} ESCAPE '\\' OR ${name} ${like} ${pat} ESCAPE '\\')`;
  return `SELECT id, ${name} AS name FROM ${table} WHERE ${match(p[0])} ORDER BY CASE WHEN ${match(p[1])} THEN 0 ELSE 1 END, ${idOrder} LIMIT ${p[2]}`;
}

/** The contains and prefix patterns of a search query, LIKE's wildcards escaped. */
export function searchPatterns(q: string): [string, string] {
  const e = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  return [`%${e}%`, `${e}%`];
}
