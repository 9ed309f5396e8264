import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../math/index.js';
import { TransitionsModel, SknnModel, topK, type PlayLog } from '../models/index.js';
import { fixedScorer, sparseScorer } from './train-ranker.js';

/** 120 random sessions of 3-10 plays over 60 tracks, track choice skewed toward low ixs (many ties and shared neighbours). */
function randomLog(seed: number): { log: PlayLog; start: Int32Array } {
  const rng = new Rng(seed);
  const track: number[] = [], start: number[] = [];
  for (let s = 0; s < 120; s++) {
    start.push(track.length);
    const len = 3 + rng.int(8);
    for (let p = 0; p < len; p++) track.push(Math.floor(60 * rng.next() ** 2));
  }
  start.push(track.length);
  const n = track.length;
  return {
    log: { trackIds: Array.from({ length: 60 }, (_, i) => `t${i}`), listenerIds: ['a'], listener: new Int32Array(n), track: Int32Array.from(track), ts: Float64Array.from({ length: n }, (_, i) => i * 200_000), skipped: new Int8Array(n), weight: new Float32Array(n).fill(1), length: n },
    start: Int32Array.from(start),
  };
}

/** What the trainer computed before: the full score vector, non-positive entries masked, ranked whole. */
function dense(model: { scoreInto(prefix: Int32Array, out: Float64Array): void }, prefix: Int32Array, k: number, ids: Int32Array): { top: number[]; at: number[] } {
  const full = new Float64Array(60);
  model.scoreInto(prefix, full);
  for (let i = 0; i < full.length; i++) if (!(full[i]! > 0)) full[i] = NaN;
  return { top: Array.from(topK(full, k).ix), at: Array.from(ids, (t) => (Number.isNaN(full[t]!) ? 0 : Math.fround(full[t]!))) };
}

describe('ranker training: per-query retrieval', () => {
  const { log, start } = randomLog(5);
  const models = { transitions: TransitionsModel.train(log, start), sknn: SknnModel.train(log, start, undefined, { k: 15 }) };
  for (const [name, model] of Object.entries(models)) {
    it(`${name}: the sparse scorer gives the dense top list and scores, query after query`, () => {
      // One scorer across a whole run of queries, as in training: a stale entry from an earlier query would show.
      const scorer = sparseScorer(model, 60, 7);
      fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), (queries) => {
        for (const q of queries) {
          const prefix = Int32Array.from(q);
          const ids = Int32Array.from({ length: 60 }, (_, i) => i);
          const want = dense(model, prefix, 7, ids);
          expect(Array.from(scorer.top({ tracks: prefix }).ix)).toEqual(want.top);
          expect(Array.from(scorer.at(ids))).toEqual(want.at);
          scorer.reset();
        }
      }), { numRuns: 150 });
    });
  }
  it('popularity: the fixed scorer ranks once, ignores the history and zeroes non-positive scores', () => {
    const scores = Float64Array.of(0.5, -1, 0, 2, 0.5, NaN, 3);
    const scorer = fixedScorer(scores, 3);
    expect(Array.from(scorer.top({ tracks: Int32Array.of(1, 2) }).ix)).toEqual([6, 3, 0]);
    expect(Array.from(scorer.top({ tracks: new Int32Array(0) }).ix)).toEqual([6, 3, 0]);
    expect(Array.from(scorer.at(Int32Array.of(1, 2, 4, 5)))).toEqual([0, 0, 0.5, 0]);
  });
});
