import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from './db.js';
import { PostgresStore } from './index.js';

/**
 * Test support for the PostgreSQL store (not part of the build): where the test server is,
 * whether it answers, and throwaway databases on it. Tests of other parts (e2e) use it too.
 */

/** The server tests use: SEGUE_TEST_PG, or the local cluster with trust auth. */
export function testServerUrl(): string {
  return process.env.SEGUE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Why PostgreSQL is not reachable at `url`, or undefined when it answers. */
export async function unreachable(url = testServerUrl()): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    const e = err as { code?: string; message?: string; errors?: Array<{ code?: string }> };
    return e.message || e.code || e.errors?.[0]?.code || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** How to start the local cluster, for the skip message. */
export const START_HINT = 'start it with pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/**
 * Whether the PostgreSQL tests can run: true when the server answers. When it does not,
 * under CI (CI=true) this throws, so the run fails; elsewhere it warns and returns false,
 * and the caller skips its tests.
 *
 * @example const pgUp = await requirePostgres(); describe.runIf(pgUp)('…', () => { … });
 */
export async function requirePostgres(url = testServerUrl()): Promise<boolean> {
  const why = await unreachable(url);
  if (why === undefined) return true;
  const msg = `PostgreSQL not reachable at ${redactUrl(url)} (${why}): ${START_HINT}`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`skipping PostgreSQL tests: ${msg}`);
  return false;
}

/** The skip message for a test that needs PostgreSQL, when it is not there. */
export function skipMessage(url = testServerUrl()): string {
  return `PostgreSQL not reachable at ${redactUrl(url)}: ${START_HINT}`;
}

export interface TestDatabase {
  name: string;
  /** The database's URL (the server's, with this database). */
  url: string;
  /** Drop it, whoever is still connected (WITH (FORCE)). */
  drop(): Promise<void>;
}

/** The server URL with another database. */
export function withDatabase(server: string, name: string): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(server: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: server, connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** A new, empty database `segue_test_<random hex>` on the test server. */
export async function createTestDatabase(server = testServerUrl()): Promise<TestDatabase> {
  const name = `segue_test_${randomBytes(6).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(server, name),
    drop: () => admin(server, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/**
 * Fresh stores for contract suites: `open` makes a new database and opens a store on it,
 * `cleanup` drops every database made since the last cleanup.
 *
 * @example const pg = testStores(); storeContract('postgres', pg.open, pg.cleanup);
 */
export function testStores(server = testServerUrl()): { open: () => Promise<PostgresStore>; cleanup: () => Promise<void>; databases: TestDatabase[] } {
  const databases: TestDatabase[] = [];
  return {
    databases,
    open: async () => {
      const db = await createTestDatabase(server);
      databases.push(db);
      return PostgresStore.open(db.url);
    },
    cleanup: async () => {
      const all = databases.splice(0);
      for (const db of all) await db.drop();
    },
  };
}
