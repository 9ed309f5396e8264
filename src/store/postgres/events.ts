import { DEFAULT_SESSION_GAP_MS, EVENT_TYPE_BY_CODE, EVENT_TYPE_CODE, type EventType } from '../../domain/index.js';
import { SESSION_ID_SQL, SESSION_STARTS_SQL } from '../sql.js';
import type { EventLog, StoredEvent } from '../types.js';
import { Lock, type PgDb } from './db.js';

/** The columns of a stored event, with source, listener, track and artist as ixs (positions 1, 4, 5, 6). */
const SELECT_IX = `SELECT e.seq, e.source_ix, e.event_id, e.type, e.listener_ix, e.track_ix, e.artist_ix, e.ts,
  e.ms_played, e.skipped, e.end_reason, e.start_reason, e.shuffle, e.count, e.playlist_id, e.session_id, e.context_type,
  e.context_id, e.surface, e.request_id, e.position, e.platform
  FROM events e`;

type NameTable = 'sources' | 'listeners' | 'tracks' | 'artists';
const NAME_AT: ReadonlyArray<[NameTable, number]> = [['sources', 1], ['listeners', 4], ['tracks', 5], ['artists', 6]];

export class PgEventLog implements EventLog {
  constructor(private readonly db: PgDb) {}

  async count(): Promise<number> {
    return (await this.db.value<number>('SELECT count(*) FROM events'))!;
  }

  async lastSeq(): Promise<number> {
    return (await this.db.value<number | null>('SELECT max(seq) FROM events')) ?? 0;
  }

  async *scan(opts: { afterSeq?: number; batchSize?: number; types?: EventType[]; since?: number; until?: number } = {}): AsyncIterable<StoredEvent[]> {
    const size = opts.batchSize ?? 10_000;
    const typeFilter = opts.types && opts.types.length > 0 ? `AND e.type IN (${opts.types.map((t) => EVENT_TYPE_CODE[t]).join(',')})` : '';
    const afterSeq = opts.afterSeq ?? 0;
    if (opts.since !== undefined || opts.until !== undefined) {
      // A time window: keyset pages on the (ts, seq) index, reading only the months in range.
      const since = opts.since ?? -Number.MAX_SAFE_INTEGER, until = opts.until ?? Number.MAX_SAFE_INTEGER;
      const sql = `${SELECT_IX} WHERE e.ts >= $1 AND e.ts < $2 AND (e.ts, e.seq) > ($3, $4) AND e.seq > $5 ${typeFilter} ORDER BY e.ts, e.seq LIMIT $6`;
      let ts = -Number.MAX_SAFE_INTEGER, seq = 0;
      for (;;) {
        const rows = await this.db.arrays(sql, [since, until, ts, seq, afterSeq, size]);
        if (rows.length === 0) return;
        const last = rows[rows.length - 1]!;
        ts = last[7] as number;
        seq = last[0] as number;
        yield await this.toEvents(rows);
        if (rows.length < size) return;
      }
    }
    // The events table alone, in seq order: the ids behind its ixs come from `names` (an ix
    // never changes its id) rather than four joins per row. Rows as arrays: no object per row.
    const sql = `${SELECT_IX} WHERE e.seq > $1 ${typeFilter} ORDER BY e.seq LIMIT $2`;
    let after = afterSeq;
    for (;;) {
      const rows = await this.db.arrays(sql, [after, size]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]![0] as number;
      yield await this.toEvents(rows);
      if (rows.length < size) return;
    }
  }

  async forListener(listenerId: string, opts: { since?: number; until?: number; limit?: number; newest?: boolean } = {}): Promise<StoredEvent[]> {
    // Newest first under the limit (a top-N sort keeps only `limit` rows), then back to time order.
    const dir = opts.newest ? 'DESC' : 'ASC';
    const rows = await this.db.arrays(
      `${SELECT_IX} WHERE e.listener_ix = (SELECT ix FROM listeners WHERE id = $1) AND e.ts >= $2 AND e.ts < $3 ORDER BY e.ts ${dir}, e.seq ${dir} LIMIT $4`,
      [listenerId, opts.since ?? 0, opts.until ?? Number.MAX_SAFE_INTEGER, opts.limit ?? 1_000_000],
    );
    if (opts.newest) rows.reverse();
    return this.toEvents(rows);
  }

  async countForListener(listenerId: string, opts: { since?: number; until?: number } = {}): Promise<number> {
    return (await this.db.value<number>(
      'SELECT count(*) FROM events WHERE listener_ix = (SELECT ix FROM listeners WHERE id = $1) AND ts >= $2 AND ts < $3',
      [listenerId, opts.since ?? 0, opts.until ?? Number.MAX_SAFE_INTEGER],
    ))!;
  }

