import type Database from 'better-sqlite3';
import type { Exposure } from '../../domain/index.js';
import type { ExposureStore, ListenerStateStore, ModelMeta, ModelStore } from '../types.js';
import { prepared } from './statements.js';

const SELECT_STATE = 'SELECT value FROM listener_state WHERE listener_id = ? AND key = ?';
const UPSERT_STATE = 'INSERT INTO listener_state (listener_id, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (listener_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at';

export class SqliteListenerState implements ListenerStateStore {
  constructor(private readonly db: Database.Database) {}
  // Prepared once: a server reads a listener's state, or a station's history, per request.
  private readonly read = () => prepared<[string, string], { value: Buffer }>(this.db, SELECT_STATE);
  private readonly upsert = () => prepared<[string, string, Buffer, number]>(this.db, UPSERT_STATE);
  async get(listenerId: string, key: string): Promise<Uint8Array | undefined> {
    const row = this.read().get(listenerId, key);
    return row ? new Uint8Array(row.value) : undefined;
  }
  async put(listenerId: string, key: string, value: Uint8Array): Promise<void> {
    this.upsert().run(listenerId, key, Buffer.from(value.buffer, value.byteOffset, value.byteLength), Date.now());
  }
  async putMany(entries: Iterable<{ listenerId: string; key: string; value: Uint8Array }>): Promise<number> {
    const stmt = this.upsert();
    const now = Date.now();
    return this.db.transaction(() => {
      let n = 0;
      for (const e of entries) {
        stmt.run(e.listenerId, e.key, Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength), now);
        n++;
      }
      return n;
    })();
  }
  async delete(listenerId: string, key: string): Promise<void> {
    this.db.prepare('DELETE FROM listener_state WHERE listener_id = ? AND key = ?').run(listenerId, key);
  }
  async update(listenerId: string, key: string, fn: (old: Uint8Array | undefined) => Uint8Array): Promise<Uint8Array> {
    // BEGIN IMMEDIATE takes the write lock before the read: no other connection writes in between.
    const put = this.upsert();
    return this.db.transaction(() => {
      const row = this.read().get(listenerId, key);
      const value = fn(row ? new Uint8Array(row.value) : undefined);
      put.run(listenerId, key, Buffer.from(value.buffer, value.byteOffset, value.byteLength), Date.now());
      return value;
    }).immediate();
  }
  async snapshot(opts: { keys: readonly string[]; listenerIds: readonly string[] }): Promise<Array<{ listenerId: string; key: string; value: Uint8Array }>> {
    // One statement is one read transaction: WAL readers see the database as of its start.
    const rows = this.db
      .prepare<[string, string], { listener_id: string; key: string; value: Buffer }>('SELECT listener_id, key, value FROM listener_state WHERE key IN (SELECT value FROM json_each(?)) OR listener_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(opts.keys), JSON.stringify(opts.listenerIds));
    return rows.map((r) => ({ listenerId: r.listener_id, key: r.key, value: new Uint8Array(r.value) }));
  }
}

