import type { Rng } from '../math/index.js';
import type { World } from './world.js';
import type { ListenerState } from './state.js';
import { LIKED, SAVED } from './state.js';

/**
 * The listener behaviour model: given a listener, what they remember, and a proposed
 * sequence, decide for each position whether they skip it, how long they listen, whether
 * they like, save, ban or add it to a playlist, and whether the session ends after it.
 * It is the environment of simulated A/B tests (RecSim, Ie et al. 2019; Accordion,
 * McDonald et al. 2021): the truth (each skip probability) is known, and the listener's
 * state evolves with what they are served.
 *
 * Skip probability is a logistic function of
 *   taste      latent match (listener · track, unit vectors) and genre preference,
 *   popularity hits are skipped a little less,
 *   flow       from the previous track: tempo ratio, energy difference, genre change, key,
 *   familiarity plays so far of this track and artist lower skips (saturating),
 *   novelty    unheard artists: open listeners skip them less, closed ones more,
 *   fatigue    recent repeats of the same track (decayed play count above an onset) raise skips,
 *   session    position in the session and a run of consecutive skips raise skips,
 *   context    lean-back (album, search) vs lean-in (autoplay, radio).
 * The session ends after a position with a hazard rising with position and with consecutive
 * skips, shifted by the session's own intent (drawn at its start) and the listener's habit.
 */

/** Context types as in ContextSchema, by code. */
export const CONTEXT_TYPES = ['album', 'playlist', 'radio', 'autoplay', 'mix', 'search', 'other'] as const;
export type ContextType = (typeof CONTEXT_TYPES)[number];
export const Ctx = { album: 0, playlist: 1, radio: 2, autoplay: 3, mix: 4, search: 5, other: 6 } as const;

/** How a play ended, by code. */
export const END_CODES = ['trackdone', 'fwdbtn', 'endplay'] as const;
export const End = { trackdone: 0, fwdbtn: 1, endplay: 2 } as const;

