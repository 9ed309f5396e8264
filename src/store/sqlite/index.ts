import Database from 'better-sqlite3';
import type { IngestBatch, IngestResult, Store, StoreStats } from '../types.js';
import { StoreError } from '../types.js';
import { migrate } from './migrations.js';
import { SqliteWriter } from './writer.js';
import { SqliteCatalog } from './catalog.js';
import { SqliteEventLog } from './events.js';
import { SqliteExposures, SqliteListenerState, SqliteModels } from './blobs.js';
import { SqliteKeys } from './keys.js';
import { SqliteExperiments, SqlitePolicies } from './experiments.js';
import { computeStats } from './stats.js';
import { SqliteTables } from './tables.js';

export interface SqliteOptions {
  /** 'full' (default) makes every commit durable against power loss, 'normal' only against a crash of the process. */
  synchronous?: 'full' | 'normal';
  readonly?: boolean;
}

/**
 * The embedded store: one SQLite file in WAL mode. Several processes may open it; writes
 * are serialized by SQLite (busy timeout 10 s) and each batch is one transaction.
 *
 * @example
 *   const store = SqliteStore.open('./segue.db');
 *   await store.ingest({ events: [...] });
 *   await store.close();
 */
export class SqliteStore implements Store {
  readonly catalog: SqliteCatalog;
  readonly events: SqliteEventLog;
  readonly listenerState: SqliteListenerState;
  readonly exposures: SqliteExposures;
  readonly models: SqliteModels;
  readonly keys: SqliteKeys;
  readonly experiments: SqliteExperiments;
  readonly policies: SqlitePolicies;
  readonly tables: SqliteTables;
  private readonly writer: SqliteWriter;

  private constructor(readonly db: Database.Database, readonly path: string) {
    this.writer = new SqliteWriter(db);
    this.catalog = new SqliteCatalog(db);
    this.events = new SqliteEventLog(db);
    this.listenerState = new SqliteListenerState(db);
    this.exposures = new SqliteExposures(db);
    this.models = new SqliteModels(db);
    this.keys = new SqliteKeys(db);
    this.experiments = new SqliteExperiments(db);
    this.policies = new SqlitePolicies(db);
    this.tables = new SqliteTables(db);
  }

  static open(path: string, opts: SqliteOptions = {}): SqliteStore {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    } catch (err) {
      throw new StoreError(`cannot open store ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      db.pragma('busy_timeout = 10000');
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
        migrate(db, path);
      }
      db.pragma('foreign_keys = OFF');
      db.pragma('cache_size = -32768'); // 32 MiB page cache: bulk import stays well under 300 MB RSS
      return new SqliteStore(db, path);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      const msg = (err as Error).message;
      throw new StoreError(/not a database/i.test(msg) ? `${path} is not a Segue store (not a SQLite database)` : `cannot open store ${path}: ${msg}`, { cause: err });
    }
  }

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    try {
      return this.writer.write(batch);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new StoreError(`store ${this.path} is locked by another writer for over 10 s (another import or server writing to it?); retry when it is done`, { cause: err });
      }
      throw err;
    }
  }

  async stats(opts: { top?: number } = {}): Promise<StoreStats> {
    return computeStats(this.db, opts.top ?? 10);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
