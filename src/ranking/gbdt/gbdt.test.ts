import { describe, it, expect } from 'vitest';
import { Rng } from '../../math/index.js';
import { applyBins, auc, binOf, GbdtModel, logLoss, ndcgAt, quantileBins, trainGbdt } from './index.js';

/** n rows x 6 features; the label depends on features 0 and 1 only (plus noise); 5 is often missing. */
function planted(n: number, seed: number, noise = 0.3): { X: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const X = new Float32Array(n * 6), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 6; j++) X[i * 6 + j] = rng.next() * 2 - 1;
    if (rng.next() < 0.3) X[i * 6 + 5] = NaN;
    const z = 2 * X[i * 6]! + X[i * 6 + 1]! + noise * (rng.next() * 2 - 1) * 2;
    y[i] = z > 0 ? 1 : 0;
  }
  return { X, y };
}
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];

describe('binning', () => {
  it('puts missing values in bin 0 and splits exactly at the edges', () => {
    const e = Float32Array.of(1, 2, 5);
    expect([NaN, -3, 1, 1.5, 2, 4.9, 5, 7].map((v) => binOf(e, v))).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
    // Few distinct values: one bin each.
    const X = Float32Array.of(3, 1, 2, 2, NaN, 3);
    const b = quantileBins(X, 6, 1, 256);
    expect(Array.from(b.edges[0]!)).toEqual([1, 2]);
    expect(Array.from(applyBins(b, X, 6))).toEqual([3, 1, 2, 2, 0, 3]);
    // Many distinct values: at most maxBins - 2 edges, ascending.
    const many = Float32Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007);
    const q = quantileBins(many, 10_000, 1, 16).edges[0]!;
    expect(q.length).toBeLessThanOrEqual(14);
    for (let i = 1; i < q.length; i++) expect(q[i]!).toBeGreaterThan(q[i - 1]!);
    expect(() => quantileBins(X, 6, 1, 300)).toThrow(/maxBins must be an integer in 3..256/);
  });
});

