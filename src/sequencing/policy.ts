import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../domain/index.js';
import { SOURCE_NAMES } from '../models/index.js';

/** Surfaces Segue serves; each has a default policy. */
export const SURFACES = ['autoplay', 'radio', 'daily-mixes', 'discovery', 'release-radar', 'blend', 'mood', 'enhance', 'shuffle'] as const;
export type Surface = (typeof SURFACES)[number];

/**
 * Candidate recipes a surface builds itself rather than retrieves (new releases, trending
 * tracks): a policy's `source` is one of these or a candidate source (models' SOURCE_NAMES).
 */
export const SURFACE_RECIPES = ['fresh', 'trending'] as const;

const Weight = Type.Number({ minimum: 0, maximum: 100 });
const Share = Type.Number({ minimum: 0, maximum: 1 });

/** Share of requests whose exposure logs its candidate set when the policy does not say (policy.logging.candidatesShare). */
export const DEFAULT_CANDIDATES_SHARE = 0.05;
/** How a request sampled for candidate logging explores when its policy does not (policy.logging.exploration). */
export const DEFAULT_LOGGING_EXPLORATION = { epsilon: 0.2, temperature: 0.5 } as const;

export const PolicySchema = Type.Object(
  {
    surface: Type.Union(SURFACES.map((s) => Type.Literal(s))),
    /** Tracks per response (page). */
    length: Type.Integer({ minimum: 1, maximum: 500 }),
    candidates: Type.Array(
      Type.Object(
        {
          source: Type.Union([...SOURCE_NAMES, ...SURFACE_RECIPES].map((s: string) => Type.Literal(s))),
          k: Type.Integer({ minimum: 1, maximum: 5000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 16 },
    ),
    /** Weights of the terms of a sequence's value. */
    objectives: Type.Object(
      {
        satisfaction: Type.Optional(Weight),
        flow: Type.Optional(Weight),
        discovery: Type.Optional(Weight),
        variety: Type.Optional(Weight),
        emergingArtists: Type.Optional(Weight),
        fairness: Type.Optional(Weight),
        promoted: Type.Optional(Weight),
        cost: Type.Optional(Weight),
      },
      { additionalProperties: false },
    ),
    /** Rules every returned sequence obeys. */
    constraints: Type.Object(
      {
        /** No two tracks by one artist within this many positions (1: not back to back). */
        artistSeparation: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
        maxPerAlbum: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        maxPerArtist: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        /** No track the listener played within this many hours. */
        noRepeatHours: Type.Optional(Type.Number({ minimum: 0, maximum: 24 * 365 })),
        explicit: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('block')])),
        /** ISO country of the listener: tracks not available there are left out. */
        market: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
        promotedShare: Type.Optional(Type.Object({ max: Share }, { additionalProperties: false })),
        /**
         * US webcasting performance complement over any `hours` window across a station's
         * pages: at most `perAlbum` tracks of one album (`albumInARow` consecutively) and
         * `perArtist` by one artist (`artistInARow` consecutively).
         */
        window: Type.Optional(
          Type.Object(
            {
              hours: Type.Number({ minimum: 0.1, maximum: 48 }),
              perAlbum: Type.Integer({ minimum: 1 }),
              albumInARow: Type.Integer({ minimum: 1 }),
              perArtist: Type.Integer({ minimum: 1 }),
              artistInARow: Type.Integer({ minimum: 1 }),
            },
            { additionalProperties: false },
          ),
        ),
        /** Podcast episodes: at most this many per page, never two in a row. */
        maxPodcasts: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
      },
      { additionalProperties: false },
    ),
    /** Shares met on average over a population, by calibrated multipliers. */
    targets: Type.Optional(
      Type.Object({ discoveryShare: Type.Optional(Share), emergingArtistShare: Type.Optional(Share) }, { additionalProperties: false }),
    ),
    /** Calibrated multipliers of the targets (written by calibration, stored with the policy). */
    multipliers: Type.Optional(
      Type.Object({ discoveryShare: Type.Optional(Type.Number()), emergingArtistShare: Type.Optional(Type.Number()) }, { additionalProperties: false }),
    ),
    solver: Type.Optional(
      Type.Object(
        {
          /** 1: greedy; more: beam search over partial sequences. */
          beamWidth: Type.Integer({ minimum: 1, maximum: 64 }),
          /** Candidates tried at each position (the best by item value). */
          branching: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        },
        { additionalProperties: false },
      ),
    ),
    exploration: Type.Optional(
      Type.Object(
        {
          /** Share of positions sampled from a softmax over the feasible candidates instead of taken best-first. */
          epsilon: Share,
          /** Softmax temperature over item values. */
          temperature: Type.Number({ minimum: 0.001, maximum: 100 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** What serving logs beside the served items, for off-policy evaluation from live logs. */
    logging: Type.Optional(
      Type.Object(
        {
          /** Share of requests whose exposure also logs the candidates the list was chosen from (default 0.05; see DEFAULT_CANDIDATES_SHARE). */
          candidatesShare: Type.Optional(Share),
          /**
           * How those requests explore when the policy itself does not (default
           * DEFAULT_LOGGING_EXPLORATION; epsilon 0: never): off-policy estimates of other
           * policies need the logged lists to explore.
           */
          exploration: Type.Optional(Type.Object({ epsilon: Share, temperature: Type.Number({ minimum: 0.001, maximum: 100 }) }, { additionalProperties: false })),
          /**
           * Share of requests served with their objective weights drawn around the policy's
           * own (default 0: none), each exposure logging the weights it used: what `segue
           * policy tune` learns weights from (see sequencing/weights.ts).
           */
          weightsShare: Type.Optional(Share),
          /** How far such a request's weights may be from the policy's: uniformly within plus or minus this (default DEFAULT_WEIGHTS_RADIUS), never below 0. */
          weightsRadius: Type.Optional(Type.Number({ minimum: 0.001, maximum: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type Policy = Static<typeof PolicySchema>;

const check = validator(PolicySchema);

/** A clear error for an invalid policy: which field and why. */
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

const webcasting = { hours: 3, perAlbum: 3, albumInARow: 2, perArtist: 4, artistInARow: 3 };

/** The default policy of each surface. */
export function defaultPolicy(surface: Surface): Policy {
  const base = {
    surface, length: 30,
    // 100 from each source: see docs/sequencing.md, "Retrieval depth and beam width", for what more or fewer cost and gain.
    candidates: SOURCE_NAMES.map((source) => ({ source, k: 100 })),
    objectives: { satisfaction: 1, flow: 0.3, discovery: 0.2, variety: 0.1, emergingArtists: 0.1 },
    constraints: { artistSeparation: 3, maxPerAlbum: 2, noRepeatHours: 24, explicit: 'allow' as const, promotedShare: { max: 0.1 }, maxPodcasts: 0 },
    solver: { beamWidth: 8, branching: 24 },
  };
  switch (surface) {
    // Lean-back surfaces: flow between neighbours weighs as much as each track's predicted
    // satisfaction (in the simulator's closed loop this beats sorting by the ranker alone);
    // no artist back to back, and radio keeps the webcasting window rules across pages.
    case 'radio':
      return {
        ...base, length: 50, objectives: { satisfaction: 1, flow: 1, emergingArtists: 0.05 },
        constraints: { ...base.constraints, artistSeparation: 1, maxPerAlbum: 3, window: webcasting }, targets: { discoveryShare: 0.3, emergingArtistShare: 0.15 },
      };
    case 'autoplay':
      return { ...base, objectives: { satisfaction: 1, flow: 1, emergingArtists: 0.05 }, constraints: { ...base.constraints, artistSeparation: 1, maxPerAlbum: 3 } };
    case 'discovery':
      return { ...base, objectives: { satisfaction: 1, flow: 0.1, discovery: 2, variety: 0.3, emergingArtists: 0.2 }, constraints: { ...base.constraints, artistSeparation: 30, maxPerAlbum: 1, maxPerArtist: 1, noRepeatHours: 24 * 365 } };
    case 'release-radar':
      return { ...base, candidates: [{ source: 'fresh', k: 500 }, { source: 'als', k: 200 }], objectives: { satisfaction: 1, flow: 0.1, discovery: 0.5, variety: 0.3 }, constraints: { ...base.constraints, maxPerArtist: 2, noRepeatHours: 0 } };
    case 'daily-mixes':
      return { ...base, length: 50, objectives: { satisfaction: 1, flow: 0.4, discovery: 0.2, variety: 0.1 }, constraints: { ...base.constraints, noRepeatHours: 0 } };
    case 'blend':
      return { ...base, length: 50, objectives: { satisfaction: 1, flow: 0.3, discovery: 0.1, variety: 0.2 } };
    case 'mood':
      return { ...base, objectives: { satisfaction: 1, flow: 0.5, discovery: 0.1, variety: 0.2 } };
    case 'enhance':
      return { ...base, objectives: { satisfaction: 1, flow: 0.8, discovery: 0.2 } };
    case 'shuffle':
      return { ...base, candidates: [{ source: 'popularity', k: 1 }], objectives: { satisfaction: 0.2, variety: 1 }, constraints: { artistSeparation: 3, noRepeatHours: 0, explicit: 'allow' }, solver: { beamWidth: 1 } };
  }
}

/** The candidate sources that are retrieval models (the others, SURFACE_RECIPES, name a surface's own recipe). */
export const RETRIEVAL_SOURCES: readonly string[] = SOURCE_NAMES;
/** Surfaces whose candidates come from retrieval: their policies must name a retrieval source. */
export const RETRIEVING_SURFACES: readonly Surface[] = ['autoplay', 'radio', 'daily-mixes', 'discovery', 'blend', 'mood', 'enhance'];
/** Candidates a request may retrieve in all (a request's CPU grows with them: see docs/sequencing.md, "Retrieval depth and beam width"). */
export const MAX_RETRIEVED = 2000;

export interface ParseOptions {
  /**
   * Check the retrieval rules (a retrieving surface names a retrieval source, at most
   * MAX_RETRIEVED candidates). Default true: every policy given now is checked. False for
   * policies stored before the rules (experiments, saved partials), which must still load;
   * serving reads their candidates leniently (see `retrieval` in surfaces/serve.ts).
   */
  retrievalRules?: boolean;
}

/** Parse and validate a policy; a surface's defaults fill what it leaves out of `constraints` and `objectives`. */
export function parsePolicy(value: unknown, where = 'policy', opts: ParseOptions = {}): Policy {
  const r = check.check(value);
  if (!r.ok) throw new PolicyError(`${where}: ${r.error}`);
  const p = r.value;
  if (opts.retrievalRules !== false && RETRIEVING_SURFACES.includes(p.surface)) {
    const retrieved = p.candidates.filter((c) => RETRIEVAL_SOURCES.includes(c.source));
    if (retrieved.length === 0) {
      throw new PolicyError(`${where}.candidates: ${p.surface} retrieves from ${RETRIEVAL_SOURCES.join(', ')}; the policy names none of them (${p.candidates.map((c) => c.source).join(', ')})`);
    }
    const total = retrieved.reduce((a, c) => a + c.k, 0);
    if (total > MAX_RETRIEVED) throw new PolicyError(`${where}.candidates: at most ${MAX_RETRIEVED} candidates from the retrieval sources in all, the policy asks for ${total}`);
  }
  if (p.constraints.maxPerAlbum !== undefined && p.constraints.maxPerArtist !== undefined && p.constraints.maxPerAlbum > p.constraints.maxPerArtist) {
    // Allowed, but it would never bind; say so rather than silently ignore it.
    throw new PolicyError(`${where}: constraints.maxPerAlbum (${p.constraints.maxPerAlbum}) is above constraints.maxPerArtist (${p.constraints.maxPerArtist}), so it never applies`);
  }
  return p;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlainObject(v) && isPlainObject(base[k]) ? deepMerge(base[k], v) : v;
  return out;
}

/**
 * A partial policy laid over a full one (by default the surface's own): objects merge key by
 * key at every depth, arrays and values replace. The result is validated as a whole.
 *
 * @example
 *   overridePolicy('radio', { objectives: { emergingArtists: 0.5 } }) // radio's defaults, more emerging artists
 */
export function overridePolicy(surface: Surface, overrides: unknown, where = 'policy', base: Policy = defaultPolicy(surface), opts: ParseOptions = {}): Policy {
  if (!isPlainObject(overrides)) throw new PolicyError(`${where}: expected a JSON object of policy fields, got ${JSON.stringify(overrides)?.slice(0, 60)}`);
  if (overrides.surface !== undefined && overrides.surface !== surface) throw new PolicyError(`${where}: surface is ${JSON.stringify(overrides.surface)}, but the request is for ${surface}`);
  return parsePolicy(deepMerge(base as unknown as Record<string, unknown>, overrides), where, opts);
}

/** What a saved policy's name may be: lowercase letters, digits, dot, dash, underscore; 1 to 64 characters. */
export const POLICY_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Check a partial policy before it is saved under a name: laid over every surface it may
 * apply to (its own `surface` when it names one, else all) it must make a valid policy. A
 * partial for no surface in particular may suit only some (release radar's `fresh`
 * candidates): the retrieval rules are checked when an experiment puts it on a surface.
 * Throws a PolicyError naming the surface.
 */
export function checkSavedPolicy(name: string, partial: unknown): Record<string, unknown> {
  if (!POLICY_NAME.test(name)) throw new PolicyError(`policy name must be lowercase letters, digits, dot, dash or underscore (at most 64), got ${JSON.stringify(name)}`);
  if (!isPlainObject(partial)) throw new PolicyError(`policy ${name}: expected a JSON object of policy fields`);
  const given = typeof partial.surface === 'string';
  for (const s of given ? [partial.surface as Surface] : SURFACES) {
    try {
      overridePolicy(s, partial, `policy ${name}`, undefined, { retrievalRules: given });
    } catch (err) {
      if (err instanceof PolicyError) throw new PolicyError(`${err.message} (on ${s})`);
      throw err;
    }
  }
  return partial;
}
