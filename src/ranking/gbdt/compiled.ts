/**
 * The compiled JavaScript layout: what `GbdtModel.margins` ran before the WebAssembly kernel
 * (forest.ts), kept for trees of depth 9 and 10, which the kernel does not take, and as the
 * "before" of the scoring benchmark. Each tree is expanded to a complete binary tree of
 * its own depth (heap order: children of node p at 2p + 1 and 2p + 2 from 0), and
 * each split compares small integers: a row's value of a feature becomes its rank among the
 * ensemble's thresholds of that feature (how many are below it; 0 for missing), and a row
 * goes right at a split on threshold j exactly when that rank is above j. Ranks come from a
 * branch-free binary search over order-preserving integer keys of the float thresholds, and
 * the descent is branch-free integer arithmetic over eight rows at a time, so the CPU never
 * mispredicts a split. Bit-identical to the node-by-node walk (`marginsReference`): same
 * leaves, added in the same order.
 */

/** Deepest tree expanded (2^10 leaves); deeper ensembles score by the reference walk. */
const MAX_DEPTH = 10;
/** Thresholds per feature, at most: ranks are bytes. */
const MAX_THRESHOLDS = 255;
const KEY_STRIDE = 256;
const PAD_KEY = 0x7fffffff;

/** An order-preserving int32 key of a float32's bits (NaN excluded). */
function keyOfBits(x: number): number {
  return x ^ ((x >> 31) & 0x7fffffff);
}

/** 1 when int32 b < a, else 0, without a branch. */
function below(b: number, a: number): number {
  const d = (b - a) | 0;
  return (d ^ ((b ^ a) & (d ^ b))) >>> 31;
}

/** All ones for a float32 (as bits) that is a number, 0 for NaN: rank 0 is 'missing'. */
function present(x: number): number {
  return ((0x7f800000 - (x & 0x7fffffff)) >>> 31) - 1;
}

export class CompiledTrees {
  private bins = new Uint8Array(0);
  private constructor(
    /** Per inner node: threshold rank << 16 | feature. */
    private readonly pack: Int32Array,
    private readonly nodeOff: Int32Array,
    private readonly leafOff: Int32Array,
    private readonly depth: Int32Array,
    private readonly leaf: Float32Array,
    /** Sorted threshold keys per feature, padded with PAD_KEY, KEY_STRIDE apart. */
    private readonly keys: Int32Array,
    /** First step of each used feature's binary search (a power of two), 0 when unused. */
    private readonly step: Int32Array,
    private readonly used: Int32Array,
    readonly features: number,
  ) {}

