import { Rng, deriveSeed } from '../math/index.js';
import { worldParams, type WorldParams } from './params.js';
import { COUNTRIES, GENRES } from './vocabulary.js';
import { buildCatalog, type Catalog } from './catalog.js';

/** The organic session kinds a listener mixes (podcast sessions come on top, by podcastShare). */
export const SESSION_KINDS = ['album', 'playlist', 'radio', 'search', 'library'] as const;
/** Population mean of listeners' session-kind mix, in SESSION_KINDS order. */
const BASE_MIX = [0.15, 0.3, 0.2, 0.1, 0.25];

/**
 * Listeners, held column-wise: listener `l`'s genre preferences are
 * `genrePref.subarray(l * G, (l + 1) * G)`, its latent taste `latent.subarray(l * dims, ...)`.
 */
export interface Listeners {
  count: number;
  /** Unit vectors in the shared latent space, count × dims. */
  latent: Float32Array;
  /** Genre preference (sums to 1 over the music genres), count × G. */
  genrePref: Float32Array;
  /** Mean sessions per day. */
  activity: Float32Array;
  /** Two preferred local hours of the day (morning-ish, evening-ish), count × 2. */
  peakHours: Float32Array;
  /** Probability that a session falls around the first peak. */
  peakWeight: Float32Array;
  /** Standard deviation of session start around a peak, in hours. */
  hourSpread: Float32Array;
  /** Openness to novelty, 0..1: open listeners skip unfamiliar artists less. */
  openness: Float32Array;
  /** Listener-level offset on the skip logit. */
  skipBias: Float32Array;
  /** Multiplier on how much bad flow (tempo, energy, genre jumps) raises skips. */
  flowSensitivity: Float32Array;
  /** Listener-level offset on the session-end logit (negative: longer sessions). */
  sessionBias: Float32Array;
  /** Share of sessions that are podcast sessions (0 for most listeners). */
  podcastShare: Float32Array;
  /** Mix over SESSION_KINDS, count × SESSION_KINDS.length. */
  sessionMix: Float32Array;
  /** Index into COUNTRIES. */
  country: Uint8Array;
  /** Offset of local time from UTC, minutes. */
  utcOffset: Int16Array;
  birthYear: Int16Array;
  premium: Uint8Array;
  allowExplicit: Uint8Array;
}

/**
 * A synthetic world: catalog (genres, artists, albums, tracks, podcast shows, editorial
 * playlists) and listeners, all in typed arrays indexed by dense ixs. Build it with
 * buildWorld; turn entities into Segue records with the functions in records.ts.
 */
export interface World extends Catalog {
  readonly params: WorldParams;
  readonly seed: number;
  readonly listeners: Listeners;
}

/**
 * Build a world from parameters and a seed. Deterministic: the same (params, seed) give the
 * same world. Every listener's traits come from its own derived stream, so listener 17 is
 * the same listener in a world of 100 listeners and in one of 100,000 (with the same catalog).
 *
 * @example
 *   const world = buildWorld({ tracks: 5000, listeners: 300 }, 42);
 *   world.tracks;                // 5000
 *   world.listeners.count;       // 300
 */
export function buildWorld(params: Partial<WorldParams> = {}, seed = 42): World {
  const p = worldParams(params);
  const catalog = buildCatalog(p, seed >>> 0);
  const listeners = buildListeners(p, seed >>> 0, catalog);
  return { ...catalog, params: p, seed: seed >>> 0, listeners };
}

function normalizeInPlace(v: Float32Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
}

/** Sample an index from a small array of weights by a linear scan (n up to a few dozen). */
export function sampleSmall(weights: ArrayLike<number>, offset: number, n: number, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[offset + i]!;
  let x = rng.next() * total;
  for (let i = 0; i < n; i++) {
    x -= weights[offset + i]!;
    if (x < 0) return i;
  }
  return n - 1;
}

