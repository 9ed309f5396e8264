import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { validator, type Validator, preview } from './validate.js';
import { parseTimestamp } from './time.js';

const Id = Type.String({ minLength: 1, maxLength: 256 });

/** Where a play happened, and which Segue response (surface, request) led to it. */
export const ContextSchema = Type.Object(
  {
    type: Type.Union(
      ['album', 'playlist', 'radio', 'autoplay', 'mix', 'search', 'other'].map((t) => Type.Literal(t)),
    ),
    id: Type.Optional(Id),
    /** The Segue surface that served the track, e.g. 'radio'. */
    surface: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** The request id of the Segue response that served it: attributes the event to an exposure. */
    requestId: Type.Optional(Id),
    /** Position in that response or context, from 0. */
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export type Context = Static<typeof ContextSchema>;

/** Why a play ended. Spotify's reason_end values; 'fwdbtn' is a skip to the next track. */
export const END_REASONS = ['trackdone', 'fwdbtn', 'backbtn', 'endplay', 'logout', 'remote', 'clickrow', 'playbtn', 'error', 'unexpected-exit', 'unexpected-exit-while-paused', 'unknown'] as const;
export type EndReason = (typeof END_REASONS)[number];

export const EVENT_TYPES = ['play_start', 'play_end', 'skip', 'like', 'unlike', 'ban', 'save', 'add_to_playlist', 'play_count'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
/** Dense code of each event type, as stored. Append only: codes are persisted. */
export const EVENT_TYPE_CODE: Readonly<Record<EventType, number>> = {
  play_start: 1, play_end: 2, skip: 3, like: 4, unlike: 5, ban: 6, save: 7, add_to_playlist: 8, play_count: 9,
};
export const EVENT_TYPE_BY_CODE: ReadonlyArray<EventType | undefined> = (() => {
  const a: (EventType | undefined)[] = [];
  for (const t of EVENT_TYPES) a[EVENT_TYPE_CODE[t]] = t;
  return a;
})();

const common = {
  type: Type.String(),
  /** The client's id for this event; with `source` it makes ingest idempotent. */
  eventId: Id,
  /** Who produced the event (app, importer); defaults to the import's source. */
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  listenerId: Id,
  /** ISO-8601 or epoch milliseconds. */
  ts: Type.Union([Type.String({ maxLength: 40 }), Type.Number()]),
  sessionId: Type.Optional(Id),
  context: Type.Optional(ContextSchema),
  platform: Type.Optional(Type.String({ maxLength: 64 })),
};
const trackId = { trackId: Id };
const MsPlayed = Type.Integer({ minimum: 0, maximum: 24 * 3600 * 1000 });
const StartReason = Type.String({ minLength: 1, maxLength: 64 });

function ev<P extends Record<string, TSchema>>(props: P) {
  return Type.Object({ ...common, ...props }, { additionalProperties: false });
}

export const EventSchemas = {
  play_start: ev({ ...trackId, startReason: Type.Optional(StartReason), shuffle: Type.Optional(Type.Boolean()) }),
  play_end: ev({
    ...trackId,
    /** Absent where the source does not know it (scrobble logs). */
    msPlayed: Type.Optional(MsPlayed),
    endReason: Type.Optional(Type.Union(END_REASONS.map((r) => Type.Literal(r)))),
    startReason: Type.Optional(StartReason),
    shuffle: Type.Optional(Type.Boolean()),
    /**
     * The client's own skip flag. When absent, a play with an endReason is a skip if it ended
     * by 'fwdbtn'; a play with neither is of unknown skip status (left out of skip rates).
     */
    skipped: Type.Optional(Type.Boolean()),
  }),
  /** Shorthand for a play that ended by skipping forward. */
  skip: ev({ ...trackId, msPlayed: Type.Optional(MsPlayed) }),
  like: ev(trackId),
  unlike: ev(trackId),
  save: ev(trackId),
  /** A ban hides a track, or every track of an artist, from this listener. */
  ban: ev({ trackId: Type.Optional(Id), artistId: Type.Optional(Id) }),
  add_to_playlist: ev({ ...trackId, playlistId: Id }),
  /** An aggregate of plays without individual timestamps (e.g. Last.fm user-artist weights). */
  play_count: ev({ trackId: Type.Optional(Id), artistId: Type.Optional(Id), count: Type.Integer({ minimum: 1 }) }),
} as const satisfies Record<EventType, TSchema>;

type Schemas = typeof EventSchemas;
export type RawEvent = { [K in EventType]: Static<Schemas[K]> & { type: K } }[EventType];

/** An event as it is stored: ids resolved to strings, time in epoch ms, skip derived. */
export interface SegueEvent {
  type: EventType;
  source: string;
  eventId: string;
  listenerId: string;
  ts: number;
  trackId?: string;
  artistId?: string;
  sessionId?: string;
  msPlayed?: number;
  endReason?: string;
  startReason?: string;
  shuffle?: boolean;
  skipped?: boolean;
  count?: number;
  playlistId?: string;
  context?: Context;
  platform?: string;
}

const validators = Object.fromEntries(
  EVENT_TYPES.map((t) => [t, validator(EventSchemas[t])]),
) as { [K in EventType]: Validator<Schemas[K]> };

export type CheckedEvent = { ok: true; value: SegueEvent } | { ok: false; error: string };

/**
 * Validate one event at the boundary and normalize it (in place: the object passed in
 * becomes the returned event).
 *
 * @param defaultSource used when the event names no `source`
 * @example
 *   checkEvent({ type: 'play_end', eventId: 'e1', listenerId: 'u1', ts: '2024-01-01T10:00:00Z',
 *                trackId: 't1', msPlayed: -4, endReason: 'trackdone' }, 'app')
 *   // { ok: false, error: 'msPlayed: expected integer to be greater or equal to 0, got -4' }
 */
export function checkEvent(raw: unknown, defaultSource: string, now = Date.now()): CheckedEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: `record: expected a JSON object, got ${preview(raw)}` };
  const type = (raw as { type?: unknown }).type;
  const v = validators[type as EventType];
  if (v === undefined || typeof type !== 'string' || !Object.hasOwn(validators, type)) {
    return { ok: false, error: `type: expected one of ${EVENT_TYPES.join(', ')}, got ${preview(type)}` };
  }
  const r = v.check(raw);
  if (!r.ok) return r;
  const e = r.value as RawEvent;
  const ts = parseTimestamp(e.ts, now);
  if (!ts.ok) return { ok: false, error: `ts: ${ts.error}` };
  // The validated object holds exactly the schema's fields (additionalProperties: false), so it
  // is normalized in place rather than copied: ingest runs this for every event.
  const out = e as unknown as SegueEvent;
  out.ts = ts.ms;
  if (e.source === undefined) out.source = defaultSource;
  switch (e.type) {
    case 'play_end':
      if (e.skipped === undefined && e.endReason !== undefined) out.skipped = e.endReason === 'fwdbtn';
      break;
    case 'skip':
      out.endReason = 'fwdbtn';
      out.skipped = true;
      break;
    case 'ban':
    case 'play_count':
      if ((e.trackId === undefined) === (e.artistId === undefined)) return { ok: false, error: `${e.type} needs exactly one of trackId or artistId` };
      break;
    default:
      break;
  }
  return { ok: true, value: out };
}

/**
 * Check an event that was validated and normalized already (checkEvent), as it comes back
 * from an internal channel (the bus): the fields a store and a fold rely on, with their
 * types. Returns why it is unusable, or undefined.
 */
export function storedEventProblem(x: unknown): string | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return `record: expected a JSON object, got ${preview(x)}`;
  const e = x as Record<string, unknown>;
  if (typeof e.type !== 'string' || !Object.hasOwn(EVENT_TYPE_CODE, e.type)) return `type: expected one of ${EVENT_TYPES.join(', ')}, got ${preview(e.type)}`;
  for (const f of ['source', 'eventId', 'listenerId'] as const) if (typeof e[f] !== 'string' || e[f] === '') return `${f}: expected a non-empty string, got ${preview(e[f])}`;
  if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return `ts: expected epoch ms, got ${preview(e.ts)}`;
  for (const f of ['trackId', 'artistId', 'sessionId', 'endReason', 'startReason', 'playlistId', 'platform'] as const) if (e[f] !== undefined && typeof e[f] !== 'string') return `${f}: expected a string, got ${preview(e[f])}`;
  for (const f of ['msPlayed', 'count'] as const) if (e[f] !== undefined && (typeof e[f] !== 'number' || !Number.isFinite(e[f]))) return `${f}: expected a number, got ${preview(e[f])}`;
  for (const f of ['skipped', 'shuffle'] as const) if (e[f] !== undefined && typeof e[f] !== 'boolean') return `${f}: expected true or false, got ${preview(e[f])}`;
  return undefined;
}

