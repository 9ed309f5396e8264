/**
 * The k best of n scores, as parallel arrays sorted best first. A fixed-size min-heap over
 * an Int32Array and a Float32Array: no object per element. Ties break by lower index, NaN
 * scores never enter, and `exclude` (a sorted or unsorted set of indexes) is skipped.
 *
 * @example topK(Float32Array.of(0.1, 0.9, 0.5, 0.9), 2) // { ix: [1, 3], scores: [0.9, 0.9] }
 */
export function topK(scores: Float32Array | Float64Array, k: number, exclude?: ReadonlySet<number> | Uint8Array): { ix: Int32Array; scores: Float32Array } {
  const n = scores.length;
  k = Math.max(0, Math.min(k, n));
  const hix = new Int32Array(k);
  const hsc = new Float32Array(k);
  let size = 0;
  const isMask = exclude instanceof Uint8Array;
  // Heap order: the worst (lowest score; among equal scores the higher index) at the root.
  const worse = (a: number, b: number): boolean => hsc[a]! < hsc[b]! || (hsc[a] === hsc[b] && hix[a]! > hix[b]!);
  const sift = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      const ti = hix[i]!, ts = hsc[i]!;
      hix[i] = hix[m]!; hsc[i] = hsc[m]!;
      hix[m] = ti; hsc[m] = ts;
      i = m;
    }
  };
  if (k > 0) {
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      if (s !== s) continue; // NaN
      // Exclusions are looked up only for elements that would enter the heap.
      if (size < k) {
        if (exclude !== undefined && (isMask ? (exclude as Uint8Array)[i] === 1 : (exclude as ReadonlySet<number>).has(i))) continue;
        let j = size++;
        hix[j] = i; hsc[j] = s;
        while (j > 0) {
          const p = (j - 1) >> 1;
          if (!worse(j, p)) break;
          const ti = hix[j]!, ts = hsc[j]!;
          hix[j] = hix[p]!; hsc[j] = hsc[p]!;
          hix[p] = ti; hsc[p] = ts;
          j = p;
        }
      } else if (s > hsc[0]!) {
        if (exclude !== undefined && (isMask ? (exclude as Uint8Array)[i] === 1 : (exclude as ReadonlySet<number>).has(i))) continue;
        // Equal scores keep the earlier (lower) index already in the heap.
        hix[0] = i; hsc[0] = s;
        sift(0);
      }
    }
  }
  // Pop worst-first into the back of the output.
  const ix = new Int32Array(size);
  const sc = new Float32Array(size);
  for (let out = size - 1; out >= 0; out--) {
    ix[out] = hix[0]!; sc[out] = hsc[0]!;
    size--;
    hix[0] = hix[size]!; hsc[0] = hsc[size]!;
    sift(0);
  }
  return { ix, scores: sc };
}

/**
 * The entries of a score vector that a sparse scorer wrote, in first-touch order: a scorer
 * calls `add(j)` before its first write to out[j]. `best` ranks only those, with the same
 * result (ties by lower index) as ranking the whole vector; `reset` zeroes them again.
 */
export class Touched {
  readonly list: Int32Array;
  n = 0;
  private readonly seen: Uint8Array;
  constructor(size: number) {
    this.list = new Int32Array(size);
    this.seen = new Uint8Array(size);
  }
  add(j: number): void {
    if (this.seen[j] === 0) {
      this.seen[j] = 1;
      this.list[this.n++] = j;
    }
  }
  /** The top k touched entries scored above 0, never an excluded one. */
  best(scores: Float64Array, k: number, exclude?: ReadonlySet<number>): { ix: Int32Array; scores: Float32Array } {
    const ids = this.list.subarray(0, this.n).sort();
    const sub = new Float64Array(ids.length);
    for (let q = 0; q < ids.length; q++) {
      const v = scores[ids[q]!]!;
      sub[q] = v > 0 && !(exclude !== undefined && exclude.has(ids[q]!)) ? v : NaN;
    }
    const r = topK(sub, k);
    for (let q = 0; q < r.ix.length; q++) r.ix[q] = ids[r.ix[q]!]!;
    return r;
  }
  reset(scores: Float64Array): void {
    for (let q = 0; q < this.n; q++) {
      const j = this.list[q]!;
      scores[j] = 0;
      this.seen[j] = 0;
    }
    this.n = 0;
  }
}
