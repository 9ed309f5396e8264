import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testServerUrl, withDatabase, type TestDatabase } from './postgres/testing.js';

/**
 * Test support of the store for tests of other folders (e2e): throwaway PostgreSQL
 * databases, whether the test server answers, and SQL on a test database (what a test
 * outside src/store may not open a driver for). Not part of the build.
 */
export * from './postgres/testing.js';

/**
 * Run one SQL statement on `url` over a connection of its own, and return its rows: a test's
 * look inside a PostgreSQL store (counts, keys, sessions), or admin work on the test server.
 */
export async function testQuery<R extends Record<string, unknown> = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * A new test database `segue_test_<hex>` that starts as a copy of `from` (CREATE DATABASE …
 * TEMPLATE, a file copy: quicker than building its data again). Nobody may be connected to
 * `from` meanwhile.
 */
export async function cloneTestDatabase(from: TestDatabase, server = testServerUrl()): Promise<TestDatabase> {
  const name = `segue_test_${randomBytes(6).toString('hex')}`;
  await testQuery(server, `CREATE DATABASE ${name} TEMPLATE ${from.name}`);
  return { name, url: withDatabase(server, name), drop: async () => void (await testQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}
