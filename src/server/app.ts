import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import rateLimit from '@fastify/rate-limit';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { checkEvent, describe as describeError, type SegueEvent } from '../domain/index.js';
import type { ApiKeyMeta, Scope, Store } from '../store/index.js';
import { overridePolicy, PolicyError, type Surface } from '../sequencing/index.js';
import { SurfaceError, type SurfaceRequest } from '../surfaces/index.js';
import { parseTimestamp } from '../domain/index.js';
import {
  CatalogBody, CatalogReply, ErrorSchema, EventsBody, EventsReply, ExposureParam, ExposureReply, HealthReply, ListenerParam, MAX_EVENTS_PER_BATCH,
  ModelsReply, ProfileReply, RecommendBody, RecommendReply, SurfaceParam, responses, type ErrorBody, type Feedback, type RecommendRequest,
} from './schemas.js';
import { Serving } from './serving.js';
import { Type } from '@sinclair/typebox';
import { ExperimentError, ExperimentSchema, createExperiment, experimentReport, shipExperiment, startExperiment, stopExperiment } from '../experiments/index.js';
import { ServerMetrics } from './metrics.js';
import { LocalCounters, type Counters, type Siblings } from './cluster.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a key needs for this route; absent: public. */
    scope?: Scope;
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
}

export const DEFAULTS = { bodyLimit: 4 * 1024 * 1024, rateLimit: 60_000, reloadIntervalMs: 5_000, flushIntervalMs: 5_000 } as const;

