export { buildServer, HttpError, DEFAULTS, type ServerOptions } from './app.js';
export { Serving } from './serving.js';
export * from './schemas.js';
export { openApiDocument } from './openapi.js';
