import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './openapi.js';

export type { paths } from './openapi.js';

type Post<P extends keyof paths> = paths[P] extends { post: infer O } ? O : never;
type Get<P extends keyof paths> = paths[P] extends { get: infer O } ? O : never;
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type Ok<O> = O extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never;

export type Surface = Post<'/v1/recommend/{surface}'> extends { parameters: { path: { surface: infer S } } } ? S : never;
export type RecommendRequest = Body<Post<'/v1/recommend/{surface}'>>;
export type RecommendResponse = Ok<Post<'/v1/recommend/{surface}'>>;
export type IngestEvent = Body<Post<'/v1/events'>>['events'][number];
export type IngestResponse = Ok<Post<'/v1/events'>>;
export type CatalogRequest = Body<Post<'/v1/catalog'>>;
export type CatalogResponse = Ok<Post<'/v1/catalog'>>;
export type ListenerProfile = Ok<Get<'/v1/listeners/{id}'>>;
export type ModelStatus = Ok<Get<'/v1/models'>>;
export type Exposure = Ok<Get<'/v1/exposures/{requestId}'>>;
export type WhoAmI = Ok<Get<'/v1/whoami'>>;
export type Overview = Ok<Get<'/v1/overview'>>;
export type MetricsSummary = Ok<Get<'/v1/metrics/summary'>>;
export type SearchKind = NonNullable<Get<'/v1/search'>['parameters']['query']>['kind'];
export type Lookup = Ok<Post<'/v1/lookup'>>;
export type ListenerHistory = Ok<Get<'/v1/listeners/{id}/history'>>;
export type Evaluations = Ok<Get<'/v1/evaluations'>>;
export type Policy = Ok<Get<'/v1/surfaces/{surface}/policy'>>;
export type SavedPolicy = Ok<Get<'/v1/policies/{name}'>>;
export type TradeoffRequest = Body<Post<'/v1/jobs/tradeoff'>>;
export type Job = Ok<Get<'/v1/jobs/{id}'>>;
/** An experiment's definition (see docs/experiments.md): name, surfaces, variants with partial policies, metrics. */
export type ExperimentDefinition = Body<Post<'/v1/experiments'>>;
/** An experiment's report: per metric the values, lift and interval, p-values and the sequential test's daily path; SRM; the decision. */
/** An experiment's report: an A/B test's (ExperimentReport) or an interleaving experiment's (InterleavingReport, with `design`). */
export type AnyExperimentReport = Ok<Get<'/v1/experiments/{name}/report'>>;
export type InterleavingReport = Extract<AnyExperimentReport, { design: 'interleave' }>;
export type ExperimentReport = Exclude<AnyExperimentReport, { design: 'interleave' }>;
/** A stored experiment: its definition and status. */
export type StoredExperiment = Ok<Get<'/v1/experiments'>>[number];

/** An error answer of the API: its HTTP status, stable code, message and (for 400s) the field to blame. */
export class SegueApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly requestId?: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'SegueApiError';
  }
}

export interface SegueClientOptions {
  /** Where the API is, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** An API key from `segue keys create`. */
  apiKey: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * A typed client of the Segue HTTP API, generated from its OpenAPI document (openapi-typescript
 * types, openapi-fetch requests). Each method returns the response body or throws a
 * SegueApiError; `raw` is the underlying openapi-fetch client for anything else.
 *
 * @example
 *   const segue = new SegueClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.SEGUE_KEY! });
 *   const radio = await segue.recommend('radio', { listenerId: 'lis469', stationId: 'st-1', n: 20 });
 *   await segue.ingest([{ type: 'skip', eventId: 'e-1', listenerId: 'lis469', trackId: radio.items[0]!.trackId, ts: Date.now(),
 *                        context: { type: 'radio', id: 'st-1', requestId: radio.requestId, position: 0 } }]);
 */
export class SegueClient {
  readonly raw: Client<paths>;

