import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ArtistSchema, EventSchemas, ExposureSchema, ListenerSchema, PlaylistSchema, TrackSchema } from '../domain/index.js';
import { SURFACES } from '../sequencing/index.js';
import { MOOD_NAMES } from '../surfaces/index.js';

/**
 * Request and response schemas of the HTTP API (TypeBox: JSON Schema that is also a
 * TypeScript type). They validate requests, serialize responses and make the OpenAPI
 * document that the typed client is generated from.
 */

const Id = Type.String({ minLength: 1, maxLength: 256 });

/** Events per POST /v1/events; larger batches are refused with 413-like 400 naming the limit. */
export const MAX_EVENTS_PER_BATCH = 10_000;
/** Catalog records per POST /v1/catalog, all kinds together. */
export const MAX_CATALOG_PER_BATCH = 10_000;

export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'a stable code: bad_request, unauthorized, forbidden, not_found, payload_too_large, rate_limited, unsupported_media_type, unavailable, internal' }),
    message: Type.String({ description: 'what was wrong, in one sentence' }),
    field: Type.Optional(Type.String({ description: 'JSON pointer of the offending field, when one is to blame' })),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'Error' },
);
export type ErrorBody = Static<typeof ErrorSchema>;

const errors = (...codes: number[]): Record<number, TSchema> => Object.fromEntries(codes.map((c) => [c, Type.Ref('Error')]));

// ---- events ----

const AnyEvent = Type.Union(Object.entries(EventSchemas).map(([type, s]) => Type.Object({ ...s.properties, type: Type.Literal(type) }, { additionalProperties: false })), {
  description: 'One listening event; `ts` is ISO-8601 or epoch ms; `eventId` makes a retry idempotent.',
});

export const EventsBody = Type.Object(
  { events: Type.Array(AnyEvent, { minItems: 1, maxItems: MAX_EVENTS_PER_BATCH }) },
  { additionalProperties: false },
);
export const EventsReply = Type.Object({
  accepted: Type.Integer({ description: 'events written now' }),
  duplicates: Type.Integer({ description: 'events already written (same source and eventId): a retry is safe' }),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), reason: Type.String() }), { description: 'events the store refused, by position in the batch' }),
});

// ---- catalog ----

export const CatalogBody = Type.Object(
  {
    tracks: Type.Optional(Type.Array(TrackSchema, { maxItems: MAX_CATALOG_PER_BATCH })),
    artists: Type.Optional(Type.Array(ArtistSchema, { maxItems: MAX_CATALOG_PER_BATCH })),
    listeners: Type.Optional(Type.Array(ListenerSchema, { maxItems: MAX_CATALOG_PER_BATCH })),
    playlists: Type.Optional(Type.Array(PlaylistSchema, { maxItems: MAX_CATALOG_PER_BATCH })),
  },
  { additionalProperties: false },
);
export const CatalogReply = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(Type.Object({ kind: Type.String(), index: Type.Integer(), reason: Type.String() })),
});

// ---- recommend ----

export const SurfaceParam = Type.Object({ surface: Type.Union(SURFACES.map((s) => Type.Literal(s))) });

export const FeedbackSchema = Type.Object(
  {
    trackId: Id,
    signal: Type.Union(['listened', 'skipped', 'liked', 'disliked'].map((s) => Type.Literal(s)), { description: 'disliked bans the track for this listener' }),
    ts: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 40 })])),
  },
  { additionalProperties: false },
);
export type Feedback = Static<typeof FeedbackSchema>;

export const RecommendBody = Type.Object(
  {
    listenerId: Id,
    seedTrack: Type.Optional(Id),
    seedArtist: Type.Optional(Id),
    seedGenre: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    with: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 10, description: 'blend: the other listeners' })),
    playlistId: Type.Optional(Id),
    stationId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$', description: 'radio: continue this station; its pages never repeat a track' })),
    mood: Type.Optional(Type.Union(MOOD_NAMES.map((m) => Type.Literal(m)))),
    policy: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'a partial policy over the surface\'s defaults: objects merge, values replace' })),
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'tracks per list (default: the policy\'s length)' })),
    seed: Type.Optional(Type.Integer({ description: 'seed of exploration (default 0)' })),
    now: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.String({ maxLength: 40 })], { description: 'serve as of this time (default now)' })),
    log: Type.Optional(Type.Boolean({ description: 'log the response as an exposure (default true)' })),
    sessionId: Type.Optional(Id),
    feedback: Type.Optional(Type.Array(FeedbackSchema, { maxItems: 100, description: 'what the listener did with earlier tracks (radio thumbs, skips): folded into the state before serving' })),
  },
  { additionalProperties: false },
);
export type RecommendRequest = Static<typeof RecommendBody>;

