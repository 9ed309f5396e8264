import { StoreError, type IngestBatch, type IngestResult, type Store, type StoreStats } from '../types.js';
import { PgDb } from './db.js';
import { checkSchema, migrate } from './migrations.js';
import { PgWriter } from './writer.js';
import { PgCatalog } from './catalog.js';
import { PgEventLog } from './events.js';
import { PgListenerState } from './state.js';
import { PgExposures } from './exposures.js';
import { PgModels } from './models.js';
import { PgKeys } from './keys.js';
import { PgExperiments } from './experiments.js';
import { PgPolicies } from './policies.js';
import { computeStats } from './stats.js';
import { EventWriter } from './event-writer.js';
import { PgTables } from './tables.js';

export { redactUrl } from './db.js';

/**
 * Records per import batch (see bulkIngest). Measured on 1M simulated events: 10,000 took
 * 17% longer, 20,000 5%, 100,000 the same (more memory: two batches are held at a time).
 */
const BULK_BATCH = 50_000;
export { SCHEMA_VERSION as PG_SCHEMA_VERSION } from './migrations.js';

/**
 * The scale-out store on PostgreSQL: the same observable behaviour as SqliteStore (ixs,
 * seqs, sessions, statuses, orders), for several processes on several machines. A pool of
 * four connections; ingest batches are serialized by an advisory lock, as SQLite's writer
 * is, so the log's seqs increase in commit order.
 *
 * @example
 *   const store = await PostgresStore.open('postgres://segue@127.0.0.1:5432/segue');
 *   await store.ingest({ events: [...] });
 *   await store.close();
 */
export class PostgresStore implements Store {
  readonly catalog: PgCatalog;
  readonly events: PgEventLog;
  readonly listenerState: PgListenerState;
  readonly exposures: PgExposures;
  readonly models: PgModels;
  readonly keys: PgKeys;
  readonly experiments: PgExperiments;
  readonly policies: PgPolicies;
  readonly tables: PgTables;
  /**
   * Imports go in large batches, read ahead: a batch costs a few round trips and a commit
   * (an fsync) whatever its size, and the server writes one while the importer parses the next.
   */
  readonly bulkIngest = { batchSize: BULK_BATCH, readAhead: true } as const;
  private readonly writer: PgWriter;
  private closed = false;

  private constructor(readonly db: PgDb) {
    const events = new EventWriter();
    this.writer = new PgWriter(db, events);
    this.catalog = new PgCatalog(db);
    this.events = new PgEventLog(db);
    this.listenerState = new PgListenerState(db);
    this.exposures = new PgExposures(db);
    this.models = new PgModels(db);
    this.keys = new PgKeys(db);
    this.experiments = new PgExperiments(db);
    this.policies = new PgPolicies(db);
    this.tables = new PgTables(db, events, this.models);
  }

  /**
   * Connect and, unless `readonly`, bring the schema up to date (once, whoever else opens
   * it at the same moment). `readonly` checks the schema and refuses every write. Failing
   * to connect is a StoreError of one line naming the URL without its password.
   */
  static async open(url: string, opts: { readonly?: boolean } = {}): Promise<PostgresStore> {
    const db = new PgDb(url, opts.readonly ?? false);
    try {
      if (opts.readonly) await checkSchema(db);
      else await migrate(db);
    } catch (err) {
      await db.close().catch(() => {});
      const e = db.fail(err);
      throw e instanceof StoreError ? e : new StoreError(`${db.where}: ${e.message.split('\n')[0]}`, { cause: err });
    }
    return new PostgresStore(db);
  }

  /** The URL as messages show it (no password). */
  get where(): string {
    return this.db.where;
  }

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    return this.writer.write(batch);
  }

  async stats(opts: { top?: number } = {}): Promise<StoreStats> {
    return computeStats(this.db, opts.top ?? 10);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
