import { prepared } from './statements.js';
import { windowRows } from './blocks.js';
import type Database from 'better-sqlite3';
import { DEFAULT_SESSION_GAP_MS, EVENT_TYPE_BY_CODE, EVENT_TYPE_CODE, type EventType } from '../../domain/index.js';
import { SESSION_ID_SQL, SESSION_STARTS_SQL } from '../sql.js';
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

type NameTable = 'sources' | 'listeners' | 'tracks' | 'artists';
/** The columns of EventRow in order, with source, listener, track and artist as ixs (positions 1, 4, 5, 6). */
const SELECT_IX = `SELECT e.seq, e.source_ix, e.event_id, e.type, e.listener_ix, e.track_ix, e.artist_ix, e.ts,
  e.ms_played, e.skipped, e.end_reason, e.start_reason, e.shuffle, e.count, e.playlist_id, e.session_id, e.context_type,
  e.context_id, e.surface, e.request_id, e.position, e.platform
  FROM events e`;

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


export class SqliteEventLog implements EventLog {
  constructor(private readonly db: Database.Database) {}

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  async lastSeq(): Promise<number> {
    return prepared<[], { s: number | null }>(this.db, 'SELECT max(seq) AS s FROM events').get()!.s ?? 0;
  }

  async *scan(opts: { afterSeq?: number; batchSize?: number; types?: EventType[]; since?: number; until?: number } = {}): AsyncIterable<StoredEvent[]> {
    const size = opts.batchSize ?? 10_000;
    const typeFilter = opts.types && opts.types.length > 0 ? `AND e.type IN (${opts.types.map((t) => EVENT_TYPE_CODE[t]).join(',')})` : '';
    if (opts.since !== undefined || opts.until !== undefined) {
      yield* this.scanRange(opts.since ?? -Number.MAX_SAFE_INTEGER, opts.until ?? Number.MAX_SAFE_INTEGER, opts.afterSeq ?? 0, size, typeFilter);
      return;
    }
    // The events table alone, in seq order: the ids behind its ixs come from `names` (an ix
    // never changes its id), not from four joins per row, which had cost the server's fold
    // of freshly ingested events more than their insertion.
    // Rows as arrays: better-sqlite3 builds an object of 22 properties per row several
    // times slower than an array of them (and than the object literal made from it here).
    // Prepared once per filter: a server folds new events after every ingest batch.
    const stmt = prepared<[number, number], unknown[]>(this.db, `${SELECT_IX} WHERE e.seq > ? ${typeFilter} ORDER BY e.seq LIMIT ?`).raw(true);
    let after = opts.afterSeq ?? 0;
    for (;;) {
      const rows = stmt.all(after, size);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]![0] as number;
      yield rows.map((a) => this.rowEvent(a));
      if (rows.length < size) return;
    }
  }

  /** Events with since <= ts < until in (ts, seq) order, through the log's time summary (blocks.ts). */
  private async *scanRange(since: number, until: number, afterSeq: number, size: number, typeFilter: string): AsyncIterable<StoredEvent[]> {
    for (const rows of windowRows(this.db, `${SELECT_IX} WHERE`, typeFilter, since, until, afterSeq, size)) yield rows.map((a) => this.rowEvent(a));
  }

  /** A row of SELECT_IX as an event, its ixs named through `names`. */
  private rowEvent(a: unknown[]): StoredEvent {
    const track = a[5] as number | null, artist = a[6] as number | null;
    return toEvent({
      seq: a[0] as number, source: this.nameOf('sources', a[1] as number), event_id: a[2] as string, type: a[3] as number,
      listener_id: this.nameOf('listeners', a[4] as number),
      track_id: track === null ? null : (this.nameOf('tracks', track, true) ?? null),
      artist_id: artist === null ? null : (this.nameOf('artists', artist, true) ?? null),
      ts: a[7] as number, ms_played: a[8] as number | null, skipped: a[9] as number | null, end_reason: a[10] as string | null,
      start_reason: a[11] as string | null, shuffle: a[12] as number | null, count: a[13] as number | null, playlist_id: a[14] as string | null,
      session_id: a[15] as string | null, context_type: a[16] as string | null, context_id: a[17] as string | null, surface: a[18] as string | null,
      request_id: a[19] as string | null, position: a[20] as number | null, platform: a[21] as string | null,
    });
  }

  /** Ids by ix of sources, listeners, tracks and artists, as the log's rows name them (filled on first sight). */
  private readonly names: Record<NameTable, Array<string | undefined>> = { sources: [], listeners: [], tracks: [], artists: [] };
  private readonly nameStmts: Partial<Record<NameTable, Database.Statement<[number], string>>> = {};

  private nameOf(table: NameTable, ix: number): string;
  private nameOf(table: NameTable, ix: number, optional: true): string | undefined;
  private nameOf(table: NameTable, ix: number, optional = false): string | undefined {
    const cache = this.names[table];
    let v = cache[ix];
    if (v === undefined) {
      const stmt = (this.nameStmts[table] ??= this.db.prepare<[number], string>(`SELECT ${table === 'sources' ? 'name' : 'id'} FROM ${table} WHERE ix = ?`).pluck());
      v = stmt.get(ix);
      if (v === undefined) {
        if (optional) return undefined; // as a LEFT JOIN would
        throw new Error(`event log: ${table} row ${ix} is missing`);
      }
      cache[ix] = v;
    }
    return v;
  }

  async forListener(listenerId: string, opts: { since?: number; until?: number; limit?: number; newest?: boolean } = {}): Promise<StoredEvent[]> {
    // Newest first under the limit (SQLite keeps only the top `limit` rows while sorting), then back to time order.
    const dir = opts.newest ? 'DESC' : 'ASC';
    const rows = prepared<[string, number, number, number], EventRow>(this.db, `${SELECT} WHERE e.listener_ix = (SELECT ix FROM listeners WHERE id = ?) AND e.ts >= ? AND e.ts < ? ORDER BY e.ts ${dir}, e.seq ${dir} LIMIT ?`)
      .all(listenerId, opts.since ?? 0, opts.until ?? Number.MAX_SAFE_INTEGER, opts.limit ?? 1_000_000);
    if (opts.newest) rows.reverse();
    return rows.map(toEvent);
  }

  async countForListener(listenerId: string, opts: { since?: number; until?: number } = {}): Promise<number> {
    return prepared<[string, number, number], { n: number }>(this.db, 'SELECT count(*) AS n FROM events WHERE listener_ix = (SELECT ix FROM listeners WHERE id = ?) AND ts >= ? AND ts < ?')
      .get(listenerId, opts.since ?? 0, opts.until ?? Number.MAX_SAFE_INTEGER)!.n;
  }

  async sessionize(opts: { gapMs?: number } = {}): Promise<{ listeners: number; events: number }> {
    const gap = opts.gapMs ?? DEFAULT_SESSION_GAP_MS;
    if (!(gap > 0)) throw new RangeError(`sessionize: gapMs must be positive, got ${gap}`);
    // All in SQLite, in one IMMEDIATE transaction: window functions order each pending
    // listener's events and find session starts, SQLite's sorter spills to disk so memory
    // stays bounded whatever the log's size, and no concurrent writer can interleave.
    return this.db.transaction(() => {
      this.db.exec('DROP TABLE IF EXISTS temp.pending_sessions');
      this.db.exec(`CREATE TEMP TABLE pending_sessions AS SELECT DISTINCT listener_ix FROM events WHERE session_id IS NULL AND session_derived = 1`);
      const listeners = (this.db.prepare('SELECT count(*) FROM temp.pending_sessions').pluck().get() as number);
      if (listeners === 0) {
        this.db.exec('DROP TABLE temp.pending_sessions');
        return { listeners: 0, events: 0 };
      }
      this.db.exec('DROP TABLE IF EXISTS temp.assigned_sessions');
      this.db.prepare(
        `CREATE TEMP TABLE assigned_sessions AS
         WITH ordered AS (
           SELECT e.seq, e.listener_ix, e.ts, e.session_id,
                  LAG(e.ts) OVER (PARTITION BY e.listener_ix ORDER BY e.ts, e.seq) AS prev
           FROM events e JOIN temp.pending_sessions p ON p.listener_ix = e.listener_ix
           WHERE e.session_derived = 1),
         marked AS (
           SELECT seq, listener_ix, ts, session_id, CASE WHEN prev IS NULL OR ${SESSION_STARTS_SQL('prev', 'ts', '?')} THEN ts END AS start_ts FROM ordered)
         SELECT seq, listener_ix, ts, session_id AS old_id,
                MAX(start_ts) OVER (PARTITION BY listener_ix ORDER BY ts, seq ROWS UNBOUNDED PRECEDING) AS start_ts
         FROM marked`,
      ).run(gap);
      const events = this.db
        .prepare(
          `UPDATE events SET session_id = s.new_id FROM (
             SELECT a.seq, ${SESSION_ID_SQL('l.id', 'a.start_ts')} AS new_id, a.old_id
             FROM temp.assigned_sessions a JOIN listeners l ON l.ix = a.listener_ix) s
           WHERE events.seq = s.seq AND s.old_id IS NOT s.new_id`,
        )
        .run().changes;
      // Each listener's cursor continues from its last event.
      this.db.exec(
        `UPDATE listeners SET last_ts = c.ts, session_start = c.start_ts, session_id = ${SESSION_ID_SQL('listeners.id', 'c.start_ts')}
         FROM (SELECT listener_ix, ts, start_ts, ROW_NUMBER() OVER (PARTITION BY listener_ix ORDER BY ts DESC, seq DESC) AS r
               FROM temp.assigned_sessions) c
         WHERE c.r = 1 AND listeners.ix = c.listener_ix`,
      );
      this.db.exec('DROP TABLE temp.assigned_sessions; DROP TABLE temp.pending_sessions');
      return { listeners, events };
    }).immediate();
  }


}
