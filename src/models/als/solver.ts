/**
 * The implicit-ALS least-squares solves, over flat row-major Float32Array factors.
 *
 * Hu, Koren, Volinsky (ICDM 2008): with preference p_ui = 1 if r_ui > 0 else 0 and confidence
 * c_ui = 1 + alpha |r_ui|, each row's factors solve
 *   (Y'Y + Y'(C_u - I)Y + lambda I) x_u = Y' C_u p_u,
 * where Y'Y + lambda I is computed once per half-sweep, so one solve touches only the row's
 * non-zeros. `exactSolveRow` is the plain reference (Cholesky); `cgSolveRows` is the
 * conjugate-gradient kernel of Takacs, Pilaszy, Tikk (RecSys 2011), as in benfred/implicit
 * `cpu/_als.pyx` `_least_squares_cg`: a few CG steps per row, warm-started from the previous
 * factors, never forming the row's matrix. Negative stored values mean p_ui = 0 with
 * confidence 1 + alpha |r_ui| (as implicit).
 *
 * These functions run unchecked in hot loops: callers validate sizes at the exported edge.
 * They import nothing, so that worker threads load them cheaply.
 */

/** Rows per chunk of the Gramian: fixed, so that the sum order (and result) is the same for any thread count. */
export const GRAM_CHUNK = 4096;

/**
 * Add sum over rows lo..hi of y y' into `out` (d x d, row-major, float64), full symmetric.
 *
 * @example const g = new Float64Array(4); gramianRows(Float32Array.of(1, 2), 2, 0, 1, g); // [1, 2, 2, 4]
 */
export function gramianRows(Y: Float32Array, d: number, lo: number, hi: number, out: Float64Array, outOff = 0): void {
  // Upper triangle, four factor rows at a time (each y_j read once per pass over a row block).
  for (let r = lo; r < hi; r++) {
    const o = r * d;
    for (let j = 0; j < d; j++) {
      const yj = Y[o + j]!;
      if (yj === 0) continue;
      const base = outOff + j * d;
      for (let k = j; k < d; k++) out[base + k]! += yj * Y[o + k]!;
    }
  }
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) out[outOff + j * d + k] = out[outOff + k * d + j]!;
}

/**
 * Solve rows lo..hi of X in place by conjugate gradient, warm-started from X's current values.
 * `A` is Y'Y + lambda I (d x d, float64). Returns the first row whose factors came out
 * non-finite, or -1. Scratch is allocated once per call.
 */