describe('gradient-boosted trees, binary log-loss', () => {
  const train = planted(20_000, 1), valid = planted(5_000, 2);
  const res = trainGbdt({ X: train.X, n: 20_000, y: train.y }, { featureNames: NAMES, trees: 60, validation: { X: valid.X, n: 5_000, y: valid.y } });

  it('learns the planted rule: high validation AUC, low log-loss, and probabilities in (0, 1)', () => {
    expect(res.validation!.auc!).toBeGreaterThan(0.95);
    expect(res.validation!.logLoss!).toBeLessThan(0.35);
    const p = res.model.predict(valid.X, 5_000);
    expect(p.every((x) => x > 0 && x < 1)).toBe(true);
    expect(auc(p, valid.y)).toBeCloseTo(res.validation!.auc!, 12);
  });

  it('ranks the informative features first by gain', () => {
    const imp = res.model.importance();
    expect(imp.slice(0, 2).map((x) => x.feature)).toEqual(['a', 'b']);
    expect(imp[0]!.gain).toBeGreaterThan(10 * imp[2]!.gain);
  });

  it('round-trips through its artifact with identical predictions', () => {
    const again = GbdtModel.load(res.model.save());
    expect(Array.from(again.predict(valid.X, 5_000))).toEqual(Array.from(res.model.predict(valid.X, 5_000)));
    expect(again.importance()).toEqual(res.model.importance());
    expect(again.trees).toBe(res.bestTrees);
  });

  it('stops early on a validation set it cannot improve, keeping the best round', () => {
    const rng = new Rng(3);
    const noiseY = Float32Array.from({ length: 4_000 }, () => (rng.next() < 0.5 ? 1 : 0));
    const X = planted(4_000, 4).X;
    const r = trainGbdt({ X, n: 4_000, y: noiseY }, { featureNames: NAMES, trees: 200, earlyStoppingRounds: 5, validation: { X: planted(1_000, 5).X, n: 1_000, y: noiseY.subarray(0, 1_000) } });
    expect(r.bestTrees).toBeLessThan(30);
    expect(r.model.trees).toBe(r.bestTrees);
  });

  it('learns from missing values, and routes them the same way at prediction time', () => {
    // The label is "feature 0 is missing".
    const n = 4_000, rng = new Rng(6);
    const X = new Float32Array(n * 2), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const miss = rng.next() < 0.5;
      X[i * 2] = miss ? NaN : rng.next();
      X[i * 2 + 1] = rng.next();
      y[i] = miss ? 1 : 0;
    }
    const r = trainGbdt({ X, n, y }, { featureNames: ['x', 'noise'], trees: 10, learningRate: 0.5 });
    const p = r.model.predict(Float32Array.of(NaN, 0.5, 0.3, 0.5), 2);
    expect(p[0]!).toBeGreaterThan(0.95);
    expect(p[1]!).toBeLessThan(0.05);
  });

  it('grows leaf-wise within maxLeaves, samples rows and columns deterministically', () => {
    const opts = { featureNames: NAMES, trees: 20, growth: 'lossguide' as const, maxLeaves: 8, maxDepth: 0, subsample: 0.7, colsample: 0.5, seed: 9 };
    const a = trainGbdt({ X: train.X, n: 20_000, y: train.y }, opts);
    const b = trainGbdt({ X: train.X, n: 20_000, y: train.y }, opts);
    expect(Array.from(a.model.predict(valid.X, 100))).toEqual(Array.from(b.model.predict(valid.X, 100)));
    // Every tree has at most 8 leaves: 2 * leaves - 1 nodes.
    const { roots, feature } = a.model;
    for (let t = 0; t < roots.length; t++) {
      const end = t + 1 < roots.length ? roots[t + 1]! : feature.length;
      let leaves = 0;
      for (let i = roots[t]!; i < end; i++) if (feature[i]! < 0) leaves++;
      expect(leaves).toBeLessThanOrEqual(8);
      expect(leaves).toBeGreaterThan(1);
    }
    expect(auc(a.model.predict(valid.X, 5_000), valid.y)).toBeGreaterThan(0.9);
  });

  it('scores through the kernel and the compiled layout exactly as the node-by-node walk, on edge values too', () => {
    const m = trainGbdt({ X: train.X, n: 20_000, y: train.y }, { featureNames: NAMES, trees: 40, maxDepth: 6, earlyStoppingRounds: 0 }).model;
    // Rows made of the thresholds themselves, their float neighbours, NaN, infinities and signed zeros.
    const rng = new Rng(3);
    const edges: number[] = [NaN, Infinity, -Infinity, 0, -0, 1e30, -1e30];
    for (let i = 0; i < m.feature.length; i++) if (m.feature[i]! >= 0) {
      const t = m.threshold[i]!;
      edges.push(t, Math.fround(t + Math.abs(t) * 1e-7 + 1e-30), Math.fround(t - Math.abs(t) * 1e-7 - 1e-30));
    }
    const n = 1003; // not a multiple of the 8-row blocks
    const X = new Float32Array(n * 6);
    for (let i = 0; i < X.length; i++) X[i] = rng.next() < 0.5 ? edges[rng.int(edges.length)]! : rng.next() * 4 - 2;
    for (const trees of [m.trees, 7, 0]) {
      const walk = Array.from(m.marginsReference(X, n, undefined, trees));
      // The kernel on bit planes (forest.ts), and the compiled layout before it (still the path for depths 9 and 10).
      expect(Array.from(m.margins(X, n, undefined, trees))).toEqual(walk);
      expect(Array.from(m.marginsCompiled(X, n, undefined, trees)!)).toEqual(walk);
    }
    expect(() => m.margins(X, n, undefined, m.trees + 1)).toThrow(/trees must be 0\.\.40/);
    // A tree deeper than the compiled layout takes (lossguide, no depth limit) scores by the walk.
    const deep = trainGbdt({ X: train.X, n: 20_000, y: train.y }, { featureNames: NAMES, trees: 3, growth: 'lossguide', maxLeaves: 2000, maxDepth: 0, minChildWeight: 0, earlyStoppingRounds: 0 }).model;
    expect(Array.from(deep.margins(X, n))).toEqual(Array.from(deep.marginsReference(X, n)));
  });

  it('builds histograms on worker threads with the very same result as on one thread', () => {
    const big = planted(30_000, 17);
    for (const objective of ['binary', 'lambdarank'] as const) {
      const groups = objective === 'lambdarank' ? Int32Array.from({ length: 30_000 / 50 + 1 }, (_, g) => g * 50) : undefined;
      const y = objective === 'lambdarank' ? Float32Array.from(big.y, (v, i) => v * 2 + (i % 3 === 0 ? 1 : 0)) : big.y;
      const opts = { featureNames: NAMES, objective, trees: 8, maxDepth: 5, earlyStoppingRounds: 0 };
      const one = trainGbdt({ X: big.X, n: 30_000, y, ...(groups ? { groups } : {}) }, { ...opts, threads: 1 }).model;
      const two = trainGbdt({ X: big.X, n: 30_000, y, ...(groups ? { groups } : {}) }, { ...opts, threads: 3 }).model;
      expect(Array.from(two.threshold)).toEqual(Array.from(one.threshold));
      expect(Array.from(two.value)).toEqual(Array.from(one.value));
      expect(Array.from(two.gain)).toEqual(Array.from(one.gain));
    }
    expect(() => trainGbdt({ X: big.X, n: 100, y: big.y }, { featureNames: NAMES, threads: 0 })).toThrow('gbdt: threads must be an integer in 1..64, got 0');
  });

  it('refuses bad input precisely', () => {
    const X = new Float32Array(12);
    expect(() => trainGbdt({ X, n: 2, y: Float32Array.of(0, 2) }, { featureNames: NAMES })).toThrow(/label of row 1 is 2; binary labels are 0 or 1/);
    expect(() => trainGbdt({ X, n: 3, y: Float32Array.of(0, 1, 0) }, { featureNames: NAMES })).toThrow(/expected 3 rows x 6 features = 18 values, got 12/);
    expect(() => trainGbdt({ X, n: 2, y: Float32Array.of(0, 1) }, { featureNames: NAMES, learningRate: 0 })).toThrow(/learningRate must be in \(0, 1\], got 0/);
    expect(() => trainGbdt({ X, n: 2, y: Float32Array.of(0, 1) }, { featureNames: NAMES, objective: 'lambdarank' })).toThrow(/lambdarank needs groups/);
    expect(() => new GbdtModel('binary', ['a'], 0, new Int32Array(1), Int32Array.of(-1), new Float32Array(1), new Int32Array(1), new Float32Array(1), new Float64Array(1), new Int32Array(1)).predict(new Float32Array(1), 2)).toThrow(/expected 2 x 1 = 2 feature values, got 1/);
  });
});

