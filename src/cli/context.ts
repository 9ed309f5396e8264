import { openStore, type Store } from '../store/index.js';

export interface GlobalOptions {
  store: string;
  json: boolean;
  debug: boolean;
}

/** Open the store, run, and always close it. */
export async function withStore<T>(g: GlobalOptions, fn: (store: Store) => Promise<T>, opts: { readonly?: boolean } = {}): Promise<T> {
  const store = await openStore(g.store, opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
