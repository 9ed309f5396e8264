import { describe, expect, it } from 'vitest';
import { Rng } from '../math/index.js';
import { trainGbdt } from './gbdt/index.js';
import { FEATURES } from './features.js';
import { DEFAULT_RANKER, Ranker, type RankerReport } from './ranker.js';

describe('Ranker', () => {
  it('scores and predicts listen-through in one pass exactly as score and listenProbability do', () => {
    // Two ensembles trained on different rows: their thresholds differ, so the one pass merges them per feature.
    const rng = new Rng(8), NF = FEATURES.length;
    const rows = (n: number): Float32Array => Float32Array.from({ length: n * NF }, () => (rng.next() < 0.05 ? NaN : Math.fround(rng.next() * 4 - 1)));
    const Xa = rows(3000), Xb = rows(2000);
    const ya = Float32Array.from({ length: 3000 }, (_, i) => ((Xa[i * NF]! || 0) + (Xa[i * NF + 3]! || 0) > 0.5 ? 3 : i % 4 === 0 ? 1 : 0));
    const yb = Float32Array.from({ length: 2000 }, (_, i) => ((Xb[i * NF + 1]! || 0) * (Xb[i * NF + 2]! || 0) > 0.2 ? 1 : 0));
    const groups = Int32Array.from({ length: 3000 / 30 + 1 }, (_, g) => g * 30);
    const opts = { featureNames: FEATURES, trees: 40, maxDepth: 6, earlyStoppingRounds: 0 };
    const rank = trainGbdt({ X: Xa, n: 3000, y: ya, groups }, { ...opts, objective: 'lambdarank' }).model;
    const listen = trainGbdt({ X: Xb, n: 2000, y: yb }, { ...opts, objective: 'binary' }).model;
    const ranker = new Ranker(rank, listen, [...DEFAULT_RANKER.sources], {} as RankerReport, DEFAULT_RANKER);
    const X = rows(500);
    for (const n of [0, 3, 8, 129, 500]) {
      const { score, listen: p } = ranker.scoreAndListen(X, n);
      expect(Array.from(score)).toEqual(Array.from(ranker.score(X, n)));
      expect(Array.from(p)).toEqual(Array.from(ranker.listenProbability(X, n)));
      expect(Array.from(score)).toEqual(Array.from(rank.marginsReference(X, n)));
    }
  });
});
