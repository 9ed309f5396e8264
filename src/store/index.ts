export * from './types.js';
export { TABLES, tableSpec, type TableName, type TableSpec, type StoreTables, type Row, type Cell } from './tables.js';
export { copyStore, compareKeys, type TableCopy, type CopyProgress } from './copy.js';
export { openStore, parseStoreLocation, redactLocation, storeExists, ensurePostgresDatabase, type StoreLocation } from './open.js';
export { parseKey } from './keys.js';
