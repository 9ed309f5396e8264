import type Database from 'better-sqlite3';
import { noteWrittenEvents } from './blocks.js';
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
    const seqAt = table === 'events' ? t.columns.indexOf('seq') : -1;
    return this.db.transaction(() => {
      let n = 0, first = Infinity, last = -Infinity;
      for (const r of rows) {
        const changes = insert.run(...r.map((c) => (c instanceof Uint8Array ? Buffer.from(c.buffer, c.byteOffset, c.byteLength) : c))).changes;
        n += changes;
        if (seqAt >= 0 && changes > 0) {
          first = Math.min(first, r[seqAt] as number);
          last = Math.max(last, r[seqAt] as number);
        }
      }
      // Events keep the log's time summary (rows come in key order, after every written seq).
      if (n > 0 && seqAt >= 0) noteWrittenEvents(this.db, first, last);
      return n;
    }).immediate();
  }
}

/** Blobs come back as Buffers: hand them on as plain bytes. */
function cell(c: Cell | bigint): Cell {
  if (typeof c === 'bigint') return Number(c);
  return c;
}