const ServedItemSchema = Type.Object({
  position: Type.Integer(),
  trackId: Type.String(),
  artistIds: Type.Array(Type.String()),
  albumId: Type.Optional(Type.String()),
  score: Type.Number(),
  propensity: Type.Number(),
  explanation: Type.Object({ sources: Type.Array(Type.String()), values: Type.Record(Type.String(), Type.Number()), changedBy: Type.Array(Type.String()) }),
  inserted: Type.Optional(Type.Boolean()),
  team: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')], { description: 'an interleaving experiment\'s list: the variant whose track this is' })),
});

export const RecommendReply = Type.Object({
  requestId: Type.String({ description: 'the exposure\'s id: send it back as context.requestId on the events it leads to' }),
  surface: Type.String(),
  listenerId: Type.String(),
  policyId: Type.String(),
  items: Type.Array(ServedItemSchema),
  mixes: Type.Optional(Type.Array(Type.Object({ name: Type.String(), genre: Type.String(), items: Type.Array(ServedItemSchema) }))),
  tasteMatch: Type.Optional(Type.Number()),
  memberShares: Type.Optional(Type.Record(Type.String(), Type.Number())),
  stationId: Type.Optional(Type.String()),
  filtered: Type.Record(Type.String(), Type.Number()),
  degraded: Type.Optional(Type.Literal(true, { description: "the listener's online state could not be read (Redis unreachable, or flushed and not yet rebuilt): answered from the models without it" })),
});

// ---- listeners, models, exposures ----

export const ListenerParam = Type.Object({ id: Id });
const Top = Type.Array(Type.Object({ id: Type.String(), plays: Type.Number(), likes: Type.Number() }));
export const ProfileReply = Type.Object({
  listenerId: Type.String(),
  known: Type.Boolean({ description: 'whether the store has a record or any event of this listener' }),
  country: Type.Optional(Type.String()),
  topTracks: Top,
  topArtists: Top,
  topGenres: Top,
  session: Type.Optional(Type.Object({ id: Type.String(), startTs: Type.Number(), lastTs: Type.Number(), plays: Type.Integer(), skips: Type.Integer(), listens: Type.Integer(), likes: Type.Integer(), recent: Type.Array(Type.Object({ trackId: Type.String(), artistId: Type.String(), outcome: Type.Integer({ description: '-1 skipped, 0 played, 1 listened through or liked' }), ts: Type.Number() })) })),
});

export const ModelsReply = Type.Object({
  serving: Type.Record(Type.String(), Type.Integer(), { description: 'model name to the version the server answers with' }),
  loadedAt: Type.Number(),
  models: Type.Array(Type.Object({ name: Type.String(), version: Type.Integer(), createdAt: Type.Number(), bytes: Type.Integer(), info: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'what training recorded: trainedAt, seconds, and the ranker\'s report (NDCG, AUC, feature importance)' })) })),
});

export const ExposureParam = Type.Object({ requestId: Id });
/** A logged exposure, as the domain defines it (every field an exposure may carry, the items' teams included). */
export const ExposureReply = ExposureSchema;

export const HealthReply = Type.Object({ status: Type.String() });

export const responses = { errors };

// ---- experiments (the report's shape: experiments/report.ts) ----

