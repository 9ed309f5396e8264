import { describe, expect, it } from 'vitest';
import { Rng } from '../math/index.js';
import {
  buildWorld, behaviourParams, Ctx, DEFAULT_BEHAVIOUR, End, flowCost, ListenerState, respond, Responses,
  skipProbability, startSession, tasteMatch, type SessionContext,
} from './index.js';

const world = buildWorld({ tracks: 5000, listeners: 50 }, 42);
const G = world.musicGenres;
const start = world.params.startMs + 9 * 3600_000;

/** A session that never ends by itself, to look at skips alone. */
function endless(l: number, context: number = Ctx.radio): SessionContext {
  const ctx = startSession(world, l, start, context, new Rng(1));
  ctx.intent = -50;
  return ctx;
}

function genresByPreference(l: number): number[] {
  return Array.from({ length: G }, (_, g) => g).sort((a, b) => world.listeners.genrePref[l * G + b]! - world.listeners.genrePref[l * G + a]!);
}

/** The n music tracks of a genre with the best (or worst) taste match for the listener. */
function tracksByMatch(l: number, g: number, n: number, best: boolean): number[] {
  const ts: number[] = [];
  for (let i = world.genreTrackStart[g]!; i < world.genreTrackStart[g + 1]!; i++) {
    const t = world.genreTrackList[i]!;
    if (world.explicit[t] === 0) ts.push(t);
  }
  ts.sort((a, b) => (best ? tasteMatch(world, l, b) - tasteMatch(world, l, a) : tasteMatch(world, l, a) - tasteMatch(world, l, b)));
  return ts.slice(0, n);
}

/** Order tracks smoothly (by energy) or jarringly (alternating low and high energy). */
function order(ts: number[], smooth: boolean): Int32Array {
  const s = [...ts].sort((a, b) => world.energy[a]! - world.energy[b]!);
  if (smooth) return Int32Array.from(s);
  const out: number[] = [];
  for (let i = 0, j = s.length - 1; i <= j; i++, j--) {
    out.push(s[i]!);
    if (i !== j) out.push(s[j]!);
  }
  return Int32Array.from(out);
}

/** Mean skip rate of a sequence over many seeds, each time a fresh listener state and session. */
function skipRate(l: number, seq: Int32Array, seeds = 300): number {
  let skips = 0;
  let plays = 0;
  const out = new Responses(seq.length);
  for (let s = 0; s < seeds; s++) {
    const state = new ListenerState(l, world.params.startMs);
    const ctx = startSession(world, l, start, Ctx.radio, new Rng(s));
    const r = respond(world, state, seq, ctx, new Rng(1000 + s), DEFAULT_BEHAVIOUR, out);
    for (let i = 0; i < r.n; i++) {
      plays++;
      skips += r.skipped[i]!;
    }
  }
  return skips / plays;
}

