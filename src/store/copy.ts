import { TABLES, tableSpec, type Cell, type Row, type TableName } from './tables.js';
import { StoreError, type Store } from './types.js';

export interface TableCopy {
  table: TableName;
  /** Rows in the source and in the destination, counted after the copy. */
  from: number;
  to: number;
  /** Rows this run wrote (0 for a table an earlier run completed). */
  copied: number;
}

export interface CopyProgress {
  table: TableName;
  /** Rows of this table written so far in this run, and the source's row count. */
  done: number;
  total: number;
}

/**
 * Copy a whole store into another (SQLite to PostgreSQL, say), table by table in TABLES'
 * order, each in key order, one transaction per batch. Rows keep their keys (ixs, seqs), so
 * the copy is the same store. Idempotent and resumable: each table continues after the
 * destination's greatest key, and a row already there is left as it is, so a rerun after a
 * kill completes the copy with nothing doubled. Copy a store at rest (stop its writers): a
 * row changed in place after a table was copied is not copied again.
 *
 * @example const tables = await copyStore(await openStore('./segue.db'), await openStore('postgres://…/segue'));
 */
export async function copyStore(from: Store, to: Store, opts: { onProgress?: (p: CopyProgress) => void; signal?: AbortSignal; batchSize?: number } = {}): Promise<TableCopy[]> {
  // Before writing anything: a destination that is not (a copy of) the source is refused
  // whole, never merged into table by table.
  for (const t of TABLES) await checkIsCopy(from, to, t.name);
  const out: TableCopy[] = [];
  for (const t of TABLES) {
    const total = await from.tables.count(t.name);
    const dstLast = await to.tables.lastKey(t.name);
    let copied = 0;
    opts.onProgress?.({ table: t.name, done: 0, total });
    for await (const rows of from.tables.read(t.name, { batchSize: opts.batchSize ?? t.batch, ...(dstLast === undefined ? {} : { after: dstLast }) })) {
      opts.signal?.throwIfAborted();
      copied += await to.tables.write(t.name, rows);
      opts.onProgress?.({ table: t.name, done: copied, total });
    }
    out.push({ table: t.name, from: total, to: await to.tables.count(t.name), copied });
  }
  return out;
}

/**
 * The columns that name a row of an entity table (keyed by one integer: an ix or a seq)
 * besides its key, and that never change for that key. Rows of the other tables refer to
 * these keys.
 */
const IDENTITY: Partial<Record<TableName, readonly string[]>> = {
  sources: ['name'], artists: ['id'], tracks: ['id'], listeners: ['id'], playlists: ['id'], events: ['source_ix', 'event_id'], exposures: ['request_id'],
};

/**
 * Refuses (StoreError) a destination whose `table` is not a prefix of the source's: rows
 * past the source's last key, or (entity tables) a first or last row that the source holds
 * as another entity under the same key.
 */
async function checkIsCopy(from: Store, to: Store, table: TableName): Promise<void> {
  const dstLast = await to.tables.lastKey(table);
  if (dstLast === undefined) return;
  const notACopy = (why: string): StoreError => new StoreError(`store copy: the destination's ${table} ${why}: it is not (a copy of) this store; copy into an empty store`);
  const srcLast = await from.tables.lastKey(table);
  if (srcLast === undefined || compareKeys(dstLast, srcLast) > 0) throw notACopy("holds rows past the source's last one");
  const identity = IDENTITY[table];
  if (identity === undefined) return;
  const spec = tableSpec(table);
  const cols = identity.map((c) => spec.columns.indexOf(c));
  const keyCol = spec.columns.indexOf(spec.key[0]!);
  const first = await firstRow(to, table);
  for (const key of [first![keyCol] as number, dstLast[0] as number]) {
    const [mine, theirs] = [await rowAt(to, table, key), await rowAt(from, table, key)];
    const name = (r: Row | undefined): string => (r === undefined ? 'none' : cols.map((i) => JSON.stringify(r[i])).join(' '));
    if (theirs === undefined || name(mine) !== name(theirs)) throw notACopy(`has ${name(mine)} at key ${key}, the source ${name(theirs)}`);
  }
}

/** The first row of `table` (after `after`), or undefined. */
async function firstRow(s: Store, table: TableName, after?: Row): Promise<Row | undefined> {
  for await (const rows of s.tables.read(table, { batchSize: 1, ...(after === undefined ? {} : { after }) })) return rows[0];
  return undefined;
}

/** The row of an entity table (one integer key) with key `key`, or undefined. */
async function rowAt(s: Store, table: TableName, key: number): Promise<Row | undefined> {
  const row = await firstRow(s, table, [key - 1]);
  const keyCol = tableSpec(table).columns.indexOf(tableSpec(table).key[0]!);
  return row !== undefined && row[keyCol] === key ? row : undefined;
}

/** Key order as every backend reads it: numbers by value, text by its UTF-8 bytes. */
export function compareKeys(a: Row, b: Row): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareCells(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

function compareCells(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b));
  throw new StoreError(`store copy: keys of different kinds (${typeof a}, ${typeof b})`);
}