function buildListeners(p: WorldParams, seed: number, c: Catalog): Listeners {
  const L = p.listeners;
  const G = c.musicGenres;
  const D = c.dims;
  const K = SESSION_KINDS.length;
  const out: Listeners = {
    count: L,
    latent: new Float32Array(L * D),
    genrePref: new Float32Array(L * G),
    activity: new Float32Array(L),
    peakHours: new Float32Array(L * 2),
    peakWeight: new Float32Array(L),
    hourSpread: new Float32Array(L),
    openness: new Float32Array(L),
    skipBias: new Float32Array(L),
    flowSensitivity: new Float32Array(L),
    sessionBias: new Float32Array(L),
    podcastShare: new Float32Array(L),
    sessionMix: new Float32Array(L * K),
    country: new Uint8Array(L),
    utcOffset: new Int16Array(L),
    birthYear: new Int16Array(L),
    premium: new Uint8Array(L),
    allowExplicit: new Uint8Array(L),
  };
  const countryShares = COUNTRIES.map((x) => x.share);
  let shareSum = 0;
  for (let g = 0; g < G; g++) shareSum += GENRES[g]!.share;
  const alpha = new Float64Array(G);
  const pref = new Float64Array(G);
  const mixAlpha = new Float64Array(BASE_MIX.map((x) => x * 6));
  const mix = new Float64Array(K);
  const v = new Float32Array(D);
  const startYear = new Date(p.startMs).getUTCFullYear();
  const rng = new Rng(0);
  for (let l = 0; l < L; l++) {
    rng.reseed(deriveSeed(seed, 'listener', l));
    const country = sampleSmall(countryShares, 0, countryShares.length, rng);
    const cs = COUNTRIES[country]!;
    out.country[l] = country;
    out.utcOffset[l] = cs.utcOffset;
    const age = Math.min(85, Math.round(16 + rng.gamma(2) * 8));
    out.birthYear[l] = startYear - age;
    out.premium[l] = rng.bernoulli(0.45) ? 1 : 0;
    out.allowExplicit[l] = age >= 18 && rng.bernoulli(0.95) ? 1 : 0;
    for (let g = 0; g < G; g++) {
      const boosted = cs.boost?.includes(GENRES[g]!.name) ? 4 : 1;
      alpha[g] = (p.genreConcentration * G * GENRES[g]!.share * boosted) / shareSum;
    }
    rng.dirichlet(alpha, pref);
    for (let g = 0; g < G; g++) out.genrePref[l * G + g] = pref[g]!;
    // Taste: the genres' directions, weighted by preference, plus a personal twist.
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let g = 0; g < G; g++) s += pref[g]! * c.genreLatent[g * D + d]!;
      v[d] = s + (0.6 / Math.sqrt(D)) * rng.normal();
    }
    normalizeInPlace(v);
    out.latent.set(v, l * D);
    const sigma = p.activitySigma;
    out.activity[l] = rng.lognormal(Math.log(p.sessionsPerDay) - (sigma * sigma) / 2, sigma);
    out.peakHours[2 * l] = 8.5 + 1.5 * rng.normal();
    out.peakHours[2 * l + 1] = rng.bernoulli(0.15) ? 23 + 1.5 * rng.normal() : 19.5 + 2 * rng.normal();
    out.peakWeight[l] = rng.beta(2, 3);
    out.hourSpread[l] = rng.uniform(0.8, 2.5);
    out.openness[l] = rng.beta(2, 3);
    out.skipBias[l] = 0.5 * rng.normal();
    out.flowSensitivity[l] = rng.lognormal(0, 0.4);
    out.sessionBias[l] = 0.5 * rng.normal();
    out.podcastShare[l] = c.shows > 0 && rng.bernoulli(p.podcastListeners) ? rng.beta(1.5, 4) : 0;
    rng.dirichlet(mixAlpha, mix);
    for (let k = 0; k < K; k++) out.sessionMix[l * K + k] = mix[k]!;
  }
  return out;
}

/** The podcast genre's index in `world.genreNames` (one past the music genres). */
export function podcastGenre(world: Pick<Catalog, 'musicGenres'>): number {
  return world.musicGenres;
}
