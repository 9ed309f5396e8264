import { describe, it, expect } from 'vitest';
import type { PlayLog } from '../models/index.js';
import { Rng } from '../math/index.js';
import { splitSessions } from './split.js';
import { BLEND_GRID, BlendScorer, baggedChoice, blendGrid, sessionRepeatInto, trainSources, tuneBlend, type BlendWeights } from './blend.js';

const MIN = 60_000;

/** One listener's sessions, one after another (an hour apart), as a play log over `tracks` tracks. */
function logOf(sessions: number[][], tracks: number): PlayLog {
  const track: number[] = [], ts: number[] = [];
  sessions.forEach((s, i) => s.forEach((t, j) => {
    track.push(t);
    ts.push(i * 60 * MIN + j * MIN);
  }));
  const n = track.length;
  return {
    trackIds: Array.from({ length: tracks }, (_, i) => `t${i}`), listenerIds: ['u0'], length: n,
    listener: new Int32Array(n), track: Int32Array.from(track), ts: Float64Array.from(ts),
    skipped: new Int8Array(n), weight: new Float32Array(n).fill(1),
  };
}

const w = (x: Partial<BlendWeights>): BlendWeights => ({ transitions: 1, sknn: 0, item2vec: 0, popularity: 0, repeat: 0, played: 0, ...x });

describe('sessionRepeatInto', () => {
  it('adds the repeat weight to the latest track and takes the played weight once from each earlier track', () => {
    const out = new Float64Array(9).fill(0.5);
    // Session 3, 5, 3, 8, 5, 7: the latest is 7; 3 and 5 were played (twice each) before; 8 once.
    sessionRepeatInto(Int32Array.of(3, 5, 3, 8, 5, 7), out, 2, 0.25);
    expect(Array.from(out)).toEqual([0.5, 0.5, 0.5, 0.25, 0.5, 0.25, 0.5, 2.5, 0.25]);
  });

  it('the latest track is never penalized, even when it was played earlier too', () => {
    const out = new Float64Array(4);
    sessionRepeatInto(Int32Array.of(1, 2, 1), out, 1, 1);
    expect(Array.from(out)).toEqual([0, 1, -1, 0]);
  });

  it('does nothing for an empty prefix or zero weights, and skips unknown tracks', () => {
    const out = new Float64Array(3).fill(1);
    sessionRepeatInto(new Int32Array(0), out, 1, 1);
    sessionRepeatInto(Int32Array.of(0, 1, 2), out, 0, 0);
    sessionRepeatInto(Int32Array.of(-1, 7, 2), out, 0, 1);
    expect(Array.from(out)).toEqual([1, 1, 1]);
  });
});

describe('BlendScorer', () => {
  it('is the weighted sum of max-normalized model scores, popularity over its maximum, and the session sources', async () => {
    const log = logOf([[0, 1, 2], [0, 1, 3], [1, 2, 3], [0, 2, 4]], 5);
    const start = Int32Array.of(0, 3, 6, 9, 12);
    const sources = await trainSources(log, start, new Uint8Array(log.length).fill(1), { item2vec: false });
    const weights = w({ transitions: 1, sknn: 0.5, popularity: 0.3, repeat: 2, played: 1 });
    const prefix = Int32Array.of(0, 1);
    const got = new Float64Array(5);
    new BlendScorer(sources, weights).scoreInto(prefix, got);
    const t = new Float64Array(5), s = new Float64Array(5);
    sources.transitions.scoreInto(prefix, t);
    sources.sknn.scoreInto(prefix, s);
    const max = (x: ArrayLike<number>): number => Math.max(...Array.from(x));
    // Popularity: 0 x3, 1 x3, 2 x3, 3 x2, 4 x1 -> max 3.
    const want = Array.from({ length: 5 }, (_, i) => t[i]! / max(t) + (0.5 * s[i]!) / max(s) + (0.3 * sources.pop[i]!) / 3 + (i === 1 ? 2 : 0) - (i === 0 ? 1 : 0));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
  });
});

describe('baggedChoice', () => {
  const combos = [w({ sknn: 0 }), w({ sknn: 1 }), w({ sknn: 2 })];

  it('returns a grid point that wins on every session', () => {
    // 3 grid points x 4 queries (sessions 7, 7, 9, 11): point 1 is best on each query.
    const gains = Float64Array.of(0, 0.5, 0, 0.2, /**/ 1, 1, 0.5, 0.3, /**/ 0.5, 0.9, 0.1, 0.1);
    expect(baggedChoice(combos, gains, Int32Array.of(7, 7, 9, 11), 50, 42)).toEqual(combos[1]);
  });

  it('ties go to the earlier grid point', () => {
    expect(baggedChoice(combos, new Float64Array(3 * 2).fill(1), Int32Array.of(0, 1), 20, 1)).toEqual(combos[0]);
  });

  it('averages the points that win on different resamples, the same for the same seed', () => {
    // Session 0 favours point 0, session 1 favours point 2, equally: resamples disagree.
    const gains = Float64Array.of(1, 0, /**/ 0, 0, /**/ 0, 1);
    const a = baggedChoice(combos, gains, Int32Array.of(0, 1), 100, 42);
    expect(a.sknn).toBeGreaterThan(0.5);
    expect(a.sknn).toBeLessThan(1.5);
    expect(baggedChoice(combos, gains, Int32Array.of(0, 1), 100, 42)).toEqual(a);
    expect(baggedChoice(combos, gains, Int32Array.of(0, 1), 100, 43)).not.toEqual(a);
  });

  it('checks the size of the gains', () => {
    expect(() => baggedChoice(combos, new Float64Array(5), Int32Array.of(0, 1), 10, 1)).toThrow(/3 grid points x 2 queries/);
  });
});

describe('tuneBlend', () => {
  /** Sessions of 6 distinct tracks drawn from one of two playlists (tracks 0-9 and 10-19), in random order; with `replay`, the second is played again right away. */
  function shuffled(n: number, seed: number, replay: boolean): number[][] {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => {
      const base = rng.int(2) * 10;
      const order = Array.from({ length: 10 }, (_, i) => base + i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const s = order.slice(0, 6);
      if (replay) s.splice(2, 0, s[1]!); // the second track plays twice in a row
      return s;
    });
  }

  it('on shuffled playlists, validation turns the played source on (the session tracks never come back)', async () => {
    const log = logOf(shuffled(300, 7, false), 20);
    const tuned = await tuneBlend(log, splitSessions(log), { seed: 42 });
    expect(tuned.validationQueries).toBe(Math.round(240 * 0.2) * 5);
    expect(tuned.weights.played).toBeGreaterThan(0.5);
    expect(tuned.weights.repeat).toBeLessThan(0.5);
    expect(tuned.ndcg10).toBeGreaterThan(0);
  });

  it('when a track is replayed right away in every session, validation turns the repeat source on', async () => {
    const log = logOf(shuffled(300, 7, true), 20);
    const tuned = await tuneBlend(log, splitSessions(log), { seed: 42 });
    expect(tuned.weights.repeat).toBeGreaterThan(0.25);
    // Deterministic for a seed.
    expect((await tuneBlend(log, splitSessions(log), { seed: 42 })).weights).toEqual(tuned.weights);
  });

  it('chooses within the grid', () => {
    const g = blendGrid();
    expect(g.length).toBe(BLEND_GRID.sknn.length * BLEND_GRID.item2vec.length * BLEND_GRID.popularity.length * BLEND_GRID.repeat.length * BLEND_GRID.played.length);
    expect(g.every((x) => x.transitions === 1)).toBe(true);
  });
});
