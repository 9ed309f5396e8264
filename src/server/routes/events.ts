import { checkEvent, type SegueEvent } from '../../domain/index.js';
import { BusUnavailable } from '../../bus/index.js';
import { CatalogBody, CatalogReply, EventsBody, EventsReply, MAX_EVENTS_PER_BATCH, responses } from '../schemas.js';
import { HttpError, type RouteGroup } from './shared.js';

/** Ingest: batches of listening events, and catalog upserts (tracks, artists, listeners, playlists). */
export const eventRoutes: RouteGroup = (app, { store, serving, metrics, siblings, bus }) => {
  /**
   * On a stateless node: refuse events of unknown tracks (as the store would), publish the
   * rest and answer 200 only once JetStream stored every one; 503 with Retry-After when the
   * bus cannot (nothing is acknowledged that is not stored). A worker persists and folds them.
   */
  const publish = async (events: SegueEvent[]): Promise<{ accepted: number; duplicates: number; rejected: Array<{ index: number; reason: string }> }> => {
    const table = serving.surfaces?.reco.table;
    const rejected: Array<{ index: number; reason: string }> = [];
    const ok: SegueEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const t = events[i]!.trackId;
      // A track the node does not know yet may have been added since it loaded the catalog: ask the store (when it answers).
      if (t !== undefined && table !== undefined && table.indexOf(t) < 0 && (await store.catalog.getTrack(t).catch(() => 'unknown')) === undefined) {
        rejected.push({ index: i, reason: `trackId: unknown track ${JSON.stringify(t)} (import the catalog first)` });
      } else {
        ok.push(events[i]!);
      }
    }
    let duplicates = 0;
    if (ok.length > 0) {
      try {
        duplicates = (await bus!.publishEvents(ok)).duplicates;
      } catch (err) {
        if (err instanceof BusUnavailable) throw new HttpError(503, 'unavailable', `the event bus cannot store events now (${err.message}); retry later: nothing of this batch is acknowledged`, undefined, err.retryAfterSeconds);
        throw err;
      }
    }
    metrics.events(ok.length - duplicates, duplicates, rejected.length);
    return { accepted: ok.length - duplicates, duplicates, rejected };
  };

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
    if (bus !== undefined) return publish(events);
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
      bus?.announce('catalog');
    }
    return { accepted: result.accepted, rejected: result.rejected.map((r) => ({ kind: r.kind, index: r.index, reason: r.reason })) };
  });
};