describe('metrics', () => {
  it('AUC, log-loss and NDCG@k against hand-computed values', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(logLoss([0.5], [1])).toBeCloseTo(Math.LN2, 12);
    // One group: labels 3, 0, 1 ranked by scores 0.1, 0.9, 0.5 -> order (0 1 3) gains 0, 1, 7.
    const d = ndcgAt([0.1, 0.9, 0.5], [3, 0, 1], Int32Array.of(0, 3), 3);
    const dcg = 0 / 1 + 1 / Math.log2(3) + 7 / 2;
    const idcg = 7 + 1 / Math.log2(3);
    expect(d).toBeCloseTo(dcg / idcg, 12);
  });
});

describe('LambdaMART', () => {
  /** Groups of 20 candidates; relevance 0-3 from a planted score on features 0 and 2. */
  function groups(g: number, seed: number): { X: Float32Array; y: Float32Array; groups: Int32Array; n: number } {
    const rng = new Rng(seed);
    const n = g * 20;
    const X = new Float32Array(n * 4), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 4; j++) X[i * 4 + j] = rng.next();
      const s = X[i * 4]! + 0.5 * X[i * 4 + 2]! + 0.2 * rng.next();
      y[i] = s > 1.3 ? 3 : s > 1.0 ? 2 : s > 0.7 ? 1 : 0;
    }
    return { X, y, n, groups: Int32Array.from({ length: g + 1 }, (_, k) => k * 20) };
  }

  it('ranks by the planted relevance: validation NDCG@10 above a single feature and random', () => {
    const tr = groups(1_000, 1), va = groups(300, 2);
    const r = trainGbdt(tr, { featureNames: ['x0', 'x1', 'x2', 'x3'], objective: 'lambdarank', trees: 50, validation: va });
    const single = ndcgAt(Float64Array.from({ length: va.n }, (_, i) => va.X[i * 4]!), va.y, va.groups, 10);
    const random = ndcgAt(Float64Array.from({ length: va.n }, (_, i) => va.X[i * 4 + 3]!), va.y, va.groups, 10);
    expect(r.validation!.ndcg!).toBeGreaterThan(single + 0.03);
    expect(single).toBeGreaterThan(random);
    expect(r.model.importance()[0]!.feature).toBe('x0');
    // All pairs instead of sampled ones learns the same ranking.
    const all = trainGbdt(tr, { featureNames: ['x0', 'x1', 'x2', 'x3'], objective: 'lambdarank', trees: 50, pairsPerRow: 0, validation: va });
    expect(all.validation!.ndcg!).toBeGreaterThan(single + 0.03);
  });
});
