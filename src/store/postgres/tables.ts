import type pg from 'pg';
import { tableSpec, type Cell, type Row, type StoreTables, type TableName } from '../tables.js';
import { Lock, type PgDb } from './db.js';
import type { EventWriter } from './event-writer.js';
import type { PgModels } from './models.js';

/**
 * PostgreSQL's logical tables are its own tables (same names, columns and values as
 * SQLite's), plus what it keeps beside them: an event's idempotency key in event_keys and
 * its month partition, a large artifact's chunks, and the sequences that number new rows.
 * Writes keep all of them in step, so a copied store behaves as the original.
 */
export class PgTables implements StoreTables {
  /** Column types (udt names: int8, text, bytea, ...) by table, read once from the catalog. */
  private readonly types = new Map<TableName, Map<string, string>>();

  constructor(
    private readonly db: PgDb,
    private readonly events: EventWriter,
    private readonly models: PgModels,
  ) {}

  async count(table: TableName): Promise<number> {
    tableSpec(table);
    return (await this.db.value<number>(`SELECT count(*) FROM ${table}`))!;
  }

  async lastKey(table: TableName): Promise<Row | undefined> {
    const t = tableSpec(table);
    const row = (await this.db.arrays(`SELECT ${t.key.map(quote).join(', ')} FROM ${table} ORDER BY ${t.key.map((k) => `${quote(k)} DESC`).join(', ')} LIMIT 1`))[0];
    return row?.map(cell);
  }

  async *read(table: TableName, opts: { after?: Row; batchSize?: number } = {}): AsyncIterable<Row[]> {
    const t = tableSpec(table);
    const size = opts.batchSize ?? t.batch;
    const keys = t.key.map(quote).join(', ');
    // A model's bytes may be chunked: its rows are read without them, and each artifact whole through the model store.
    const cols = t.columns.map((c) => (table === 'models' && c === 'data' ? 'NULL' : quote(c))).join(', ');
    const keyAt = t.key.map((k) => t.columns.indexOf(k));
    let after = opts.after;
    for (;;) {
      const rows =
        after === undefined
          ? await this.db.arrays(`SELECT ${cols} FROM ${table} ORDER BY ${keys} LIMIT $1`, [size])
          : await this.db.arrays(`SELECT ${cols} FROM ${table} WHERE (${keys}) > (${t.key.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY ${keys} LIMIT $${t.key.length + 1}`, [...after, size]);
      if (rows.length === 0) return;
      const out = rows.map((r) => r.map(cell));
      if (table === 'models') {
        for (const r of out) r[5] = (await this.models.get(r[0] as string, r[1] as number))!.data;
      }
      yield out;
      after = keyAt.map((i) => out[out.length - 1]![i]!);
      if (rows.length < size) return;
    }
  }

  async write(table: TableName, rows: readonly Row[]): Promise<number> {
    const t = tableSpec(table);
    if (rows.length === 0) return 0;
    const types = await this.typesOf(table);
    const arrays = t.columns.map((_, i) => rows.map((r) => r[i] ?? null));
    const unnest = `unnest(${t.columns.map((c, i) => `$${i + 1}::${types.get(c)}[]`).join(', ')}) AS u(${t.columns.map(quote).join(', ')})`;
    const cols = t.columns.map(quote).join(', ');
    if (table === 'models') return this.writeModels(rows);
    return this.db.tx(
      async (c) => {
        let n: number;
        if (table === 'events') {
          // An event is in the log iff its key is in event_keys: write both, and its month's partition first.
          await this.events.partitionsFor(c, rows.map((r) => r[t.columns.indexOf('ts')] as number));
          n = (await c.query(
            `WITH k AS (INSERT INTO event_keys (source_ix, event_id) SELECT source_ix, event_id FROM ${unnest} ON CONFLICT DO NOTHING RETURNING source_ix, event_id)
             INSERT INTO events (${cols}) SELECT ${t.columns.map((x) => `u.${quote(x)}`).join(', ')} FROM ${unnest} JOIN k ON k.source_ix = u.source_ix AND k.event_id = u.event_id`,
            arrays,
          )).rowCount ?? 0;
        } else {
          n = (await c.query(`INSERT INTO ${table} (${cols}) SELECT * FROM ${unnest} ON CONFLICT DO NOTHING`, arrays)).rowCount ?? 0;
        }
        await advanceSequence(c, table, t.key[0]!);
        return n;
      },
      // Events (and the catalog rows they name) go in under the writer lock, as ingest batches do.
      { lock: Lock.writer, doing: `copy rows into ${table}` },
    );
  }

  /** Models one by one through their own path (a large artifact is chunked), each row left alone when its key is present. */
  private async writeModels(rows: readonly Row[]): Promise<number> {
    let n = 0;
    for (const r of rows) {
      const [name, version, createdAt, bytes, info, data] = r as [string, number, number, number, string, Uint8Array];
      if (await this.models.insertVersion(name, version, createdAt, bytes, info, data)) n++;
    }
    return n;
  }

  private async typesOf(table: TableName): Promise<Map<string, string>> {
    let m = this.types.get(table);
    if (m === undefined) {
      const rows = await this.db.arrays('SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table]);
      m = new Map(rows.map((r) => [r[0] as string, r[1] as string]));
      this.types.set(table, m);
    }
    return m;
  }
}

/** Keep a serial key's sequence past every written key, so rows the store makes itself come after them. */
async function advanceSequence(c: pg.PoolClient, table: string, key: string): Promise<void> {
  const seq = (await c.query<{ s: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS s', [table, key])).rows[0]!.s;
  if (seq === null) return;
  await c.query(`SELECT setval($1, greatest((SELECT max(${quote(key)}) FROM ${table}), (SELECT CASE WHEN is_called THEN last_value ELSE 1 END FROM ${seq})))`, [seq]);
}

const quote = (c: string): string => (c === 'offset' ? '"offset"' : c);

/** bytea comes back as a Buffer: hand it on as plain bytes. */
function cell(c: unknown): Cell {
  if (Buffer.isBuffer(c)) return new Uint8Array(c);
  return c as Cell;
}