  /** The compiled form of an ensemble, or undefined when it is too deep or has too many thresholds. */
  static from(m: {
    roots: Int32Array; feature: Int32Array; threshold: Float32Array; left: Int32Array; value: Float32Array; featureNames: readonly string[];
  }): CompiledTrees | undefined {
    const F = m.featureNames.length;
    const T = m.roots.length;
    // Depth of each tree.
    const depth = new Int32Array(T);
    const stack: number[] = [];
    for (let t = 0; t < T; t++) {
      stack.push(m.roots[t]!, 0);
      while (stack.length > 0) {
        const d = stack.pop()!, node = stack.pop()!;
        if (m.feature[node]! < 0) depth[t] = Math.max(depth[t]!, d);
        else stack.push(m.left[node]!, d + 1, m.left[node]! + 1, d + 1);
      }
      if (depth[t]! > MAX_DEPTH) return undefined;
    }
    // Each feature's distinct thresholds, ascending.
    const sets = Array.from({ length: F }, () => new Set<number>());
    for (let i = 0; i < m.feature.length; i++) if (m.feature[i]! >= 0) sets[m.feature[i]!]!.add(m.threshold[i]!);
    const f32 = new Float32Array(1), i32 = new Int32Array(f32.buffer);
    const rankOf: Map<number, number>[] = [];
    const keys = new Int32Array(F * KEY_STRIDE).fill(PAD_KEY);
    const step = new Int32Array(F);
    const used: number[] = [];
    for (let f = 0; f < F; f++) {
      const u = Float32Array.from(sets[f]!).sort();
      if (u.length > MAX_THRESHOLDS) return undefined;
      rankOf.push(new Map(Array.from(u, (v, j) => [v, j])));
      for (let j = 0; j < u.length; j++) {
        f32[0] = u[j]!;
        keys[f * KEY_STRIDE + j] = keyOfBits(i32[0]!);
      }
      if (u.length > 0) {
        let p = 1;
        while (p < u.length + 1) p <<= 1;
        step[f] = p >> 1;
        used.push(f);
      }
    }
    // Expand every tree to a complete one of its depth.
    const nodeOff = new Int32Array(T + 1), leafOff = new Int32Array(T + 1);
    for (let t = 0; t < T; t++) {
      nodeOff[t + 1] = nodeOff[t]! + (1 << depth[t]!) - 1;
      leafOff[t + 1] = leafOff[t]! + (1 << depth[t]!);
    }
    const pack = new Int32Array(nodeOff[T]!);
    const leaf = new Float32Array(leafOff[T]!);
    for (let t = 0; t < T; t++) {
      const D = depth[t]!, inner = (1 << D) - 1;
      const fill = (node: number, pos: number, d: number): void => {
        if (d === D) {
          leaf[leafOff[t]! + pos - inner] = m.value[node]!;
          return;
        }
        if (m.feature[node]! < 0) {
          // A leaf above the full depth: a split that always goes left, down to copies of it.
          pack[nodeOff[t]! + pos] = 0x7fff << 16;
          fill(node, 2 * pos + 1, d + 1);
          fill(node, 2 * pos + 2, d + 1);
          return;
        }
        const f = m.feature[node]!;
        pack[nodeOff[t]! + pos] = (rankOf[f]!.get(m.threshold[node]!)! << 16) | f;
        fill(m.left[node]!, 2 * pos + 1, d + 1);
        fill(m.left[node]! + 1, 2 * pos + 2, d + 1);
      };
      fill(m.roots[t]!, 0, 0);
    }
    if (F > 0xffff) return undefined;
    return new CompiledTrees(pack, nodeOff, leafOff, depth, leaf, keys, step, Int32Array.from(used), F);
  }

