import type pg from 'pg';
import { EVENT_TYPE_CODE, advanceSession, type SegueEvent } from '../../domain/index.js';
import type { RecordKind } from '../types.js';
import type { CatalogPlan, ListenerEntry } from './plan.js';
import { copyIn, type CopyData, type CopyPart } from './copy.js';

/** From this many events a batch goes through COPY (see EventWriter.write); below, plain parameterized statements (one event from HTTP). */
export const COPY_MIN_EVENTS = 64;

/** The columns of events a batch writes, in staging-table and COPY order (after row_no). */
const COLUMNS = [
  'source_ix', 'event_id', 'type', 'listener_ix', 'track_ix', 'artist_ix', 'ts', 'ms_played', 'skipped', 'end_reason', 'start_reason',
  'shuffle', 'count', 'playlist_id', 'session_id', 'session_derived', 'context_type', 'context_id', 'surface', 'request_id', 'position', 'platform',
] as const;
const TYPES = [
  'bigint', 'text', 'smallint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'smallint', 'text', 'text',
  'smallint', 'bigint', 'text', 'text', 'smallint', 'text', 'text', 'text', 'text', 'integer', 'text',
] as const;
const SESSION = COLUMNS.indexOf('session_id');

/** The batch's first COPY of keys met a key already in the log or repeated within the batch: run the batch again, keysMayRepeat. */
export class KeysRepeat extends Error {
  constructor() {
    super('ingest: an event key of the batch repeats (the batch is written again with ON CONFLICT)');
  }
}

/** The batch's events that refer to known ids, with their ixs (-1: none), in batch order. */
export interface ResolvedEvents {
  count: number;
  /** Each one's index in the batch. */
  index: Int32Array;
  events: readonly SegueEvent[];
  source: Float64Array;
  track: Float64Array;
  artist: Float64Array;
  listeners: ListenerEntry[];
}

/** Months (UTC) with a partition of their own: from 1900 to 9999; other times go to the default partition. */
const FIRST_MONTH = Date.UTC(1900, 0, 1), LAST_MONTH = Date.UTC(10000, 0, 1);

/**
 * The events of an ingest batch: which are new (the idempotency keys, first in the batch
 * wins), their derived sessions (the domain's rule, as events arrive; a duplicate moves no
 * cursor), the month partitions they need, and their rows, in batch order so that seqs
 * follow it.
 */
export class EventWriter {
  /** Partitions known to exist: seen, or created by a batch that committed. */
  private readonly partitions = new Set<string>();

  /** Resolve ids to ixs, in batch order; reject events naming unknown tracks or artists (SQLite's reasons). */
  resolve(plan: CatalogPlan, events: readonly SegueEvent[], mark: (kind: RecordKind, i: number, r: boolean | string) => void): ResolvedEvents {
    const n = events.length;
    const r: ResolvedEvents = { count: 0, index: new Int32Array(n), events, source: new Float64Array(n), track: new Float64Array(n), artist: new Float64Array(n), listeners: [] };
    for (let i = 0; i < n; i++) {
      const e = events[i]!;
      let track = -1, artist = -1;
      if (e.trackId !== undefined) {
        const ref = plan.trackRef(e.trackId);
        if (ref === undefined) {
          mark('event', i, `trackId: unknown track ${JSON.stringify(e.trackId)} (import the catalog first)`);
          continue;
        }
        track = ref.ix;
        artist = ref.artistIx;
      }
      if (e.artistId !== undefined) {
        const ix = plan.artistIx(e.artistId);
        if (ix === undefined) {
          mark('event', i, `artistId: unknown artist ${JSON.stringify(e.artistId)} (import the catalog first)`);
          continue;
        }
        artist = ix;
      }
      const k = r.count++;
      r.index[k] = i;
      r.track[k] = track;
      r.artist[k] = artist;
      r.listeners.push(plan.listener(e.listenerId));
      r.source[k] = plan.sourceIx(e.source);
    }
    return r;
  }

  /** Partitions a batch created, once it has committed (until then a rollback may take them away). */
  committed(created: readonly string[]): void {
    for (const p of created) this.partitions.add(p);
  }

