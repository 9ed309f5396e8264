/**
 * A store's data as logical tables: the same tables, columns and keys in every backend
 * (SQLite's schema is the reference; PostgreSQL keeps the same names and adds only
 * bookkeeping of its own, such as the event log's idempotency-key table and partitions).
 * `segue store copy` moves a whole store through this interface, row for row: ixs and seqs
 * are kept, so the copy is the same store (same sessions, same cursors, same hashed keys).
 */

export type TableName =
  | 'sources' | 'artists' | 'artist_genres' | 'tracks' | 'track_artists' | 'track_genres' | 'listeners' | 'playlists'
  | 'events' | 'listener_state' | 'exposures' | 'models' | 'api_keys' | 'experiments' | 'policies';

/** A cell: integers and reals as numbers, text, bytes (blobs), or null. */
export type Cell = number | string | Uint8Array | null;
export type Row = Cell[];

export interface TableSpec {
  name: TableName;
  /** Every column, in the order rows carry them. */
  columns: readonly string[];
  /** The primary key's columns (a prefix of `columns` need not hold): rows are read in this order. */
  key: readonly string[];
  /** Rows per batch of a copy: small for tables of large values (model artifacts). */
  batch: number;
}

const EVENT_COLUMNS = [
  'seq', 'source_ix', 'event_id', 'type', 'listener_ix', 'track_ix', 'artist_ix', 'ts', 'ms_played', 'skipped', 'end_reason',
  'start_reason', 'shuffle', 'count', 'playlist_id', 'session_id', 'session_derived', 'context_type', 'context_id', 'surface',
  'request_id', 'position', 'platform',
] as const;

/** Every table, parents before children (a copy writes them in this order). */
export const TABLES: readonly TableSpec[] = [
  { name: 'sources', columns: ['ix', 'name'], key: ['ix'], batch: 10_000 },
  { name: 'artists', columns: ['ix', 'id', 'name', 'emerging', 'emerging_derived', 'data'], key: ['ix'], batch: 10_000 },
  { name: 'artist_genres', columns: ['artist_ix', 'genre'], key: ['artist_ix', 'genre'], batch: 20_000 },
  { name: 'tracks', columns: ['ix', 'id', 'title', 'content_type', 'release_date', 'duration_ms', 'popularity', 'data'], key: ['ix'], batch: 10_000 },
  { name: 'track_artists', columns: ['track_ix', 'position', 'artist_ix'], key: ['track_ix', 'position'], batch: 20_000 },
  { name: 'track_genres', columns: ['track_ix', 'genre'], key: ['track_ix', 'genre'], batch: 20_000 },
  { name: 'listeners', columns: ['ix', 'id', 'data', 'last_ts', 'session_start', 'session_id'], key: ['ix'], batch: 10_000 },
  { name: 'playlists', columns: ['ix', 'id', 'name', 'data'], key: ['ix'], batch: 5_000 },
  { name: 'events', columns: EVENT_COLUMNS, key: ['seq'], batch: 20_000 },
  { name: 'listener_state', columns: ['listener_id', 'key', 'value', 'updated_at'], key: ['listener_id', 'key'], batch: 2_000 },
  { name: 'exposures', columns: ['ix', 'request_id', 'listener_id', 'surface', 'ts', 'data'], key: ['ix'], batch: 5_000 },
  { name: 'models', columns: ['name', 'version', 'created_at', 'bytes', 'info', 'data'], key: ['name', 'version'], batch: 1 },
  { name: 'api_keys', columns: ['id', 'name', 'hash', 'scopes', 'rate_limit', 'created_at', 'revoked_at'], key: ['id'], batch: 1_000 },
  { name: 'experiments', columns: ['name', 'def', 'status', 'created_at', 'started_at', 'stopped_at', 'offset', 'shipped_variant'], key: ['name'], batch: 1_000 },
  { name: 'policies', columns: ['name', 'version', 'created_at', 'policy'], key: ['name', 'version'], batch: 1_000 },
];

export function tableSpec(name: TableName): TableSpec {
  const t = TABLES.find((x) => x.name === name);
  if (t === undefined) throw new RangeError(`no table ${JSON.stringify(name)}`);
  return t;
}

/** Read and write a store's logical tables (see TABLES). */
export interface StoreTables {
  /** Rows in the table. */
  count(table: TableName): Promise<number>;
  /** The greatest key present (the key's cells in `key` order), undefined when empty. */
  lastKey(table: TableName): Promise<Row | undefined>;
  /**
   * Rows in key order, after `after` (exclusive) when given, in batches of `batchSize`, each
   * row in `columns` order. Text keys order by their bytes (SQLite's BINARY, PostgreSQL's
   * COLLATE "C"), so that every backend agrees on where a copy stopped.
   */
  read(table: TableName, opts?: { after?: Row; batchSize?: number }): AsyncIterable<Row[]>;
  /**
   * Insert rows (each in `columns` order) in one transaction; a row whose key is present is
   * left as it is (so writing a batch twice changes nothing). Afterwards new rows made by the
   * store itself get keys past every written one. Returns how many rows were inserted.
   */
  write(table: TableName, rows: readonly Row[]): Promise<number>;
}