/** Every parameter of the behaviour model, with its default in DEFAULT_BEHAVIOUR. */
export interface BehaviourParams {
  /** Intercept of the skip logit. Default -0.3. */
  baseLogit: number;
  /** Weight of latent taste match (listener · track, in -1..1); a match lowers skips. Default 2.5. */
  taste: number;
  /** Weight of genre preference, ln(G · pref[genre]) clipped to [genreFloor, genreCeil]. Default 0.45. */
  genre: number;
  /** Floor of the genre term (a genre the listener never plays). Default -3. */
  genreFloor: number;
  /** Ceiling of the genre term. Default 2. */
  genreCeil: number;
  /** Weight of (popularity / 100 - 0.5): hits are skipped less. Default 0.6. */
  popularity: number;
  /** Per unit of |ln(tempo ratio)| with the previous track. Default 1.5. */
  flowTempo: number;
  /** Per unit of |energy difference| with the previous track. Default 1.8. */
  flowEnergy: number;
  /** Added when the genre changes from the previous track. Default 0.35. */
  flowGenre: number;
  /** Per step of key distance on the circle of fifths (0..6), divided by 6. Default 0.25. */
  flowKey: number;
  /** Largest skip-logit reduction from knowing the track: familiarTrack · (1 - exp(-plays / familiarScale)). Default 1.0. */
  familiarTrack: number;
  /** Plays for track familiarity to reach 63% of its effect. Default 3. */
  familiarScale: number;
  /** Largest reduction from knowing the artist. Default 0.5. */
  familiarArtist: number;
  /** Artist plays for 63% of its effect. Default 10. */
  familiarArtistScale: number;
  /** For a track by an unheard artist, adds novelty · (1 - 2 · openness). Default 0.8. */
  novelty: number;
  /** Per unit of recent exposure (heat) above fatigueOnset. Default 0.45. */
  fatigue: number;
  /** Heat (decayed recent plays of the track) at which fatigue starts. Default 2.5. */
  fatigueOnset: number;
  /** Half-life of heat, days (used by ListenerState). Default 2. */
  fatigueHalfLifeDays: number;
  /** Times ln(1 + position / 10): skips rise late in a session. Default 0.3. */
  sessionFatigue: number;
  /** Per consecutive skip just before, up to skipRunCap: a listener hunting for something. Default 0.3. */
  skipRun: number;
  /** Cap on consecutive skips counted. Default 4. */
  skipRunCap: number;
  /** Offset by context type (album, playlist, radio, autoplay, mix, search, other). Default [-0.7, 0, 0.15, 0.3, 0, -1.2, -0.4]. */
  contextBias: readonly number[];
  /** Offset for podcast episodes (chosen deliberately). Default -0.6. */
  podcastBias: number;
  /** Offset for an explicit track served to a listener who does not allow explicit content. Default 3. */
  explicitBlocked: number;
  /** Offset for a banned track or artist. Default 5. */
  bannedBias: number;
  /** Median time before a skip, ms (log-normal). Default 14,000. */
  skipMedianMs: number;
  /** Log-normal sigma of the time before a skip. Default 1.0. */
  skipSigma: number;
  /** Pause after a skip before the next track starts, ms (uniform 0..this). Default 1500. */
  skipGapMs: number;
  /** Intercept of the session-end logit after each position. Default -3.1. */
  endLogit: number;
  /** Times ln(1 + position): the hazard rises with position. Default 0.35. */
  endPosition: number;
  /** Per consecutive skip (up to skipRunCap). Default 0.35. */
  endSkipRun: number;
  /** Extra session-end logit after a podcast episode. Default 1.5. */
  endAfterPodcast: number;
  /** Standard deviation of a session's intent (its own offset on the end logit). Default 0.9. */
  endIntentSd: number;
  /** Share of session ends that cut the last track short (endReason endplay). Default 0.3. */
  endplayShare: number;
  /** Like logit intercept; + likeTaste · taste match; only on listened tracks not yet liked. Default -4.3. */
  likeLogit: number;
  likeTaste: number;
  /** Save logit intercept (+ likeTaste · match). Default -5.2. */
  saveLogit: number;
  /** Add-to-playlist logit intercept (+ likeTaste · match). Default -5.6. */
  addLogit: number;
  /** Ban logit intercept on skipped tracks; - banTaste · match. Default -5.5. */
  banLogit: number;
  banTaste: number;
  /** Share of bans that ban the whole artist. Default 0.2. */
  banArtistShare: number;
  /** Plays through after which a track joins the library. Default 3. */
  libraryAfter: number;
}

export const DEFAULT_BEHAVIOUR: Readonly<BehaviourParams> = {
  baseLogit: -0.3,
  taste: 2.5,
  genre: 0.45,
  genreFloor: -3,
  genreCeil: 2,
  popularity: 0.6,
  flowTempo: 1.5,
  flowEnergy: 1.8,
  flowGenre: 0.35,
  flowKey: 0.25,
  familiarTrack: 1.0,
  familiarScale: 3,
  familiarArtist: 0.5,
  familiarArtistScale: 10,
  novelty: 0.8,
  fatigue: 0.45,
  fatigueOnset: 2.5,
  fatigueHalfLifeDays: 2,
  sessionFatigue: 0.3,
  skipRun: 0.3,
  skipRunCap: 4,
  contextBias: [-0.7, 0, 0.15, 0.3, 0, -1.2, -0.4],
  podcastBias: -0.6,
  explicitBlocked: 3,
  bannedBias: 5,
  skipMedianMs: 14_000,
  skipSigma: 1.0,
  skipGapMs: 1500,
  endLogit: -3.1,
  endPosition: 0.35,
  endSkipRun: 0.35,
  endAfterPodcast: 1.5,
  endIntentSd: 0.9,
  endplayShare: 0.3,
  likeLogit: -4.3,
  likeTaste: 2.5,
  saveLogit: -5.2,
  addLogit: -5.6,
  banLogit: -5.5,
  banTaste: 2.5,
  banArtistShare: 0.2,
  libraryAfter: 3,
};

