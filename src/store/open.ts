import { existsSync } from 'node:fs';
import type { Store } from './types.js';
import { StoreError } from './types.js';
import { SqliteStore } from './sqlite/index.js';

/**
 * Open a store from a location: a file path (the embedded SQLite store) or, later,
 * a URL of a scale-out deployment. `readonly` opens an existing store without writing to it.
 *
 * @example const store = await openStore('./segue.db');
 */
export async function openStore(location: string, opts: { readonly?: boolean } = {}): Promise<Store> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new StoreError(`store ${location}: only the embedded SQLite store (a file path) is available in this version`);
  }
  if (opts.readonly && !existsSync(location)) throw new StoreError(`${location}: no such store (create one with segue import or segue simulate)`);
  return SqliteStore.open(location, { readonly: opts.readonly ?? false });
}
