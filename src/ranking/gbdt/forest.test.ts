import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../math/index.js';
import { ForestKernel, GbdtModel, type GbdtObjective } from './index.js';

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
/** The float32 next to x, up (+1) or down (-1). */
function nextFloat(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * 1e-45;
  f32[0] = x;
  u32[0] = u32[0]! + ((x > 0) === (dir > 0) ? 1 : -1);
  return f32[0]!;
}

/** Thresholds of one feature, drawn in one of the shapes the rank finder treats differently. */
function thresholdPool(rng: Rng, kind: number): number[] {
  switch (kind) {
    case 0: // a few values in [0, 1)
      return Array.from({ length: 1 + rng.int(12) }, () => Math.fround(rng.next()));
    case 1: // small integers: many ties across trees
      return Array.from({ length: 1 + rng.int(20) }, (_, i) => i - 5);
    case 2: // edges: infinities, signed zeros, the smallest and largest floats, NaN (a split that always goes left)
      return [-Infinity, Infinity, 0, -0, 1e-45, -1e-45, 3.4028234663852886e38, -3.4028234663852886e38, NaN, Math.fround(1 / 3), -1e30, 1e30];
    case 3: // a crowd of adjacent floats with far outliers on both sides: no grid separates them (binary search)
      return [...Array.from({ length: 40 }, (_, i) => Math.fround(1 + i * 2 ** -23)), -1e30, -1e20, 1e20, 1e30];
    default: // more than a byte of ranks: 256-600 values, spread over magnitudes
      return Array.from({ length: 256 + rng.int(345) }, () => Math.fround((rng.next() - 0.3) * 10 ** (rng.int(7) - 3)));
  }
}

/**
 * A random ensemble in GbdtModel's flat layout: trees of depth up to maxDepth (leaves at
 * any level with `leafChance` below the root, children side by side), splits on `features` features with thresholds from
 * each feature's pool, leaf values of mixed magnitudes (so that the order of the float64
 * sum shows in the last bits).
 */
function randomModel(seed: number, features: number, trees: number, maxDepth: number, objective: GbdtObjective, pools: number[][], leafChance = 0.25): GbdtModel {
  const rng = new Rng(seed);
  const feature: number[] = [], threshold: number[] = [], left: number[] = [], value: number[] = [], roots: number[] = [];
  const grow = (node: number, depth: number): void => {
    if (depth >= maxDepth || (depth > 0 && rng.next() < leafChance)) {
      feature[node] = -1;
      threshold[node] = 0;
      left[node] = -1;
      value[node] = Math.fround((rng.next() - 0.5) * 10 ** (rng.int(9) - 4));
      return;
    }
    const f = rng.int(features), pool = pools[f]!;
    const l = feature.length;
    feature.push(-1, -1);
    threshold.push(0, 0);
    left.push(-1, -1);
    value.push(0, 0);
    feature[node] = f;
    threshold[node] = pool[rng.int(pool.length)]!;
    left[node] = l;
    value[node] = 0;
    grow(l, depth + 1);
    grow(l + 1, depth + 1);
  };
  for (let t = 0; t < trees; t++) {
    const root = feature.length;
    roots.push(root);
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    value.push(0);
    grow(root, 0);
  }
  const names = Array.from({ length: features }, (_, j) => `f${j}`);
  return new GbdtModel(objective, names, Math.fround(rng.next() - 0.5), Int32Array.from(roots), Int32Array.from(feature), Float32Array.from(threshold), Int32Array.from(left), Float32Array.from(value), new Float64Array(features), new Int32Array(features));
}

/** n rows whose values are the pools' thresholds, their float neighbours, NaN, infinities, signed zeros and random values. */
function randomRows(seed: number, n: number, pools: number[][]): Float32Array {
  const rng = new Rng(seed);
  const F = pools.length, X = new Float32Array(n * F);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) {
      const pool = pools[f]!, t = pool[rng.int(pool.length)]!, u = rng.next();
      X[r * F + f] = u < 0.3 ? t : u < 0.45 ? nextFloat(t, 1) : u < 0.6 ? nextFloat(t, -1) : u < 0.68 ? NaN : u < 0.72 ? [Infinity, -Infinity, 0, -0][rng.int(4)]! : (rng.next() - 0.5) * 10 ** (rng.int(9) - 4);
    }
  }
  return X;
}

/** Every float64 the same bits (Object.is: NaN equals NaN, 0 differs from -0). */
function expectIdentical(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${what}: row ${i}: ${a[i]} against the walk's ${b[i]}`);
}

const ensemble = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  features: fc.integer({ min: 1, max: 6 }),
  trees: fc.integer({ min: 1, max: 24 }),
  maxDepth: fc.integer({ min: 1, max: 8 }),
  kinds: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 6, maxLength: 6 }),
  n: fc.integer({ min: 0, max: 300 }),
});

