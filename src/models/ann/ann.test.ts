import { describe, expect, it } from 'vitest';
import type { AnnIndex, AnnMetric } from './ann-index.js';
import { clusteredVectors, recallAtK } from './clustered.js';
import { createIndex, loadIndex } from './create.js';
import { ExactIndex } from './exact.js';
import { HnswlibIndex } from './hnswlib.js';
import { UsearchIndex } from './usearch.js';

const DIMS = 32;
const N = 4000;
const NQ = 200;
const all = clusteredVectors({ n: N + NQ, dims: DIMS, clusters: 50, zipf: 1, spread: 0.6, seed: 11 });
const vectors = all.subarray(0, N * DIMS);
const queries = all.subarray(N * DIMS);
const query = (q: number): Float32Array => queries.subarray(q * DIMS, (q + 1) * DIMS);

const implementations: { name: string; build: (v: Float32Array, dims: number, metric: AnnMetric) => AnnIndex }[] = [
  { name: 'exact', build: (v, d, m) => ExactIndex.build(v, d, m) },
  { name: 'hnswlib', build: (v, d, m) => HnswlibIndex.build(v, d, m, { ef: 64 }) },
  { name: 'usearch', build: (v, d, m) => UsearchIndex.build(v, d, m, { ef: 64, threads: 1 }) },
];

const answers = (index: AnnIndex, k: number, exclude?: ReadonlySet<number>): { ix: Int32Array[]; scores: Float32Array[] } => {
  const ix: Int32Array[] = [], scores: Float32Array[] = [];
  for (let q = 0; q < NQ; q++) {
    const r = index.query(query(q), k, exclude);
    ix.push(r.ix); scores.push(r.scores);
  }
  return { ix, scores };
};

for (const metric of ['cosine', 'ip'] as const) {
  const truth = answers(ExactIndex.build(vectors, DIMS, metric), 10);

  describe.each(implementations)(`AnnIndex contract: $name (${metric})`, ({ build }) => {
    const index = build(vectors, DIMS, metric);

    it('finds >= 0.95 of the exact top 10 on clustered vectors, best first', () => {
      const got = answers(index, 10);
      expect(recallAtK(truth.ix, got.ix, 10)).toBeGreaterThanOrEqual(0.95);
      for (const s of got.scores) for (let j = 1; j < s.length; j++) expect(s[j]!).toBeLessThanOrEqual(s[j - 1]!);
      // Scores are the metric's similarity, as exact computes it.
      expect(got.scores[0]![0]!).toBeCloseTo(truth.scores[0]![0]!, 4);
    });

    it('never returns an excluded item', () => {
      const exclude = new Set(truth.ix[0]!.subarray(0, 5));
      const r = index.query(query(0), 10, exclude);
      expect(r.ix.length).toBe(10);
      for (const i of r.ix) expect(exclude.has(i)).toBe(false);
    });

    it('gives no items for k = 0 and at most n for k > n', () => {
      expect(index.query(query(0), 0).ix.length).toBe(0);
      const small = build(vectors.subarray(0, 5 * DIMS), DIMS, metric);
      expect(small.query(query(0), 50).ix.length).toBe(5);
    });

    it('restores identical answers after save and load', () => {
      const bytes = index.save();
      const back = loadIndex(bytes.slice());
      expect(back.kind).toBe(index.kind);
      expect(back.size).toBe(N);
      const exclude = new Set([1, 2, 3]);
      const before = answers(index, 10, exclude), after = answers(back, 10, exclude);
      expect(after.ix).toEqual(before.ix);
      expect(after.scores).toEqual(before.scores);
    });
  });
}

describe('createIndex', () => {
  it('picks exact below the threshold and hnswlib at or above it', () => {
    expect(createIndex(vectors, DIMS, { threshold: N + 1 }).kind).toBe('exact');
    expect(createIndex(vectors, DIMS, { threshold: N }).kind).toBe('hnswlib');
    expect(createIndex(vectors.subarray(0, 100 * DIMS), DIMS).kind).toBe('exact'); // default 20,000
  });

  it('rejects a bad threshold', () => {
    expect(() => createIndex(vectors, DIMS, { threshold: -1 })).toThrow(/threshold/);
  });

  it('loadIndex rejects bytes that are not an index', () => {
    expect(() => loadIndex(new Uint8Array(16))).toThrow(/bad magic/);
  });
});
