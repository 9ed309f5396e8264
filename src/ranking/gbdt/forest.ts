/**
 * Tree scoring on bit planes, in WebAssembly SIMD (the kernel: kernel-wat.ts).
 *
 * Rows go through the trees 128 at a time, one bit each in a v128. For every feature the
 * ensembles split on, the rows whose value is above each of its thresholds make one
 * plane; a split's outcome is then its plane, shared by every split on that feature and
 * threshold in any tree of any of the ensembles. A tree, expanded to a complete tree of
 * its depth, picks each row's path level by level with bitwise multiplexers over its
 * splits' planes (three instructions per split for 128 rows), and a bit transpose gives
 * each row's leaf. The leaf values are added in float64, tree after tree, in the node walk's
 * order, so the margins are bit-identical to `GbdtModel.marginsReference`.
 *
 * It is QuickScorer's idea (Lucchese et al., SIGIR'15: evaluate all the splits of a feature
 * as one sweep over its sorted thresholds, and combine per-tree bit vectors) turned
 * sideways: QuickScorer's bit vectors run over a tree's leaves for one row, these over 128
 * rows for one split, which needs no gather and shares the threshold sweep between trees
 * and ensembles. The sweep itself is a rank per row and feature (how many thresholds lie
 * below the value), found on a grid over the float's order-preserving integer key whose
 * cells hold at most two thresholds, then bucketed and suffix-ORed into planes.
 *
 * Cost per request of 500 rows x 40 features and 100 trees of depth 6 (bench/realtime.ts):
 * the ranks and planes about 60% of the time, the trees 15%, the leaf sums 25%.
 *
 * @example
 *   const k = ForestKernel.build([rankModel, listenModel])!;
 *   const [rank, listen] = [new Float64Array(n), new Float64Array(n)];
 *   k.margins(X, n, [rank, listen]);
 */
import { compileWatSync, instantiate } from '../../math/index.js';
import { forestKernelWat, GROUP, KERNEL_MAX_DEPTH, KERNEL_MAX_THRESHOLDS, SLOT, SLOT_BYTES } from './kernel-wat.js';

/** The arrays of a trained ensemble that scoring reads (GbdtModel's). */
export interface TreeArrays {
  readonly featureNames: readonly string[];
  readonly base: number;
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly value: Float32Array;
}

const PAGE = 65536;
/** Most cells of a slot's grid. */
const MAX_CELLS = 4096;

type Kernel = {
  planes(x: number, rows: number, rowBytes: number, slots: number, slotTable: number, clear: number, clearBytes: number): void;
  trees(trees: number, depths: number, nodes: number, idx: number): void;
  accumulate(chunks: number, trees: number, leafAt: number, idx: number, base: number, out: number): void;
};

/** Depth of each tree: the longest root-to-leaf path. */
function treeDepths(m: Pick<TreeArrays, 'roots' | 'feature' | 'left'>): Int32Array {
  const depth = new Int32Array(m.roots.length);
  const stack: number[] = [];
  for (let t = 0; t < m.roots.length; t++) {
    stack.push(m.roots[t]!, 0);
    while (stack.length > 0) {
      const d = stack.pop()!, node = stack.pop()!;
      if (m.feature[node]! < 0) depth[t] = Math.max(depth[t]!, d);
      else stack.push(m.left[node]!, d + 1, m.left[node]! + 1, d + 1);
    }
  }
  return depth;
}

const f32 = new Float32Array(1), i32 = new Int32Array(f32.buffer);
/** The order-preserving int32 key of a float32 (not NaN; -0 taken as +0), as the kernel computes it. */
function keyOf(x: number): number {
  f32[0] = x === 0 ? 0 : x;
  const b = i32[0]!;
  return b ^ ((b >> 31) >>> 1);
}

interface Grid {
  klo: number;
  khi: number;
  shift: number;
  /** Thresholds in the cells before each cell. */
  below: Uint16Array;
  perCell: 1 | 2;
}