/** An error with an HTTP status and a stable code, safe to show to a client. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

/** Validation with TypeBox's compiled checks; a failure names the field and the reason. */
function typeboxCompiler({ schema }: { schema: unknown }): (data: unknown) => { value?: unknown; error?: Error } {
  const check = TypeCompiler.Compile(schema as TSchema);
  return (data) => {
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

const FEEDBACK_EVENT: Record<Feedback['signal'], SegueEvent['type']> = { listened: 'play_end', skipped: 'skip', liked: 'like', disliked: 'ban' };

/**
 * The HTTP API (see README "API"). Returns the app (not listening) and what it serves with;
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
  const serving = new Serving(store, { info: (m) => app.log.info(m), error: (m) => app.log.error(m) }, opts.onProgress, (siblings?.index ?? 0) > 0);
  const counters: Counters = siblings?.counters ?? new LocalCounters();
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
    if (!meta.scopes.includes(scope) && !meta.scopes.includes('admin')) throw new HttpError(403, 'forbidden', `this key lacks the ${scope} scope (it has ${meta.scopes.join(', ')})`);
  });
  // While stopping, answers close their connection: a keep-alive client must not hold the shutdown open.
  app.addHook('onSend', async (_req, reply) => {
    if (serving.stopping) void reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (req, reply) => {
    const started = (req as FastifyRequest & { startedAt?: bigint }).startedAt;
    if (started !== undefined) metrics.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
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
    void reply.code(status).send({ ...body, requestId: req.id });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, requestId: req.id });
  });

  const needServing = () => {
    if (serving.stopping) throw new HttpError(503, 'unavailable', 'the server is shutting down');
    if (!serving.surfaces) throw new HttpError(503, 'unavailable', serving.problem);
    return serving.surfaces;
  };

  // ---- public ----
  const publicRoute = { config: { rateLimit: false as const } };
  app.get('/healthz', { ...publicRoute, schema: { hide: true, response: { 200: HealthReply } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { ...publicRoute, schema: { hide: true, response: { 200: HealthReply, 503: HealthReply } } }, async (_req, reply) => {
    if (serving.stopping) return reply.code(503).send({ status: 'stopping' });
    if (!serving.surfaces) return reply.code(503).send({ status: serving.problem });
    return { status: 'ready' };
  });
  app.get('/metrics', { ...publicRoute, schema: { hide: true } }, async (_req, reply) => {
    void reply.header('content-type', metrics.contentType);
    if (!siblings) return metrics.render(serving);
    return siblings.metrics().catch((err: Error) => {
      throw new HttpError(503, 'unavailable', `the metrics of every process are not available: ${err.message}`);
    });
  });
  app.get('/docs', { ...publicRoute, schema: { hide: true } }, async () => app.swagger());

  // ---- ingest ----
  app.post('/v1/events', {
    config: { scope: 'ingest' },
    schema: { summary: 'Ingest a batch of listening events', description: 'Atomic: an invalid event refuses the whole batch (400 names it) and writes nothing. Committed before the response; events are idempotent by (source, eventId).', tags: ['ingest'], body: EventsBody, response: { 200: EventsReply, ...responses.errors(400, 401, 403, 413, 429) } },
    // The envelope only: each event is checked (and normalized) by the domain's checkEvent below.
    validatorCompiler: () => (data: unknown) => {
      const events = (data as { events?: unknown } | null)?.events;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return { error: new HttpError(400, 'bad_request', 'body: expected a JSON object { "events": [...] }', '') };
      const extra = Object.keys(data).find((k) => k !== 'events');
      if (extra !== undefined) return { error: new HttpError(400, 'bad_request', `${extra}: unknown field (the body is { "events": [...] })`, `/${extra}`) };
      if (!Array.isArray(events)) return { error: new HttpError(400, 'bad_request', 'events: expected an array of events', '/events') };
      if (events.length === 0) return { error: new HttpError(400, 'bad_request', 'events: expected at least 1 event', '/events') };
      if (events.length > MAX_EVENTS_PER_BATCH) return { error: new HttpError(400, 'bad_request', `events: at most ${MAX_EVENTS_PER_BATCH} per batch, got ${events.length}`, '/events') };
      return { value: data };
    },
  }, async (req) => {
    const raw = (req.body as { events: unknown[] }).events;
    const now = Date.now();
    const events: SegueEvent[] = new Array(raw.length);
    let bad = 0, first: { i: number; error: string } | undefined;
    for (let i = 0; i < raw.length; i++) {
      const r = checkEvent(raw[i], 'api', now);
      if (r.ok) events[i] = r.value;
      else {
        bad++;
        first ??= { i, error: r.error };
      }
    }
    if (first) throw new HttpError(400, 'bad_request', `${bad} of ${raw.length} events are invalid, nothing was written; the first: events[${first.i}]: ${first.error}`, `/events/${first.i}`);
    const result = await store.ingest({ events });
    await serving.fold();
    const duplicates = result.duplicates;
    const rejected = result.rejected.map((r) => ({ index: r.index, reason: r.reason }));
    metrics.events(result.accepted, duplicates, rejected.length);
    return { accepted: result.accepted, duplicates, rejected };
  });

  app.post('/v1/catalog', {
    config: { scope: 'ingest' },
    schema: { summary: 'Upsert tracks, artists, listeners and playlists', description: 'One transaction. New tracks become recommendable when the server next refreshes (within the reload interval).', tags: ['ingest'], body: CatalogBody, response: { 200: CatalogReply, ...responses.errors(400, 401, 403, 413, 429) } },
  }, async (req) => {
    const body = req.body as { tracks?: []; artists?: []; listeners?: []; playlists?: [] };
    const n = (body.tracks?.length ?? 0) + (body.artists?.length ?? 0) + (body.listeners?.length ?? 0) + (body.playlists?.length ?? 0);
    if (n === 0) throw new HttpError(400, 'bad_request', 'body: give at least one of tracks, artists, listeners, playlists', '');
    const result = await store.ingest(body);
    if ((body.tracks?.length ?? 0) + (body.artists?.length ?? 0) > 0) {
      serving.markCatalogChanged();
      siblings?.announce('catalog');
    }
    return { accepted: result.accepted, rejected: result.rejected.map((r) => ({ kind: r.kind, index: r.index, reason: r.reason })) };
  });

  // ---- recommend ----
  app.post('/v1/recommend/:surface', {
    config: { scope: 'recommend' },
    schema: {
      summary: 'Recommend an ordered sequence for a surface',
      description: 'Logs the response as an exposure (request id, listener, surface, policy, items with position, score and propensity) unless log is false.',
      tags: ['recommend'], params: SurfaceParam, body: RecommendBody, response: { 200: RecommendReply, ...responses.errors(400, 401, 403, 404, 429, 503) },
    },
  }, async (req) => {
    const surface = (req.params as { surface: Surface }).surface;
    const b = req.body as RecommendRequest;
    // Fold what the log holds past this state: events another process (--workers) acknowledged,
    // or that arrived while the state was being reopened (2 µs when nothing is new).
    await serving.foldForRead();
    const surfaces = needServing();
    const now = b.now === undefined ? Date.now() : timestamp(b.now, '/now');
    const policy = b.policy === undefined ? undefined : overridePolicy(surface, b.policy, 'policy');
    if (b.feedback && b.feedback.length > 0) {
      const events = b.feedback.map((f, i) => feedbackEvent(b, f, i, now));
      const r = await store.ingest({ events });
      if (r.rejected.length > 0) throw new HttpError(400, 'bad_request', `feedback[${r.rejected[0]!.index}]: ${r.rejected[0]!.reason}`, `/feedback/${r.rejected[0]!.index}`);
      await serving.fold();
    }
    const sreq: SurfaceRequest = {
      surface, listenerId: b.listenerId, now, seed: b.seed ?? 0, log: b.log ?? true,
      ...(b.n !== undefined ? { n: b.n } : {}), ...(policy ? { policy } : {}),
      ...(b.seedTrack !== undefined ? { seedTrack: b.seedTrack } : {}), ...(b.seedArtist !== undefined ? { seedArtist: b.seedArtist } : {}),
      ...(b.seedGenre !== undefined ? { seedGenre: b.seedGenre } : {}), ...(b.with ? { with: b.with } : {}),
      ...(b.playlistId !== undefined ? { playlistId: b.playlistId } : {}), ...(b.stationId !== undefined ? { stationId: b.stationId } : {}),
      ...(b.mood !== undefined ? { mood: b.mood } : {}), ...(b.sessionId !== undefined ? { sessionId: b.sessionId } : {}),
    };
    const res = await surfaces.serve(sreq);
    metrics.recommendation(surface);
    return res;
  });

  // ---- read ----
  app.get('/v1/listeners/:id', {
    config: { scope: 'recommend' },
    schema: { summary: 'A listener\'s profile from the online state: top tracks, artists, genres and the current session', tags: ['listeners'], params: ListenerParam, response: { 200: ProfileReply, ...responses.errors(401, 403, 429, 503) } },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    await serving.foldForRead();
    const surfaces = needServing();
    const now = Date.now();
    const view = await surfaces.reco.state.view(id);
    const listener = await store.catalog.getListener(id);
    const top = (kind: 'track' | 'artist' | 'genre') => view.top(kind, now, 10).map((x) => ({ id: x.key, plays: round(x.plays), likes: round(x.likes) }));
    const topTracks = top('track');
    const s = view.session(now);
    return {
      listenerId: id, known: listener !== undefined || topTracks.length > 0, ...(listener?.country ? { country: listener.country } : {}),
      topTracks, topArtists: top('artist'), topGenres: top('genre'),
      ...(s ? { session: { id: s.id, startTs: s.startTs, lastTs: s.lastTs, plays: s.plays, skips: s.skips, listens: s.listens, likes: s.likes, recent: s.recent.map((p) => ({ trackId: p.trackId, artistId: p.artistId, outcome: p.outcome, ts: p.ts })) } } : {}),
    };
  });

  app.get('/v1/models', {
    config: { scope: 'admin' },
    schema: { summary: 'Trained model versions, and the ones the server answers with', tags: ['admin'], response: { 200: ModelsReply, ...responses.errors(401, 403, 429) } },
  }, async () => ({
    serving: { ...(serving.surfaces?.reco.versions ?? {}) },
    loadedAt: serving.loadedAt,
    models: (await store.models.list()).map((m) => ({ name: m.name, version: m.version, createdAt: m.createdAt, bytes: m.bytes })),
  }));

  app.get('/v1/exposures/:requestId', {
    config: { scope: 'admin' },
    schema: { summary: 'A logged exposure by request id', tags: ['admin'], params: ExposureParam, response: { 200: ExposureReply, ...responses.errors(401, 403, 404, 429) } },
  }, async (req) => {
    const id = (req.params as { requestId: string }).requestId;
    const x = await store.exposures.get(id);
    if (!x) throw new HttpError(404, 'not_found', `no exposure with request id ${JSON.stringify(id)}`);
    return x;
  });

  // onClose runs once in-flight requests are done: the state's last fold is flushed then.
  // ---- experiments ----
  const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
  const Loose = Type.Object({}, { additionalProperties: true });
  app.post('/v1/experiments', {
    config: { scope: 'admin' },
    schema: { summary: 'Define an experiment (a draft until started)', tags: ['experiments'], body: ExperimentSchema, response: { 201: Loose, ...responses.errors(400, 401, 403, 409, 429) } },
  }, async (req, reply) => reply.code(201).send(await createExperiment(store, req.body)));
  app.get('/v1/experiments', {
    config: { scope: 'admin' },
    schema: { summary: 'Experiments and their status', tags: ['experiments'], response: { 200: Type.Array(Loose), ...responses.errors(401, 403, 429) } },
  }, async () => store.experiments.list());
  for (const verb of ['start', 'stop'] as const) {
    app.post(`/v1/experiments/:name/${verb}`, {
      config: { scope: 'admin' },
      schema: { summary: verb === 'start' ? 'Start assigning listeners' : 'Stop assigning listeners', tags: ['experiments'], params: Name, response: { 200: Loose, ...responses.errors(400, 401, 403, 404, 429) } },
    }, async (req) => {
      const name = (req.params as { name: string }).name;
      const x = verb === 'start' ? await startExperiment(store, name) : await stopExperiment(store, name);
      await serving.reloadExperiments();
      siblings?.announce('experiments');
      return x;
    });
  }
  app.post('/v1/experiments/:name/ship', {
    config: { scope: 'admin' },
    schema: { summary: 'Serve a variant to all the experiment\'s listeners but the long-term holdout', tags: ['experiments'], params: Name, body: Type.Object({ variant: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }), response: { 200: Loose, ...responses.errors(400, 401, 403, 404, 429) } },
  }, async (req) => {
    const x = await shipExperiment(store, (req.params as { name: string }).name, (req.body as { variant: string }).variant);
    await serving.reloadExperiments();
    siblings?.announce('experiments');
    return x;
  });
  app.get('/v1/experiments/:name/report', {
    config: { scope: 'admin' },
    schema: { summary: 'The experiment\'s report: per metric the value per variant, relativeLift, ci, pValue, sequential test; the decision', tags: ['experiments'], params: Name, response: { 200: Loose, ...responses.errors(401, 403, 404, 429) } },
  }, async (req) => experimentReport(store, (req.params as { name: string }).name));

  app.addHook('onClose', async () => serving.close());
  await app.ready();
  return { app, serving, metrics };

  function timestamp(v: number | string, field: string): number {
    const t = parseTimestamp(v);
    if (!t.ok) throw new HttpError(400, 'bad_request', `${field.slice(1)}: ${t.error}`, field);
    return t.ms;
  }

  function feedbackEvent(b: RecommendRequest, f: Feedback, i: number, now: number): SegueEvent {
    const ts = f.ts === undefined ? now - (b.feedback!.length - i) : timestamp(f.ts, `/feedback/${i}/ts`);
    const type = FEEDBACK_EVENT[f.signal];
    // A deterministic id (events are unique by source and eventId): a retried request does not count its feedback twice.
    const eventId = `fb:${b.listenerId}:${b.stationId ?? b.sessionId ?? ''}:${f.trackId}:${f.signal}${f.ts === undefined ? '' : `:${ts}`}`;
    const context = { type: (b.stationId ? 'radio' : 'other') as 'radio' | 'other', ...(b.stationId ? { id: b.stationId } : {}) };
    const base = { source: 'api-feedback', eventId, listenerId: b.listenerId, trackId: f.trackId, ts, context, ...(b.sessionId ? { sessionId: b.sessionId } : {}) };
    if (type === 'play_end') return { ...base, type, endReason: 'trackdone', skipped: false };
    if (type === 'skip') return { ...base, type, endReason: 'fwdbtn', skipped: true };
    return { ...base, type };
  }
}

const round = (x: number): number => Number(x.toPrecision(4));

export type { FastifyInstance, FastifyReply };
