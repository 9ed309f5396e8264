import { Rng } from '../../math/random.js';

/** Options for `clusteredVectors`. */
export interface ClusteredOptions {
  n: number;
  dims: number;
  clusters: number;
  /** Zipf exponent of the cluster sizes: cluster c gets weight 1 / (c + 1)^zipf. */
  zipf: number;
  /** Spread of points around their centre, per dimension, relative to the centres' unit spread. */
  spread: number;
  seed: number;
}

/**
 * Unit vectors with cluster structure like learned item embeddings: Gaussian centres, Zipf
 * cluster sizes (a few big genres, a long tail), points = centre + spread x Gaussian noise,
 * normalized. Deterministic for a seed; the test and benchmark fixture for ANN indexes.
 *
 * @example clusteredVectors({ n: 1000, dims: 16, clusters: 20, zipf: 1, spread: 0.5, seed: 1 }) // Float32Array(16000)
 */
export function clusteredVectors(o: ClusteredOptions): Float32Array {
  const rng = new Rng(o.seed);
  const centres = new Float32Array(o.clusters * o.dims);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.normal();
  const cdf = new Float64Array(o.clusters);
  let acc = 0;
  for (let c = 0; c < o.clusters; c++) cdf[c] = acc += 1 / Math.pow(c + 1, o.zipf);
  const out = new Float32Array(o.n * o.dims);
  for (let i = 0; i < o.n; i++) {
    const x = rng.next() * acc;
    let lo = 0, hi = o.clusters - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1; else hi = mid;
    }
    let ss = 0;
    for (let d = 0; d < o.dims; d++) {
      const v = centres[lo * o.dims + d]! + o.spread * rng.normal();
      out[i * o.dims + d] = v;
      ss += v * v;
    }
    const inv = 1 / Math.sqrt(ss);
    for (let d = 0; d < o.dims; d++) out[i * o.dims + d]! *= inv;
  }
  return out;
}

/** Mean share of each exact top-k found by the approximate top-k (recall@k). */
export function recallAtK(exact: Int32Array[], approx: Int32Array[], k: number): number {
  let hit = 0, total = 0;
  for (let q = 0; q < exact.length; q++) {
    const truth = new Set(exact[q]!.subarray(0, k));
    const got = approx[q]!.subarray(0, k);
    for (let j = 0; j < got.length; j++) if (truth.has(got[j]!)) hit++;
    total += truth.size;
  }
  return total === 0 ? 1 : hit / total;
}