describe('behaviour model', () => {
  it('skips a well-matched smooth sequence less than a mismatched jarring one', () => {
    for (const l of [0, 1, 2, 3]) {
      const prefs = genresByPreference(l);
      const good = order(tracksByMatch(l, prefs[0]!, 12, true), true);
      const bad = order(tracksByMatch(l, prefs[G - 1]!, 12, false), false);
      const goodRate = skipRate(l, good);
      const badRate = skipRate(l, bad);
      expect(goodRate).toBeLessThan(badRate - 0.2);
    }
  });

  it('the same tracks are skipped less in a smooth order than in a jarring one', () => {
    let smooth = 0;
    let jarring = 0;
    for (const l of [0, 1, 2, 3, 4, 5]) {
      const ts = tracksByMatch(l, genresByPreference(l)[0]!, 12, true);
      const a = order(ts, true);
      const b = order(ts, false);
      let flowA = 0;
      let flowB = 0;
      for (let i = 1; i < a.length; i++) {
        flowA += flowCost(world, a[i - 1]!, a[i]!);
        flowB += flowCost(world, b[i - 1]!, b[i]!);
      }
      expect(flowA).toBeLessThan(flowB);
      smooth += skipRate(l, a, 200);
      jarring += skipRate(l, b, 200);
    }
    expect(smooth).toBeLessThan(jarring);
  });

  it('familiarity lowers skips at first; repeating a track many times raises them (fatigue)', () => {
    const l = 0;
    const t = tracksByMatch(l, genresByPreference(l)[0]!, 1, true)[0]!;
    const state = new ListenerState(l, world.params.startMs);
    const ctx = endless(l, Ctx.playlist);
    const p: number[] = [];
    const rng = new Rng(3);
    const one = new Int32Array([t]);
    for (let i = 0; i < 25; i++) {
      // Skip probability with no previous track, so flow and the skip run do not interfere.
      ctx.prevTrack = -1;
      ctx.consecutiveSkips = 0;
      ctx.position = 0;
      p.push(skipProbability(world, state, t, ctx));
      respond(world, state, one, ctx, rng);
    }
    expect(p[2]!).toBeLessThan(p[0]!); // known after two plays
    expect(p[24]!).toBeGreaterThan(p[2]! + 0.2); // worn out after two dozen plays in a row
    expect(state.trackPlays(t)).toBe(25);
    // Fatigue fades with time; familiarity stays.
    const later = { ...ctx, clockMs: ctx.clockMs + 30 * 86_400_000 };
    expect(skipProbability(world, state, t, later)).toBeLessThan(p[0]!);
  });

  it('a run of skips makes the next skip and the end of the session more likely', () => {
    const l = 1;
    const t = tracksByMatch(l, genresByPreference(l)[0]!, 1, true)[0]!;
    const state = new ListenerState(l, world.params.startMs);
    const calm = endless(l);
    const restless = { ...endless(l), consecutiveSkips: 3 };
    expect(skipProbability(world, state, t, restless)).toBeGreaterThan(skipProbability(world, state, t, calm));
    // Session length: sequences of tracks the listener dislikes end sooner.
    const good = order(tracksByMatch(l, genresByPreference(l)[0]!, 40, true), true);
    const bad = order(tracksByMatch(l, genresByPreference(l)[G - 1]!, 40, false), false);
    const length = (seq: Int32Array): number => {
      let n = 0;
      for (let s = 0; s < 300; s++) {
        const ctx = startSession(world, l, start, Ctx.radio, new Rng(s));
        n += respond(world, new ListenerState(l, world.params.startMs), seq, ctx, new Rng(500 + s)).n;
      }
      return n / 300;
    };
    expect(length(bad)).toBeLessThan(length(good));
  });

  it('respond advances the session and the state, and stops at the end of the session', () => {
    const l = 2;
    const seq = Int32Array.from(tracksByMatch(l, genresByPreference(l)[0]!, 200, true));
    const state = new ListenerState(l, world.params.startMs);
    const ctx = startSession(world, l, start, Ctx.radio, new Rng(9));
    const r = respond(world, state, seq, ctx, new Rng(10));
    expect(ctx.ended).toBe(true);
    expect(r.n).toBeLessThan(200);
    expect(r.ended[r.n - 1]).toBe(1);
    for (let i = 0; i < r.n - 1; i++) expect(r.ended[i]).toBe(0);
    for (let i = r.n; i < seq.length; i++) expect(r.played[i]).toBe(0);
    let clock = start;
    for (let i = 0; i < r.n; i++) {
      expect(r.played[i]).toBe(1);
      expect(r.startMs[i]).toBeGreaterThanOrEqual(clock);
      clock = r.startMs[i]! + r.msPlayed[i]!;
      const dur = world.durationMs[seq[i]!]!;
      if (r.skipped[i]) {
        expect(r.endReason[i]).toBe(End.fwdbtn);
        expect(r.msPlayed[i]).toBeLessThan(dur);
      } else if (r.endReason[i] === End.trackdone) {
        expect(r.msPlayed[i]).toBe(dur);
      } else {
        expect(r.endReason[i]).toBe(End.endplay);
        expect(i).toBe(r.n - 1);
      }
      expect(state.trackPlays(seq[i]!)).toBe(1);
      expect(r.pSkip[i]).toBeGreaterThan(0);
      expect(r.pSkip[i]).toBeLessThan(1);
    }
    expect(ctx.position).toBe(r.n);
    expect(ctx.prevTrack).toBe(seq[r.n - 1]);
    expect(state.plays).toBe(r.n);
    expect(state.recent(1)).toBe(seq[r.n - 1]);
    // Further proposals in an ended session are not played.
    const again = respond(world, state, seq, ctx, new Rng(11));
    expect(again.n).toBe(0);
  });

  it('the empirical skip rate matches the model probability', () => {
    let expected = 0;
    let observed = 0;
    let n = 0;
    for (let l = 0; l < 20; l++) {
      const seq = Int32Array.from(tracksByMatch(l, genresByPreference(l)[l % 4]!, 30, l % 2 === 0));
      for (let s = 0; s < 30; s++) {
        const r = respond(world, new ListenerState(l, world.params.startMs), seq, startSession(world, l, start, Ctx.playlist, new Rng(s)), new Rng(s + 77));
        for (let i = 0; i < r.n; i++) {
          expected += r.pSkip[i]!;
          observed += r.skipped[i]!;
          n++;
        }
      }
    }
    expect(Math.abs(observed - expected) / n).toBeLessThan(0.02);
  });

  it('likes and bans follow taste, and change the state', () => {
    const p = behaviourParams({ likeLogit: 0, banLogit: 0, saveLogit: -50, addLogit: -50 });
    const l = 3;
    const good = Int32Array.from(tracksByMatch(l, genresByPreference(l)[0]!, 30, true));
    const state = new ListenerState(l, world.params.startMs);
    const r = respond(world, state, good, endless(l), new Rng(4), p);
    let likes = 0;
    for (let i = 0; i < r.n; i++) {
      if (r.liked[i]) {
        likes++;
        expect(r.skipped[i]).toBe(0);
        expect(state.librarySize).toBeGreaterThan(0);
      }
    }
    expect(likes).toBeGreaterThan(0);
    const bad = Int32Array.from(tracksByMatch(l, genresByPreference(l)[G - 1]!, 30, false));
    const r2 = respond(world, state, bad, endless(l), new Rng(5), p);
    let bans = 0;
    for (let i = 0; i < r2.n; i++) {
      if (!r2.banned[i]) continue;
      bans++;
      expect(r2.skipped[i]).toBe(1);
      expect(state.isBanned(bad[i]!, world.trackArtist[bad[i]!]!)).toBe(true);
    }
    expect(bans).toBeGreaterThan(0);
    // A banned track is all but certainly skipped.
    const banned = bad[Array.from(r2.banned).findIndex((x) => x > 0)]!;
    expect(skipProbability(world, state, banned, endless(l))).toBeGreaterThan(0.9);
  });

  it('explicit tracks are skipped by listeners who do not allow them', () => {
    const l = Array.from(world.listeners.allowExplicit).findIndex((x) => x === 0);
    const explicitTrack = Array.from(world.explicit).findIndex((x, t) => x === 1 && world.trackGenre[t]! < G);
    expect(l).toBeGreaterThanOrEqual(0);
    expect(skipProbability(world, new ListenerState(l, world.params.startMs), explicitTrack, endless(l))).toBeGreaterThan(0.5);
  });

  it('checks its parameters', () => {
    expect(() => behaviourParams({ taste: NaN })).toThrow(/behaviour.taste/);
    expect(() => behaviourParams({ contextBias: [0] })).toThrow(/contextBias/);
    expect(() => behaviourParams({ familiarScale: 0 })).toThrow(/familiarScale/);
    expect(behaviourParams().taste).toBe(DEFAULT_BEHAVIOUR.taste);
  });
});