describe('tree scoring on bit planes (forest.ts)', () => {
  it('gives margins bit-identical to the node walk on random forests of depth 1-8, with NaN, edges and both objectives', () => {
    fc.assert(fc.property(ensemble, fc.constantFrom<GbdtObjective>('binary', 'lambdarank'), ({ seed, features, trees, maxDepth, kinds, n }, objective) => {
      const rng = new Rng(seed);
      const pools = Array.from({ length: features }, (_, f) => thresholdPool(rng, kinds[f]!));
      const m = randomModel(seed + 1, features, trees, maxDepth, objective, pools);
      const X = randomRows(seed + 2, n, pools);
      const walk = m.marginsReference(X, n);
      // Through margins (the kernel from KERNEL_MIN_ROWS rows on, the walk below) and the kernel itself at any n.
      expectIdentical(m.margins(X, n), walk, 'margins');
      const k = ForestKernel.build([m])!;
      const out = new Float64Array(n);
      k.margins(X, n, [out]);
      expectIdentical(out, walk, 'kernel');
      // The first few trees only.
      const some = Math.floor(trees / 2);
      expectIdentical(m.margins(X, n, undefined, some), m.marginsReference(X, n, undefined, some), `first ${some} trees`);
      if (objective === 'binary') expectIdentical(m.predict(X, n), Float64Array.from(walk, (v) => 1 / (1 + Math.exp(-v))), 'predict');
    }), { numRuns: 150 });
  });

  it('scores two ensembles in one pass as each alone, bit for bit, with their thresholds merged per feature', () => {
    fc.assert(fc.property(ensemble, fc.integer({ min: 1, max: 8 }), ({ seed, features, trees, maxDepth, kinds, n }, otherDepth) => {
      const rng = new Rng(seed);
      const pools = Array.from({ length: features }, (_, f) => thresholdPool(rng, kinds[f]!));
      // The second ensemble draws its own thresholds too: shared ranks, different splits.
      const other = pools.map((p, f) => [...p.slice(0, 1 + (p.length >> 1)), ...thresholdPool(rng, kinds[(f + 1) % 6]!)]);
      const a = randomModel(seed + 1, features, trees, maxDepth, 'lambdarank', pools);
      const b = randomModel(seed + 3, features, 1 + (trees >> 1), otherDepth, 'binary', other);
      const X = randomRows(seed + 2, n, other);
      const k = ForestKernel.build([a, b])!;
      const outs = [new Float64Array(n), new Float64Array(n)];
      k.margins(X, n, outs);
      expectIdentical(outs[0]!, a.marginsReference(X, n), 'first');
      expectIdentical(outs[1]!, b.marginsReference(X, n), 'second');
      // One of them only, and fewer trees of the other.
      const only = new Float64Array(n);
      k.margins(X, n, [undefined, only], [0, 1]);
      expectIdentical(only, b.marginsReference(X, n, undefined, 1), 'second, one tree');
    }), { numRuns: 80 });
  });

  it('finds ranks every way it can: grids of one and two thresholds a cell, 16-bit ranks, binary search', () => {
    const rng = new Rng(11);
    const pools = [0, 2, 3, 4, 4, 1].map((kind) => thresholdPool(rng, kind));
    // A crowd of thresholds two to a cell at best: adjacent pairs, spread out.
    pools.push(Array.from({ length: 60 }, (_, i) => Math.fround(2 ** (i >> 1)) + (i & 1) * 2 ** ((i >> 1) - 23)));
    const m = randomModel(12, pools.length, 200, 8, 'binary', pools);
    const k = ForestKernel.build([m])!;
    const modes = k.slotModes;
    expect(modes.search).toBeGreaterThan(0);
    expect(modes.grid1).toBeGreaterThan(0);
    expect(modes.grid2).toBeGreaterThan(0);
    expect(modes.wide).toBeGreaterThan(0);
    const X = randomRows(13, 700, pools);
    const out = new Float64Array(700);
    k.margins(X, 700, [out]);
    expectIdentical(out, m.marginsReference(X, 700), 'all modes');
  });

  it('declines trees deeper than 8 (margins takes the compiled layout or the walk), and checks its inputs', () => {
    const pools = [[0.5, 0.25], [1, 2, 3]];
    const deep = randomModel(5, 2, 3, 9, 'binary', pools, 0);
    expect(ForestKernel.build([deep])).toBeUndefined();
    const X = randomRows(6, 50, pools);
    expectIdentical(deep.margins(X, 50), deep.marginsReference(X, 50), 'depth 9');
    const m = randomModel(5, 2, 3, 4, 'binary', pools);
    const k = ForestKernel.build([m])!;
    expect(() => k.margins(X, 60, [new Float64Array(60)])).toThrow('gbdt: expected 60 x 2 = 120 feature values, got 100');
    expect(() => k.margins(X, 50, [new Float64Array(50)], [4])).toThrow('gbdt: trees must be 0..3, got 4');
    expect(() => k.margins(X, 50, [new Float64Array(10)])).toThrow('gbdt: an out of 10 for 50 rows');
    expect(ForestKernel.build([m, randomModel(5, 3, 3, 4, 'binary', [...pools, [1]])])).toBeUndefined();
  });
});