/** Defaults filled in; throws a RangeError naming a non-finite field. */
export function behaviourParams(p: Partial<BehaviourParams> = {}): BehaviourParams {
  const out: BehaviourParams = { ...DEFAULT_BEHAVIOUR, ...p };
  for (const [k, v] of Object.entries(out)) {
    if (k === 'contextBias') {
      const a = v as readonly number[];
      if (a.length !== CONTEXT_TYPES.length || !a.every(Number.isFinite)) throw new RangeError(`behaviour.contextBias must be ${CONTEXT_TYPES.length} finite numbers (${CONTEXT_TYPES.join(', ')})`);
    } else if (!Number.isFinite(v)) throw new RangeError(`behaviour.${k} must be a finite number, got ${String(v)}`);
  }
  for (const k of ['familiarScale', 'familiarArtistScale', 'fatigueHalfLifeDays', 'skipMedianMs'] as const) {
    if (!(out[k] > 0)) throw new RangeError(`behaviour.${k} must be > 0, got ${out[k]}`);
  }
  for (const k of ['endplayShare', 'banArtistShare'] as const) {
    if (!(out[k] >= 0 && out[k] <= 1)) throw new RangeError(`behaviour.${k} must be from 0 to 1, got ${out[k]}`);
  }
  return out;
}

/**
 * One listening session in progress; respond reads and advances it. Create with startSession.
 */
export interface SessionContext {
  /** Wall clock: when the next track starts, epoch ms. */
  clockMs: number;
  /** Tracks started so far in this session. */
  position: number;
  /** Skips in a row just before the next track. */
  consecutiveSkips: number;
  /** The last track played, -1 at the start. */
  prevTrack: number;
  /** Code of the context type (Ctx): lean-back or lean-in. */
  context: number;
  /** This session's offset on the end logit (negative: a long session). */
  intent: number;
  /** Set once the listener has stopped. */
  ended: boolean;
  skips: number;
}

/**
 * A new session for a listener at a time, in a context. Draws the session's intent.
 *
 * @example const ctx = startSession(world, 3, Date.parse('2025-06-02T08:00:00Z'), Ctx.radio, rng);
 */
export function startSession(
  world: World,
  listener: number,
  clockMs: number,
  context: number,
  rng: Rng,
  params: BehaviourParams = DEFAULT_BEHAVIOUR,
): SessionContext {
  return {
    clockMs,
    position: 0,
    consecutiveSkips: 0,
    prevTrack: -1,
    context,
    intent: world.listeners.sessionBias[listener]! + params.endIntentSd * rng.normal(),
    ended: false,
    skips: 0,
  };
}

/** Per-position outcomes of respond, in typed arrays (reused across calls when passed in). */
export class Responses {
  /** Positions evaluated: up to and including the one after which the session ended. */
  n = 0;
  played: Uint8Array;
  skipped: Uint8Array;
  /** End code (End). */
  endReason: Uint8Array;
  msPlayed: Int32Array;
  /** When the track started, epoch ms. */
  startMs: Float64Array;
  /** The model's skip probability: the known truth for estimators. */
  pSkip: Float32Array;
  liked: Uint8Array;
  saved: Uint8Array;
  addedToPlaylist: Uint8Array;
  /** 0 none, 1 the track, 2 its artist. */
  banned: Uint8Array;
  /** 1 at the position after which the session ended. */
  ended: Uint8Array;

  constructor(capacity: number) {
    this.played = new Uint8Array(capacity);
    this.skipped = new Uint8Array(capacity);
    this.endReason = new Uint8Array(capacity);
    this.msPlayed = new Int32Array(capacity);
    this.startMs = new Float64Array(capacity);
    this.pSkip = new Float32Array(capacity);
    this.liked = new Uint8Array(capacity);
    this.saved = new Uint8Array(capacity);
    this.addedToPlaylist = new Uint8Array(capacity);
    this.banned = new Uint8Array(capacity);
    this.ended = new Uint8Array(capacity);
  }

