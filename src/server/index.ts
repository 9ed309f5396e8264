export { buildServer, HttpError, DEFAULTS, type ServerOptions } from './app.js';
export { Serving } from './serving.js';
export * from './schemas.js';
export { openApiDocument } from './openapi.js';
export { runPrimary, workerPlace, WorkerSiblings, LocalCounters, STOP_GRACE_MS, type Siblings, type Counters, type PrimaryOptions } from './cluster.js';
