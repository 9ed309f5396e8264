import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import type { NatsBus } from '../../bus/index.js';
import type { Surfaces } from '../../surfaces/index.js';
import type { Siblings } from '../cluster.js';
import type { ServerMetrics } from '../metrics.js';
import type { Serving } from '../serving.js';
import type { JobRunner } from '../jobs.js';

/** An error with an HTTP status and a stable code, safe to show to a client. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly field?: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/**
 * What a group of routes serves with; built once by `buildServer`, which owns the Fastify
 * setup, hooks, auth, rate limit and error mapping (app.ts).
 */
export interface RouteDeps {
  store: Store;
  /** The event bus (stateless nodes): accepted events and exposures go there, not to the store. */
  bus: NatsBus | undefined;
  serving: Serving;
  metrics: ServerMetrics;
  /** Background jobs of this process (the console's trade-off runs). */
  jobs: JobRunner;
  /** The other processes of `segue serve --workers N`; absent: this process serves alone. */
  siblings: Siblings | undefined;
  /** The surfaces to answer with; a 503 HttpError while stopping or before models are loaded. */
  needServing(): Surfaces;
}

/**
 * A group of routes: registers them on the app, in order (the OpenAPI document lists paths
 * in registration order).
 *
 * @example
 *   const health: RouteGroup = (app, { serving }) => { app.get('/healthz', async () => ({ status: 'ok' })); };
 */
export type RouteGroup = (app: FastifyInstance, deps: RouteDeps) => void;
