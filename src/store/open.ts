import type { Store } from './types.js';
import { StoreError } from './types.js';
import { SqliteStore } from './sqlite/index.js';

/**
 * Open a store from a location: a file path (the embedded SQLite store) or, later,
 * a URL of a scale-out deployment.
 *
 * @example const store = await openStore('./segue.db');
 */
export async function openStore(location: string): Promise<Store> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new StoreError(`store ${location}: only the embedded SQLite store (a file path) is available in this version`);
  }
  return SqliteStore.open(location);
}
