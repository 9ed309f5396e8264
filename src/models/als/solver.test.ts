import { describe, expect, it } from 'vitest';
import { Rng } from '../../math/index.js';
import { csrFromCoo, type Csr } from '../csr.js';
import { cgSolveRows, exactSolveRow, exactSolveRows, gramianRows } from './solver.js';
import { splitRows } from './train.js';

function randomProblem(seed: number, rows: number, cols: number, d: number, density: number): { m: Csr; X: Float32Array; Y: Float32Array } {
  const rng = new Rng(seed);
  const r: number[] = [], c: number[] = [], v: number[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (rng.next() < density) { r.push(i); c.push(j); v.push(1 + rng.int(5)); }
  const m = csrFromCoo(rows, cols, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v));
  const X = new Float32Array(rows * d).map(() => rng.normal() * 0.1);
  const Y = new Float32Array(cols * d).map(() => rng.normal() * 0.5);
  return { m, X, Y };
}

function gramPlus(Y: Float32Array, d: number, lambda: number): Float64Array {
  const g = new Float64Array(d * d);
  gramianRows(Y, d, 0, Y.length / d, g);
  for (let j = 0; j < d; j++) g[j * d + j]! += lambda;
  return g;
}

describe('gramianRows', () => {
  it('sums outer products, full symmetric', () => {
    const g = new Float64Array(4);
    gramianRows(Float32Array.of(1, 2, 3, 4), 2, 0, 2, g);
    expect(Array.from(g)).toEqual([10, 14, 14, 20]);
  });
});

describe('cgSolveRows', () => {
  it('agrees with the exact Cholesky solve after enough steps', () => {
    const d = 8;
    const { m, X, Y } = randomProblem(1, 30, 40, d, 0.2);
    const A = gramPlus(Y, d, 0.1);
    const exact = X.slice();
    exactSolveRows(m.indptr, m.indices, m.data, exact, Y, A, d, 2, 0, m.rows);
    const cg = X.slice();
    expect(cgSolveRows(m.indptr, m.indices, m.data, cg, Y, A, d, 2, 3 * d, 0, m.rows)).toBe(-1);
    for (let i = 0; i < exact.length; i++) expect(cg[i]).toBeCloseTo(exact[i]!, 4);
  });

  it('3 warm-started steps move toward the exact solution', () => {
    const d = 16;
    const { m, X, Y } = randomProblem(2, 20, 60, d, 0.15);
    const A = gramPlus(Y, d, 0.1);
    const exact = X.slice();
    exactSolveRows(m.indptr, m.indices, m.data, exact, Y, A, d, 1, 0, m.rows);
    const err = (a: Float32Array) => a.reduce((s, x, i) => s + (x - exact[i]!) ** 2, 0);
    const cg = X.slice();
    const before = err(cg);
    cgSolveRows(m.indptr, m.indices, m.data, cg, Y, A, d, 1, 3, 0, m.rows);
    const after1 = err(cg);
    cgSolveRows(m.indptr, m.indices, m.data, cg, Y, A, d, 1, 3, 0, m.rows);
    expect(after1).toBeLessThan(before);
    expect(err(cg)).toBeLessThan(after1);
  });

  it('zeroes rows without history and solves only lo..hi', () => {
    const d = 4;
    const { m, X, Y } = randomProblem(3, 6, 10, d, 0.5);
    const empty = csrFromCoo(2, 10, Int32Array.of(), Int32Array.of(), Float32Array.of());
    const X2 = X.slice(0, 2 * d);
    cgSolveRows(empty.indptr, empty.indices, empty.data, X2, Y, gramPlus(Y, d, 0.1), d, 1, 3, 0, 2);
    expect(Array.from(X2)).toEqual(new Array(2 * d).fill(0));
    const before = X.slice();
    cgSolveRows(m.indptr, m.indices, m.data, X, Y, gramPlus(Y, d, 0.1), d, 1, 3, 2, 4);
    expect(Array.from(X.subarray(0, 2 * d))).toEqual(Array.from(before.subarray(0, 2 * d)));
    expect(Array.from(X.subarray(4 * d))).toEqual(Array.from(before.subarray(4 * d)));
    expect(Array.from(X.subarray(2 * d, 4 * d))).not.toEqual(Array.from(before.subarray(2 * d, 4 * d)));
  });

  it('reports the first row whose factors are not finite', () => {
    const d = 4;
    const { m, X, Y } = randomProblem(4, 5, 10, d, 0.5);
    expect(cgSolveRows(m.indptr, m.indices, m.data, X, Y, gramPlus(Y, d, 0.1), d, 1e300, 3, 0, m.rows)).toBe(0);
  });
});

describe('exactSolveRow', () => {
  it('solves the normal equations of one row', () => {
    // One item y = (1, 0), value 1, alpha 1: (y y' + y y' + lambda I) x = 2 y => x0 = 2 / (2 + lambda).
    const Y = Float32Array.of(1, 0);
    const out = new Float32Array(2);
    exactSolveRow(Y, 2, gramPlus(Y, 2, 0.5), Int32Array.of(0), Float32Array.of(1), 1, out, 0, 'row 0');
    expect(out[0]).toBeCloseTo(2 / 2.5, 6);
    expect(out[1]).toBe(0);
  });

  it('names the row and suggests regularization when the system is singular', () => {
    const Y = new Float32Array(4);
    expect(() => exactSolveRow(Y, 2, gramPlus(Y, 2, 0), Int32Array.of(1), Float32Array.of(1), 1, new Float32Array(2), 0, 'listener 7')).toThrow(
      /listener 7.*higher regularization/,
    );
  });
});

describe('splitRows', () => {
  it('balances work across contiguous blocks', () => {
    // Row 0 is heavy: 1000 non-zeros; then 99 rows of 10.
    const indptr = new Int32Array(101);
    indptr[1] = 1000;
    for (let r = 2; r <= 100; r++) indptr[r] = indptr[r - 1]! + 10;
    const b = splitRows(indptr, 100, 2, 4);
    expect(b[0]).toBe(0);
    expect(b[2]).toBe(100);
    expect(b[1]).toBeGreaterThan(1);
    expect(b[1]).toBeLessThan(60);
    expect(Array.from(splitRows(indptr, 100, 1, 4))).toEqual([0, 100]);
  });
});
