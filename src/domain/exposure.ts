import { Type, type Static } from '@sinclair/typebox';
import { validator } from './validate.js';

const Id = Type.String({ minLength: 1, maxLength: 256 });

/** One item of a served sequence, as logged for attribution and off-policy evaluation. */
export const ExposureItemSchema = Type.Object(
  {
    trackId: Id,
    position: Type.Integer({ minimum: 0 }),
    score: Type.Number(),
    /** Probability that the serving policy put this item at this position (1 when deterministic). */
    propensity: Type.Number({ minimum: 0, maximum: 1 }),
    source: Type.Optional(Type.String({ maxLength: 64 })),
    /** An interleaving experiment's list: the variant (team a or b) that placed this item. */
    team: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
  },
  { additionalProperties: false },
);

/**
 * The candidates a list was chosen from (logged for a sampled share of requests,
 * policy.logging.candidatesShare): those the serving policy's filters let through, in rank
 * order, with the satisfaction the objectives read and whether each is new to the listener.
 * With the catalog, the request's time and `seed`, they give any policy's choice
 * probabilities for the logged list: off-policy evaluation from the live log.
 */
export const ExposureCandidatesSchema = Type.Object(
  {
    trackIds: Type.Array(Id, { maxItems: 5_000 }),
    /** Satisfaction per candidate (6 significant digits). */
    scores: Type.Array(Type.Number(), { maxItems: 5_000 }),
    /** One character per candidate: 1 new to the listener, 0 played before. */
    isNew: Type.String({ pattern: '^[01]*$', maxLength: 5_000 }),
    /** Seed of the request's exploration. */
    seed: Type.Number(),
    /** The station's earlier plays that the rules read (radio pages after the first): track ids and their times. */
    history: Type.Optional(Type.Object({ trackIds: Type.Array(Id, { maxItems: 5_000 }), ts: Type.Array(Type.Number(), { maxItems: 5_000 }) }, { additionalProperties: false })),
    /**
     * The policy the list was walked with, less its retrieval and logging (objectives,
     * constraints, exploration, solver, targets): the logging policy's whole choice
     * distribution at each position, which the marginalized estimator (MIPS) reads.
     */
    policy: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

const WeightMap = Type.Record(Type.String({ maxLength: 64 }), Type.Number({ minimum: 0, maximum: 100 }), { maxProperties: 16 });

/** Everything one recommendation response showed a listener. */
export const ExposureSchema = Type.Object(
  {
    requestId: Id,
    listenerId: Id,
    surface: Type.String({ minLength: 1, maxLength: 64 }),
    ts: Type.Number({ minimum: 0 }),
    policyId: Type.Optional(Type.String({ maxLength: 128 })),
    experiment: Type.Optional(Type.String({ maxLength: 128 })),
    variant: Type.Optional(Type.String({ maxLength: 128 })),
    sessionId: Type.Optional(Id),
    items: Type.Array(ExposureItemSchema, { maxItems: 10_000 }),
    candidates: Type.Optional(ExposureCandidatesSchema),
    /**
     * A request served with explored objective weights (policy.logging.weightsShare): the
     * policy's own, the ones used, and the interval each was drawn from uniformly.
     */
    weights: Type.Optional(Type.Object({ base: WeightMap, used: WeightMap, low: WeightMap, high: WeightMap }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type Exposure = Static<typeof ExposureSchema>;
export type ExposureCandidates = Static<typeof ExposureCandidatesSchema>;
export const exposureValidator = validator(ExposureSchema);
