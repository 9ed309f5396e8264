import type Database from 'better-sqlite3';
import { tableSpec, type Cell, type Row, type StoreTables, type TableName } from '../tables.js';

/** SQLite's logical tables are its own tables: the reference schema of TABLES. */
export class SqliteTables implements StoreTables {
  constructor(private readonly db: Database.Database) {}

  async count(table: TableName): Promise<number> {
    tableSpec(table);
    return this.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  }

  async lastKey(table: TableName): Promise<Row | undefined> {
    const t = tableSpec(table);
    const row = this.db.prepare(`SELECT ${t.key.join(', ')} FROM ${table} ORDER BY ${t.key.map((k) => `${k} DESC`).join(', ')} LIMIT 1`).raw(true).get() as Cell[] | undefined;
    return row?.map(cell);
  }

  async *read(table: TableName, opts: { after?: Row; batchSize?: number } = {}): AsyncIterable<Row[]> {
    const t = tableSpec(table);
    const size = opts.batchSize ?? t.batch;
    const keys = t.key.join(', ');
    const first = this.db.prepare(`SELECT ${t.columns.join(', ')} FROM ${table} ORDER BY ${keys} LIMIT ?`).raw(true);
    const next = this.db.prepare(`SELECT ${t.columns.join(', ')} FROM ${table} WHERE (${keys}) > (${t.key.map(() => '?').join(', ')}) ORDER BY ${keys} LIMIT ?`).raw(true);
    const keyAt = t.key.map((k) => t.columns.indexOf(k));
    let after = opts.after;
    for (;;) {
      const rows = (after === undefined ? first.all(size) : next.all(...after, size)) as Cell[][];
      if (rows.length === 0) return;
      const out = rows.map((r) => r.map(cell));
      yield out;
      after = keyAt.map((i) => out[out.length - 1]![i]!);
      if (rows.length < size) return;
    }
  }

  async write(table: TableName, rows: readonly Row[]): Promise<number> {
    const t = tableSpec(table);
    const insert = this.db.prepare(`INSERT INTO ${table} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`);
    // Integer primary keys continue past the largest written one by themselves (rowid).
    return this.db.transaction(() => {
      let n = 0;
      for (const r of rows) n += insert.run(...r.map((c) => (c instanceof Uint8Array ? Buffer.from(c.buffer, c.byteOffset, c.byteLength) : c))).changes;
      return n;
    }).immediate();
  }
}

/** Blobs come back as Buffers: hand them on as plain bytes. */
function cell(c: Cell | bigint): Cell {
  if (typeof c === 'bigint') return Number(c);
  return c;
}