  /**
   * Write the new events. Returns, per resolved event, 1 when it was new and 0 for a
   * duplicate, and the partitions created (see `committed`).
   *
   * A large batch bets that none of its keys is already in the log nor repeated within
   * the batch (a fresh import): it COPYs its keys straight into event_keys and its events
   * into the log, in one round trip, every event new. A key that is there fails the COPY
   * (unique violation), and with it the transaction: the writer then runs the batch again
   * with `keysMayRepeat`, which inserts the keys with ON CONFLICT DO NOTHING and reads
   * back the new ones, then COPYs those events. Either way the events get the seqs after
   * `lastSeq` (read under the writer lock, which every drawer of seqs holds) in batch
   * order, and the sequence is moved past them in the same round trip.
   */
  async write(c: pg.PoolClient, r: ResolvedEvents, gapMs: number, keysMayRepeat: boolean, lastSeq: number): Promise<{ isNew: Uint8Array; created: string[] }> {
    const isNew = new Uint8Array(r.count);
    const created: string[] = [];
    if (r.count === 0) return { isNew, created };
    const copy = r.count >= COPY_MIN_EVENTS;
    if (copy && !keysMayRepeat) {
      isNew.fill(1);
      await this.ensurePartitions(c, monthsOf(r, isNew), created);
      const keys: CopyPart = {
        target: 'event_keys (source_ix, event_id)', count: r.count,
        put: (data, k) => {
          data.row(2);
          data.int8(r.source[k]);
          data.text(r.events[r.index[k]!]!.eventId);
        },
      };
      try {
        await copyIn(c, [keys, this.eventRows(r, isNew, gapMs, lastSeq)], `SELECT setval('events_seq', ${lastSeq + r.count})`);
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw new KeysRepeat(); // unique_violation
        throw err;
      }
      return { isNew, created };
    }
    // ON CONFLICT DO NOTHING skips a key already in the log, and a key repeated within the
    // batch goes in once; the keys returned are the new ones, and below, the batch's first
    // row with such a key is the one written (as in SQLite, where it is inserted first).
    const ids = Array.from({ length: r.count }, (_, k) => r.events[r.index[k]!]!.eventId);
    const inserted = (await c.query({ text: 'INSERT INTO event_keys (source_ix, event_id) SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT DO NOTHING RETURNING source_ix, event_id', values: [Array.from(r.source.subarray(0, r.count)), ids], rowMode: 'array' })).rows as unknown[][];
    if (inserted.length === 0) return { isNew, created };
    const fresh = new Set<string>();
    for (const [s, id] of inserted) fresh.add(`${s as number}:${id as string}`);
    for (let k = 0; k < r.count; k++) if (fresh.delete(`${r.source[k]}:${r.events[r.index[k]!]!.eventId}`)) isNew[k] = 1;
    await this.ensurePartitions(c, monthsOf(r, isNew), created);
    if (copy) {
      let n = 0;
      for (let k = 0; k < r.count; k++) n += isNew[k]!;
      await copyIn(c, [this.eventRows(r, isNew, gapMs, lastSeq)], `SELECT setval('events_seq', ${lastSeq + n})`);
      return { isNew, created };
    }
    const values = COLUMNS.map(() => [] as unknown[]);
    for (let k = 0; k < r.count; k++) {
      if (isNew[k] !== 1) continue;
      const cells = cellsOf(r, k);
      cells[SESSION] = sessionOf(r, k, gapMs);
      cells.forEach((v, col) => values[col]!.push(v));
    }
    // nextval in the select list is evaluated after ORDER BY (PostgreSQL 9.6 and later): seqs follow the batch order.
    await c.query(`INSERT INTO events (seq, ${COLUMNS.join(', ')}) SELECT nextval('events_seq'), ${COLUMNS.map((col) => `u.${col}`).join(', ')}
                   FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) WITH ORDINALITY AS u(${COLUMNS.join(', ')}, ord) ORDER BY u.ord`, values);
    return { isNew, created };
  }

