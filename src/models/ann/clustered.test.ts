import { describe, expect, it } from 'vitest';
import { clusteredVectors, intrinsicDimension } from './clustered.js';
import { ExactIndex } from './exact.js';

/** Local intrinsic dimension of a set around its first `nq` points, from exact cosine neighbours. */
function lid(v: Float32Array, dims: number, nq: number): number {
  const index = ExactIndex.build(v, dims, 'cosine');
  const out: Float64Array[] = [];
  for (let q = 0; q < nq; q++) {
    const { scores } = index.query(v.subarray(q * dims, (q + 1) * dims), 11);
    out.push(Float64Array.from(scores.subarray(1), (c) => Math.sqrt(Math.max(0, 2 - 2 * c))));
  }
  return intrinsicDimension(out);
}

describe('intrinsicDimension', () => {
  it('is the inverse mean log distance ratio (hand-computed)', () => {
    // Query 1: logs 4/1, 4/2 -> mean 1.0397; query 2: log 3/1 -> 1.0986. n / sum = 2 / 2.1383.
    expect(intrinsicDimension([Float64Array.of(1, 2, 4), Float64Array.of(1, 3)])).toBeCloseTo(2 / (Math.log(4) / 2 + Math.log(2) / 2 + Math.log(3)), 12);
    expect(intrinsicDimension([Float64Array.of(0, 1)])).toBeNaN(); // duplicate points say nothing
  });

  it('recovers the dimension of uniform points in a cube', () => {
    for (const d of [2, 5]) {
      // Points uniform in [0,1]^d, shifted far along an extra axis so that cosine ~ Euclidean.
      const dims = d + 1, n = 4000;
      const v = new Float32Array(n * dims);
      let s = 12345;
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < d; c++) v[i * dims + c] = ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 0.3;
        v[i * dims + d] = 1;
      }
      expect(Math.abs(lid(v, dims, 200) - d)).toBeLessThan(0.2 * d + 0.3);
    }
  });
});

describe('clusteredVectors', () => {
  it('gives unit vectors, deterministic for a seed', () => {
    const a = clusteredVectors({ n: 200, dims: 16, clusters: 5, zipf: 1, spread: 0.5, seed: 3, rank: 4 });
    expect(Array.from(a)).toEqual(Array.from(clusteredVectors({ n: 200, dims: 16, clusters: 5, zipf: 1, spread: 0.5, seed: 3, rank: 4 })));
    for (let i = 0; i < 200; i++) {
      let s = 0;
      for (let c = 0; c < 16; c++) s += a[i * 16 + c]! ** 2;
      expect(s).toBeCloseTo(1, 5);
    }
  });

  it('low-rank clusters have a lower intrinsic dimension than isotropic ones', () => {
    const o = { n: 6000, dims: 32, clusters: 20, zipf: 1, spread: 0.6, seed: 9 };
    const low = lid(clusteredVectors({ ...o, rank: 4 }), 32, 200);
    const full = lid(clusteredVectors(o), 32, 200);
    expect(low).toBeLessThan(7);
    expect(full).toBeGreaterThan(2 * low);
  });

  it('rejects a rank outside 1..dims', () => {
    expect(() => clusteredVectors({ n: 10, dims: 8, clusters: 2, zipf: 1, spread: 0.5, seed: 1, rank: 9 })).toThrow(/rank must be an integer in 1..dims = 8/);
  });
});
