export * from './types.js';
export { SqliteStore, type SqliteOptions } from './sqlite/index.js';
export { openStore } from './open.js';
export { parseKey } from './keys.js';