export class SqliteExposures implements ExposureStore {
  private insert: Database.Statement | undefined;
  constructor(private readonly db: Database.Database) {}
  /**
   * Group commit: appends made in the same turn of the event loop (a server's concurrent
   * responses) are written in one transaction, one fsync for all; each promise resolves once
   * its exposure is committed.
   */
  append(x: Exposure): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ x, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.commit());
    });
  }
  private queue: Array<{ x: Exposure; resolve: (ok: boolean) => void; reject: (err: unknown) => void }> = [];

  private commit(): void {
    const batch = this.queue;
    this.queue = [];
    // Prepared once: a server appends one exposure per response.
    this.insert ??= this.db.prepare('INSERT INTO exposures (request_id, listener_id, surface, ts, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING');
    const insert = this.insert;
    let results: boolean[];
    try {
      results = this.db.transaction(() => batch.map(({ x }) => insert.run(x.requestId, x.listenerId, x.surface, x.ts, JSON.stringify(x)).changes > 0))();
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    batch.forEach((b, i) => b.resolve(results[i]!));
  }
  async get(requestId: string): Promise<Exposure | undefined> {
    const row = this.db.prepare<[string], { data: string }>('SELECT data FROM exposures WHERE request_id = ?').get(requestId);
    return row ? (JSON.parse(row.data) as Exposure) : undefined;
  }
  async *scan(opts: { since?: number; until?: number; batchSize?: number } = {}): AsyncIterable<Exposure[]> {
    const size = opts.batchSize ?? 5000;
    const stmt = this.db.prepare<[number, number, number, number, number, number], { ix: number; ts: number; data: string }>(
      'SELECT ix, ts, data FROM exposures WHERE ts >= ? AND ts < ? AND (ts > ? OR (ts = ? AND ix > ?)) ORDER BY ts, ix LIMIT ?');
    let ts = -1, ix = -1;
    const since = opts.since ?? 0, until = opts.until ?? Number.MAX_SAFE_INTEGER;
    for (;;) {
      const rows = stmt.all(since, until, ts, ts, ix, size);
      if (rows.length === 0) return;
      yield rows.map((r) => JSON.parse(r.data) as Exposure);
      ts = rows[rows.length - 1]!.ts;
      ix = rows[rows.length - 1]!.ix;
    }
  }
  async forListener(listenerId: string, opts: { since?: number; limit?: number } = {}): Promise<Exposure[]> {
    return this.db
      .prepare<[string, number, number], { data: string }>('SELECT data FROM exposures WHERE listener_id = ? AND ts >= ? ORDER BY ts, ix LIMIT ?')
      .all(listenerId, opts.since ?? 0, opts.limit ?? 100_000)
      .map((r) => JSON.parse(r.data) as Exposure);
  }
}

interface ModelRow { name: string; version: number; created_at: number; bytes: number; info: string }
const meta = (r: ModelRow): ModelMeta => ({ name: r.name, version: r.version, createdAt: r.created_at, bytes: r.bytes, info: JSON.parse(r.info) as Record<string, unknown> });

export class SqliteModels implements ModelStore {
  constructor(private readonly db: Database.Database) {}
  async put(name: string, data: Uint8Array, info: Record<string, unknown> = {}): Promise<ModelMeta> {
    const put = this.db.transaction((): ModelMeta => {
      const { v } = this.db.prepare<[string], { v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM models WHERE name = ?').get(name)!;
      const row: ModelRow = { name, version: v, created_at: Date.now(), bytes: data.byteLength, info: JSON.stringify(info) };
      this.db
        .prepare('INSERT INTO models (name, version, created_at, bytes, info, data) VALUES (?, ?, ?, ?, ?, ?)')
        .run(name, v, row.created_at, row.bytes, row.info, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      return meta(row);
    });
    return put.immediate();
  }
  async get(name: string, version?: number): Promise<{ meta: ModelMeta; data: Uint8Array } | undefined> {
    const row =
      version === undefined
        ? this.db.prepare<[string], ModelRow & { data: Buffer }>('SELECT * FROM models WHERE name = ? ORDER BY version DESC LIMIT 1').get(name)
        : this.db.prepare<[string, number], ModelRow & { data: Buffer }>('SELECT * FROM models WHERE name = ? AND version = ?').get(name, version);
    return row ? { meta: meta(row), data: new Uint8Array(row.data) } : undefined;
  }
  async list(name?: string): Promise<ModelMeta[]> {
    const rows =
      name === undefined
        ? this.db.prepare<[], ModelRow>('SELECT name, version, created_at, bytes, info FROM models ORDER BY name, version').all()
        : this.db.prepare<[string], ModelRow>('SELECT name, version, created_at, bytes, info FROM models WHERE name = ? ORDER BY version').all(name);
    return rows.map(meta);
  }
}
