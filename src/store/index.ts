export * from './types.js';
export { openStore, parseStoreLocation, redactLocation, type StoreLocation } from './open.js';
export { parseKey } from './keys.js';