const Loose = Type.Object({}, { additionalProperties: true });
export const StoredExperimentReply = Type.Object({
  name: Type.String(), def: Loose, status: Type.String({ description: 'draft, running, stopped or shipped' }),
  createdAt: Type.Number(), startedAt: Type.Union([Type.Number(), Type.Null()]), stoppedAt: Type.Union([Type.Number(), Type.Null()]),
  offset: Type.Number(), shippedVariant: Type.Union([Type.String(), Type.Null()]),
});
/** A figure that may not be estimable yet (no listeners, no plays): null then. */
const Est = (description?: string) => Type.Union([Type.Number(), Type.Null()], description ? { description } : {});
const SequentialLookSchema = Type.Object({ day: Type.Integer(), pValue: Type.Optional(Est()), z: Est(), boundary: Type.Optional(Est()) });
/** An interleaving experiment's report (design "interleave"): the teams' credit and the listeners' preference. */
export const InterleavingReportReply = Type.Object({
  experiment: Type.String(), design: Type.Literal('interleave'), status: Type.String(), from: Type.Number(), until: Type.Number(), alpha: Type.Number(),
  teams: Type.Array(Type.Object({ team: Type.Union([Type.Literal('a'), Type.Literal('b')]), variant: Type.String(), picks: Type.Integer(), listens: Type.Integer(), skips: Type.Integer() })),
  balance: Type.Object({ chi2: Est(), pValue: Est(), ok: Type.Boolean() }, { description: 'tracks placed per team against 1:1' }),
  listeners: Type.Integer(), exposures: Type.Integer(), creditedPlays: Type.Integer(),
  preference: Type.Object({
    a: Type.Integer(), b: Type.Integer(), ties: Type.Integer(), winRateB: Est('share of decided listeners preferring b'), ci: Type.Array(Est(), { minItems: 2, maxItems: 2 }),
    delta: Est('(listeners preferring b - preferring a) / listeners'), z: Est(), pValue: Est('the fixed-horizon sign test'),
  }),
  sequential: Type.Object({
    method: Type.Union([Type.Literal('mixture-sprt'), Type.Literal('group-sequential')]), pValue: Type.Optional(Est()), z: Type.Optional(Est()), boundary: Type.Optional(Est()),
    cs: Type.Optional(Type.Array(Est(), { minItems: 2, maxItems: 2, description: 'the always-valid confidence sequence of winRateB' })), looks: Type.Integer(), reject: Type.Boolean(),
    path: Type.Array(Type.Object({ day: Type.Integer(), winRateB: Est(), pValue: Type.Optional(Est()), cs: Type.Optional(Type.Array(Est())), z: Est(), boundary: Type.Optional(Est()) })),
  }),
  listenersFor80: Type.Union([Type.Integer(), Type.Null()], { description: 'listeners an interleaving test of this preference needs for 80% power' }),
  decision: Type.Object({ action: Type.Union(['prefer', 'no-preference', 'continue', 'invalid'].map((a) => Type.Literal(a))), variant: Type.Optional(Type.String()), team: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])), reasons: Type.Array(Type.String()) }),
});

export const ExperimentReportReply = Type.Object({
  experiment: Type.String(), status: Type.String(), from: Type.Number(), until: Type.Number(), alpha: Type.Number(),
  variants: Type.Array(Type.Object({ name: Type.String(), listeners: Type.Integer(), exposures: Type.Integer(), weight: Type.Union([Type.Number(), Type.Null()]) })),
  srm: Type.Object({ chi2: Est(), pValue: Est(), ok: Type.Boolean() }, { description: 'the sample ratio check' }),
  assignmentConflicts: Type.Integer(),
  attributedPlays: Type.Integer(),
  metrics: Type.Array(Type.Object({
    metric: Type.String(), role: Type.Union([Type.Literal('success'), Type.Literal('guardrail'), Type.Literal('observed')]), direction: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    variant: Type.String(), control: Type.String(), values: Type.Record(Type.String(), Est()),
    relativeLift: Est('treatment / control - 1; null while it cannot be estimated'), ci: Type.Array(Est(), { minItems: 2, maxItems: 2 }), absoluteDiff: Est(),
    pValue: Est(), pValueAdjusted: Est(),
    cuped: Type.Union([Type.Object({ theta: Est(), varianceReduction: Est() }), Type.Null()]),
    sequential: Type.Union([Type.Object({
      method: Type.Union([Type.Literal('msprt'), Type.Literal('group-sequential')]), pValue: Type.Optional(Est()), boundary: Type.Optional(Est()), z: Type.Optional(Est()),
      looks: Type.Integer(), reject: Type.Boolean(), path: Type.Array(SequentialLookSchema, { description: 'the test at the end of every day since the start' }),
    }), Type.Null()]),
    significant: Type.Boolean(), margin: Type.Optional(Type.Number()), nonInferior: Type.Optional(Type.Boolean()),
    listenersFor80: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'listeners (both arms) a fixed-horizon test of this difference needs for 80% power' })),
  })),
  decision: Type.Object({ action: Type.Union(['ship', 'no-ship', 'continue', 'invalid'].map((a) => Type.Literal(a))), variant: Type.Optional(Type.String()), reasons: Type.Array(Type.String({ description: 'why, in words' })) }),
});