  /** Adds the first `trees` trees' leaf values of n rows (row-major n x features) to `out`, tree by tree. */
  addMargins(X: Float32Array, n: number, out: Float64Array, trees: number): void {
    const F = this.features;
    if (this.bins.length < n * F) this.bins = new Uint8Array(n * F);
    const B = this.bins;
    const I = new Int32Array(X.buffer, X.byteOffset, n * F);
    const { keys, step, used, pack, nodeOff, leafOff, depth, leaf } = this;
    // Ranks: for each used feature, the count of its thresholds below the value; eight rows'
    // searches interleaved so that their chains of loads overlap.
    for (let u = 0; u < used.length; u++) {
      const f = used[u]!, base = f * KEY_STRIDE, first = step[f]!;
      let r = 0;
      for (; r + 8 <= n; r += 8) {
        const o = r * F + f;
        const x0 = I[o]!, x1 = I[o + F]!, x2 = I[o + 2 * F]!, x3 = I[o + 3 * F]!, x4 = I[o + 4 * F]!, x5 = I[o + 5 * F]!, x6 = I[o + 6 * F]!, x7 = I[o + 7 * F]!;
        const k0 = keyOfBits(x0), k1 = keyOfBits(x1), k2 = keyOfBits(x2), k3 = keyOfBits(x3), k4 = keyOfBits(x4), k5 = keyOfBits(x5), k6 = keyOfBits(x6), k7 = keyOfBits(x7);
        let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
        for (let s = first; s > 0; s >>= 1) {
          const at = base + s - 1;
          l0 += s * below(keys[at + l0]!, k0); l1 += s * below(keys[at + l1]!, k1);
          l2 += s * below(keys[at + l2]!, k2); l3 += s * below(keys[at + l3]!, k3);
          l4 += s * below(keys[at + l4]!, k4); l5 += s * below(keys[at + l5]!, k5);
          l6 += s * below(keys[at + l6]!, k6); l7 += s * below(keys[at + l7]!, k7);
        }
        B[o] = l0 & present(x0); B[o + F] = l1 & present(x1); B[o + 2 * F] = l2 & present(x2); B[o + 3 * F] = l3 & present(x3);
        B[o + 4 * F] = l4 & present(x4); B[o + 5 * F] = l5 & present(x5); B[o + 6 * F] = l6 & present(x6); B[o + 7 * F] = l7 & present(x7);
      }
      for (; r < n; r++) {
        const o = r * F + f, x = I[o]!, k = keyOfBits(x);
        let l = 0;
        for (let s = first; s > 0; s >>= 1) l += s * below(keys[base + s - 1 + l]!, k);
        B[o] = l & present(x);
      }
    }
    // Descent: right exactly when the row's rank is above the split's threshold rank.
    let r = 0;
    for (; r + 8 <= n; r += 8) {
      const o0 = r * F, o1 = o0 + F, o2 = o1 + F, o3 = o2 + F, o4 = o3 + F, o5 = o4 + F, o6 = o5 + F, o7 = o6 + F;
      let a0 = out[r]!, a1 = out[r + 1]!, a2 = out[r + 2]!, a3 = out[r + 3]!, a4 = out[r + 4]!, a5 = out[r + 5]!, a6 = out[r + 6]!, a7 = out[r + 7]!;
      for (let t = 0; t < trees; t++) {
        const no = nodeOff[t]!, D = depth[t]!;
        let p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0, k = 0;
        for (let d = 0; d < D; d++) {
          k = pack[no + p0]!; p0 = 2 * p0 + 1 + (((k >> 16) - B[o0 + (k & 0xffff)]!) >>> 31);
          k = pack[no + p1]!; p1 = 2 * p1 + 1 + (((k >> 16) - B[o1 + (k & 0xffff)]!) >>> 31);
          k = pack[no + p2]!; p2 = 2 * p2 + 1 + (((k >> 16) - B[o2 + (k & 0xffff)]!) >>> 31);
          k = pack[no + p3]!; p3 = 2 * p3 + 1 + (((k >> 16) - B[o3 + (k & 0xffff)]!) >>> 31);
          k = pack[no + p4]!; p4 = 2 * p4 + 1 + (((k >> 16) - B[o4 + (k & 0xffff)]!) >>> 31);
          k = pack[no + p5]!; p5 = 2 * p5 + 1 + (((k >> 16) - B[o5 + (k & 0xffff)]!) >>> 31);
          k = pack[no + p6]!; p6 = 2 * p6 + 1 + (((k >> 16) - B[o6 + (k & 0xffff)]!) >>> 31);
          k = pack[no + p7]!; p7 = 2 * p7 + 1 + (((k >> 16) - B[o7 + (k & 0xffff)]!) >>> 31);
        }
        const lo = leafOff[t]! - ((1 << D) - 1);
        a0 += leaf[lo + p0]!; a1 += leaf[lo + p1]!; a2 += leaf[lo + p2]!; a3 += leaf[lo + p3]!;
        a4 += leaf[lo + p4]!; a5 += leaf[lo + p5]!; a6 += leaf[lo + p6]!; a7 += leaf[lo + p7]!;
      }
      out[r] = a0; out[r + 1] = a1; out[r + 2] = a2; out[r + 3] = a3;
      out[r + 4] = a4; out[r + 5] = a5; out[r + 6] = a6; out[r + 7] = a7;
    }
    for (; r < n; r++) {
      const o = r * F;
      let acc = out[r]!;
      for (let t = 0; t < trees; t++) {
        const no = nodeOff[t]!, D = depth[t]!;
        let p = 0;
        for (let d = 0; d < D; d++) {
          const k = pack[no + p]!;
          p = 2 * p + 1 + (((k >> 16) - B[o + (k & 0xffff)]!) >>> 31);
        }
        acc += leaf[leafOff[t]! - ((1 << D) - 1) + p]!;
      }
      out[r] = acc;
    }
  }
}
