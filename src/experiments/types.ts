import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../domain/index.js';
import { SURFACES, overridePolicy, PolicyError, type Surface } from '../sequencing/index.js';
import { RANKED_LIST_SURFACES } from '../surfaces/index.js';

/** Metrics of experiment reports, computed per listener (the unit of randomization). */
export const METRICS = {
  listenThroughRate: { direction: 'up', kind: 'ratio', about: 'share of attributed plays listened through' },
  skipRate: { direction: 'down', kind: 'ratio', about: 'share of attributed plays skipped' },
  minutesPerSession: { direction: 'up', kind: 'ratio', about: 'minutes listened per session with an attributed play' },
  sessionsPerListener: { direction: 'up', kind: 'mean', about: 'sessions with an attributed play, per exposed listener' },
  minutesPerListener: { direction: 'up', kind: 'mean', about: 'minutes of attributed plays per exposed listener' },
  emergingShare: { direction: 'up', kind: 'ratio', about: 'share of attributed plays that went to emerging artists' },
  genreVariety: { direction: 'up', kind: 'mean', about: 'distinct genres among a listener\'s attributed plays' },
  artistGini: { direction: 'down', kind: 'variant', about: 'concentration (Gini) of attributed plays over artists, per variant (bootstrap interval)' },
} as const;
export type MetricName = keyof typeof METRICS;
const MetricSchema = Type.Union(Object.keys(METRICS).map((m) => Type.Literal(m)));

/** The surfaces an interleaving experiment may run on: those that serve one list from one ranked candidate set. */
export const INTERLEAVE_SURFACES = RANKED_LIST_SURFACES;

const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'lowercase letters, digits, dot, dash, underscore' });

export const ExperimentSchema = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    /**
     * `ab` (default): each listener gets one variant. `interleave`: every listener in the
     * experiment gets one list merged from both variants' (team-draft interleaving), and the
     * report credits each variant's tracks (docs/experiments.md, "Interleaving").
     */
    design: Type.Optional(Type.Union([Type.Literal('ab'), Type.Literal('interleave')])),
    /** Interleaving's credit: a play counts for its team when listened through, or, with `listenMs`, played at least that long; a skip counts against. */
    credit: Type.Optional(Type.Object({ listenMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })) }, { additionalProperties: false })),
    /** Assignment hashes (salt, listener): a new salt reshuffles listeners. Default: the name. */
    salt: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    surfaces: Type.Array(Type.Union(SURFACES.map((s) => Type.Literal(s))), { minItems: 1, uniqueItems: true }),
    variants: Type.Array(
      Type.Object(
        {
          name: Name,
          /** Share of the experiment's listeners (relative to the other variants' weights). */
          weight: Type.Number({ exclusiveMinimum: 0 }),
          /** A partial policy laid over each surface's default (objects merge, values replace). */
          policy: Type.Optional(Type.Object({}, { additionalProperties: true })),
        },
        { additionalProperties: false },
      ),
      { minItems: 2, maxItems: 10 },
    ),
    /** The variant compared against (default: the first). */
    control: Type.Optional(Name),
    /** Share of the layer's listeners in this experiment (default 1). */
    allocation: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    /** Experiments in one layer never share a listener; experiments in different layers may. Default 'default'. */
    layer: Type.Optional(Name),
    /**
     * A long-term holdout: this share of the experiment's listeners keeps the control
     * experience, also after a variant ships, so the long-term effect stays measurable.
     */
    holdout: Type.Optional(Type.Number({ minimum: 0, maximum: 0.5 })),
    /** When assignment starts and stops (ISO-8601 or epoch ms); default: at `start` and `stop`. */
    startAt: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 40 })])),
    stopAt: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 40 })])),
    metrics: Type.Optional(
      Type.Object(
        {
          success: Type.Array(MetricSchema, { minItems: 1 }),
          /** Non-inferiority margins, relative (0.02: the metric may not get more than 2% worse). */
          guardrails: Type.Array(Type.Object({ metric: MetricSchema, margin: Type.Number({ minimum: 0, maximum: 1 }) }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.2 })),
    /** A planned sample size (listeners) makes the sequential test group-sequential; otherwise it is always valid (mSPRT). */
    plannedListeners: Type.Optional(Type.Integer({ minimum: 10 })),
    /** Days before the start used as the pre-period covariate of CUPED (default 7; 0: no CUPED). */
    preDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 90 })),
  },
  { additionalProperties: false },
);
export type ExperimentDef = Static<typeof ExperimentSchema>;

