import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { topK, Touched } from './topk.js';
import { kthSmallest } from './sknn.js';
import { csrFromCoo, transpose } from './csr.js';

/** Reference: sort every index by (score desc, index asc). */
function slow(scores: Float32Array, k: number, exclude = new Set<number>()): number[] {
  return [...scores.keys()].filter((i) => !Number.isNaN(scores[i]) && !exclude.has(i)).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, Math.max(0, k));
}

describe('topK', () => {
  it('matches a full sort, ties by lower index', () => {
    expect(Array.from(topK(Float32Array.of(0.1, 0.9, 0.5, 0.9), 2).ix)).toEqual([1, 3]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 60 }), fc.integer({ min: -1, max: 70 }), (xs, k) => {
        const s = Float32Array.from(xs);
        expect(Array.from(topK(s, k).ix)).toEqual(slow(s, k));
      }),
    );
  });
  it('handles k = 0, k > n, NaN, -Infinity and exclusions', () => {
    const s = Float32Array.of(NaN, -Infinity, 2, 1);
    expect(topK(s, 0).ix.length).toBe(0);
    expect(Array.from(topK(s, 10).ix)).toEqual([2, 3, 1]);
    expect(Array.from(topK(s, 10, new Set([2])).ix)).toEqual([3, 1]);
    expect(Array.from(topK(s, 10, Uint8Array.of(0, 0, 0, 1)).ix)).toEqual([2, 1]);
    expect(topK(new Float32Array(0), 5).ix.length).toBe(0);
  });
});

describe('sparse scores', () => {
  it('Touched.best ranks the touched entries exactly as the dense vector would be ranked, and resets them', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 39 }), fc.integer({ min: -2, max: 3 })), { maxLength: 80 }), fc.integer({ min: 0, max: 12 }), fc.array(fc.integer({ min: 0, max: 39 }), { maxLength: 5 }), (writes, k, ex) => {
        const dense = new Float64Array(40), sparse = new Float64Array(40);
        const touched = new Touched(40);
        for (const [j, v] of writes) {
          dense[j]! += v / 2;
          touched.add(j);
          sparse[j]! += v / 2;
        }
        const exclude = new Set(ex);
        // The dense reference: scores of 0 or less never enter, nor excluded tracks.
        const ref = Float64Array.from(dense, (v) => (v > 0 ? v : NaN));
        const want = topK(ref, k, exclude);
        const got = touched.best(sparse, k, exclude);
        expect(Array.from(got.ix)).toEqual(Array.from(want.ix));
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
        touched.reset(sparse);
        expect(sparse.every((v) => v === 0)).toBe(true);
        expect(touched.n).toBe(0);
        touched.add(writes[0]?.[0] ?? 0);
        expect(touched.n).toBe(1); // marks were cleared too
      }),
    );
  });
  it('kthSmallest selects what a sort would put at k, ties and duplicates included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 200 }), fc.nat(), (xs, r) => {
        const k = r % xs.length;
        const sorted = Float64Array.from(xs).sort();
        expect(kthSmallest(Float64Array.from(xs), k)).toBe(sorted[k]);
      }),
    );
  });
});

describe('csr', () => {
  it('builds rows sorted with duplicates summed, and transposes', () => {
    const m = csrFromCoo(2, 3, Int32Array.of(0, 1, 0, 0), Int32Array.of(2, 0, 2, 1), Float32Array.of(1, 1, 1, 5));
    expect(Array.from(m.indptr)).toEqual([0, 2, 3]);
    expect(Array.from(m.indices)).toEqual([1, 2, 0]);
    expect(Array.from(m.data)).toEqual([5, 2, 1]);
    const t = transpose(m);
    expect(Array.from(t.indptr)).toEqual([0, 1, 2, 3]);
    expect(Array.from(t.indices)).toEqual([1, 0, 0]);
    expect(Array.from(t.data)).toEqual([1, 5, 2]);
    expect(() => csrFromCoo(1, 1, Int32Array.of(0), Int32Array.of(1), Float32Array.of(1))).toThrow(/outside 1 x 1/);
  });
});
