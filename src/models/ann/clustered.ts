import { Rng } from '../../math/index.js';

/** Isotropic noise added to low-rank clusters, relative to the spread. */
const LOW_RANK_NOISE = 0.1;

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
  /**
   * Rank of each cluster's spread: points vary around their centre along `rank` random
   * directions of the cluster (same total variance), plus isotropic noise of a tenth of the
   * spread. Learned embeddings lie near such low-dimensional surfaces; isotropic Gaussian
   * clusters (the default, rank = dims) are a worst case for graph indexes.
   */
  rank?: number;
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
  const rank = o.rank ?? o.dims;
  if (!(Number.isInteger(rank) && rank >= 1 && rank <= o.dims)) throw new RangeError(`clusteredVectors: rank must be an integer in 1..dims = ${o.dims}, got ${rank}`);
  // Per cluster, a dims x rank basis with N(0, 1 / rank) entries: the same expected spread as the isotropic case.
  let bases: Float32Array | null = null;
  if (rank < o.dims) {
    bases = new Float32Array(o.clusters * o.dims * rank);
    const sd = 1 / Math.sqrt(rank);
    for (let i = 0; i < bases.length; i++) bases[i] = rng.normal() * sd;
  }
  const z = new Float64Array(rank);
  const out = new Float32Array(o.n * o.dims);
  for (let i = 0; i < o.n; i++) {
    const x = rng.next() * acc;
    let lo = 0, hi = o.clusters - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1; else hi = mid;
    }
    let ss = 0;
    if (bases === null) {
      for (let d = 0; d < o.dims; d++) {
        const v = centres[lo * o.dims + d]! + o.spread * rng.normal();
        out[i * o.dims + d] = v;
        ss += v * v;
      }
    } else {
      for (let j = 0; j < rank; j++) z[j] = rng.normal();
      const b = lo * o.dims * rank;
      for (let d = 0; d < o.dims; d++) {
        let s = 0;
        for (let j = 0; j < rank; j++) s += bases[b + d * rank + j]! * z[j]!;
        const v = centres[lo * o.dims + d]! + o.spread * (s + LOW_RANK_NOISE * rng.normal());
        out[i * o.dims + d] = v;
        ss += v * v;
      }
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

/**
 * Local intrinsic dimension by maximum likelihood (Levina and Bickel, NIPS 2004), averaged
 * over query points as MacKay and Ghahramani suggest (mean of the inverse estimates): for a
 * query with neighbour distances T_1 <= ... <= T_k (itself excluded),
 * 1 / m = mean over j < k of log(T_k / T_j). How hard a set is for a graph index depends far
 * more on this than on the ambient dims: learned embeddings lie near low-dimensional
 * surfaces. `neighbours[q]` are the ascending distances of query q's k nearest other points.
 *
 * @example intrinsicDimension([Float64Array.of(1, 2, 4)]) // 1 / mean(log 4, log 2) = 0.96
 */
export function intrinsicDimension(neighbours: Float64Array[]): number {
  let inv = 0, n = 0;
  for (const t of neighbours) {
    const k = t.length;
    if (k < 2 || !(t[0]! > 0)) continue;
    let s = 0;
    for (let j = 0; j < k - 1; j++) s += Math.log(t[k - 1]! / t[j]!);
    inv += s / (k - 1);
    n++;
  }
  return n === 0 || inv === 0 ? NaN : n / inv;
}
