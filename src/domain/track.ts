import { Type, type Static } from '@sinclair/typebox';
import { validator } from './validate.js';

const Id = Type.String({ minLength: 1, maxLength: 256 });
const Unit = Type.Number({ minimum: 0, maximum: 1 });
/** Calendar date of a release: YYYY, YYYY-MM or YYYY-MM-DD (labels often know only the year). */
export const ReleaseDate = Type.String({ pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$' });

/**
 * Epoch ms of a YYYY, YYYY-MM or YYYY-MM-DD release date (its first day); NaN when absent or unreadable.
 *
 * @example releaseMs('2021-06') // Date.UTC(2021, 5, 1)
 */
export function releaseMs(date: string | undefined): number {
  if (!date) return NaN;
  const [y, m, d] = date.split('-').map(Number);
  if (!Number.isInteger(y)) return NaN;
  return Date.UTC(y!, (m ?? 1) - 1, d ?? 1);
}

/**
 * Audio features as Spotify's Web API defines them. Every feature is optional: real
 * catalogs lack some, and models treat a missing feature as unknown, not zero.
 */
export const AudioFeaturesSchema = Type.Object(
  {
    tempo: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
    energy: Type.Optional(Unit),
    valence: Type.Optional(Unit),
    danceability: Type.Optional(Unit),
    acousticness: Type.Optional(Unit),
    instrumentalness: Type.Optional(Unit),
    speechiness: Type.Optional(Unit),
    liveness: Type.Optional(Unit),
    /** Integrated loudness in dB (LUFS-like), typically -60 to 0. */
    loudness: Type.Optional(Type.Number({ minimum: -80, maximum: 10 })),
    /** Pitch class 0 = C ... 11 = B; -1 when no key was detected. */
    key: Type.Optional(Type.Integer({ minimum: -1, maximum: 11 })),
    /** 1 major, 0 minor. */
    mode: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  },
  { additionalProperties: false },
);
export type AudioFeatures = Static<typeof AudioFeaturesSchema>;

/** A MusicBrainz identifier (a UUID): recording for a track, release for an album, artist for an artist. */
export const MusicBrainzId = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });

export const ArtistRefSchema = Type.Object({ id: Id, name: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false });

export const AlbumRefSchema = Type.Object(
  { id: Id, title: Type.String({ maxLength: 1024 }), releaseDate: Type.Optional(ReleaseDate), mbid: Type.Optional(MusicBrainzId) },
  { additionalProperties: false },
);

/** A promotion window during which the service may boost the track (within policy caps). */
export const PromotedSchema = Type.Object(
  { from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
);

export const TrackSchema = Type.Object(
  {
    id: Id,
    title: Type.String({ maxLength: 1024 }),
    /** Credited artists, main artist first. Empty only for sources that do not name them. */
    artists: Type.Array(ArtistRefSchema, { maxItems: 64 }),
    album: Type.Optional(AlbumRefSchema),
    durationMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 3600 * 1000 })),
    releaseDate: Type.Optional(ReleaseDate),
    genres: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 64 })),
    audio: Type.Optional(AudioFeaturesSchema),
    explicit: Type.Optional(Type.Boolean()),
    /** 0..100, as Spotify reports it; Segue also derives its own from plays. */
    popularity: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    contentType: Type.Optional(Type.Union([Type.Literal('music'), Type.Literal('podcast')])),
    /** ISO 3166-1 alpha-2 codes where the track may be played; absent means everywhere. */
    markets: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { maxItems: 300 })),
    promoted: Type.Optional(PromotedSchema),
    /** Licensing cost tier: 0 owned or free, 1 low, 2 standard, 3 premium. */
    costTier: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
    label: Type.Optional(Type.String({ maxLength: 512 })),
    /** The MusicBrainz recording id, where the source knows it (a self-hosted server's tags). */
    mbid: Type.Optional(MusicBrainzId),
  },
  { additionalProperties: false },
);
export type Track = Static<typeof TrackSchema>;
export const trackValidator = validator(TrackSchema);
