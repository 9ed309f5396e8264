import { existsSync } from 'node:fs';
import type { Store } from './types.js';
import { StoreError } from './types.js';
import { SqliteStore } from './sqlite/index.js';
import { PostgresStore } from './postgres/index.js';

/** Which backend a store location names, and what to open. */
export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * Read a store location: `postgres://…` or `postgresql://…` (PostgreSQL), `sqlite:<path>`
 * or a plain file path (the embedded SQLite store), or `:memory:` (an embedded store that
 * lives as long as the process). Any other URL scheme is refused.
 */
export function parseStoreLocation(location: string): StoreLocation {
  if (/^postgres(ql)?:\/\//i.test(location)) return { kind: 'postgres', url: location };
  if (/^sqlite:/i.test(location)) {
    const path = location.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new StoreError(`store ${location}: sqlite: needs a file path (sqlite:./segue.db) or :memory:`);
    return { kind: 'sqlite', path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new StoreError(`store ${redactLocation(location)}: unknown kind of store (use a file path, sqlite:<path>, :memory: or postgres://user@host:port/db)`);
  }
  return { kind: 'sqlite', path: location };
}

/** A location fit to print: a URL's password (in its authority or a `password` parameter) is replaced by `***`. */
export function redactLocation(location: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location; // a file path
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^@/]*@/i, '$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * Open a store from a location (see parseStoreLocation). This is the one place a store is
 * built: nothing outside src/store constructs a backend. `readonly` opens an existing store
 * without writing to it; `synchronous: 'normal'` makes a SQLite store's commits durable against
 * a crash of the process but not of the machine (a simulation, which can be run again).
 *
 * @example const store = await openStore('./segue.db');
 * @example const store = await openStore('postgres://segue@127.0.0.1:5432/segue');
 */
export async function openStore(location: string, opts: { readonly?: boolean; synchronous?: 'full' | 'normal' } = {}): Promise<Store> {
  const at = parseStoreLocation(location);
  if (at.kind === 'postgres') return PostgresStore.open(at.url, { readonly: opts.readonly ?? false });
  const memory = at.path === ':memory:';
  if (opts.readonly && !memory && !existsSync(at.path)) throw new StoreError(`${at.path}: no such store (create one with segue import or segue simulate)`);
  return SqliteStore.open(at.path, { readonly: (opts.readonly ?? false) && !memory, ...(opts.synchronous ? { synchronous: opts.synchronous } : {}) });
}

/**
 * Whether a store may be there without opening it: a SQLite file that exists, or any
 * server URL (only opening it tells; its errors say why it cannot be).
 */
export function storeExists(location: string): boolean {
  const at = parseStoreLocation(location);
  return at.kind === 'postgres' || (at.path !== ':memory:' && existsSync(at.path));
}

/**
 * Create the PostgreSQL database a location names when it does not exist (connecting to the
 * server's `postgres` database); returns whether it was created. Not for SQLite locations,
 * whose file openStore creates.
 */
export async function ensurePostgresDatabase(location: string): Promise<boolean> {
  const at = parseStoreLocation(location);
  if (at.kind !== 'postgres') throw new StoreError(`${redactLocation(location)} is not a PostgreSQL location`);
  const { createDatabaseIfAbsent } = await import('./postgres/admin.js');
  return createDatabaseIfAbsent(location);
}
