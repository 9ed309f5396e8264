import { describe, it, expect } from 'vitest';
import { MultiTargetMetrics, RankingMetrics, hitRate, ndcg, rankOf, reciprocalRank } from './metrics.js';

describe('ranking metrics, against hand-computed values', () => {
  it('scores one query at a cut-off', () => {
    const ranked = Int32Array.of(7, 3, 9, 1);
    expect(rankOf(ranked, 9)).toBe(3);
    expect(rankOf(ranked, 5)).toBe(0);
    expect(hitRate(3, 2)).toBe(0);
    expect(hitRate(3, 3)).toBe(1);
    expect(ndcg(1, 10)).toBe(1);
    expect(ndcg(3, 10)).toBeCloseTo(0.5, 12); // 1 / log2(4)
    expect(ndcg(0, 10)).toBe(0);
    expect(reciprocalRank(4, 10)).toBe(0.25);
    expect(reciprocalRank(4, 3)).toBe(0);
  });

  it('averages over queries, with coverage, novelty and variety', () => {
    // Catalog of 4 items with play shares 1/2, 1/4, 1/8, 1/8.
    const share = Float64Array.of(0.5, 0.25, 0.125, 0.125);
    const m = new RankingMetrics([1, 3], 4, share);
    const dist = (a: number, b: number) => (Math.abs(a - b) === 1 ? 1 : 0.5);
    m.add(Int32Array.of(0, 1, 2), 1, dist); // rank 2
    m.add(Int32Array.of(2, 0, 1), 2, dist); // rank 1
    m.add(Int32Array.of(0, 1, 2), 3, dist); // absent
    const r = m.result();
    expect(r['HR@1']).toBeCloseTo(1 / 3, 12);
    expect(r['HR@3']).toBeCloseTo(2 / 3, 12);
    expect(r['NDCG@3']).toBeCloseTo((1 / Math.log2(3) + 1) / 3, 12);
    expect(r['MRR@3']).toBeCloseTo((0.5 + 1) / 3, 12);
    expect(r['MRR@1']).toBeCloseTo(1 / 3, 12);
    // Lists are judged on their top min(ks) = 1 item: items 0, 2, 0 -> coverage 2/4.
    expect(r.coverage).toBe(0.5);
    // Novelty: -log2(0.5) = 1, -log2(0.125) = 3, 1 -> mean 5/3.
    expect(r.novelty).toBeCloseTo(5 / 3, 12);
    // Lists of one item have no pairs: variety is 0.
    expect(r.variety).toBe(0);
    const v = new RankingMetrics([3], 4, share);
    v.add(Int32Array.of(0, 1, 3), 0, dist); // pairs (0,1)=1, (0,3)=0.5, (1,3)=0.5 -> 2/3
    expect(v.result().variety).toBeCloseTo(2 / 3, 12);
  });

  it('scores queries with several held-out items', () => {
    const m = new MultiTargetMetrics([2, 4], 10);
    // Targets {3, 5}: list 9, 3, 7, 5 -> hits at ranks 2 and 4.
    m.add(Int32Array.of(9, 3, 7, 5), new Set([3, 5]));
    // Targets {1}: list 1, 2, 3, 4 -> hit at rank 1.
    m.add(Int32Array.of(1, 2, 3, 4), new Set([1]));
    const r = m.result();
    expect(r['HR@2']).toBe(1);
    expect(r['Recall@2']).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(r['Recall@4']).toBeCloseTo(1, 12);
    const idcg2 = 1 + 1 / Math.log2(3);
    expect(r['NDCG@2']).toBeCloseTo((1 / Math.log2(3) / idcg2 + 1) / 2, 12);
    expect(r['NDCG@4']).toBeCloseTo(((1 / Math.log2(3) + 1 / Math.log2(5)) / idcg2 + 1) / 2, 12);
    expect(r['MRR@4']).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(r['MRR@2']).toBeCloseTo((0.5 + 1) / 2, 12);
    // R-precision: first |T| = 2 items hold one of two targets; then 1 of 1.
    expect(r['R-precision']).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(r.coverage).toBeCloseTo(4 / 10, 12); // the top 2 of each list: {9, 3} and {1, 2}
    expect(() => m.add(Int32Array.of(1), new Set())).toThrow(/at least one held-out item/);
  });
});
