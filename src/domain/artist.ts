import { Type, type Static } from '@sinclair/typebox';
import { validator } from './validate.js';
import { MusicBrainzId, ReleaseDate } from './track.js';

export const ArtistSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 256 }),
    name: Type.String({ minLength: 1, maxLength: 512 }),
    genres: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 64 })),
    /** Set by the service; when absent Segue derives it (see deriveEmerging). */
    emerging: Type.Optional(Type.Boolean()),
    /** First release, used to derive the emerging flag. */
    debut: Type.Optional(ReleaseDate),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    /** The MusicBrainz artist id, where the source knows it. */
    mbid: Type.Optional(MusicBrainzId),
  },
  { additionalProperties: false },
);
export type Artist = Static<typeof ArtistSchema>;
export const artistValidator = validator(ArtistSchema);

export interface EmergingRule {
  /** Artists whose share of plays ranks below this quantile of all artists (0..1). Default 0.8. */
  maxPlayQuantile: number;
  /** Debut no longer ago than this many days (when a debut is known). Default 3 years. */
  maxAgeDays: number;
}
export const DEFAULT_EMERGING_RULE: EmergingRule = { maxPlayQuantile: 0.8, maxAgeDays: 3 * 365 };

/**
 * The emerging flag of each artist: the flag the service set wins; otherwise an artist is
 * emerging when its play count is below the `maxPlayQuantile` quantile of all artists and
 * (if its debut is known) it debuted within `maxAgeDays` of `now`.
 *
 * @param plays play counts aligned with `artists`
 * @returns a Uint8Array aligned with `artists`, 1 for emerging
 * @example deriveEmerging([{id:'a',name:'A'}], new Float64Array([3]), Date.now())
 */
export function deriveEmerging(
  artists: ReadonlyArray<Pick<Artist, 'emerging' | 'debut'>>,
  plays: Float64Array,
  now: number,
  rule: EmergingRule = DEFAULT_EMERGING_RULE,
): Uint8Array {
  if (plays.length !== artists.length) throw new RangeError(`deriveEmerging: ${artists.length} artists but ${plays.length} play counts`);
  const sorted = Float64Array.from(plays).sort();
  const cut = sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(rule.maxPlayQuantile * sorted.length))]!;
  const out = new Uint8Array(artists.length);
  const maxAgeMs = rule.maxAgeDays * 86_400_000;
  for (let i = 0; i < artists.length; i++) {
    const a = artists[i]!;
    if (a.emerging !== undefined) {
      out[i] = a.emerging ? 1 : 0;
      continue;
    }
    const young = a.debut === undefined || now - Date.parse(a.debut.length === 4 ? `${a.debut}-01-01` : a.debut) <= maxAgeMs;
    out[i] = plays[i]! < cut && young ? 1 : 0;
  }
  return out;
}