/**
 * A slot's grid: cells of 2^shift keys from klo to khi (keys beyond clamp to the end
 * cells), none holding more than `perCell` thresholds; the fewest cells that do, or
 * undefined. The lowest and highest threshold may sit outside the grid's span in an end
 * cell of their own (a split at -Infinity, which sends only missing values left, would
 * otherwise stretch the grid over the whole key range).
 *
 * Exact because the cell is a non-decreasing function of the value: a threshold in an
 * earlier cell is below the value, one in a later cell above it, and those of the value's
 * own cell are the (at most two) compared.
 */
function gridOf(keys: Float32Array, perCell: 1 | 2): Grid | undefined {
  const k = Array.from(keys, keyOf), n = k.length;
  let best: Grid | undefined;
  for (const [low, high] of [[0, n - 1], [1, n - 1], [0, n - 2], [1, n - 2]] as const) {
    if (high < low) continue;
    for (let shift = 31; shift >= 0; shift--) {
      const w = 2 ** shift;
      const klo = k[low]! - (low > 0 ? w : 0);
      const cells = Math.floor((k[high]! - klo) / w) + 1 + (high < n - 1 ? 1 : 0);
      if (klo < -(2 ** 31) || cells > MAX_CELLS || (best && cells >= best.below.length)) break;
      const khi = Math.min(2 ** 31 - 1, klo + cells * w - 1);
      const cellOf = (key: number): number => Math.floor((Math.min(Math.max(key, klo), khi) - klo) / w);
      let crowded = false;
      for (let j = perCell; j < n && !crowded; j++) crowded = cellOf(k[j]!) === cellOf(k[j - perCell]!);
      if (crowded) continue;
      const below = new Uint16Array(cells);
      for (const key of k) if (cellOf(key) + 1 < cells) below[cellOf(key) + 1]!++;
      for (let c = 1; c < cells; c++) below[c]! += below[c - 1]!;
      best = { klo, khi, shift, below, perCell };
      break;
    }
  }
  return best;
}

/** Steps of a binary search over n sorted keys (padded to 2^steps - 1). */
const stepsFor = (n: number): number => Math.ceil(Math.log2(n + 1));

/**
 * One or more ensembles laid out for the kernel, with its memory: the slots, one group's
 * planes and rows, the trees, the leaf indexes and sums. Not re-entrant (one call at a
 * time, as JavaScript runs them); GbdtModel.margins builds one per model on first use.
 */
export class ForestKernel {
  private readonly xs: Float32Array;
  private readonly outViews: Float64Array[];

  private constructor(
    private readonly kernel: Kernel,
    private readonly memory: WebAssembly.Memory,
    /** Features per row. */
    readonly features: number,
    private readonly slots: number,
    private readonly at: { slotTable: number; clear: number; clearBytes: number; x: number; idx: number; out: number[] },
    private readonly models: ReadonlyArray<{ base: number; trees: number; depths: number; nodes: number; leafAt: number }>,
  ) {
    // The memory never grows: views made once stay valid.
    this.xs = new Float32Array(memory.buffer, at.x, GROUP * features);
    this.outViews = at.out.map((p) => new Float64Array(memory.buffer, p, GROUP));
  }