  async sessionize(opts: { gapMs?: number } = {}): Promise<{ listeners: number; events: number }> {
    const gap = opts.gapMs ?? DEFAULT_SESSION_GAP_MS;
    if (!(gap > 0)) throw new RangeError(`sessionize: gapMs must be positive, got ${gap}`);
    // All in PostgreSQL, in one transaction under the writer lock (no batch can interleave):
    // window functions order each pending listener's events and find session starts.
    return this.db.tx(
      async (c) => {
        await c.query(`CREATE TEMP TABLE segue_pending ON COMMIT DROP AS
                         SELECT DISTINCT listener_ix FROM events WHERE session_id IS NULL AND session_derived = 1`);
        const listeners = (await c.query<{ n: number }>('SELECT count(*) AS n FROM segue_pending')).rows[0]!.n;
        if (listeners === 0) return { listeners: 0, events: 0 };
        await c.query('ANALYZE segue_pending');
        await c.query('CREATE TEMP TABLE segue_assigned (seq bigint, ts bigint, listener_ix bigint, old_id text, start_ts bigint) ON COMMIT DROP');
        await c.query(
          `WITH ordered AS (
             SELECT e.seq, e.listener_ix, e.ts, e.session_id,
                    LAG(e.ts) OVER (PARTITION BY e.listener_ix ORDER BY e.ts, e.seq) AS prev
             FROM events e JOIN segue_pending p ON p.listener_ix = e.listener_ix
             WHERE e.session_derived = 1),
           marked AS (
             SELECT seq, listener_ix, ts, session_id, CASE WHEN prev IS NULL OR ${SESSION_STARTS_SQL('prev', 'ts', '$1::float8')} THEN ts END AS start_ts FROM ordered)
           INSERT INTO segue_assigned (seq, ts, listener_ix, old_id, start_ts)
           SELECT seq, ts, listener_ix, session_id,
                  MAX(start_ts) OVER (PARTITION BY listener_ix ORDER BY ts, seq ROWS UNBOUNDED PRECEDING)
           FROM marked`,
          [gap],
        );
        await c.query('ANALYZE segue_assigned');
        // The join names ts too, so that each event is looked up in its own month's partition.
        const events = (await c.query(
          `UPDATE events e SET session_id = s.new_id FROM (
             SELECT a.seq, a.ts, ${SESSION_ID_SQL('l.id', 'a.start_ts')} AS new_id, a.old_id
             FROM segue_assigned a JOIN listeners l ON l.ix = a.listener_ix) s
           WHERE e.seq = s.seq AND e.ts = s.ts AND s.old_id IS DISTINCT FROM s.new_id`,
        )).rowCount ?? 0;
        // Each listener's cursor continues from its last event.
        await c.query(
          `UPDATE listeners SET last_ts = c.ts, session_start = c.start_ts, session_id = ${SESSION_ID_SQL('listeners.id', 'c.start_ts')}
           FROM (SELECT listener_ix, ts, start_ts, ROW_NUMBER() OVER (PARTITION BY listener_ix ORDER BY ts DESC, seq DESC) AS r
                 FROM segue_assigned) c
           WHERE c.r = 1 AND listeners.ix = c.listener_ix`,
        );
        return { listeners, events };
      },
      { lock: Lock.writer, doing: 'sessionize' },
    );
  }

  /** Ids by ix of sources, listeners, tracks and artists, as the log's rows name them (filled on first sight). */
  private readonly names: Record<NameTable, Array<string | undefined>> = { sources: [], listeners: [], tracks: [], artists: [] };

  /** Rows of SELECT_IX as events, their ixs named (the ixs not yet known in one query per table). */
  private async toEvents(rows: unknown[][]): Promise<StoredEvent[]> {
    for (const [table, col] of NAME_AT) {
      const cache = this.names[table];
      const missing = new Set<number>();
      for (const r of rows) {
        const ix = r[col] as number | null;
        if (ix !== null && cache[ix] === undefined) missing.add(ix);
      }
      if (missing.size === 0) continue;
      const found = await this.db.arrays(`SELECT ix, ${table === 'sources' ? 'name' : 'id'} FROM ${table} WHERE ix = ANY($1)`, [[...missing]]);
      for (const [ix, id] of found) cache[ix as number] = id as string;
      if (table === 'sources' || table === 'listeners') {
        for (const ix of missing) if (cache[ix] === undefined) throw new Error(`event log: ${table} row ${ix} is missing`);
      }
    }
    return rows.map((a) => this.toEvent(a));
  }

  private toEvent(a: unknown[]): StoredEvent {
    const { sources, listeners, tracks, artists } = this.names;
    const track = a[5] as number | null, artist = a[6] as number | null;
    const trackId = track === null ? undefined : tracks[track];
    const e: StoredEvent = { seq: a[0] as number, type: EVENT_TYPE_BY_CODE[a[3] as number]!, source: sources[a[1] as number]!, eventId: a[2] as string, listenerId: listeners[a[4] as number]!, ts: a[7] as number };
    if (trackId !== undefined) e.trackId = trackId;
    // The artist column also holds a played track's main artist; report it only where the event named it.
    if (artist !== null && trackId === undefined && artists[artist] !== undefined) e.artistId = artists[artist];
    if (a[15] !== null) e.sessionId = a[15] as string;
    if (a[8] !== null) e.msPlayed = a[8] as number;
    if (a[10] !== null) e.endReason = a[10] as string;
    if (a[11] !== null) e.startReason = a[11] as string;
    if (a[12] !== null) e.shuffle = a[12] === 1;
    if (a[9] !== null) e.skipped = a[9] === 1;
    if (a[13] !== null) e.count = a[13] as number;
    if (a[14] !== null) e.playlistId = a[14] as string;
    if (a[21] !== null) e.platform = a[21] as string;
    if (a[16] !== null) {
      const ctx: NonNullable<StoredEvent['context']> = { type: a[16] as NonNullable<StoredEvent['context']>['type'] };
      if (a[17] !== null) ctx.id = a[17] as string;
      if (a[18] !== null) ctx.surface = a[18] as string;
      if (a[19] !== null) ctx.requestId = a[19] as string;
      if (a[20] !== null) ctx.position = a[20] as number;
      e.context = ctx;
    }
    return e;
  }
}
