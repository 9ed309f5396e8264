import { decodeArtifact, encodeArtifact } from '../../models/index.js';
import { CompiledTrees } from './compiled.js';
import { ForestKernel } from './forest.js';

export type GbdtObjective = 'binary' | 'lambdarank';

/** Fewest rows `margins` gives the WebAssembly kernel: below, the node walk is faster (bench/realtime.ts, 7.8 us against 2.7 us for one row). */
export const KERNEL_MIN_ROWS = 8;

/**
 * A trained ensemble in a flat layout: every node of every tree in parallel typed arrays,
 * children of a node side by side (`right = left + 1`), no object per node. A node with
 * `feature < 0` is a leaf whose `value` is added to the margin; otherwise a row goes left
 * when its value is <= `threshold` or missing (NaN).
 */
export class GbdtModel {
  constructor(
    readonly objective: GbdtObjective,
    readonly featureNames: readonly string[],
    /** Margin every prediction starts from. */
    readonly base: number,
    /** First node of each tree. */
    readonly roots: Int32Array,
    readonly feature: Int32Array,
    readonly threshold: Float32Array,
    readonly left: Int32Array,
    readonly value: Float32Array,
    /** Total loss reduction of each feature's splits (the `gain` importance). */
    readonly gain: Float64Array,
    /** Number of splits on each feature. */
    readonly splits: Int32Array,
    readonly meta: Record<string, unknown> = {},
  ) {}

  get trees(): number {
    return this.roots.length;
  }

  /** Routing arrays of `margins`: leaves loop to themselves (left = self, threshold +Infinity). */
  private route: { feature: Int32Array; threshold: Float32Array; left: Int32Array; depth: Int32Array } | undefined;

