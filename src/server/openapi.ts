import { openStore } from '../store/index.js';
import { buildServer } from './app.js';

/** The API's OpenAPI document, as served at /docs (built on a throwaway in-memory store). */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const store = await openStore(':memory:');
  try {
    const { app } = await buildServer(store, { reloadIntervalMs: 0 });
    const doc = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return doc;
  } finally {
    await store.close();
  }
}