/** Whether an event counts as a play (for skip rate and play counts). */
export function isPlay(type: EventType): boolean {
  return type === 'play_end' || type === 'skip' || type === 'play_count';
}

/**
 * A play left before this position was a skip: Spotify counts a stream at 30 s, and a track
 * shorter than a minute is skipped when left before its middle. Sources that know only where
 * a listener left a track (a Subsonic client's next "now playing", an OpenSubsonic
 * `reportPlayback` stop) turn it into an end reason with `leftEndReason`, so the skip itself
 * is still decided by the one rule above (`fwdbtn` is a skip).
 */
export const SHORT_PLAY_MS = 30_000;

/**
 * The end reason of a play that was left at `msPlayed`: `fwdbtn` (a skip) when left early
 * (before SHORT_PLAY_MS, or before half of a shorter track), `trackdone` when it reached its
 * last second, else `endplay` (stopped, not skipped).
 *
 * @example leftEndReason(4_000, 180_000) // 'fwdbtn'
 * @example leftEndReason(9_000, 10_000)  // 'trackdone'
 */
export function leftEndReason(msPlayed: number, durationMs: number | undefined): 'fwdbtn' | 'trackdone' | 'endplay' {
  const known = durationMs !== undefined && durationMs > 0;
  if (known && msPlayed >= durationMs - 1_000) return 'trackdone';
  return msPlayed < (known ? Math.min(SHORT_PLAY_MS, durationMs / 2) : SHORT_PLAY_MS) ? 'fwdbtn' : 'endplay';
}

/**
 * Whether a timed play was skipped: a skip event was; a play_end says so in `skipped` (set from
 * its end reason at import, 'fwdbtn' being a skip); anything else, or a play_end that does not
 * say, is of unknown skip status (left out of skip rates).
 */
export function skipStatus(e: { type: string; skipped?: boolean }): boolean | undefined {
  return e.type === 'skip' ? true : e.type === 'play_end' ? e.skipped : undefined;
}