  constructor(opts: SegueClientOptions) {
    this.raw = createClient<paths>({ baseUrl: opts.baseUrl.replace(/\/$/, ''), headers: { authorization: `Bearer ${opts.apiKey}` }, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  }

  /** An ordered sequence for a surface; the response's requestId names the logged exposure. */
  async recommend(surface: Surface, body: RecommendRequest): Promise<RecommendResponse> {
    return unwrap(await this.raw.POST('/v1/recommend/{surface}', { params: { path: { surface } }, body }));
  }

  /** Ingest events (at most 10,000 per call); committed when this resolves. */
  async ingest(events: IngestEvent[]): Promise<IngestResponse> {
    return unwrap(await this.raw.POST('/v1/events', { body: { events } }));
  }

  /** Upsert tracks, artists, listeners and playlists. */
  async upsertCatalog(body: CatalogRequest): Promise<CatalogResponse> {
    return unwrap(await this.raw.POST('/v1/catalog', { body }));
  }

  async profile(listenerId: string): Promise<ListenerProfile> {
    return unwrap(await this.raw.GET('/v1/listeners/{id}', { params: { path: { id: listenerId } } }));
  }

  async models(): Promise<ModelStatus> {
    return unwrap(await this.raw.GET('/v1/models'));
  }

  async exposure(requestId: string): Promise<Exposure> {
    return unwrap(await this.raw.GET('/v1/exposures/{requestId}', { params: { path: { requestId } } }));
  }

  /** The calling key: id, name, scopes. */
  async whoami(): Promise<WhoAmI> {
    return unwrap(await this.raw.GET('/v1/whoami'));
  }

  /** Counts, serving model versions, running experiments. */
  async overview(): Promise<Overview> {
    return unwrap(await this.raw.GET('/v1/overview'));
  }

  /** The live counters and per-surface latency histograms (take rates from two readings). */
  async metricsSummary(): Promise<MetricsSummary> {
    return unwrap(await this.raw.GET('/v1/metrics/summary'));
  }

  async search(kind: SearchKind, q: string, limit = 20): Promise<Array<{ id: string; name: string }>> {
    return unwrap(await this.raw.GET('/v1/search', { params: { query: { kind, q, limit } } })).results;
  }

  /** The catalog records of tracks and artists by id (unknown ids are left out). */
  async lookup(ids: { tracks?: string[]; artists?: string[] }): Promise<Lookup> {
    return unwrap(await this.raw.POST('/v1/lookup', { body: ids }));
  }

  async history(listenerId: string, query: { days?: number; until?: number; limit?: number } = {}): Promise<ListenerHistory> {
    return unwrap(await this.raw.GET('/v1/listeners/{id}/history', { params: { path: { id: listenerId }, query } }));
  }

  async evaluations(): Promise<Evaluations> {
    return unwrap(await this.raw.GET('/v1/evaluations'));
  }

  async defaultPolicy(surface: Surface): Promise<Policy> {
    return unwrap(await this.raw.GET('/v1/surfaces/{surface}/policy', { params: { path: { surface } } }));
  }

  async policies(): Promise<Array<{ name: string; version: number; createdAt: number }>> {
    return unwrap(await this.raw.GET('/v1/policies'));
  }

  async policy(name: string): Promise<SavedPolicy> {
    return unwrap(await this.raw.GET('/v1/policies/{name}', { params: { path: { name } } }));
  }

  /** Save a partial policy under a name (admin); returns its new version. */
  async savePolicy(name: string, partial: Record<string, unknown>): Promise<{ name: string; version: number }> {
    return unwrap(await this.raw.PUT('/v1/policies/{name}', { params: { path: { name } }, body: partial }));
  }

  async experiments(): Promise<StoredExperiment[]> {
    return unwrap(await this.raw.GET('/v1/experiments'));
  }

  async createExperiment(def: ExperimentDefinition): Promise<StoredExperiment> {
    const r = await this.raw.POST('/v1/experiments', { body: def });
    if (r.response.status === 201) return r.data as StoredExperiment;
    return unwrap(r) as never;
  }

  async experimentAction(name: string, action: 'start' | 'stop'): Promise<StoredExperiment> {
    const path = action === 'start' ? '/v1/experiments/{name}/start' : '/v1/experiments/{name}/stop';
    return unwrap(await this.raw.POST(path, { params: { path: { name } } }));
  }

  async shipExperiment(name: string, variant: string): Promise<StoredExperiment> {
    return unwrap(await this.raw.POST('/v1/experiments/{name}/ship', { params: { path: { name } }, body: { variant } }));
  }

  async experimentReport(name: string): Promise<AnyExperimentReport> {
    return unwrap(await this.raw.GET('/v1/experiments/{name}/report', { params: { path: { name } } }));
  }

  /** Start a trade-off run in the background; poll `job(id)`. */
  async startTradeoff(body: TradeoffRequest): Promise<Job> {
    const r = await this.raw.POST('/v1/jobs/tradeoff', { body });
    if (r.response.status === 202) return r.data as unknown as Job;
    return unwrap(r) as never;
  }

  async job(id: string): Promise<Job> {
    return unwrap(await this.raw.GET('/v1/jobs/{id}', { params: { path: { id } } }));
  }

  /** This server process's recent jobs, newest first (without their results). */
  async jobs(): Promise<Job[]> {
    return unwrap(await this.raw.GET('/v1/jobs'));
  }

  /** Stop a running job. */
  async cancelJob(id: string): Promise<Job> {
    return unwrap(await this.raw.POST('/v1/jobs/{id}/cancel', { params: { path: { id } } }));
  }
}

function unwrap<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.response.ok && r.data !== undefined) return r.data;
  const e = (r.error ?? {}) as { error?: string; message?: string; field?: string; requestId?: string };
  throw new SegueApiError(r.response.status, e.error ?? 'error', e.message ?? r.response.statusText, e.field, e.requestId);
}
