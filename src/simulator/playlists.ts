import type { AliasTable, Rng } from '../math/index.js';
import type { WorldParams } from './params.js';

const DAY = 86_400_000;

/** Kinds of editorial playlist, cycled per genre. */
export const PLAYLIST_KINDS = ['Essentials', 'Deep Cuts', 'Fresh'] as const;

/** A world's editorial playlists (part of its Catalog). */
export interface Playlists {
  readonly playlists: number;
  readonly playlistGenre: Int16Array;
  /** Index into PLAYLIST_KINDS. */
  readonly playlistKind: Uint8Array;
  /** Offsets into playlistTracks, playlists + 1. */
  readonly playlistStart: Int32Array;
  readonly playlistTracks: Int32Array;
  /** Editorial playlists of genre g: playlistsPerGenre consecutive ixs from playlistOfGenre[g] (-1 when none). */
  readonly playlistOfGenre: Int32Array;
}

/**
 * Editorial playlists, `playlistsPerGenre` per music genre: Essentials (by popularity), Deep
 * Cuts (uniform over the genre), Fresh (released in the last year), of distinct tracks.
 */
export function buildPlaylists(
  p: WorldParams,
  G: number,
  genreTrackStart: Int32Array,
  genreTrackList: Int32Array,
  genreSampler: ReadonlyArray<AliasTable | null>,
  albumReleaseMs: Float64Array,
  trackAlbum: Int32Array,
  T: number,
  rng: Rng,
): Playlists {
  const per = p.playlistsPerGenre;
  const playlistOfGenre = new Int32Array(G).fill(-1);
  let P = 0;
  for (let g = 0; g < G; g++) if (genreSampler[g] !== null && per > 0) P += per;
  const playlistGenre = new Int16Array(P);
  const playlistKind = new Uint8Array(P);
  const playlistStart = new Int32Array(P + 1);
  const tracks: number[] = [];
  const taken = new Uint8Array(T);
  let ix = 0;
  for (let g = 0; g < G; g++) {
    const sampler = genreSampler[g];
    if (sampler === null || per === 0) continue;
    playlistOfGenre[g] = ix;
    const lo = genreTrackStart[g]!;
    const n = genreTrackStart[g + 1]! - lo;
    for (let k = 0; k < per; k++, ix++) {
      const kind = k % PLAYLIST_KINDS.length;
      playlistGenre[ix] = g;
      playlistKind[ix] = kind;
      playlistStart[ix] = tracks.length;
      const want = Math.min(p.playlistLength, n);
      const first = tracks.length;
      for (let tries = 0; tracks.length - first < want && tries < want * 30; tries++) {
        let t: number;
        if (kind === 0) t = sampler.sample(rng);
        else t = genreTrackList[lo + rng.int(n)]!;
        // Fresh: released in the last year, when the genre has such tracks.
        if (kind === 2 && tries < want * 20 && albumReleaseMs[trackAlbum[t]!]! < p.startMs - 365 * DAY) continue;
        if (taken[t]) continue;
        taken[t] = 1;
        tracks.push(t);
      }
      for (let i = first; i < tracks.length; i++) taken[tracks[i]!] = 0;
    }
  }
  playlistStart[P] = tracks.length;
  return { playlists: P, playlistGenre, playlistKind, playlistStart, playlistTracks: Int32Array.from(tracks), playlistOfGenre };
}
