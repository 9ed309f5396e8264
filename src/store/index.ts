export * from './types.js';
export { SqliteStore, type SqliteOptions } from './sqlite/index.js';
export { DEFAULT_SESSION_GAP_MS } from './sqlite/events.js';
export { openStore } from './open.js';
export { parseKey } from './keys.js';
