import { AliasTable, type Rng } from '../math/index.js';
import { sampleSmall, type World } from './world.js';
import type { ListenerState } from './state.js';
import { flowCost, tasteMatch, type BehaviourParams } from './behaviour.js';
import type { SessionParams } from './params.js';

/**
 * What listeners choose by themselves, before any Segue surface: a track to their taste, a
 * popular one, one from their library, the next radio track, a podcast episode, and the
 * library and shows they bring to the simulation. Every choice respects the listener's bans
 * and explicit-content setting, as a service would.
 */
export class Chooser {
  /** Music genres by total weight (what the whole service plays). */
  private readonly genrePopularity: AliasTable;
  /** Scratch: the radio query vector. */
  private readonly query: Float32Array;

  constructor(
    readonly world: World,
    readonly sp: SessionParams,
    readonly bp: BehaviourParams,
  ) {
    const totals: number[] = [];
    const genres: number[] = [];
    world.genreSampler.forEach((s, g) => {
      if (s !== null) {
        totals.push(s.total);
        genres.push(g);
      }
    });
    this.genrePopularity = new AliasTable(totals, Int32Array.from(genres));
    this.query = new Float32Array(world.dims);
  }

  /**
   * Fill a new listener's memory with `size` library tracks played before the simulation,
   * and, for podcast listeners, one to three followed shows.
   */
  priorHistory(l: number, s: ListenerState, size: number, rng: Rng): void {
    const w = this.world;
    for (let i = 0; i < size; i++) {
      const t = this.pick(l, s, rng);
      s.remember(t, w.trackArtist[t]!, 1 + rng.poisson(3));
    }
    if (w.listeners.podcastShare[l]! > 0 && w.showSampler !== null) {
      const follows = 1 + rng.int(3);
      for (let k = 0; k < follows; k++) {
        let best = -1;
        let bestScore = -Infinity;
        for (let c = 0; c < 3; c++) {
          const show: number = w.showSampler.sample(rng);
          const first = w.albumStart[w.artistAlbumStart[show]!]!;
          if (w.listeners.allowExplicit[l] === 0 && w.explicit[first] === 1) continue;
          const score = tasteMatch(w, l, first) / this.sp.temperature + rng.gumbel();
          if (score > bestScore) {
            bestScore = score;
            best = show;
          }
        }
        if (best >= 0) s.follow(best);
      }
    }
  }

  /** Whether the listener may not be served the track (explicit content not allowed, banned). */
  blocked(l: number, state: ListenerState, t: number): boolean {
    const w = this.world;
    return (w.explicit[t] === 1 && w.listeners.allowExplicit[l] === 0) || state.isBanned(t, w.trackArtist[t]!);
  }

  /** A track the listener picks for themselves: a genre by preference, the best of a few by taste. */
  pick(l: number, state: ListenerState, rng: Rng): number {
    const w = this.world;
    const G = w.musicGenres;
    const temp = this.sp.temperature;
    // A favourite genre first; if every candidate is blocked (explicit, banned), other genres.
    for (let round = 0; round < 8; round++) {
      const g = round === 0 ? sampleSmall(w.listeners.genrePref, l * G, G, rng) : this.genrePopularity.sample(rng);
      const sampler = w.genreSampler[g] ?? w.genreSampler[this.genrePopularity.sample(rng)]!;
      let best = -1;
      let bestScore = -Infinity;
      for (let c = 0; c < this.sp.candidates; c++) {
        const t = sampler.sample(rng);
        const score = tasteMatch(w, l, t) / temp + rng.gumbel();
        if (score > bestScore && !this.blocked(l, state, t)) {
          bestScore = score;
          best = t;
        }
      }
      if (best >= 0) return best;
    }
    return this.anyAllowed(l, state, rng);
  }

  /** Any music track the listener may hear, scanning from a random start (the last resort). */
  anyAllowed(l: number, state: ListenerState, rng: Rng): number {
    const n = this.world.musicTracks;
    const from = rng.int(n);
    for (let i = 0; i < n; i++) {
      const t = (from + i) % n;
      if (!this.blocked(l, state, t)) return t;
    }
    return from; // everything is blocked: play something rather than nothing
  }

  /** A popular track (what people search for most). */
  popular(l: number, state: ListenerState, rng: Rng): number {
    const w = this.world;
    for (let tries = 0; tries < 4; tries++) {
      const t = w.genreSampler[this.genrePopularity.sample(rng)]!.sample(rng);
      if (!this.blocked(l, state, t)) return t;
    }
    return this.pick(l, state, rng);
  }

  /** A library track, avoiding the last few plays and the first k tracks of `chunk` (a few tries). */
  fromLibrary(state: ListenerState, rng: Rng, chunk: Int32Array, k: number): number {
    const n = state.librarySize;
    const recent = Math.min(this.sp.recentExclude, n >> 1);
    let t = state.library[rng.int(n)]!;
    for (let tries = 0; tries < 6; tries++) {
      let dup = false;
      for (let j = 0; j < k; j++) dup ||= chunk[j] === t;
      if (!dup && !state.playedRecently(t, recent) && !state.isBanned(t, this.world.trackArtist[t]!)) break;
      t = state.library[rng.int(n)]!;
    }
    return t;
  }

  /**
   * The next radio or autoplay track after `prev`: near the seed and the previous track, to
   * the listener's taste, smooth. The three similarities are one dot product with a combined
   * query (1.5 · seed + prev + 0.8 · listener), computed once per step.
   */
  radioNext(l: number, state: ListenerState, prev: number, seed: number, chunk: Int32Array, k: number, rng: Rng): number {
    const w = this.world;
    const G = w.musicGenres;
    const D = w.dims;
    const sp = this.sp;
    let g: number;
    if (rng.next() < sp.radioExplore || w.podcast[prev] === 1) g = sampleSmall(w.listeners.genrePref, l * G, G, rng);
    else g = w.trackGenre[rng.next() < 0.5 ? prev : seed]!;
    const sampler = (g < G ? w.genreSampler[g] : null) ?? w.genreSampler[this.genrePopularity.sample(rng)]!;
    const lat = w.trackLatent;
    const u = w.listeners.latent;
    const q = this.query;
    for (let d = 0; d < D; d++) q[d] = 1.5 * lat[seed * D + d]! + lat[prev * D + d]! + 0.8 * u[l * D + d]!;
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < sp.radioCandidates; c++) {
      const t = sampler.sample(rng);
      let sim = 0;
      for (let d = 0, o = t * D; d < D; d++) sim += q[d]! * lat[o + d]!;
      const score = sim - 0.8 * flowCost(w, prev, t, this.bp) + rng.next();
      // Eligibility is checked only for a candidate that would win: most never need it.
      if (score <= bestScore || t === prev || t === seed || this.blocked(l, state, t) || state.playedRecently(t, sp.recentExclude)) continue;
      let dup = false;
      for (let j = 0; j < k; j++) dup ||= chunk[j] === t;
      if (dup) continue;
      bestScore = score;
      best = t;
    }
    return best >= 0 ? best : this.pick(l, state, rng);
  }

  /** An episode of a followed show: mostly the newest unheard of the last ten, else any. */
  episode(state: ListenerState, rng: Rng): number {
    const w = this.world;
    const show = state.shows[rng.int(state.nShows)]!;
    const al = w.artistAlbumStart[show]!;
    const lo = w.albumStart[al]!;
    const hi = w.albumStart[al + 1]!;
    if (rng.next() < 0.85) for (let t = hi - 1; t >= Math.max(lo, hi - 10); t--) if (state.trackPlays(t) === 0) return t;
    return lo + rng.int(hi - lo);
  }
}