  /**
   * The kernel of one or more ensembles over the same features, or undefined when a tree
   * is deeper than KERNEL_MAX_DEPTH (8) or a feature has more than 65,535 thresholds.
   * Compiles synchronously (a few milliseconds; the module is cached by tree depth).
   */
  static build(models: readonly TreeArrays[]): ForestKernel | undefined {
    const F = models[0]?.featureNames.length ?? 0;
    if (models.length === 0 || models.some((m) => m.featureNames.length !== F)) return undefined;
    const depths = models.map(treeDepths);
    if (depths.some((d) => d.some((x) => x > KERNEL_MAX_DEPTH))) return undefined;
    // One slot per feature: the distinct thresholds of all the models (NaN excluded: a
    // split on it always goes left; -0 is 0 to the compare).
    const sets = Array.from({ length: F }, () => new Set<number>());
    for (const m of models) {
      for (let i = 0; i < m.feature.length; i++) if (m.feature[i]! >= 0 && m.threshold[i] === m.threshold[i]) sets[m.feature[i]!]!.add(m.threshold[i]! + 0);
    }
    const slotOf = new Int32Array(F).fill(-1), slotKeys: Float32Array[] = [], slotFeature: number[] = [];
    for (let f = 0; f < F; f++) {
      if (sets[f]!.size === 0) continue;
      if (sets[f]!.size > KERNEL_MAX_THRESHOLDS) return undefined;
      slotOf[f] = slotKeys.length;
      slotKeys.push(Float32Array.from(sets[f]!).sort());
      slotFeature.push(f);
    }
    const S = slotKeys.length;
    const rankOf = slotKeys.map((k) => new Map(Array.from(k, (v, j) => [v, j])));
    const grids = slotKeys.map((k) => gridOf(k, 1) ?? gridOf(k, 2));

    // Memory: the slots, the planes of one group, the trees, the rows of one group, leaf indexes and sums.
    let end = 16;
    const take = (bytes: number, a = 16): number => {
      const p = Math.ceil(end / a) * a;
      end = p + bytes;
      return p;
    };
    const zero = take(16);
    const slotTable = take(SLOT_BYTES * S);
    const wide = slotKeys.map((k) => k.length > 255);
    const cellsAt = grids.map((g, s) => (g ? take(g.below.length * (wide[s] ? 2 : 1), 2) : 0));
    const keyCount = slotKeys.map((k, s) => (grids[s] ? k.length + 2 : 2 ** stepsFor(k.length) - 1));
    const keysAt = keyCount.map((c) => take(4 * c, 4));
    const clear = take(0);
    const planesAt = slotKeys.map((k) => take(16 * (k.length + 1)));
    const clearBytes = end - clear;
    const placed = models.map((m, k) => {
      const d = depths[k]!;
      let nodes = 0, leaves = 0;
      for (const x of d) {
        nodes += (1 << x) - 1;
        leaves += 1 << x;
      }
      return { base: m.base, trees: d.length, depths: take(d.length, 1), nodes: take(4 * nodes, 4), leafAt: take(4 * d.length, 4), leaves: take(8 * leaves, 8) };
    });
    // The rows' block has room for the kernel's reads of whole quads of rows past the last.
    const x = take(4 * F * (GROUP + 4)), idx = take(GROUP * Math.max(1, ...depths.map((d) => d.length)));
    const out = models.map(() => take(8 * GROUP));
    const pages = Math.ceil(end / PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const buf = memory.buffer;
    const I32 = new Int32Array(buf), F32 = new Float32Array(buf), U8 = new Uint8Array(buf), U16 = new Uint16Array(buf), F64 = new Float64Array(buf);

    for (let s = 0; s < S; s++) {
      const rec = (slotTable + SLOT_BYTES * s) >> 2, g = grids[s], k = slotKeys[s]!;
      I32[rec + SLOT.featOff / 4] = 4 * slotFeature[s]!;
      I32[rec + SLOT.klo / 4] = g ? g.klo : 0;
      I32[rec + SLOT.khi / 4] = g ? g.khi : 0;
      I32[rec + SLOT.shift / 4] = g ? g.shift : stepsFor(k.length);
      I32[rec + SLOT.cells / 4] = cellsAt[s]!;
      I32[rec + SLOT.keys / 4] = keysAt[s]!;
      I32[rec + SLOT.planes / 4] = planesAt[s]!;
      I32[rec + SLOT.count / 4] = k.length;
      I32[rec + SLOT.mode / 4] = g ? g.perCell + (wide[s] ? 2 : 0) : 0;
      if (g && wide[s]) U16.set(g.below, cellsAt[s]! >> 1);
      else if (g) U8.set(g.below, cellsAt[s]!);
      F32.fill(Infinity, keysAt[s]! >> 2, (keysAt[s]! >> 2) + keyCount[s]!);
      F32.set(k, keysAt[s]! >> 2);
    }
    models.forEach((m, k) => {
      const p = placed[k]!, d = depths[k]!;
      let np = p.nodes >> 2, lp = p.leaves;
      for (let t = 0; t < d.length; t++) {
        const D = d[t]!, inner = (1 << D) - 1;
        U8[p.depths + t] = D;
        I32[(p.leafAt >> 2) + t] = lp;
        // Heap order: the children of position q at 2q + 1 and 2q + 2.
        const fill = (node: number, pos: number, level: number): void => {
          if (level === D) {
            F64[(lp >> 3) + pos - inner] = m.value[node]!;
            return;
          }
          const f = m.feature[node]!;
          const split = f >= 0 && m.threshold[node] === m.threshold[node];
          // Right exactly when the value is above threshold j: rank >= j + 1, that plane.
          // A split on NaN, or a leaf above the full depth, always goes left (the zero plane).
          I32[np + pos] = split ? planesAt[slotOf[f]!]! + 16 * (rankOf[slotOf[f]!]!.get(m.threshold[node]! + 0)! + 1) : zero;
          const l = f >= 0 ? m.left[node]! : node, r = f >= 0 ? m.left[node]! + 1 : node;
          fill(l, 2 * pos + 1, level + 1);
          fill(r, 2 * pos + 2, level + 1);
        };
        fill(m.roots[t]!, 0, 0);
        np += inner;
        lp += 8 << D;
      }
    });
    const maxDepth = Math.max(0, ...depths.map((d) => Math.max(0, ...d)));
    const kernel = instantiate(compileWatSync('forest', forestKernelWat(maxDepth)), memory).exports as unknown as Kernel;
    return new ForestKernel(kernel, memory, F, S, { slotTable, clear, clearBytes, x, idx, out }, placed);
  }

  /** Trees of each model. */
  get trees(): number[] {
    return this.models.map((m) => m.trees);
  }

  /** How the slots find ranks: by binary search, on grids with one or two thresholds per cell, and how many have 16-bit ranks. */
  get slotModes(): { search: number; grid1: number; grid2: number; wide: number } {
    const I = new Int32Array(this.memory.buffer, this.at.slotTable, (this.slots * SLOT_BYTES) / 4);
    const r = { search: 0, grid1: 0, grid2: 0, wide: 0 };
    for (let s = 0; s < this.slots; s++) {
      const mode = I[(s * SLOT_BYTES + SLOT.mode) / 4]!, count = I[(s * SLOT_BYTES + SLOT.count) / 4]!;
      if (mode === 0) r.search++;
      else if (mode % 2 === 1) r.grid1++;
      else r.grid2++;
      if (count > 255) r.wide++;
    }
    return r;
  }

  /**
   * Margins of n rows (row-major n x features) under each model, using its first
   * trees[k] trees (all by default), into outs[k]; a model without an out is skipped.
   */
  margins(X: Float32Array, n: number, outs: ReadonlyArray<Float64Array | undefined>, trees?: readonly number[]): void {
    const F = this.features, { at, kernel, models, xs, outViews } = this;
    if (X.length < n * F) throw new RangeError(`gbdt: expected ${n} x ${F} = ${n * F} feature values, got ${X.length}`);
    for (let k = 0; k < models.length; k++) {
      const t = trees?.[k] ?? models[k]!.trees;
      if (!(Number.isInteger(t) && t >= 0 && t <= models[k]!.trees)) throw new RangeError(`gbdt: trees must be 0..${models[k]!.trees}, got ${t}`);
      if (outs[k] && outs[k]!.length < n) throw new RangeError(`gbdt: an out of ${outs[k]!.length} for ${n} rows`);
    }
    for (let r0 = 0; r0 < n; r0 += GROUP) {
      const rows = Math.min(GROUP, n - r0);
      xs.set(X.subarray(r0 * F, (r0 + rows) * F));
      kernel.planes(at.x, rows, 4 * F, this.slots, at.slotTable, at.clear, at.clearBytes);
      const chunks = (rows + 15) >> 4;
      for (let k = 0; k < models.length; k++) {
        const out = outs[k], m = models[k]!;
        if (out === undefined) continue;
        const t = trees?.[k] ?? m.trees;
        kernel.trees(t, m.depths, m.nodes, at.idx);
        kernel.accumulate(chunks, t, m.leafAt, at.idx, m.base, at.out[k]!);
        out.set(rows === GROUP ? outViews[k]! : outViews[k]!.subarray(0, rows), r0);
      }
    }
  }
}
