import { describe, expect, it } from 'vitest';
import { compileWatSync, Rng } from '../../math/index.js';
import { binColumns, binOf, quantileBins, sortFloats } from './binning.js';
import { HIST_WAT, HistArena, NB } from './hist.js';

const kernel = compileWatSync('hist', HIST_WAT);

/** An arena of n rows x F features with random bins, pairs and a node of every `stride`-th row. */
function arena(n: number, F: number, seed: number): { a: HistArena; rng: Rng } {
  const rng = new Rng(seed);
  const a = HistArena.create(n, F, kernel);
  for (let i = 0; i < n * F; i++) a.BC[i] = rng.int(NB);
  for (let i = 0; i < 2 * n; i++) a.pairs[i] = rng.next() - 0.5;
  return { a, rng };
}

describe('the training kernels (WebAssembly SIMD)', () => {
  it('gathers a node\'s pairs and builds its histograms bit for bit as a plain loop in row order does', () => {
    // 7 features: one pass of four, then three one at a time.
    const n = 5_000, F = 7;
    const { a, rng } = arena(n, F, 1);
    let m = 0;
    for (let r = 0; r < n; r++) if (rng.next() < 0.3) a.rows[100 + m++] = r;
    a.gather(100, m);
    for (let k = 0; k < m; k++) {
      expect(a.gh[2 * k]).toBe(a.pairs[2 * a.rows[100 + k]!]);
      expect(a.gh[2 * k + 1]).toBe(a.pairs[2 * a.rows[100 + k]! + 1]);
    }
    a.out.fill(7); // stale sums: the kernel zeroes what it builds
    a.build(100, m, 0, F);
    const want = new Float64Array(F * NB * 2);
    for (let j = 0; j < F; j++) {
      for (let k = 0; k < m; k++) {
        const b = (j * NB + a.BC[j * n + a.rows[100 + k]!]!) * 2;
        want[b]! += a.gh[2 * k]!;
        want[b + 1]! += a.gh[2 * k + 1]!;
      }
    }
    expect(Array.from(a.out)).toEqual(Array.from(want));
    // A range of features leaves the others alone.
    a.out.fill(9);
    a.build(100, m, 2, 5);
    expect(a.out[0]).toBe(9);
    expect(Array.from(a.out.subarray(2 * NB * 2, 5 * NB * 2))).toEqual(Array.from(want.subarray(2 * NB * 2, 5 * NB * 2)));
    expect(a.out[5 * NB * 2]).toBe(9);
  });

  it('partitions a node\'s rows stably: bins at most the split first, each side in its order', () => {
    const n = 3_000, F = 3;
    const { a } = arena(n, F, 2);
    for (let r = 0; r < n; r++) a.rows[r] = r;
    const lo = 500, m = 2_000, feature = 2, bin = 90;
    const before = Array.from(a.rows.subarray(lo, lo + m));
    const left = a.partition(lo, m, feature, bin);
    const goesLeft = (r: number): boolean => a.BC[feature * n + r]! <= bin;
    expect(left).toBe(before.filter(goesLeft).length);
    expect(Array.from(a.rows.subarray(lo, lo + m))).toEqual([...before.filter(goesLeft), ...before.filter((r) => !goesLeft(r))]);
    expect(Array.from(a.rows.subarray(0, lo))).toEqual(Array.from({ length: lo }, (_, r) => r));
    expect(a.rows[lo + m]).toBe(lo + m);
  });

  it('names the size it cannot hold', () => {
    expect(() => HistArena.create(200_000_000, 30, kernel)).toThrow(/need 1\d\.\d GiB of training memory, more than WebAssembly's 4 GiB; train on a sample/);
  });
});

describe('binning into columns', () => {
  it('sorts the quantile sample as Float32Array.sort does: signs, zeros of both signs, ties, infinities', () => {
    const rng = new Rng(4);
    const v = Float32Array.from({ length: 50_001 }, (_, i) => (i % 97 === 0 ? -0 : i % 89 === 0 ? 0 : i % 101 === 0 ? -Infinity : i % 103 === 0 ? Infinity : Math.round((rng.next() - 0.5) * 2e4) / (rng.next() < 0.5 ? 7 : 1e9)));
    const want = Float32Array.from(v).sort();
    const got = sortFloats(Float32Array.from(v), new Uint32Array(v.length), new Uint32Array(v.length));
    expect(Array.from(got).map((x) => Object.is(x, -0) ? '-0' : x)).toEqual(Array.from(want).map((x) => Object.is(x, -0) ? '-0' : x));
  });

  it('gives exactly the bins of a binary search, for spread, crowded, infinite and missing values', () => {
    const rng = new Rng(3);
    const n = 20_000, f = 4;
    const X = new Float32Array(n * f);
    for (let r = 0; r < n; r++) {
      X[r * f] = rng.next() * 2 - 1; // spread
      X[r * f + 1] = Math.exp(rng.next() * 30 - 15); // heavy-tailed: many edges crowd the first cells
      X[r * f + 2] = rng.next() < 0.1 ? NaN : Math.round(rng.next() * 5); // few distinct values, missing
      X[r * f + 3] = rng.next() < 0.01 ? (rng.next() < 0.5 ? -Infinity : Infinity) : rng.next();
    }
    const b = quantileBins(X, n, f, 256, 1);
    const out = new Uint8Array(n * f);
    binColumns(b, X, n, out);
    for (let j = 0; j < f; j++) for (let r = 0; r < n; r++) if (out[j * n + r] !== binOf(b.edges[j]!, X[r * f + j]!)) throw new Error(`feature ${j} row ${r}: ${out[j * n + r]} != ${binOf(b.edges[j]!, X[r * f + j]!)}`);
    // Values between and on the edges, including ones the sample never saw.
    const probe = Float32Array.from([-1e30, -1, 0, 1e-7, 0.5, 1, 1e30, NaN, -Infinity, Infinity]);
    const edges = b.edges[0]!;
    const px = new Float32Array(probe.length * f);
    probe.forEach((v, r) => px.fill(v, r * f, r * f + f));
    const pout = new Uint8Array(px.length);
    binColumns(b, px, probe.length, pout);
    probe.forEach((v, r) => expect(pout[r]).toBe(binOf(edges, v)));
  });
});
