import { TABLES, type Cell, type Row, type TableName } from './tables.js';
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
  const out: TableCopy[] = [];
  for (const t of TABLES) {
    const total = await from.tables.count(t.name);
    const srcLast = await from.tables.lastKey(t.name);
    const dstLast = await to.tables.lastKey(t.name);
    if (dstLast !== undefined && (srcLast === undefined || compareKeys(dstLast, srcLast) > 0)) {
      throw new StoreError(`store copy: the destination's ${t.name} holds rows past the source's last one: it is not (a copy of) this store; copy into an empty store`);
    }
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
