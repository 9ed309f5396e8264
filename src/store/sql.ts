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
