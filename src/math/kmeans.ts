import { Rng } from './random.js';

export interface KMeansResult {
  /** Cluster of each row. */
  assignment: Int32Array;
  /** k x dims centroids, row-major. */
  centroids: Float64Array;
  /** Clusters actually formed (at most k; fewer when there are fewer distinct rows). */
  k: number;
  iterations: number;
}

/**
 * Lloyd's k-means with k-means++ seeding (Arthur and Vassilvitskii 2007) over `rows` rows of
 * `dims` numbers (row-major). Deterministic for a seed. An emptied cluster takes the row
 * farthest from its centroid, so every cluster keeps at least one row.
 *
 * @example kmeans(Float32Array.of(0, 0, 0, 1, 9, 9, 9, 8), 2, 2, { seed: 1 }).assignment // [a, a, b, b]
 */
export function kmeans(data: ArrayLike<number>, dims: number, k: number, opts: { seed?: number; maxIterations?: number } = {}): KMeansResult {
  const rows = Math.floor(data.length / dims);
  if (rows * dims !== data.length) throw new RangeError(`kmeans: ${data.length} numbers are not rows of ${dims}`);
  if (!(k >= 1) || !Number.isInteger(k)) throw new RangeError(`kmeans: k must be a positive integer, got ${k}`);
  k = Math.min(k, rows);
  const assignment = new Int32Array(rows);
  const centroids = new Float64Array(k * dims);
  if (rows === 0) return { assignment, centroids, k: 0, iterations: 0 };
  const rng = new Rng(opts.seed ?? 1);
  const d2 = new Float64Array(rows);
  const dist = (r: number, c: number): number => {
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const x = data[r * dims + j]! - centroids[c * dims + j]!;
      s += x * x;
    }
    return s;
  };
  const setCentroid = (c: number, r: number): void => {
    for (let j = 0; j < dims; j++) centroids[c * dims + j] = data[r * dims + j]!;
  };
  // k-means++: each next centre drawn with probability proportional to the squared distance to the nearest one.
  setCentroid(0, rng.int(rows));
  for (let r = 0; r < rows; r++) d2[r] = dist(r, 0);
  let formed = 1;
  for (; formed < k; formed++) {
    let total = 0;
    for (let r = 0; r < rows; r++) total += d2[r]!;
    if (total === 0) break; // fewer distinct rows than k
    let u = rng.next() * total, pick = rows - 1;
    for (let r = 0; r < rows; r++) {
      u -= d2[r]!;
      if (u < 0) {
        pick = r;
        break;
      }
    }
    setCentroid(formed, pick);
    for (let r = 0; r < rows; r++) d2[r] = Math.min(d2[r]!, dist(r, formed));
  }
  k = formed;
  const counts = new Int32Array(k);
  let it = 0;
  for (; it < (opts.maxIterations ?? 50); it++) {
    let moved = 0;
    for (let r = 0; r < rows; r++) {
      let best = 0, bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const x = dist(r, c);
        if (x < bestD) {
          bestD = x;
          best = c;
        }
      }
      d2[r] = bestD;
      if (it === 0 || assignment[r] !== best) moved++;
      assignment[r] = best;
    }
    if (moved === 0) break;
    centroids.fill(0, 0, k * dims);
    counts.fill(0);
    for (let r = 0; r < rows; r++) {
      const c = assignment[r]!;
      counts[c]!++;
      for (let j = 0; j < dims; j++) centroids[c * dims + j]! += data[r * dims + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // Reseed an empty cluster at the row farthest from its centroid.
        let far = 0;
        for (let r = 1; r < rows; r++) if (d2[r]! > d2[far]!) far = r;
        setCentroid(c, far);
        d2[far] = 0;
        continue;
      }
      for (let j = 0; j < dims; j++) centroids[c * dims + j]! /= counts[c]!;
    }
  }
  return { assignment, centroids: centroids.subarray(0, k * dims), k, iterations: it };
}
