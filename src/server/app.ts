import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import rateLimit from '@fastify/rate-limit';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { describe as describeError } from '../domain/index.js';
import type { ApiKeyMeta, Scope, Store } from '../store/index.js';
import type { NatsBus } from '../bus/index.js';
import { PolicyError } from '../sequencing/index.js';
import { SurfaceError } from '../surfaces/index.js';
import { RedisCounters } from '../features/index.js';
import { ErrorSchema, type ErrorBody } from './schemas.js';
import { Serving } from './serving.js';
import { ExperimentError } from '../experiments/index.js';
import { ServerMetrics } from './metrics.js';
import { LocalCounters, type Counters, type Siblings } from './cluster.js';
import { HttpError, type RouteDeps, type RouteGroup } from './routes/shared.js';
import { healthRoutes } from './routes/health.js';
import { eventRoutes } from './routes/events.js';
import { recommendRoutes } from './routes/recommend.js';
import { listenerRoutes } from './routes/listeners.js';
import { modelRoutes } from './routes/models.js';
import { exposureRoutes } from './routes/exposures.js';
import { experimentRoutes } from './routes/experiments.js';
import { overviewRoutes } from './routes/overview.js';
import { catalogReadRoutes } from './routes/catalog-read.js';
import { policyRoutes } from './routes/policies.js';
import { jobRoutes } from './routes/jobs.js';
import { registerConsole } from './routes/console.js';
import { JobRunner } from './jobs.js';

export { HttpError };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a key needs for this route (any one of a list); absent: public. admin passes everywhere. */
    scope?: Scope | readonly Scope[];
  }
  interface FastifyRequest {
    apiKey?: ApiKeyMeta;
  }
}

export interface ServerOptions {
  /** Largest request body in bytes (default 4 MiB: a batch of 10,000 events fits). */
  bodyLimit?: number;
  /** Requests per minute per API key unless the key sets its own (default 60,000). */
  rateLimit?: number;
  /** How often to look for new model versions, ms (default 5,000; 0: never). */
  reloadIntervalMs?: number;
  /** How often the online state is written to the store, ms (default 5,000; also at reload and shutdown). */
  flushIntervalMs?: number;
  /** Origins allowed to call the API from a browser (default none: CORS off). */
  corsOrigins?: string[];
  /** Fastify's logger: false (default), true, or pino options. */
  logger?: boolean | Record<string, unknown>;
  /** Hears of events folded into the online state while it loads. */
  onProgress?: (eventsFolded: number) => void;
  /** The other processes of `segue serve --workers N` (see cluster.ts); absent: this process serves alone. */
  siblings?: Siblings;
  /**
   * Scale-out (docs/scale-out.md): the event bus takes accepted events and exposures (a
   * worker persists and folds them), and the online state is read from Redis. Absent: the
   * store and the embedded state.
   */
  bus?: NatsBus;
  redis?: { url: string; prefix?: string };
}

export const DEFAULTS = { bodyLimit: 4 * 1024 * 1024, rateLimit: 60_000, reloadIntervalMs: 5_000, flushIntervalMs: 5_000 } as const;

/** Validation with TypeBox's compiled checks; a failure names the field and the reason. */
function typeboxCompiler({ schema, httpPart }: { schema: unknown; httpPart?: string }): (data: unknown) => { value?: unknown; error?: Error } {
  const check = TypeCompiler.Compile(schema as TSchema);
  // A query string and path parameters arrive as text: numbers and booleans are read from it first.
  const convert = httpPart === 'querystring' || httpPart === 'params';
  return (input) => {
    const data = convert ? Value.Convert(schema as TSchema, input) : input;
    if (check.Check(data)) return { value: data };
    const first = check.Errors(data).First();
    const err = new HttpError(400, 'bad_request', first ? describeError(first.path, first.message, first.value) : 'invalid request', first?.path ?? '');
    return { error: err };
  };
}

const STATUS_CODES: Record<number, string> = { 409: 'conflict', 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 406: 'not_acceptable', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'rate_limited', 503: 'unavailable' };

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.startsWith('Bearer ')) return h.slice(7).trim();
  const x = req.headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}

/** Requests with an invalid key an address may make per minute before it gets 429s. */
export const AUTH_FAILURES_PER_MINUTE = 30;

/**
 * The HTTP API (see docs/api.md). Returns the app (not listening) and what it serves with;
 * `segue serve` listens on it, tests use `app.inject` or listen on port 0.
 */