  /**
   * The new events as a binary COPY into the log, with the seqs after `lastSeq` in batch
   * order; their sessions are derived as the rows are made, in batch order (a duplicate
   * moves no cursor).
   */
  private eventRows(r: ResolvedEvents, isNew: Uint8Array, gapMs: number, lastSeq: number): CopyPart {
    let seq = lastSeq;
    return {
      target: `events (seq, ${COLUMNS.join(', ')})`, count: r.count,
      put: (data, k) => {
        if (isNew[k] === 1) putEvent(data, r, k, ++seq, sessionOf(r, k, gapMs));
      },
    };
  }

  /**
   * Per event of the batch (`n` of them), its seq: the new ones' follow `lastSeq` in batch
   * order (as `write` gave them); a duplicate's is read back, by listener and time through
   * the (listener_ix, ts) index, then by key (a repeat of a logged event has its time).
   * A duplicate key whose event has another listener or time gets 0: not this event.
   */
  async seqs(c: pg.PoolClient, r: ResolvedEvents, isNew: Uint8Array, lastSeq: number, n: number): Promise<Float64Array> {
    const out = new Float64Array(n);
    const dup: number[] = [];
    let seq = lastSeq;
    for (let k = 0; k < r.count; k++) {
      if (isNew[k] === 1) out[r.index[k]!] = ++seq;
      else dup.push(k);
    }
    if (dup.length === 0) return out;
    const rows = (await c.query({
      text: `SELECT u.k, e.seq FROM unnest($1::int[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[]) AS u(k, source_ix, event_id, listener_ix, ts)
             JOIN events e ON e.listener_ix = u.listener_ix AND e.ts = u.ts AND e.source_ix = u.source_ix AND e.event_id = u.event_id`,
      values: [dup, dup.map((k) => r.source[k]), dup.map((k) => r.events[r.index[k]!]!.eventId), dup.map((k) => r.listeners[k]!.ix), dup.map((k) => r.events[r.index[k]!]!.ts)],
      rowMode: 'array',
    })).rows as [number, number][];
    for (const [k, s] of rows) out[r.index[k]!] = Number(s);
    return out;
  }

  /** Create the month partitions that events at these times need (for rows copied in whole: see PgTables). */
  async partitionsFor(c: pg.PoolClient, ts: Iterable<number>): Promise<void> {
    const months = new Months();
    for (const t of ts) months.add(t);
    // Not remembered as known: the caller's transaction may yet roll back.
    await this.ensurePartitions(c, months.byName, []);
  }

  /**
   * Create the month partitions the batch needs. A month whose events already sit in the
   * default partition (written when the month had none) cannot get one: its events stay there.
   */
  private async ensurePartitions(c: pg.PoolClient, months: Map<string, [number, number]>, created: string[]): Promise<void> {
    const wanted = [...months.keys()].filter((m) => !this.partitions.has(m));
    if (wanted.length === 0) return;
    const missing = new Set((await c.query<{ n: string }>('SELECT n FROM unnest($1::text[]) AS n WHERE to_regclass(n) IS NULL', [wanted])).rows.map((x) => x.n));
    for (const name of wanted) {
      if (missing.has(name)) {
        const [from, to] = months.get(name)!;
        await c.query('SAVEPOINT segue_partition');
        try {
          await c.query(`CREATE TABLE ${name} PARTITION OF events FOR VALUES FROM (${from}) TO (${to})`);
          await c.query('RELEASE SAVEPOINT segue_partition');
          created.push(name);
          continue;
        } catch (err) {
          if ((err as { code?: string }).code !== '23514') throw err; // check_violation: rows of that month in the default partition
          await c.query('ROLLBACK TO SAVEPOINT segue_partition');
        }
      }
      this.partitions.add(name);
    }
  }
}

/** The months of the new events. */
function monthsOf(r: ResolvedEvents, isNew: Uint8Array): Map<string, [number, number]> {
  const months = new Months();
  for (let k = 0; k < r.count; k++) if (isNew[k] === 1) months.add(r.events[r.index[k]!]!.ts);
  return months.byName;
}