  get capacity(): number {
    return this.played.length;
  }
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Latent match of a listener and a track, in -1..1 (both are unit vectors). */
export function tasteMatch(world: World, listener: number, track: number): number {
  const D = world.dims;
  const u = world.listeners.latent;
  const v = world.trackLatent;
  let s = 0;
  for (let d = 0, i = listener * D, j = track * D; d < D; d++, i++, j++) s += u[i]! * v[j]!;
  return s;
}

/** How jarring the step from track a to track b is (0 for a perfect segue), before weighting by the listener. */
export function flowCost(world: World, a: number, b: number, params: BehaviourParams = DEFAULT_BEHAVIOUR): number {
  if (a < 0 || world.podcast[a] === 1 || world.podcast[b] === 1) return 0;
  const tempo = Math.abs(world.logTempo[b]! - world.logTempo[a]!);
  const energy = Math.abs(world.energy[b]! - world.energy[a]!);
  // Distance on the circle of fifths (0..6).
  let k = Math.abs(world.fifths[a]! - world.fifths[b]!);
  if (k > 6) k = 12 - k;
  return params.flowTempo * tempo + params.flowEnergy * energy + (world.trackGenre[a] !== world.trackGenre[b] ? params.flowGenre : 0) + (params.flowKey * k) / 6;
}

/** The part of the skip logit that depends only on listener and track (taste, genre, popularity). */
export function affinityLogit(world: World, listener: number, track: number, params: BehaviourParams = DEFAULT_BEHAVIOUR): number {
  const G = world.musicGenres;
  const g = world.trackGenre[track]!;
  let genreTerm = 0;
  if (g < G) {
    const pref = world.listeners.genrePref[listener * G + g]!;
    genreTerm = pref > 0 ? Math.log(G * pref) : params.genreFloor;
    if (genreTerm < params.genreFloor) genreTerm = params.genreFloor;
    else if (genreTerm > params.genreCeil) genreTerm = params.genreCeil;
  }
  return -params.taste * tasteMatch(world, listener, track) - params.genre * genreTerm - params.popularity * (world.popularity[track]! / 100 - 0.5);
}

/**
 * The probability that the listener skips `track` if it plays next in this session, now.
 * Pure: reads the state and the session, changes nothing.
 */
export function skipProbability(world: World, state: ListenerState, track: number, ctx: SessionContext, params: BehaviourParams = DEFAULT_BEHAVIOUR): number {
  const l = state.listener;
  const L = world.listeners;
  const artist = world.trackArtist[track]!;
  let z = params.baseLogit + L.skipBias[l]! + affinityLogit(world, l, track, params);
  const plays = state.trackPlays(track);
  const artistPlays = state.artistPlays(artist);
  z -= params.familiarTrack * (1 - Math.exp(-plays / params.familiarScale));
  z -= params.familiarArtist * (1 - Math.exp(-artistPlays / params.familiarArtistScale));
  if (artistPlays === 0) z += params.novelty * (1 - 2 * L.openness[l]!);
  if (plays > 0) {
    const heat = state.trackHeat(track, ctx.clockMs);
    if (heat > params.fatigueOnset) z += params.fatigue * (heat - params.fatigueOnset);
  }
  if (ctx.prevTrack >= 0) z += L.flowSensitivity[l]! * flowCost(world, ctx.prevTrack, track, params);
  z += params.sessionFatigue * Math.log1p(ctx.position / 10);
  z += params.skipRun * Math.min(ctx.consecutiveSkips, params.skipRunCap);
  z += params.contextBias[ctx.context] ?? 0;
  if (world.podcast[track] === 1) z += params.podcastBias;
  if (world.explicit[track] === 1 && L.allowExplicit[l] === 0) z += params.explicitBlocked;
  if (state.isBanned(track, artist)) z += params.bannedBias;
  return sigmoid(z);
}

/**
 * The listener's response to a proposed sequence, position by position, until the session
 * ends or the sequence runs out. Advances the session (clock, position, skip run) and the
 * listener's state (plays, fatigue, library, likes, bans). Positions after the end are left
 * unplayed (`played` 0); `out.n` counts the positions evaluated.
 *
 * @param seq track ixs, in order
 * @param out reused output; allocated when absent or too small
 * @example
 *   const ctx = startSession(world, l, t0, Ctx.radio, rng);
 *   const r = respond(world, state, Int32Array.of(5, 9, 12), ctx, rng);
 *   r.skipped[0]; r.msPlayed[0]; r.ended[r.n - 1];
 */
export function respond(
  world: World,
  state: ListenerState,
  seq: Int32Array,
  ctx: SessionContext,
  rng: Rng,
  params: BehaviourParams = DEFAULT_BEHAVIOUR,
  out?: Responses,
): Responses {
  const r = out !== undefined && out.capacity >= seq.length ? out : new Responses(seq.length);
  r.played.fill(0, 0, seq.length);
  r.n = 0;
  const l = state.listener;
  for (let i = 0; i < seq.length && !ctx.ended; i++) {
    const t = seq[i]!;
    const artist = world.trackArtist[t]!;
    const p = skipProbability(world, state, t, ctx, params);
    const skipped = rng.next() < p;
    const dur = world.durationMs[t]!;
    let ms: number;
    let end: number;
    if (skipped) {
      ms = Math.round(Math.min(0.9 * dur, Math.max(500, rng.lognormal(Math.log(params.skipMedianMs), params.skipSigma))));
      end = End.fwdbtn;
    } else {
      ms = dur;
      end = End.trackdone;
    }
    // Reactions: likes, saves and playlist adds on listened tracks; bans on skipped ones.
    const match = tasteMatch(world, l, t);
    r.liked[i] = 0;
    r.saved[i] = 0;
    r.addedToPlaylist[i] = 0;
    r.banned[i] = 0;
    if (!skipped) {
      const flags = state.flags(t);
      if ((flags & LIKED) === 0 && rng.next() < sigmoid(params.likeLogit + params.likeTaste * match)) {
        r.liked[i] = 1;
        state.like(t);
      }
      if ((flags & SAVED) === 0 && rng.next() < sigmoid(params.saveLogit + params.likeTaste * match)) {
        r.saved[i] = 1;
        state.save(t);
      }
      if (rng.next() < sigmoid(params.addLogit + params.likeTaste * match)) r.addedToPlaylist[i] = 1;
    } else if (rng.next() < sigmoid(params.banLogit - params.banTaste * match)) {
      if (rng.next() < params.banArtistShare) {
        r.banned[i] = 2;
        state.banArtist(artist);
      } else {
        r.banned[i] = 1;
        state.banTrack(t);
      }
    }
    const run = skipped ? Math.min(ctx.consecutiveSkips + 1, params.skipRunCap) : 0;
    let h = params.endLogit + ctx.intent + params.endPosition * Math.log1p(ctx.position + 1) + params.endSkipRun * run;
    if (world.podcast[t] === 1) h += params.endAfterPodcast;
    const ended = rng.next() < sigmoid(h);
    if (ended && !skipped && rng.next() < params.endplayShare) {
      ms = Math.round(dur * rng.uniform(0.1, 0.95));
      end = End.endplay;
    }
    r.played[i] = 1;
    r.skipped[i] = skipped ? 1 : 0;
    r.endReason[i] = end;
    r.msPlayed[i] = ms;
    r.startMs[i] = ctx.clockMs;
    r.pSkip[i] = p;
    r.ended[i] = ended ? 1 : 0;
    state.recordPlay(t, artist, ctx.clockMs, skipped, 1, params.libraryAfter);
    ctx.clockMs += ms + (skipped ? Math.round(rng.next() * params.skipGapMs) : 0);
    ctx.position++;
    ctx.consecutiveSkips = skipped ? ctx.consecutiveSkips + 1 : 0;
    if (skipped) ctx.skips++;
    ctx.prevTrack = t;
    ctx.ended = ended;
    r.n = i + 1;
  }
  return r;
}
