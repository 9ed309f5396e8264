import { parseTimestamp, type SegueEvent } from '../../domain/index.js';
import { overridePolicy, type Surface } from '../../sequencing/index.js';
import type { SurfaceRequest } from '../../surfaces/index.js';
import { RecommendBody, RecommendReply, SurfaceParam, responses, type Feedback, type RecommendRequest } from '../schemas.js';
import { BusUnavailable } from '../../bus/index.js';
import { HttpError, type RouteGroup } from './shared.js';

const FEEDBACK_EVENT: Record<Feedback['signal'], SegueEvent['type']> = { listened: 'play_end', skipped: 'skip', liked: 'like', disliked: 'ban' };

/** Recommend: one surface's sequence for a listener, after folding the request's feedback into the online state. */
export const recommendRoutes: RouteGroup = (app, { store, serving, metrics, needServing, bus }) => {
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
      if (bus !== undefined) {
        // A stateless node: the feedback goes on the bus (503 when it cannot be stored); it shows once a worker folded it.
        await bus.publishEvents(events).catch((err: unknown) => {
          throw err instanceof BusUnavailable ? new HttpError(503, 'unavailable', `the event bus cannot store the feedback now (${err.message}); retry later`, undefined, err.retryAfterSeconds) : err;
        });
      }
      const r = bus !== undefined ? { rejected: [] } : await store.ingest({ events });
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
};

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