export function cgSolveRows(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array,
  X: Float32Array,
  Y: Float32Array,
  A: Float64Array,
  d: number,
  alpha: number,
  cgSteps: number,
  lo: number,
  hi: number,
): number {
  const x = new Float64Array(d);
  const r = new Float64Array(d);
  const p = new Float64Array(d);
  const ap = new Float64Array(d);
  const d4 = d - (d & 3);
  let bad = -1;
  for (let u = lo; u < hi; u++) {
    const s = indptr[u]!;
    const e = indptr[u + 1]!;
    const xo = u * d;
    if (s === e) {
      // No history: the solution is 0 (as implicit).
      for (let j = 0; j < d; j++) X[xo + j] = 0;
      continue;
    }
    for (let j = 0; j < d; j++) x[j] = X[xo + j]!;

    // r = b - A_u x = -(Y'Y + lambda I) x + sum_i (c p - (c - 1) y_i.x) y_i
    for (let j = 0; j < d; j++) {
      const ao = j * d;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let k = 0;
      for (; k < d4; k += 4) {
        a0 += A[ao + k]! * x[k]!;
        a1 += A[ao + k + 1]! * x[k + 1]!;
        a2 += A[ao + k + 2]! * x[k + 2]!;
        a3 += A[ao + k + 3]! * x[k + 3]!;
      }
      for (; k < d; k++) a0 += A[ao + k]! * x[k]!;
      r[j] = -(a0 + a1 + a2 + a3);
    }
    for (let q = s; q < e; q++) {
      const yo = indices[q]! * d;
      const v = data[q]!;
      const cm1 = v > 0 ? alpha * v : -alpha * v;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let k = 0;
      for (; k < d4; k += 4) {
        a0 += Y[yo + k]! * x[k]!;
        a1 += Y[yo + k + 1]! * x[k + 1]!;
        a2 += Y[yo + k + 2]! * x[k + 2]!;
        a3 += Y[yo + k + 3]! * x[k + 3]!;
      }
      for (; k < d; k++) a0 += Y[yo + k]! * x[k]!;
      const t = (v > 0 ? 1 + cm1 : 0) - cm1 * (a0 + a1 + a2 + a3);
      for (k = 0; k < d4; k += 4) {
        r[k] += t * Y[yo + k]!;
        r[k + 1] += t * Y[yo + k + 1]!;
        r[k + 2] += t * Y[yo + k + 2]!;
        r[k + 3] += t * Y[yo + k + 3]!;
      }
      for (; k < d; k++) r[k] += t * Y[yo + k]!;
    }
    let rsold = 0;
    for (let j = 0; j < d; j++) {
      p[j] = r[j]!;
      rsold += r[j]! * r[j]!;
    }

    if (rsold >= 1e-20) {
      for (let it = 0; it < cgSteps; it++) {
        // ap = A_u p = (Y'Y + lambda I) p + sum_i (c - 1)(y_i.p) y_i, without forming A_u.
        for (let j = 0; j < d; j++) {
          const ao = j * d;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          let k = 0;
          for (; k < d4; k += 4) {
            a0 += A[ao + k]! * p[k]!;
            a1 += A[ao + k + 1]! * p[k + 1]!;
            a2 += A[ao + k + 2]! * p[k + 2]!;
            a3 += A[ao + k + 3]! * p[k + 3]!;
          }
          for (; k < d; k++) a0 += A[ao + k]! * p[k]!;
          ap[j] = a0 + a1 + a2 + a3;
        }
        for (let q = s; q < e; q++) {
          const yo = indices[q]! * d;
          const v = data[q]!;
          const cm1 = v > 0 ? alpha * v : -alpha * v;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          let k = 0;
          for (; k < d4; k += 4) {
            a0 += Y[yo + k]! * p[k]!;
            a1 += Y[yo + k + 1]! * p[k + 1]!;
            a2 += Y[yo + k + 2]! * p[k + 2]!;
            a3 += Y[yo + k + 3]! * p[k + 3]!;
          }
          for (; k < d; k++) a0 += Y[yo + k]! * p[k]!;
          const t = cm1 * (a0 + a1 + a2 + a3);
          for (k = 0; k < d4; k += 4) {
            ap[k] += t * Y[yo + k]!;
            ap[k + 1] += t * Y[yo + k + 1]!;
            ap[k + 2] += t * Y[yo + k + 2]!;
            ap[k + 3] += t * Y[yo + k + 3]!;
          }
          for (; k < d; k++) ap[k] += t * Y[yo + k]!;
        }
        let pap = 0;
        for (let j = 0; j < d; j++) pap += p[j]! * ap[j]!;
        const step = rsold / pap;
        let rsnew = 0;
        for (let j = 0; j < d; j++) {
          x[j] += step * p[j]!;
          const rj = r[j]! - step * ap[j]!;
          r[j] = rj;
          rsnew += rj * rj;
        }
        if (rsnew < 1e-20) break;
        const beta = rsnew / rsold;
        for (let j = 0; j < d; j++) p[j] = r[j]! + beta * p[j]!;
        rsold = rsnew;
      }
    }
    let check = 0;
    for (let j = 0; j < d; j++) {
      X[xo + j] = x[j]!;
      check += X[xo + j]!; // read back: catches float32 overflow too
    }
    // NaN and +-Infinity both make this non-zero or NaN (Infinity - Infinity is NaN).
    if (bad < 0 && check - check !== 0) bad = u;
  }
  return bad;
}

/**
 * Exact solve of one row (the reference, and fold-in): builds
 * A_u = A0 + sum_i (c_i - 1) y_i y_i' and b = sum_i c_i p_i y_i, then Cholesky.
 * `A0` is Y'Y + lambda I. Writes the d factors into `out` at `outOff`. Throws when A_u is not
 * positive definite, naming the row and suggesting a higher regularization.
 *
 * @example exactSolveRow(itemFactors, dims, gram, Int32Array.of(3, 7), Float32Array.of(1, 2), 1, out, 0, 'listener 5')
 */