describe('ListenerState', () => {
  it('counts plays like a Map would, through growth', () => {
    const s = new ListenerState(0, 0);
    const ref = new Map<number, number>();
    const artists = new Map<number, number>();
    const rng = new Rng(8);
    for (let i = 0; i < 5000; i++) {
      const t = rng.int(3000) * 7919;
      const a = t % 113;
      s.recordPlay(t, a, i * 1000, rng.next() < 0.3);
      ref.set(t, (ref.get(t) ?? 0) + 1);
      artists.set(a, (artists.get(a) ?? 0) + 1);
    }
    expect(s.distinctTracks).toBe(ref.size);
    for (const [t, n] of ref) expect(s.trackPlays(t)).toBe(n);
    for (const [a, n] of artists) expect(s.artistPlays(a)).toBe(n);
    expect(s.trackPlays(-5)).toBe(0);
    expect(s.trackPlays(1)).toBe(0);
  });

  it('heat decays with the half-life; history and library remember', () => {
    const s = new ListenerState(0, 0, 2);
    s.recordPlay(5, 1, 0, false);
    s.recordPlay(5, 1, 0, false);
    expect(s.trackHeat(5, 0)).toBeCloseTo(2, 5);
    expect(s.trackHeat(5, 2 * 86_400_000)).toBeCloseTo(1, 5);
    s.recordPlay(5, 1, 0, false, 1, 3);
    expect(s.library.subarray(0, s.librarySize)).toEqual(Int32Array.of(5));
    s.recordPlay(6, 1, 0, true);
    expect(s.recent(1)).toBe(6);
    expect(s.recent(2)).toBe(5);
    expect(s.playedRecently(5, 4)).toBe(true);
    expect(s.playedRecently(7, 4)).toBe(false);
    s.remember(9, 2, 4);
    expect(s.trackPlays(9)).toBe(4);
    expect(s.trackHeat(9, 0)).toBe(0);
    s.banArtist(2);
    expect(s.isBanned(9, 2)).toBe(true);
  });
});
