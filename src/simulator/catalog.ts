import { AliasTable, Rng, derive } from '../math/index.js';
import type { WorldParams } from './params.js';
import { GENRES, LABELS, PODCAST_GENRE } from './vocabulary.js';
import { buildPlaylists, type Playlists } from './playlists.js';

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

/**
 * The synthetic catalog in typed arrays. Tracks are stored artist by artist, album by album
 * (music first, then podcast episodes), so an album's tracks are
 * `albumStart[al] .. albumStart[al + 1]` and an artist's albums `artistAlbumStart[a] .. [a + 1]`.
 * Its editorial playlists are playlists.ts's Playlists.
 */
export interface Catalog extends Playlists {
  readonly dims: number;
  /** Music genre names, then 'podcast'. */
  readonly genreNames: readonly string[];
  /** G: the music genres are 0..G-1; G itself is the podcast genre. */
  readonly musicGenres: number;
  /** Unit direction of each music genre in the latent space, G × dims. */
  readonly genreLatent: Float32Array;

  /** Music artists, then podcast shows (as their publishers). */
  readonly artists: number;
  readonly musicArtists: number;
  readonly shows: number;
  /** Up to three genres per artist (-1 unused), artists × 3; the first is the main one. */
  readonly artistGenres: Int16Array;
  /** Weights of those genres, summing to 1, artists × 3. */
  readonly artistGenreWeights: Float32Array;
  /** Popularity weight (Pareto), the scale of its tracks' weights. */
  readonly artistWeight: Float64Array;
  readonly artistEmerging: Uint8Array;
  readonly artistDebutMs: Float64Array;
  readonly artistLatent: Float32Array;
  /** Offsets into albums, artists + 1. */
  readonly artistAlbumStart: Int32Array;

  readonly albums: number;
  readonly albumArtist: Int32Array;
  readonly albumReleaseMs: Float64Array;
  /** Index into LABELS. */
  readonly albumLabel: Uint8Array;
  /** Offsets into tracks, albums + 1. */
  readonly albumStart: Int32Array;

  readonly tracks: number;
  readonly musicTracks: number;
  readonly trackArtist: Int32Array;
  readonly trackAlbum: Int32Array;
  /** Main genre; musicGenres for podcast episodes. */
  readonly trackGenre: Int16Array;
  /** Unit vectors, tracks × dims. */
  readonly trackLatent: Float32Array;
  readonly tempo: Float32Array;
  readonly energy: Float32Array;
  readonly valence: Float32Array;
  readonly danceability: Float32Array;
  readonly acousticness: Float32Array;
  readonly instrumentalness: Float32Array;
  readonly speechiness: Float32Array;
  readonly liveness: Float32Array;
  readonly loudness: Float32Array;
  /** Pitch class 0..11. */
  readonly key: Int8Array;
  /** Derived for flow: ln(tempo), and the key's position on the circle of fifths (key · 7 mod 12). */
  readonly logTempo: Float32Array;
  readonly fifths: Int8Array;
  /** 1 major, 0 minor. */
  readonly mode: Uint8Array;
  readonly durationMs: Int32Array;
  readonly explicit: Uint8Array;
  /** 0..100, from the track's weight. */
  readonly popularity: Uint8Array;
  /** Relative chance of being picked when a genre is browsed. */
  readonly trackWeight: Float64Array;
  readonly podcast: Uint8Array;
  readonly promoted: Uint8Array;
  readonly costTier: Uint8Array;

  /** Music tracks grouped by main genre: genreTrackList[genreTrackStart[g] .. genreTrackStart[g + 1]]. */
  readonly genreTrackStart: Int32Array;
  readonly genreTrackList: Int32Array;
  /** Per music genre, tracks by weight (null for a genre with no tracks). */
  readonly genreSampler: ReadonlyArray<AliasTable | null>;
  /** Podcast shows (artist ixs) by weight; null without podcasts. */
  readonly showSampler: AliasTable | null;
}

const logit = (p: number): number => Math.log(p / (1 - p));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

function normalizeRow(a: Float32Array, row: number, dims: number): void {
  let s = 0;
  for (let d = 0; d < dims; d++) s += a[row * dims + d]! ** 2;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let d = 0; d < dims; d++) a[row * dims + d]! *= inv;
}

