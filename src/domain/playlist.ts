import { Type, type Static } from '@sinclair/typebox';
import { validator } from './validate.js';

/** A playlist is a listening context: an ordered list of tracks with a name. */
export const PlaylistSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 256 }),
    name: Type.String({ maxLength: 1024 }),
    ownerId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    trackIds: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 20_000 }),
    followers: Type.Optional(Type.Integer({ minimum: 0 })),
    modifiedAt: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type Playlist = Static<typeof PlaylistSchema>;
export const playlistValidator = validator(PlaylistSchema);