export type ExperimentStatus = 'draft' | 'running' | 'stopped' | 'shipped';

/** An experiment as stored: its definition and its life. */
export interface Experiment {
  def: ExperimentDef;
  status: ExperimentStatus;
  createdAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  /** Where the experiment's slice of its layer begins (set at start). */
  offset: number;
  shippedVariant: string | null;
}

export const DEFAULT_METRICS: NonNullable<ExperimentDef['metrics']> = {
  success: ['listenThroughRate'],
  guardrails: [{ metric: 'skipRate', margin: 0.02 }, { metric: 'minutesPerSession', margin: 0.03 }],
};

export class ExperimentError extends Error {
  constructor(message: string, readonly notFound = false) {
    super(message);
    this.name = 'ExperimentError';
  }
}

const check = validator(ExperimentSchema);

/**
 * Validate a definition: the schema, unique variant names, a known control, policies valid on
 * every surface. `stored`: a definition read back from the store, whose policies may predate
 * rules added since (it must load, or the experiment could not even be stopped).
 */
export function parseExperiment(value: unknown, where = 'experiment', stored = false): ExperimentDef {
  const r = check.check(value);
  if (!r.ok) throw new ExperimentError(`${where}: ${r.error}`);
  const def = r.value;
  const names = def.variants.map((v) => v.name);
  if (new Set(names).size !== names.length) throw new ExperimentError(`${where}: variant names must be unique, got ${names.join(', ')}`);
  if (def.control !== undefined && !names.includes(def.control)) throw new ExperimentError(`${where}: control ${JSON.stringify(def.control)} is not a variant (${names.join(', ')})`);
  if (names.includes('holdout')) throw new ExperimentError(`${where}: "holdout" is reserved for the long-term holdout`);
  for (const v of def.variants) {
    for (const s of def.surfaces) {
      try {
        overridePolicy(s as Surface, v.policy ?? {}, `variants.${v.name}.policy`, undefined, { retrievalRules: !stored });
      } catch (err) {
        if (err instanceof PolicyError) throw new ExperimentError(`${where}: ${err.message} (on ${s})`);
        throw err;
      }
    }
  }
  if (def.design === 'interleave') {
    if (def.variants.length !== 2) throw new ExperimentError(`${where}: an interleaving experiment has exactly two variants (a and b), got ${def.variants.length}`);
    const bad = def.surfaces.filter((s) => !(INTERLEAVE_SURFACES as readonly string[]).includes(s));
    if (bad.length > 0) throw new ExperimentError(`${where}: interleaving runs on ${INTERLEAVE_SURFACES.join(', ')} (one ranked list per request), not ${bad.join(', ')}`);
    if ((def.holdout ?? 0) > 0) throw new ExperimentError(`${where}: an interleaving experiment has no holdout: every listener in it sees both variants`);
  } else if (def.credit !== undefined) throw new ExperimentError(`${where}: credit applies to interleaving experiments (design "interleave") only`);
  const m = def.metrics ?? DEFAULT_METRICS;
  for (const g of m.guardrails) if (m.success.includes(g.metric)) throw new ExperimentError(`${where}: ${g.metric} is both a success metric and a guardrail`);
  return def;
}

export const controlOf = (def: ExperimentDef): string => def.control ?? def.variants[0]!.name;