/** The UTC months of a set of times, each with its partition's name and bounds. */
class Months {
  readonly byName = new Map<string, [number, number]>();
  // The last month added: consecutive events mostly share it (no Date per event).
  private start = Infinity;
  private end = -Infinity;

  add(ts: number): void {
    if ((ts >= this.start && ts < this.end) || !(ts >= FIRST_MONTH && ts < LAST_MONTH)) return;
    const d = new Date(ts);
    const y = d.getUTCFullYear(), m = d.getUTCMonth();
    this.start = Date.UTC(y, m, 1);
    this.end = Date.UTC(y, m + 1, 1);
    this.byName.set(`events_${y}_${String(m + 1).padStart(2, '0')}`, [this.start, this.end]);
  }
}

/** The derived session of an event without one (the domain's rule); an event before the current session is left pending (null) for sessionize(). */
function deriveSession(l: ListenerEntry, e: SegueEvent, gapMs: number): string | null {
  if (!l.read) throw new Error(`ingest plan: listener ${JSON.stringify(l.id)} was not read, its session cursor unknown`);
  const c = l.cursor;
  const { id, lastTs } = c;
  const s = advanceSession(c, e.listenerId, e.ts, gapMs);
  if (c.id !== id || c.lastTs !== lastTs) c.dirty = true;
  return s;
}

/** A new event's session as stored: its own, none for a play count, else derived (moving its listener's cursor). */
function sessionOf(r: ResolvedEvents, k: number, gapMs: number): string | null {
  const e = r.events[r.index[k]!]!;
  return e.sessionId ?? (e.type === 'play_count' ? null : deriveSession(r.listeners[k]!, e, gapMs));
}

/** One new event as a binary COPY row of seq and COLUMNS (the values of cellsOf), with its session as stored. */
function putEvent(d: CopyData, r: ResolvedEvents, k: number, seq: number, session: string | null): void {
  const e = r.events[r.index[k]!]!;
  const x = e.context;
  const track = r.track[k]!, artist = r.artist[k]!;
  d.row(1 + COLUMNS.length);
  d.int8(seq);
  d.int8(r.source[k]);
  d.text(e.eventId);
  d.int2(EVENT_TYPE_CODE[e.type]);
  d.int8(r.listeners[k]!.ix);
  d.int8(track < 0 ? null : track);
  d.int8(artist < 0 ? null : artist);
  d.int8(e.ts);
  d.int8(e.msPlayed);
  d.flag(e.skipped);
  d.text(e.endReason);
  d.text(e.startReason);
  d.flag(e.shuffle);
  d.int8(e.count);
  d.text(e.playlistId);
  d.text(session);
  d.int2(e.sessionId === undefined && e.type !== 'play_count' ? 1 : 0);
  d.text(x?.type);
  d.text(x?.id);
  d.text(x?.surface);
  d.text(x?.requestId);
  d.int4(x?.position);
  d.text(e.platform);
}

/** One resolved event's cells in COLUMNS order (the session: its own, or null when derived). */
function cellsOf(r: ResolvedEvents, k: number): Array<string | number | null> {
  const e = r.events[r.index[k]!]!;
  const c = e.context;
  const derive = e.sessionId === undefined && e.type !== 'play_count';
  const track = r.track[k]!, artist = r.artist[k]!;
  return [
    r.source[k]!, e.eventId, EVENT_TYPE_CODE[e.type], r.listeners[k]!.ix, track < 0 ? null : track, artist < 0 ? null : artist, e.ts,
    e.msPlayed ?? null, e.skipped === undefined ? null : e.skipped ? 1 : 0, e.endReason ?? null, e.startReason ?? null,
    e.shuffle === undefined ? null : e.shuffle ? 1 : 0, e.count ?? null, e.playlistId ?? null, e.sessionId ?? null, derive ? 1 : 0,
    c?.type ?? null, c?.id ?? null, c?.surface ?? null, c?.requestId ?? null, c?.position ?? null, e.platform ?? null,
  ];
}
