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
}

function unwrap<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.response.ok && r.data !== undefined) return r.data;
  const e = (r.error ?? {}) as { error?: string; message?: string; field?: string; requestId?: string };
  throw new SegueApiError(r.response.status, e.error ?? 'error', e.message ?? r.response.statusText, e.field, e.requestId);
}