/** Split `total` into `n` positive integer parts in proportion to weights (each at least 1). */
function apportion(total: number, weights: Float64Array, rng: Rng): Int32Array {
  const n = weights.length;
  const out = new Int32Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i]!;
  let assigned = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.max(1, Math.floor((total * weights[i]!) / sum));
    assigned += out[i]!;
  }
  const table = new AliasTable(weights);
  while (assigned < total) {
    out[table.sample(rng)]!++;
    assigned++;
  }
  while (assigned > total) {
    const i = table.sample(rng);
    if (out[i]! > 1) {
      out[i]!--;
      assigned--;
    }
  }
  return out;
}

/** Build the catalog part of a world. See buildWorld. */
export function buildCatalog(p: WorldParams, seed: number): Catalog {
  const rng = derive(seed, 'catalog');
  const G = p.genres;
  const D = p.dims;
  const T = p.tracks;
  const podcastTracks = p.podcastShare > 0 ? Math.min(T - 1, Math.max(1, Math.round(T * p.podcastShare))) : 0;
  const musicTracks = T - podcastTracks;
  const shows = podcastTracks > 0 ? Math.min(podcastTracks, Math.max(1, Math.round(podcastTracks / p.episodesPerShow))) : 0;
  const musicArtists = Math.min(musicTracks, p.artists > 0 ? p.artists : Math.max(1, Math.round(musicTracks / 12)));
  const A = musicArtists + shows;

  // Genres: three families of related genres; a genre's direction leans on its family's.
  const families = new Float32Array(3 * D);
  for (let i = 0; i < families.length; i++) families[i] = rng.normal() / Math.sqrt(D);
  const genreLatent = new Float32Array(G * D);
  for (let g = 0; g < G; g++) {
    const f = GENRES[g]!.family;
    for (let d = 0; d < D; d++) genreLatent[g * D + d] = 0.75 * families[f * D + d]! + (0.65 * rng.normal()) / Math.sqrt(D);
    normalizeRow(genreLatent, g, D);
  }
  const genreShares = GENRES.slice(0, G).map((x) => x.share);

  // Artists.
  const artistGenres = new Int16Array(A * 3).fill(-1);
  const artistGenreWeights = new Float32Array(A * 3);
  const artistWeight = new Float64Array(A);
  const artistEmerging = new Uint8Array(A);
  const artistDebutMs = new Float64Array(A);
  const artistLatent = new Float32Array(A * D);
  const artistLabel = new Uint8Array(A);
  const artistExplicit = new Uint8Array(A);
  // An artist's own sound: offsets in logit space of energy, valence, danceability,
  // acousticness, instrumentalness, and a tempo offset in genre standard deviations.
  const SOUND = 6;
  const artistSound = new Float32Array(A * SOUND);
  const genreTable = new AliasTable(genreShares);
  const labelTable = new AliasTable(LABELS.map((l) => l.share));
  const indieLabels = new Int32Array(LABELS.flatMap((l, i) => (l.costTier <= 1 ? [i] : [])));
  for (let a = 0; a < musicArtists; a++) {
    const main = genreTable.sample(rng);
    const family = GENRES[main]!.family;
    artistGenres[a * 3] = main;
    artistGenreWeights[a * 3] = 1;
    let slots = 1;
    const extra = rng.next() < 0.5 ? (rng.next() < 0.4 ? 2 : 1) : 0;
    for (let k = 0; k < extra && G > 1; k++) {
      let g = genreTable.sample(rng);
      for (let tries = 0; tries < 8 && (GENRES[g]!.family !== family || g === main) && rng.next() < 0.8; tries++) g = genreTable.sample(rng);
      let dup = false;
      for (let s = 0; s < slots; s++) dup ||= artistGenres[a * 3 + s] === g;
      if (dup) continue;
      artistGenres[a * 3 + slots] = g;
      artistGenreWeights[a * 3 + slots] = rng.uniform(0.15, 0.6);
      slots++;
    }
    let wsum = 0;
    for (let s = 0; s < slots; s++) wsum += artistGenreWeights[a * 3 + s]!;
    for (let s = 0; s < slots; s++) artistGenreWeights[a * 3 + s]! /= wsum;

    const emerging = rng.next() < p.emergingShare;
    artistEmerging[a] = emerging ? 1 : 0;
    artistWeight[a] = rng.pareto(p.popularityAlpha) * (emerging ? p.emergingReach : 1);
    artistDebutMs[a] = emerging
      ? p.startMs - rng.uniform(30, 730) * DAY
      : p.startMs - Math.min(60, 2 + 10 * rng.exponential()) * YEAR;
    artistLabel[a] = emerging && rng.next() < 0.7 ? indieLabels[rng.int(indieLabels.length)]! : labelTable.sample(rng);
    artistExplicit[a] = rng.next() < Math.min(0.95, GENRES[main]!.explicit * 1.2) ? 1 : 0;
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let k = 0; k < slots; k++) s += artistGenreWeights[a * 3 + k]! * genreLatent[artistGenres[a * 3 + k]! * D + d]!;
      artistLatent[a * D + d] = s + (0.6 * rng.normal()) / Math.sqrt(D);
    }
    normalizeRow(artistLatent, a, D);
    for (let k = 0; k < SOUND; k++) artistSound[a * SOUND + k] = 0.5 * rng.normal();
  }
  for (let s = 0; s < shows; s++) {
    const a = musicArtists + s;
    artistGenres[a * 3] = G;
    artistGenreWeights[a * 3] = 1;
    artistWeight[a] = rng.pareto(p.popularityAlpha);
    artistDebutMs[a] = p.startMs - rng.uniform(60, 8 * 365) * DAY;
    artistLabel[a] = rng.next() < 0.5 ? 0 : 1;
    artistExplicit[a] = rng.next() < 0.2 ? 1 : 0;
    for (let d = 0; d < D; d++) artistLatent[a * D + d] = rng.normal();
    normalizeRow(artistLatent, a, D);
  }

  // Tracks per artist, then albums (singles, EPs, LPs) in release order.
  const countWeights = new Float64Array(musicArtists);
  for (let a = 0; a < musicArtists; a++) countWeights[a] = rng.lognormal(0, 0.7) * (1 + 0.15 * Math.log1p(artistWeight[a]!));
  const artistTrackCount = new Int32Array(A);
  artistTrackCount.set(apportion(musicTracks, countWeights, rng));
  if (shows > 0) {
    const showWeights = new Float64Array(shows);
    for (let s = 0; s < shows; s++) showWeights[s] = rng.lognormal(0, 0.5);
    artistTrackCount.set(apportion(podcastTracks, showWeights, rng), musicArtists);
  }
  const maxAlbums = musicTracks + shows;
  const albumArtistTmp = new Int32Array(maxAlbums);
  const albumReleaseTmp = new Float64Array(maxAlbums);
  const albumStartTmp = new Int32Array(maxAlbums + 1);
  const artistAlbumStart = new Int32Array(A + 1);
  let albums = 0;
  let trackCursor = 0;
  const sizes: number[] = [];
  for (let a = 0; a < A; a++) {
    artistAlbumStart[a] = albums;
    let left = artistTrackCount[a]!;
    sizes.length = 0;
    if (a >= musicArtists) {
      sizes.push(left); // a show is one album of episodes
      left = 0;
    }
    while (left > 0) {
      const u = rng.next();
      const size = Math.min(left, u < 0.25 ? 1 : u < 0.45 ? 3 + rng.int(4) : 8 + rng.int(7));
      sizes.push(size);
      left -= size;
    }
    const debut = artistDebutMs[a]!;
    const n = sizes.length;
    for (let k = 0; k < n; k++) {
      albumArtistTmp[albums] = a;
      let release = debut + ((p.startMs - debut) * (k + 0.9 * rng.next())) / n;
      if (k === n - 1 && a < musicArtists && rng.next() < 0.15) release = p.startMs - rng.uniform(1, 60) * DAY;
      albumReleaseTmp[albums] = Math.min(release, p.startMs - DAY);
      albumStartTmp[albums] = trackCursor;
      trackCursor += sizes[k]!;
      albums++;
    }
  }
  artistAlbumStart[A] = albums;
  albumStartTmp[albums] = trackCursor;
  const albumArtist = albumArtistTmp.slice(0, albums);
  const albumReleaseMs = albumReleaseTmp.slice(0, albums);
  const albumStart = albumStartTmp.slice(0, albums + 1);
  const albumLabel = new Uint8Array(albums);
  for (let al = 0; al < albums; al++) albumLabel[al] = artistLabel[albumArtist[al]!]!;

  // Track attributes.
  const trackArtist = new Int32Array(T);
  const trackAlbum = new Int32Array(T);
  const trackGenre = new Int16Array(T);
  const trackLatent = new Float32Array(T * D);
  const tempo = new Float32Array(T);
  const energy = new Float32Array(T);
  const valence = new Float32Array(T);
  const danceability = new Float32Array(T);
  const acousticness = new Float32Array(T);
  const instrumentalness = new Float32Array(T);
  const speechiness = new Float32Array(T);
  const liveness = new Float32Array(T);
  const loudness = new Float32Array(T);
  const key = new Int8Array(T);
  const mode = new Uint8Array(T);
  const durationMs = new Int32Array(T);
  const explicit = new Uint8Array(T);
  const trackWeight = new Float64Array(T);
  const podcast = new Uint8Array(T);
  const promoted = new Uint8Array(T);
  const costTier = new Uint8Array(T);
  for (let al = 0; al < albums; al++) {
    const a = albumArtist[al]!;
    const isShow = a >= musicArtists;
    const ageDays = (p.startMs - albumReleaseMs[al]!) / DAY;
    const n = albumStart[al + 1]! - albumStart[al]!;
    for (let t = albumStart[al]!, pos = 0; t < albumStart[al + 1]!; t++, pos++) {
      trackArtist[t] = a;
      trackAlbum[t] = al;
      costTier[t] = clamp(LABELS[albumLabel[al]!]!.costTier + (rng.next() < 0.1 ? (rng.next() < 0.5 ? -1 : 1) : 0), 0, 3);
      if (isShow) {
        podcast[t] = 1;
        trackGenre[t] = G;
        // Weekly episodes, the newest last; listeners favour recent ones.
        const epAgeDays = (n - 1 - pos) * 7 + rng.uniform(0, 3);
        tempo[t] = clamp(110 + 15 * rng.normal(), 60, 180);
        energy[t] = clamp(0.4 + 0.1 * rng.normal(), 0, 1);
        valence[t] = clamp(0.5 + 0.15 * rng.normal(), 0, 1);
        danceability[t] = clamp(0.55 + 0.1 * rng.normal(), 0, 1);
        acousticness[t] = clamp(0.6 + 0.2 * rng.normal(), 0, 1);
        instrumentalness[t] = 0;
        speechiness[t] = clamp(0.9 + 0.05 * rng.normal(), 0, 1);
        liveness[t] = clamp(0.3 + 0.1 * rng.normal(), 0, 1);
        loudness[t] = clamp(-12 + 2 * rng.normal(), -40, -1);
        key[t] = rng.int(12);
        mode[t] = rng.next() < 0.5 ? 1 : 0;
        durationMs[t] = Math.round(clamp(rng.lognormal(Math.log(40 * 60_000), 0.5), 5 * 60_000, 180 * 60_000));
        explicit[t] = artistExplicit[a]!;
        trackWeight[t] = artistWeight[a]! * Math.exp(-epAgeDays / 60) + 1e-9;
        for (let d = 0; d < D; d++) trackLatent[t * D + d] = artistLatent[a * D + d]! + (0.2 * rng.normal()) / Math.sqrt(D);
        normalizeRow(trackLatent, t, D);
        continue;
      }
      const g = artistGenres[a * 3 + sampleSlot(artistGenreWeights, a * 3, rng)]!;
      const gs = GENRES[g]!;
      trackGenre[t] = g;
      const snd = a * SOUND;
      const unit = (mean: number, artistOff: number, spread: number): number =>
        clamp(sigmoid(logit(clamp(mean, 0.01, 0.99)) + artistOff + spread * rng.normal()), 0, 1);
      energy[t] = unit(gs.energy, artistSound[snd]!, 0.7);
      valence[t] = unit(gs.valence, artistSound[snd + 1]!, 0.9);
      danceability[t] = unit(gs.danceability, artistSound[snd + 2]!, 0.6);
      acousticness[t] = unit(gs.acousticness, artistSound[snd + 3]! - 2 * (energy[t]! - gs.energy), 1.0);
      instrumentalness[t] = unit(gs.instrumentalness, artistSound[snd + 4]!, 1.2);
      speechiness[t] = unit(gs.speechiness, 0, 0.6);
      liveness[t] = unit(gs.liveness, 0, 0.6);
      tempo[t] = clamp(gs.tempo + gs.tempoSd * (0.6 * artistSound[snd + 5]! + 0.75 * rng.normal()), 50, 220);
      loudness[t] = clamp(gs.loudness + 8 * (energy[t]! - gs.energy) + 2 * rng.normal(), -40, -1);
      key[t] = rng.int(12);
      mode[t] = rng.next() < 0.6 ? 1 : 0;
      durationMs[t] = Math.round(clamp(rng.lognormal(Math.log(gs.seconds * 1000), 0.22), 60_000, 15 * 60_000));
      explicit[t] = rng.next() < (artistExplicit[a] ? 0.85 : 0.03) ? 1 : 0;
      for (let d = 0; d < D; d++) {
        trackLatent[t * D + d] = artistLatent[a * D + d]! + 0.3 * genreLatent[g * D + d]! + (0.45 * rng.normal()) / Math.sqrt(D);
      }
      normalizeRow(trackLatent, t, D);
      // A hit or two per album, a lift for new releases.
      trackWeight[t] = artistWeight[a]! * rng.lognormal(0, p.trackPopularitySigma) * (1 + 2 * Math.exp(-ageDays / 45)) / (1 + 0.1 * pos);
      promoted[t] = rng.next() < p.promotedShare ? 1 : 0;
    }
  }

  const logTempo = new Float32Array(T);
  const fifths = new Int8Array(T);
  for (let t = 0; t < T; t++) {
    logTempo[t] = Math.log(tempo[t]!);
    fifths[t] = (key[t]! * 7) % 12;
  }

  // Popularity 0..100: Spotify-like, an affine map of log weight (median near 40).
  const popularity = new Uint8Array(T);
  let m = 0;
  let m2 = 0;
  for (let t = 0; t < T; t++) {
    const x = Math.log(trackWeight[t]!);
    m += x;
    m2 += x * x;
  }
  m /= T;
  const sd = Math.sqrt(Math.max(1e-12, m2 / T - m * m));
  for (let t = 0; t < T; t++) popularity[t] = Math.round(clamp(40 + (18 * (Math.log(trackWeight[t]!) - m)) / sd, 0, 100));

  // Samplers: music tracks grouped by genre, each group by weight.
  const genreTrackStart = new Int32Array(G + 1);
  for (let t = 0; t < musicTracks; t++) genreTrackStart[trackGenre[t]! + 1]!++;
  for (let g = 0; g < G; g++) genreTrackStart[g + 1]! += genreTrackStart[g]!;
  const genreTrackList = new Int32Array(musicTracks);
  const fill = genreTrackStart.slice(0, G);
  for (let t = 0; t < musicTracks; t++) genreTrackList[fill[trackGenre[t]!]!++] = t;
  const genreSampler: (AliasTable | null)[] = [];
  for (let g = 0; g < G; g++) {
    const items = genreTrackList.subarray(genreTrackStart[g]!, genreTrackStart[g + 1]!);
    if (items.length === 0) {
      genreSampler.push(null);
      continue;
    }
    const w = new Float64Array(items.length);
    for (let i = 0; i < items.length; i++) w[i] = trackWeight[items[i]!]!;
    genreSampler.push(new AliasTable(w, items));
  }
  const showSampler = shows > 0 ? new AliasTable(artistWeight.subarray(musicArtists), Int32Array.from({ length: shows }, (_, s) => musicArtists + s)) : null;

  const pl = buildPlaylists(p, G, genreTrackStart, genreTrackList, genreSampler, albumReleaseMs, trackAlbum, T, rng);

  return {
    dims: D,
    genreNames: [...GENRES.slice(0, G).map((g) => g.name), PODCAST_GENRE],
    musicGenres: G,
    genreLatent,
    artists: A,
    musicArtists,
    shows,
    artistGenres,
    artistGenreWeights,
    artistWeight,
    artistEmerging,
    artistDebutMs,
    artistLatent,
    artistAlbumStart,
    albums,
    albumArtist,
    albumReleaseMs,
    albumLabel,
    albumStart,
    tracks: T,
    musicTracks,
    trackArtist,
    trackAlbum,
    trackGenre,
    trackLatent,
    tempo,
    energy,
    valence,
    danceability,
    acousticness,
    instrumentalness,
    speechiness,
    liveness,
    loudness,
    key,
    logTempo,
    fifths,
    mode,
    durationMs,
    explicit,
    popularity,
    trackWeight,
    podcast,
    promoted,
    costTier,
    genreTrackStart,
    genreTrackList,
    genreSampler,
    showSampler,
    ...pl,
  };
}

function sampleSlot(weights: Float32Array, offset: number, rng: Rng): number {
  let x = rng.next();
  for (let s = 0; s < 2; s++) {
    x -= weights[offset + s]!;
    if (x < 0) return s;
  }
  return weights[offset + 2]! > 0 ? 2 : 0;
}
