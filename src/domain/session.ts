/**
 * The one session rule. A listener's events without a given session id are cut into
 * sessions by time: a gap longer than the session gap after the previous event starts a
 * new session, whose id is the listener's id and the time of its first event. Every place
 * that derives sessions (the store's writers and sessionize, the online state, offline
 * splits, training, experiment reports) reads this file.
 */

/** Default gap that ends a listening session: 30 minutes, as in the literature and Spotify's own logs. */
export const DEFAULT_SESSION_GAP_MS = 30 * 60 * 1000;
export const DEFAULT_SESSION_GAP_MINUTES = DEFAULT_SESSION_GAP_MS / 60_000;

/**
 * The id of a derived session: the listener's id and the time of its first event.
 *
 * @example sessionId('u1', 1714557600000) // 'u1@1714557600000'
 */
export function sessionId(listenerId: string, startTs: number): string {
  return `${listenerId}@${startTs}`;
}

/** Whether an event at `ts` after one at `prevTs` (same listener, time order) starts a new session. */
export function startsSession(prevTs: number, ts: number, gapMs: number): boolean {
  return ts - prevTs > gapMs;
}

/** Where a listener's current derived session stands, as events arrive. */
export interface SessionCursor {
  /** Time of the session's latest event. */
  lastTs: number;
  /** Time of the session's first event. */
  start: number;
  /** The session's id; null before the listener's first event. */
  id: string | null;
}

/**
 * What an arriving event does to the listener's current session: `join` it (at or after its
 * start, within the gap of its latest event), open a `new` one (the first event, or past the
 * gap), or it is `late` (before the current session's start: an older session's, resolved
 * later by sessionize, which recomputes from all events in time order).
 */
export function sessionStep(c: SessionCursor, ts: number, gapMs: number): 'join' | 'new' | 'late' {
  if (c.id === null || startsSession(c.lastTs, ts, gapMs)) return 'new';
  return ts < c.start ? 'late' : 'join';
}

/**
 * Advance a cursor by one event and return the event's session id, or null for a late
 * event (left pending). Mutates `c`.
 */
export function advanceSession(c: SessionCursor, listenerId: string, ts: number, gapMs: number): string | null {
  switch (sessionStep(c, ts, gapMs)) {
    case 'new':
      c.id = sessionId(listenerId, ts);
      c.start = ts;
      c.lastTs = ts;
      return c.id;
    case 'join':
      if (ts > c.lastTs) c.lastTs = ts;
      return c.id;
    case 'late':
      return null;
  }
}

/**
 * Session boundaries over rows sorted by listener, then time: session s is rows
 * starts[s] .. starts[s + 1) (the last entry is the row count). Offline training and
 * evaluation cut their play logs with it.
 */
export function sessionStarts(listener: ArrayLike<number>, ts: ArrayLike<number>, gapMs: number): Int32Array {
  const n = ts.length;
  const starts: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || listener[i] !== listener[i - 1] || startsSession(ts[i - 1]!, ts[i]!, gapMs)) starts.push(i);
  starts.push(n);
  return Int32Array.from(starts);
}
