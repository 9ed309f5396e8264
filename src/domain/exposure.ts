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
  },
  { additionalProperties: false },
);
export type Exposure = Static<typeof ExposureSchema>;
export const exposureValidator = validator(ExposureSchema);
