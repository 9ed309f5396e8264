import { describe, expect, it } from 'vitest';
import { Rng, compileWat, instantiate, WasmHeap } from '../../math/index.js';
import { csrFromCoo, type Csr } from '../csr.js';
import { alsKernelWat, simdDims } from './kernel-wat.js';
import { cgSolveRows, exactSolveRows, gramianRows } from './solver.js';
import { SIMD_MAX_CONFIDENCE, trainAls } from './train.js';

type Kernel = Record<string, (...args: number[]) => number>;

function randomProblem(seed: number, rows: number, cols: number, d: number, density: number): { m: Csr; X: Float32Array; Y: Float32Array } {
  const rng = new Rng(seed);
  const r: number[] = [], c: number[] = [], v: number[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (rng.next() < density) { r.push(i); c.push(j); v.push((rng.next() < 0.1 ? -1 : 1) * (1 + rng.int(5))); }
  const m = csrFromCoo(rows, cols, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v));
  const X = new Float32Array(rows * d).map(() => rng.normal() * 0.1);
  const Y = new Float32Array(cols * d).map(() => rng.normal() * 0.5);
  return { m, X, Y };
}

/** The problem's arrays copied into a heap, and the kernel instantiated over it. */
async function onHeap(p: { m: Csr; X: Float32Array; Y: Float32Array }, d: number) {
  const nnz = p.m.indptr[p.m.rows]!;
  const heap = new WasmHeap([{ i32: p.m.rows + 1 }, { i32: nnz }, { f32: nnz }, { f32: p.X.length }, { f32: p.Y.length }, { f32: d * d }, { f32: 4 * d }], { shared: true });
  const [indptr, indices, data, X, Y, A, scratch] = heap.views as [Int32Array, Int32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  indptr.set(p.m.indptr); indices.set(p.m.indices.subarray(0, nnz)); data.set(p.m.data.subarray(0, nnz)); X.set(p.X); Y.set(p.Y);
  const k = instantiate(await compileWat('als', alsKernelWat(d)), heap.memory).exports as Kernel;
  return { k, indptr, indices, data, X, Y, A, scratch };
}

describe('the ALS SIMD kernel', () => {
  it('runs at multiples of 4 only', () => {
    expect([4, 8, 64, 100].every(simdDims)).toBe(true);
    expect([1, 2, 6, 63].some(simdDims)).toBe(false);
    expect(() => alsKernelWat(6)).toThrow(/multiple of 4/);
  });

  it('gram_rows equals the JavaScript Gramian (float32 rounding)', async () => {
    for (const d of [4, 12, 64]) {
      const p = randomProblem(3, 10, 300, d, 0.1);
      const h = await onHeap(p, d);
      h.k.gram_rows!(h.Y.byteOffset, 10, 290, h.A.byteOffset);
      const ref = new Float64Array(d * d);
      gramianRows(p.Y, d, 10, 290, ref);
      for (let i = 0; i < d * d; i++) expect(Math.abs(h.A[i]! - ref[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(ref[i]!)));
    }
  });

  it('cg_rows follows the JavaScript CG steps, and converges to the exact solve', async () => {
    for (const d of [8, 16, 64]) {
      const p = randomProblem(4, 40, 80, d, 0.2);
      const A = new Float64Array(d * d);
      gramianRows(p.Y, d, 0, 80, A);
      for (let j = 0; j < d; j++) A[j * d + j]! += 0.1;
      for (const steps of [3, 3 * d]) {
        const h = await onHeap(p, d);
        h.A.set(A);
        expect(h.k.cg_rows!(h.indptr.byteOffset, h.indices.byteOffset, h.data.byteOffset, h.X.byteOffset, h.Y.byteOffset, h.A.byteOffset, 2, steps, 0, 40, h.scratch.byteOffset)).toBe(-1);
        const ref = p.X.slice();
        if (steps === 3) cgSolveRows(p.m.indptr, p.m.indices, p.m.data, ref, p.Y, A, d, 2, steps, 0, 40);
        else exactSolveRows(p.m.indptr, p.m.indices, p.m.data, ref, p.Y, A, d, 2, 0, 40);
        let worst = 0, scale = 0;
        for (let i = 0; i < ref.length; i++) {
          worst = Math.max(worst, Math.abs(h.X[i]! - ref[i]!));
          scale = Math.max(scale, Math.abs(ref[i]!));
        }
        expect(worst).toBeLessThan(2e-3 * scale);
      }
    }
  });

  it('solves rows lo..hi only', async () => {
    const d = 8;
    const p = randomProblem(7, 30, 50, d, 0.2);
    const h = await onHeap(p, d);
    const A = new Float64Array(d * d);
    gramianRows(p.Y, d, 0, 50, A);
    for (let j = 0; j < d; j++) A[j * d + j]! += 0.1;
    h.A.set(A);
    expect(h.k.cg_rows!(h.indptr.byteOffset, h.indices.byteOffset, h.data.byteOffset, h.X.byteOffset, h.Y.byteOffset, h.A.byteOffset, 1, 3, 10, 20, h.scratch.byteOffset)).toBe(-1);
    expect(Array.from(h.X.subarray(0, 10 * d))).toEqual(Array.from(p.X.subarray(0, 10 * d)));
    expect(Array.from(h.X.subarray(20 * d))).toEqual(Array.from(p.X.subarray(20 * d)));
    const ref = p.X.slice();
    cgSolveRows(p.m.indptr, p.m.indices, p.m.data, ref, p.Y, A, d, 1, 3, 10, 20);
    for (let i = 10 * d; i < 20 * d; i++) expect(Math.abs(h.X[i]! - ref[i]!)).toBeLessThan(1e-3 * (1 + Math.abs(ref[i]!)));
    expect(Array.from(h.X.subarray(10 * d, 20 * d))).not.toEqual(Array.from(p.X.subarray(10 * d, 20 * d)));
  });

  it('gives an empty row zero factors and reports the first non-finite row', async () => {
    const d = 4;
    const p = randomProblem(5, 6, 10, d, 0.5);
    const empty = csrFromCoo(6, 10, Int32Array.of(0, 2), Int32Array.of(1, 3), Float32Array.of(1, 1));
    const h = await onHeap({ ...p, m: empty }, d);
    h.A.fill(0);
    for (let j = 0; j < d; j++) h.A[j * d + j] = 1;
    expect(h.k.cg_rows!(h.indptr.byteOffset, h.indices.byteOffset, h.data.byteOffset, h.X.byteOffset, h.Y.byteOffset, h.A.byteOffset, 1, 3, 0, 6, h.scratch.byteOffset)).toBe(-1);
    expect(Array.from(h.X.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    // alpha beyond float32's range makes row 0's residual infinite: reported, not skipped as converged.
    expect(h.k.cg_rows!(h.indptr.byteOffset, h.indices.byteOffset, h.data.byteOffset, h.X.byteOffset, h.Y.byteOffset, h.A.byteOffset, 1e39, 3, 0, 6, h.scratch.byteOffset)).toBe(0);
  });

  it('trains the same model as the JavaScript kernel, for any thread count', async () => {
    const p = randomProblem(6, 200, 120, 8, 0.08);
    const js = await trainAls(p.m, { dims: 16, epochs: 4, threads: 1, kernel: 'js' });
    const one = await trainAls(p.m, { dims: 16, epochs: 4, threads: 1, kernel: 'simd' });
    const two = await trainAls(p.m, { dims: 16, epochs: 4, threads: 2, kernel: 'simd' });
    expect([js.kernel, one.kernel, two.kernel]).toEqual(['js', 'simd', 'simd']);
    expect(Array.from(one.userFactors)).not.toEqual(Array.from(js.userFactors)); // float32 vs float64: not the same code
    expect(Array.from(two.userFactors)).toEqual(Array.from(one.userFactors));
    expect(Array.from(two.itemFactors)).toEqual(Array.from(one.itemFactors));
    // Scores agree with the float64 reference to float32 rounding carried through 4 epochs.
    let worst = 0, scale = 0;
    for (let u = 0; u < 200; u++) for (let i = 0; i < 120; i++) {
      let a = 0, b = 0;
      for (let k = 0; k < 16; k++) {
        a += js.userFactors[u * 16 + k]! * js.itemFactors[i * 16 + k]!;
        b += one.userFactors[u * 16 + k]! * one.itemFactors[i * 16 + k]!;
      }
      worst = Math.max(worst, Math.abs(a - b));
      scale = Math.max(scale, Math.abs(a));
    }
    expect(worst).toBeLessThan(1e-2 * scale);
    // A factor count the kernel cannot take runs on the JavaScript kernel.
    const six = await trainAls(p.m, { dims: 6, epochs: 2, threads: 1 });
    expect(six.kernel).toBe('js');
    expect(six.userFactors.every(Number.isFinite)).toBe(true);
    // So does a confidence beyond float32's comfortable range.
    const big = { ...p.m, data: p.m.data.map((v, q) => (q === 0 ? SIMD_MAX_CONFIDENCE * 10 : v)) };
    const huge = await trainAls(big, { dims: 16, epochs: 2, threads: 1 });
    expect(huge.kernel).toBe('js');
    expect(huge.userFactors.every(Number.isFinite)).toBe(true);
  });
});