  private routing(): NonNullable<GbdtModel['route']> {
    if (this.route) return this.route;
    const n = this.feature.length;
    const feature = new Int32Array(n), threshold = new Float32Array(n), left = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const leaf = this.feature[i]! < 0;
      feature[i] = leaf ? 0 : this.feature[i]!;
      threshold[i] = leaf ? Infinity : this.threshold[i]!;
      left[i] = leaf ? i : this.left[i]!;
    }
    // Depth of each tree: the longest root-to-leaf path.
    const depth = new Int32Array(this.roots.length);
    const stack: Array<[number, number]> = [];
    this.roots.forEach((root, t) => {
      stack.push([root, 0]);
      while (stack.length > 0) {
        const [node, d] = stack.pop()!;
        if (this.feature[node]! < 0) depth[t] = Math.max(depth[t]!, d);
        else stack.push([this.left[node]!, d + 1], [this.left[node]! + 1, d + 1]);
      }
    });
    this.route = { feature, threshold, left, depth };
    return this.route;
  }

  private compiledTrees: CompiledTrees | null | undefined;
  private kernel: ForestKernel | null | undefined;

  /**
   * Margins (log-odds for binary, ranking scores for lambdarank) of n rows, row-major n x
   * features, into `out`; with `trees`, of the first that many trees. Bit-identical to
   * `marginsReference` whatever the path: the WebAssembly kernel on bit planes (forest.ts)
   * for trees up to depth 8, the compiled JavaScript layout (compiled.ts) for depths 9 and
   * 10, the node walk for deeper trees and for fewer than KERNEL_MIN_ROWS rows (where the
   * kernel's fixed cost per block of 128 rows is more than the walk).
   */
  margins(X: Float32Array, n: number, out: Float64Array = new Float64Array(n), trees = this.roots.length): Float64Array {
    const f = this.featureNames.length;
    if (X.length < n * f) throw new RangeError(`gbdt: expected ${n} x ${f} = ${n * f} feature values, got ${X.length}`);
    if (!(Number.isInteger(trees) && trees >= 0 && trees <= this.roots.length)) throw new RangeError(`gbdt: trees must be 0..${this.roots.length}, got ${trees}`);
    if (n < KERNEL_MIN_ROWS) return this.marginsReference(X, n, out, trees);
    if (this.kernel === undefined) this.kernel = ForestKernel.build([this]) ?? null;
    if (this.kernel !== null) {
      this.kernel.margins(X, n, [out], [trees]);
      return out;
    }
    if (this.compiledTrees === undefined) this.compiledTrees = CompiledTrees.from(this) ?? null;
    if (this.compiledTrees === null) return this.marginsReference(X, n, out, trees);
    out.fill(this.base, 0, n);
    this.compiledTrees.addMargins(X, n, out, trees);
    return out;
  }

  /** The compiled JavaScript layout's margins (the path before the kernel, kept for trees of depth 9 and 10; benchmarked beside it), or undefined when it cannot take the trees. */
  marginsCompiled(X: Float32Array, n: number, out: Float64Array = new Float64Array(n), trees = this.roots.length): Float64Array | undefined {
    const f = this.featureNames.length;
    if (X.length < n * f) throw new RangeError(`gbdt: expected ${n} x ${f} = ${n * f} feature values, got ${X.length}`);
    if (this.compiledTrees === undefined) this.compiledTrees = CompiledTrees.from(this) ?? null;
    if (this.compiledTrees === null) return undefined;
    out.fill(this.base, 0, n);
    this.compiledTrees.addMargins(X, n, out, trees);
    return out;
  }

  /** The node-by-node walk: the reference `margins` is tested against, and the path for small batches and trees deeper than 10. */
  marginsReference(X: Float32Array, n: number, out: Float64Array = new Float64Array(n), trees = this.roots.length): Float64Array {
    const f = this.featureNames.length;
    if (X.length < n * f) throw new RangeError(`gbdt: expected ${n} x ${f} = ${n * f} feature values, got ${X.length}`);
    const { feature, threshold, left, depth } = this.routing();
    const { roots, value } = this;
    out.fill(this.base, 0, n);
    // Trees outer, rows inner, a fixed number of branch-free steps per tree: a row goes
    // right when its value is above the threshold, left otherwise (NaN included); a leaf
    // keeps it where it is.
    // Four rows at a time: four independent chains of loads, so that their latencies overlap.
    for (let t = 0; t < trees; t++) {
      const root = roots[t]!, dt = depth[t]!, v = value;
      let r = 0;
      for (; r + 4 <= n; r += 4) {
        let a = root, b = root, c = root, e = root;
        const oa = r * f, ob = oa + f, oc = ob + f, oe = oc + f;
        for (let d = 0; d < dt; d++) {
          a = left[a]! + (X[oa + feature[a]!]! > threshold[a]! ? 1 : 0);
          b = left[b]! + (X[ob + feature[b]!]! > threshold[b]! ? 1 : 0);
          c = left[c]! + (X[oc + feature[c]!]! > threshold[c]! ? 1 : 0);
          e = left[e]! + (X[oe + feature[e]!]! > threshold[e]! ? 1 : 0);
        }
        out[r]! += v[a]!;
        out[r + 1]! += v[b]!;
        out[r + 2]! += v[c]!;
        out[r + 3]! += v[e]!;
      }
      for (; r < n; r++) {
        let node = root;
        const o = r * f;
        for (let d = 0; d < dt; d++) node = left[node]! + (X[o + feature[node]!]! > threshold[node]! ? 1 : 0);
        out[r]! += v[node]!;
      }
    }
    return out;
  }

  /** Scores of n rows: probabilities for binary, margins for lambdarank. */
  predict(X: Float32Array, n: number, out: Float64Array = new Float64Array(n)): Float64Array {
    this.margins(X, n, out);
    if (this.objective === 'binary') for (let r = 0; r < n; r++) out[r] = 1 / (1 + Math.exp(-out[r]!));
    return out;
  }

  /** Features by total gain, best first, with their split counts. */
  importance(): Array<{ feature: string; gain: number; splits: number }> {
    return this.featureNames
      .map((feature, j) => ({ feature, gain: this.gain[j]!, splits: this.splits[j]! }))
      .sort((a, b) => b.gain - a.gain || a.feature.localeCompare(b.feature));
  }

  /** A versioned artifact ('gbdt' version 1). */
  save(): Uint8Array {
    return encodeArtifact(
      { model: 'gbdt', modelVersion: 1, objective: this.objective, featureNames: [...this.featureNames], base: this.base, ...this.meta },
      { roots: this.roots, feature: this.feature, threshold: this.threshold, left: this.left, value: this.value, gain: this.gain, splits: this.splits },
    );
  }

  static load(bytes: Uint8Array): GbdtModel {
    const { meta, arrays } = decodeArtifact(bytes, { model: 'gbdt', modelVersion: 1 });
    const { model: _m, modelVersion: _v, objective, featureNames, base, ...rest } = meta as Record<string, unknown>;
    return new GbdtModel(
      objective as GbdtObjective,
      featureNames as string[],
      base as number,
      arrays.roots as Int32Array,
      arrays.feature as Int32Array,
      arrays.threshold as Float32Array,
      arrays.left as Int32Array,
      arrays.value as Float32Array,
      arrays.gain as Float64Array,
      arrays.splits as Int32Array,
      rest,
    );
  }
}