export function exactSolveRow(
  Y: Float32Array,
  d: number,
  A0: Float64Array,
  items: Int32Array,
  values: Float32Array,
  alpha: number,
  out: Float32Array,
  outOff: number,
  rowName: string,
  scratch: Float64Array = new Float64Array(d * d + d),
): void {
  const a = scratch;
  a.set(A0);
  const b = d * d;
  for (let j = 0; j < d; j++) a[b + j] = 0;
  for (let q = 0; q < items.length; q++) {
    const yo = items[q]! * d;
    const v = values[q]!;
    const cm1 = alpha * Math.abs(v);
    if (v > 0) for (let j = 0; j < d; j++) a[b + j] += (1 + cm1) * Y[yo + j]!;
    if (cm1 === 0) continue;
    for (let j = 0; j < d; j++) {
      const t = cm1 * Y[yo + j]!;
      for (let k = 0; k <= j; k++) a[j * d + k] += t * Y[yo + k]!;
    }
  }
  // Cholesky A = L L' in the lower triangle.
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j]!;
    for (let k = 0; k < j; k++) diag -= a[j * d + k]! * a[j * d + k]!;
    if (!(diag > 0)) {
      throw new RangeError(`als: the least-squares system of ${rowName} is not positive definite (pivot ${j} = ${diag}); try a higher regularization`);
    }
    const l = Math.sqrt(diag);
    a[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= a[i * d + k]! * a[j * d + k]!;
      a[i * d + j] = s / l;
    }
  }
  // Forward (L z = b), then back (L' x = z), in place in b.
  for (let i = 0; i < d; i++) {
    let s = a[b + i]!;
    for (let k = 0; k < i; k++) s -= a[i * d + k]! * a[b + k]!;
    a[b + i] = s / a[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = a[b + i]!;
    for (let k = i + 1; k < d; k++) s -= a[k * d + i]! * a[b + k]!;
    a[b + i] = s / a[i * d + i]!;
  }
  for (let j = 0; j < d; j++) out[outOff + j] = a[b + j]!;
}

/** The exact reference half-sweep: every row of X solved by {@link exactSolveRow}. */
export function exactSolveRows(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array,
  X: Float32Array,
  Y: Float32Array,
  A0: Float64Array,
  d: number,
  alpha: number,
  lo: number,
  hi: number,
): void {
  const scratch = new Float64Array(d * d + d);
  for (let u = lo; u < hi; u++) {
    const s = indptr[u]!, e = indptr[u + 1]!;
    exactSolveRow(Y, d, A0, indices.subarray(s, e), data.subarray(s, e), alpha, X, u * d, `row ${u}`, scratch);
  }
}

/**
 * The training loss of implicit's `calculate_loss`, normalised the same way:
 * (sum_ui c_ui (p_ui - x_u.y_i)^2 + lambda (|X|^2 + |Y|^2)) / (sum of confidences over all cells).
 * `G` is Y'Y without lambda.
 */
export function alsLoss(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array,
  rows: number,
  cols: number,
  X: Float32Array,
  Y: Float32Array,
  G: Float64Array,
  d: number,
  alpha: number,
  lambda: number,
): number {
  const r = new Float64Array(d);
  let loss = 0, totalConf = 0, xNorm = 0, yNorm = 0;
  for (let u = 0; u < rows; u++) {
    const xo = u * d;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += G[j * d + k]! * X[xo + k]!;
      r[j] = s;
    }
    for (let q = indptr[u]!; q < indptr[u + 1]!; q++) {
      const yo = indices[q]! * d;
      const v = data[q]!;
      const c = 1 + alpha * Math.abs(v);
      let dot = 0;
      for (let k = 0; k < d; k++) dot += Y[yo + k]! * X[xo + k]!;
      const t = (v > 0 ? -2 * c : 0) + (c - 1) * dot;
      for (let k = 0; k < d; k++) r[k] += t * Y[yo + k]!;
      if (v > 0) loss += c;
      totalConf += c;
    }
    for (let k = 0; k < d; k++) {
      loss += r[k]! * X[xo + k]!;
      xNorm += X[xo + k]! * X[xo + k]!;
    }
  }
  for (let i = 0; i < cols * d; i++) yNorm += Y[i]! * Y[i]!;
  const nnz = indptr[rows]! - indptr[0]!;
  return (loss + lambda * (xNorm + yNorm)) / (totalConf + rows * cols - nnz);
}
