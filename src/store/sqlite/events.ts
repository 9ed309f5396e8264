import type Database from 'better-sqlite3';
import { EVENT_TYPE_BY_CODE, EVENT_TYPE_CODE, type EventType } from '../../domain/index.js';
import type { EventLog, StoredEvent } from '../types.js';

interface EventRow {
  seq: number; source: string; event_id: string; type: number; listener_id: string; track_id: string | null; artist_id: string | null;
  ts: number; ms_played: number | null; skipped: number | null; end_reason: string | null; start_reason: string | null;
  shuffle: number | null; count: number | null; playlist_id: string | null; session_id: string | null; context_type: string | null;
  context_id: string | null; surface: string | null; request_id: string | null; position: number | null; platform: string | null;
}

const SELECT = `SELECT e.seq, s.name AS source, e.event_id, e.type, l.id AS listener_id, t.id AS track_id, a.id AS artist_id, e.ts,
  e.ms_played, e.skipped, e.end_reason, e.start_reason, e.shuffle, e.count, e.playlist_id, e.session_id, e.context_type,
  e.context_id, e.surface, e.request_id, e.position, e.platform
  FROM events e JOIN sources s ON s.ix = e.source_ix JOIN listeners l ON l.ix = e.listener_ix
  LEFT JOIN tracks t ON t.ix = e.track_ix LEFT JOIN artists a ON a.ix = e.artist_ix`;

function toEvent(r: EventRow): StoredEvent {
  const e: StoredEvent = { seq: r.seq, type: EVENT_TYPE_BY_CODE[r.type]!, source: r.source, eventId: r.event_id, listenerId: r.listener_id, ts: r.ts };
  if (r.track_id !== null) e.trackId = r.track_id;
  // The artist column also holds a played track's main artist; report it only where the event named it.
  if (r.artist_id !== null && r.track_id === null) e.artistId = r.artist_id;
  if (r.session_id !== null) e.sessionId = r.session_id;
  if (r.ms_played !== null) e.msPlayed = r.ms_played;
  if (r.end_reason !== null) e.endReason = r.end_reason;
  if (r.start_reason !== null) e.startReason = r.start_reason;
  if (r.shuffle !== null) e.shuffle = r.shuffle === 1;
  if (r.skipped !== null) e.skipped = r.skipped === 1;
  if (r.count !== null) e.count = r.count;
  if (r.playlist_id !== null) e.playlistId = r.playlist_id;
  if (r.platform !== null) e.platform = r.platform;
  if (r.context_type !== null) {
    e.context = { type: r.context_type as NonNullable<StoredEvent['context']>['type'] };
    if (r.context_id !== null) e.context.id = r.context_id;
    if (r.surface !== null) e.context.surface = r.surface;
    if (r.request_id !== null) e.context.requestId = r.request_id;
    if (r.position !== null) e.context.position = r.position;
  }
  return e;
}

/** Default gap that ends a listening session: 30 minutes, as in the literature and Spotify's own logs. */
export const DEFAULT_SESSION_GAP_MS = 30 * 60 * 1000;

export class SqliteEventLog implements EventLog {
  constructor(private readonly db: Database.Database) {}

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  async *scan(opts: { afterSeq?: number; batchSize?: number; types?: EventType[] } = {}): AsyncIterable<StoredEvent[]> {
    const size = opts.batchSize ?? 10_000;
    const typeFilter = opts.types && opts.types.length > 0 ? `AND e.type IN (${opts.types.map((t) => EVENT_TYPE_CODE[t]).join(',')})` : '';
    const stmt = this.db.prepare<[number, number], EventRow>(`${SELECT} WHERE e.seq > ? ${typeFilter} ORDER BY e.seq LIMIT ?`);
    let after = opts.afterSeq ?? 0;
    for (;;) {
      const rows = stmt.all(after, size);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.seq;
      yield rows.map(toEvent);
      if (rows.length < size) return;
    }
  }

  async forListener(listenerId: string, opts: { since?: number; limit?: number } = {}): Promise<StoredEvent[]> {
    const rows = this.db
      .prepare<[string, number, number], EventRow>(`${SELECT} WHERE e.listener_ix = (SELECT ix FROM listeners WHERE id = ?) AND e.ts >= ? ORDER BY e.ts, e.seq LIMIT ?`)
      .all(listenerId, opts.since ?? 0, opts.limit ?? 1_000_000);
    return rows.map(toEvent);
  }

  async sessionize(opts: { gapMs?: number } = {}): Promise<{ listeners: number; events: number }> {
    const gap = opts.gapMs ?? DEFAULT_SESSION_GAP_MS;
    const pending = this.db.prepare<[], { listener_ix: number }>('SELECT DISTINCT listener_ix FROM events WHERE session_id IS NULL AND session_derived = 1').pluck().all() as unknown as number[];
    if (pending.length === 0) return { listeners: 0, events: 0 };
    const idOf = this.db.prepare<[number], string>('SELECT id FROM listeners WHERE ix = ?').pluck();
    const update = this.db.prepare('UPDATE events SET session_id = ? WHERE seq = ?');
    const saveCursor = this.db.prepare('UPDATE listeners SET last_ts = ?, session_start = ?, session_id = ? WHERE ix = ?');
    let events = 0;
    // Chunks of listeners, one scan and one transaction each: a crash leaves each chunk done or pending.
    const CHUNK = 500;
    for (let c = 0; c < pending.length; c += CHUNK) {
      const chunk = pending.slice(c, c + CHUNK);
      const rows = this.db
        .prepare<[], [number, number, number, string | null]>(
          `SELECT listener_ix, ts, seq, session_id FROM events WHERE session_derived = 1 AND listener_ix IN (${chunk.join(',')})`,
        )
        .raw()
        .all();
      // Order by listener, time, log position with a typed index sort (no object per row).
      const order = Uint32Array.from(rows.keys()).sort((a, b) => {
        const x = rows[a]!, y = rows[b]!;
        return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
      });
      this.db.transaction(() => {
        let listener = -1, id = '', session = '', start = 0, last = -Infinity;
        const flush = (): void => {
          if (listener >= 0) saveCursor.run(last, start, session, listener);
        };
        for (const i of order) {
          const [lix, ts, seq, current] = rows[i]!;
          if (lix !== listener) {
            flush();
            listener = lix;
            id = idOf.get(lix)!;
            last = -Infinity;
          }
          if (ts - last > gap) {
            session = `${id}@${ts}`;
            start = ts;
          }
          last = ts;
          if (current !== session) events += update.run(session, seq).changes;
        }
        flush();
      }).immediate();
    }
    return { listeners: pending.length, events };
  }

}
