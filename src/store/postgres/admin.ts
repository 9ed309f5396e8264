import pg from 'pg';
import { StoreError } from '../types.js';
import { redactUrl } from './db.js';

/** Create the database of `url` on its server when absent (through the server's `postgres` database). */
export async function createDatabaseIfAbsent(url: string): Promise<boolean> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_$-]*$/.test(name)) throw new StoreError(`${redactUrl(url)}: cannot create a database named ${JSON.stringify(name)} (letters, digits, _ $ - only)`);
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  try {
    await c.connect();
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return false;
    await c.query(`CREATE DATABASE "${name}"`);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '42P04') return false; // created meanwhile by another
    throw new StoreError(`${redactUrl(url)}: ${(err as Error).message}`);
  } finally {
    await c.end().catch(() => {});
  }
}
