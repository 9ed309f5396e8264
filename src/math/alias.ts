import type { Rng } from './random.js';

/**
 * O(1) sampling from a fixed discrete distribution: Walker's alias method, built with Vose's
 * numerically stable variant (M. D. Vose, "A linear algorithm for generating random numbers
 * with a given distribution", IEEE TSE 1991). Building is O(n); each draw costs two uniforms,
 * one comparison and at most one indirection.
 *
 * Optionally the table maps its slots to other indexes (`items`), so that one table can
 * sample, say, the tracks of one genre by their global track index.
 *
 * @example
 *   const table = new AliasTable(new Float64Array([1, 2, 7]));
 *   table.sample(rng); // 2 with probability 0.7
 */
export class AliasTable {
  /** Probability of keeping slot i (else take alias[i]), scaled so that 1 means always keep. */
  readonly prob: Float64Array;
  readonly alias: Int32Array;
  /** What each slot stands for; null when slots are the indexes themselves. */
  readonly items: Int32Array | null;
  /** Sum of the weights the table was built from. */
  readonly total: number;

  /**
   * @param weights non-negative, finite, with a positive sum
   * @param items optional index each weight stands for (same length as weights)
   */
  constructor(weights: ArrayLike<number>, items: Int32Array | null = null) {
    const n = weights.length;
    if (n === 0) throw new RangeError('AliasTable: no weights');
    if (items !== null && items.length !== n) throw new RangeError(`AliasTable: ${n} weights but ${items.length} items`);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`AliasTable: weight ${i} must be finite and >= 0, got ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError('AliasTable: weights sum to 0');
    this.total = total;
    this.items = items;
    const prob = new Float64Array(n);
    const alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    // Two stacks in one array: small slots grow from the front, large ones from the back.
    const work = new Int32Array(n);
    let nSmall = 0;
    let nLarge = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / total;
      if (scaled[i]! < 1) work[nSmall++] = i;
      else work[n - 1 - nLarge++] = i;
    }
    while (nSmall > 0 && nLarge > 0) {
      const s = work[--nSmall]!;
      const l = work[n - nLarge]!;
      prob[s] = scaled[s]!;
      alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) {
        nLarge--;
        work[nSmall++] = l;
      }
    }
    // What is left is 1 up to rounding.
    while (nLarge > 0) {
      const l = work[n - nLarge--]!;
      prob[l] = 1;
      alias[l] = l;
    }
    while (nSmall > 0) {
      const s = work[--nSmall]!;
      prob[s] = 1;
      alias[s] = s;
    }
    this.prob = prob;
    this.alias = alias;
  }

  get size(): number {
    return this.prob.length;
  }

  /** A slot drawn in proportion to its weight, mapped through `items` when given. */
  sample(rng: Rng): number {
    const i = rng.int(this.prob.length);
    const j = rng.next() < this.prob[i]! ? i : this.alias[i]!;
    return this.items === null ? j : this.items[j]!;
  }
}

/**
 * The plain reference sampler the alias table is tested against: inverse CDF by binary
 * search over cumulative weights, O(log n) per draw.
 */
export class CumulativeSampler {
  private readonly cum: Float64Array;

  constructor(weights: ArrayLike<number>) {
    this.cum = new Float64Array(weights.length);
    let s = 0;
    for (let i = 0; i < weights.length; i++) {
      s += weights[i]!;
      this.cum[i] = s;
    }
    if (!(s > 0)) throw new RangeError('CumulativeSampler: weights sum to 0');
  }

  sample(rng: Rng): number {
    const x = rng.next() * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
