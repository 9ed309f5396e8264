import { Type } from '@sinclair/typebox';
import { responses } from '../schemas.js';
import { summarizeMetrics } from '../metrics-summary.js';
import { HttpError, type RouteGroup } from './shared.js';

const WhoAmIReply = Type.Object({ id: Type.String(), name: Type.String(), scopes: Type.Array(Type.String()) });
const OverviewReply = Type.Object({
  counts: Type.Object({ tracks: Type.Integer(), artists: Type.Integer(), listeners: Type.Integer(), playlists: Type.Integer(), events: Type.Integer() }),
  serving: Type.Record(Type.String(), Type.Integer(), { description: 'model name to the version the server answers with' }),
  loadedAt: Type.Number(),
  ready: Type.Boolean(),
  problem: Type.Optional(Type.String()),
  experiments: Type.Array(Type.Object({ name: Type.String(), status: Type.String(), startedAt: Type.Union([Type.Number(), Type.Null()]), surfaces: Type.Array(Type.String()), variants: Type.Array(Type.String()) })),
});
const Bucket = Type.Object({ le: Type.Number(), count: Type.Number() });
const MetricsSummaryReply = Type.Object({
  at: Type.Number(),
  events: Type.Object({ written: Type.Number(), duplicate: Type.Number(), rejected: Type.Number() }),
  requests: Type.Number(),
  surfaces: Type.Record(Type.String(), Type.Object({ count: Type.Number(), sum: Type.Number(), buckets: Type.Array(Bucket) })),
});

/** Who a key is, what the store holds and serves, and the live counters: the console's overview. */
export const overviewRoutes: RouteGroup = (app, { store, serving, metrics, siblings }) => {
  app.get('/v1/whoami', {
    config: { scope: ['ingest', 'recommend', 'read'] },
    schema: { summary: 'The calling API key: its id, name and scopes (the console shows what the key may do)', tags: ['console'], response: { 200: WhoAmIReply, ...responses.errors(401, 429) } },
  }, async (req) => ({ id: req.apiKey!.id, name: req.apiKey!.name, scopes: [...req.apiKey!.scopes] }));

  app.get('/v1/overview', {
    config: { scope: 'read' },
    schema: { summary: 'What the store holds and the server answers with: counts, model versions, experiments', tags: ['console'], response: { 200: OverviewReply, ...responses.errors(401, 403, 429) } },
  }, async () => {
    const [counts, events, experiments] = await Promise.all([store.catalog.counts(), store.events.count(), store.experiments.list()]);
    return {
      counts: { ...counts, events },
      serving: { ...(serving.surfaces?.reco.versions ?? {}) },
      loadedAt: serving.loadedAt,
      ready: serving.surfaces !== undefined,
      ...(serving.surfaces ? {} : { problem: serving.problem }),
      experiments: experiments.filter((x) => x.status === 'running').map((x) => {
        const def = x.def as { surfaces?: string[]; variants?: Array<{ name: string }> };
        return { name: x.name, status: x.status, startedAt: x.startedAt, surfaces: def.surfaces ?? [], variants: (def.variants ?? []).map((v) => v.name) };
      }),
    };
  });

  app.get('/v1/metrics/summary', {
    config: { scope: 'read', rateLimit: false },
    schema: { summary: 'The live counters as JSON: events written, requests, and per surface the recommendations and their latency histogram', tags: ['console'], response: { 200: MetricsSummaryReply, ...responses.errors(401, 403, 503) } },
  }, async () => {
    const text = siblings ? await siblings.metrics().catch((err: Error) => {
      throw new HttpError(503, 'unavailable', `the metrics of every process are not available: ${err.message}`);
    }) : await metrics.render(serving);
    return summarizeMetrics(text);
  });
};