export async function buildServer(store: Store, opts: ServerOptions = {}): Promise<{ app: FastifyInstance; serving: Serving; metrics: ServerMetrics }> {
  const cfg = { ...DEFAULTS, ...opts };
  const app = Fastify({
    logger: cfg.logger ?? false,
    bodyLimit: cfg.bodyLimit,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: undefined,
  });
  const metrics = new ServerMetrics();
  const siblings = opts.siblings;
  // Process 0 of several (or the only one) writes the online state; the others hold replicas.
  const serving = new Serving(store, { info: (m) => app.log.info(m), error: (m) => app.log.error(m) }, opts.onProgress, (siblings?.index ?? 0) > 0, {
    ...(opts.bus ? { bus: opts.bus } : {}), ...(opts.redis ? { redis: opts.redis } : {}),
  });
  // Announcements on the bus reach every node (model versions, catalog, experiments, keys); polling the store is the fallback.
  opts.bus?.onAnnounce((what: string) => {
    if (what === 'catalog') serving.markCatalogChanged();
    if (what === 'model' || what === 'catalog') void serving.refresh().catch((err: unknown) => app.log.error(`reload failed: ${(err as Error).message}`));
    else void serving.reloadExperiments().catch((err: unknown) => app.log.error(`experiments reload failed: ${(err as Error).message}`));
  });
  // Rate limits and the invalid-key lockout: shared by every node through Redis, by the processes of --workers, or this process's own.
  const local: Counters = siblings?.counters ?? new LocalCounters();
  const shared = opts.redis ? await RedisCounters.open(opts.redis.url, opts.redis.prefix ?? 'segue:', local) : undefined;
  const counters: Counters = shared ?? local;
  if (shared) app.addHook('onClose', async () => shared.close());
  if (siblings) {
    siblings.provideMetrics(() => metrics.snapshot(serving));
    siblings.onAnnouncement((what) => {
      if (what === 'catalog') serving.markCatalogChanged();
      else void serving.reloadExperiments().catch((err: unknown) => app.log.error(`experiments reload failed: ${(err as Error).message}`));
    });
  }
  serving.flushEvery(cfg.flushIntervalMs);
  app.setValidatorCompiler(typeboxCompiler);
  // JSON only: any other body type gets 415.
  app.removeContentTypeParser(['text/plain']);
  app.addSchema(ErrorSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Segue API', version: '1', description: 'What plays next: autoplay, radio and personalized mixes as ordered sequences; events in, exposures logged.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an API key from `segue keys create` (also accepted in X-API-Key)' } } },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });

  // ---- auth, CORS, metrics ----
  app.addHook('onRequest', async (req, reply) => {
    (req as FastifyRequest & { startedAt: bigint }).startedAt = process.hrtime.bigint();
    const origin = req.headers.origin;
    if (origin !== undefined && cfg.corsOrigins?.includes(origin)) {
      void reply.header('access-control-allow-origin', origin).header('vary', 'origin');
      if (req.method === 'OPTIONS') {
        void reply.header('access-control-allow-methods', 'GET, POST').header('access-control-allow-headers', 'authorization, content-type, x-api-key').header('access-control-max-age', '600');
        return reply.code(204).send();
      }
    }
    const scope = req.routeOptions.config.scope;
    if (scope === undefined) return;
    const key = bearer(req);
    if (key === undefined) {
      void reply.header('www-authenticate', 'Bearer realm="segue"');
      throw new HttpError(401, 'unauthorized', 'an API key is required: send "Authorization: Bearer <key>" (create one with `segue keys create`)');
    }
    // Key guessing: an address that keeps presenting bad keys is refused for a while.
    const failures = `auth-failures:${req.ip}`;
    const failed = await counters.peek(failures, 60_000);
    if (failed.count >= AUTH_FAILURES_PER_MINUTE) {
      void reply.header('retry-after', String(Math.ceil(failed.ttl / 1000)));
      throw new HttpError(429, 'rate_limited', `too many requests with an invalid API key from this address; retry in ${Math.ceil(failed.ttl / 1000)} s`);
    }
    const meta = await store.keys.verify(key);
    if (!meta) {
      await counters.hit(failures, 60_000);
      void reply.header('www-authenticate', 'Bearer realm="segue", error="invalid_token"');
      throw new HttpError(401, 'unauthorized', 'the API key is not valid (unknown, mistyped or revoked)');
    }
    req.apiKey = meta;
    const needed: readonly Scope[] = typeof scope === 'string' ? [scope] : scope;
    if (!meta.scopes.includes('admin') && !needed.some((s) => meta.scopes.includes(s))) {
      throw new HttpError(403, 'forbidden', `this key lacks the ${needed.join(' or ')} scope (it has ${meta.scopes.join(', ')})`);
    }
  });
  // While stopping, answers close their connection: a keep-alive client must not hold the shutdown open.
  app.addHook('onSend', async (_req, reply) => {
    if (serving.stopping) void reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (req, reply) => {
    const started = (req as FastifyRequest & { startedAt?: bigint }).startedAt;
    if (started !== undefined) {
      const surface = (req.params as { surface?: string } | undefined)?.surface;
      metrics.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, Number(process.hrtime.bigint() - started) / 1e9, surface);
    }
  });

  // The counts live in `counters`: this process's memory, or shared by every process of a --workers cluster.
  class CounterStore {
    incr(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void, timeWindow: number): void {
      counters.hit(`rate:${key}`, timeWindow).then((c) => cb(null, { current: c.count, ttl: c.ttl }), (err: Error) => cb(err));
    }
    child(): CounterStore {
      return this;
    }
  }
  await app.register(rateLimit, {
    global: true,
    store: CounterStore,
    hook: 'preHandler',
    timeWindow: 60_000,
    max: (req) => req.apiKey?.rateLimit ?? cfg.rateLimit,
    keyGenerator: (req) => (req.apiKey ? `key:${req.apiKey.id}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) => new HttpError(429, 'rate_limited', `rate limit of ${ctx.max} requests per minute reached; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
  });

  app.setErrorHandler((err: FastifyError | HttpError | Error, req, reply) => {
    let status = 500, body: ErrorBody;
    if (err instanceof HttpError) {
      status = err.statusCode;
      body = { error: err.code, message: err.message, ...(err.field !== undefined ? { field: err.field } : {}) };
    } else if (err instanceof PolicyError) {
      status = 400;
      body = { error: 'bad_request', message: err.message, field: '/policy' };
    } else if (err instanceof ExperimentError) {
      status = err.notFound ? 404 : /exists already/.test(err.message) ? 409 : 400;
      body = { error: STATUS_CODES[status] ?? 'conflict', message: err.message };
    } else if (err instanceof SurfaceError) {
      status = err.notFound ? 404 : 400;
      body = { error: STATUS_CODES[status]!, message: err.message };
    } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! >= 400 && (err as FastifyError).statusCode! < 500) {
      // Fastify's own client errors (bad JSON, body too large, wrong content type): their messages name no internals.
      status = (err as FastifyError).statusCode!;
      body = { error: STATUS_CODES[status] ?? 'bad_request', message: err.message.replace(/^FST_\w+: /, '') };
    } else {
      req.log.error({ err }, 'request failed');
      body = { error: 'internal', message: 'internal error; the server log has the details under this request id' };
    }
    if (status === 429) void reply.header('retry-after', '60');
    if (err instanceof HttpError && err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
    void reply.code(status).send({ ...body, requestId: req.id });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, requestId: req.id });
  });

  const jobs = new JobRunner();
  const deps: RouteDeps = {
    store, serving, metrics, siblings, bus: opts.bus, jobs,
    needServing: () => {
      if (serving.stopping) throw new HttpError(503, 'unavailable', 'the server is shutting down');
      if (!serving.surfaces) throw new HttpError(503, 'unavailable', serving.problem);
      return serving.surfaces;
    },
  };
  // In this order: the OpenAPI document lists paths as they are registered.
  const groups: RouteGroup[] = [healthRoutes, overviewRoutes, eventRoutes, recommendRoutes, listenerRoutes, catalogReadRoutes, modelRoutes, exposureRoutes, experimentRoutes, policyRoutes, jobRoutes];
  for (const register of groups) register(app, deps);
  await registerConsole(app);
  app.addHook('onClose', async () => void (await jobs.cancel()));

  // onClose runs once in-flight requests are done: the state's last fold is flushed then.
  app.addHook('onClose', async () => serving.close());
  await app.ready();
  return { app, serving, metrics };
}

export type { FastifyInstance, FastifyReply };
