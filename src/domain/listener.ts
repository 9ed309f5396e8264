import { Type, type Static } from '@sinclair/typebox';
import { validator } from './validate.js';

export const ListenerSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 256 }),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2030 })),
    /** Whether explicit content may be played for this listener. */
    allowExplicit: Type.Optional(Type.Boolean()),
    premium: Type.Optional(Type.Boolean()),
    createdAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type Listener = Static<typeof ListenerSchema>;
export const listenerValidator = validator(ListenerSchema);
