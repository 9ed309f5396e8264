/**
 * The ALS kernels as WebAssembly SIMD text, specialised to the factor count (`dims`, a
 * multiple of 4): every loop over a factor row is unrolled into dims / 4 four-lane float32
 * operations with constant offsets. Same algorithm and order of row work as the JavaScript
 * reference in solver.ts (`cgSolveRows`, `gramianRows`), in float32 like benfred/implicit's
 * CPU solver, so a row's result differs from the reference only by rounding.
 *
 * Exports, all pointers being byte offsets into the imported memory:
 *   cg_rows(indptr, indices, data, X, Y, A, alpha, cgSteps, lo, hi, scratch) -> first bad row or -1
 *     A: Y'Y + lambda I (float32, dims x dims, symmetric); scratch: 4 x dims float32, own per thread.
 *   gram_rows(F, lo, hi, out): out (float32 dims x dims) = sum over rows lo..hi of F of f f'.
 */

import { v128Load, watDot } from '../../math/index.js';

/** Whether the SIMD kernel can run at this factor count. */
export function simdDims(dims: number): boolean {
  return dims >= 4 && dims % 4 === 0 && dims <= 1024;
}

export function alsKernelWat(dims: number): string {
  if (!simdDims(dims)) throw new RangeError(`alsKernelWat: dims must be a multiple of 4 in 4..1024, got ${dims}`);
  const RB = dims * 4; // bytes per factor row
  const NV = dims / 4; // v128 per row
  const X_OFF = 0, R_OFF = RB, P_OFF = 2 * RB, AP_OFF = 3 * RB;
  const get = (n: string) => `(local.get $${n})`;
  const ld = v128Load;
  const mul = (a: string, b: string) => `(f32x4.mul ${a} ${b})`;
  const i32 = (n: number) => `(i32.const ${n})`;

  /** $out = sum_i a[aOff + i] * b[bOff + i] over one row. */
  const dot = (a: string, aOff: number, b: string, bOff: number, out: string): string => watDot(NV, a, aOff, b, bOff, out);

  /** y[yOff..] (op)= s * x[xOff..], s a v128 local. */
  const axpy = (y: string, yOff: number, s: string, x: string, xOff: number, op: 'add' | 'sub' = 'add'): string => {
    const l: string[] = [];
    for (let i = 0; i < NV; i++) {
      l.push(`(v128.store offset=${yOff + 16 * i} ${y} (f32x4.${op} ${ld(y, yOff + 16 * i)} ${mul(get(s), ld(x, xOff + 16 * i))}))`);
    }
    return l.join('\n');
  };

  /** scratch[outOff..] (op)= A * scratch[vOff..], as a sum of A's rows (A is symmetric). */
  const matvec = (vOff: number, outOff: number, op: 'add' | 'sub'): string => `
    (local.set $k ${i32(0)})
    (local.set $ak (local.get $A))
    (loop $mv
      (local.set $ts (f32x4.splat (f32.load offset=${vOff} (i32.add (local.get $sc) (local.get $k)))))
      ${axpy('(local.get $sc)', outOff, 'ts', '(local.get $ak)', 0, op)}
      (local.set $ak (i32.add (local.get $ak) ${i32(RB)}))
      (local.set $k (i32.add (local.get $k) ${i32(4)}))
      (br_if $mv (i32.lt_u (local.get $k) ${i32(RB)})))`;

  /** For each non-zero q of the row: load y_i, v, cm1 = alpha |v|; then `body`. */
  const nonZeros = (body: string): string => `
    (local.set $q (local.get $s))
    (block $nzDone (loop $nz
      (br_if $nzDone (i32.ge_s (local.get $q) (local.get $e)))
      (local.set $yo (i32.add (local.get $Y) (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) ${i32(2)}))) ${i32(RB)})))
      (local.set $v (f32.load (i32.add (local.get $data) (i32.shl (local.get $q) ${i32(2)}))))
      (local.set $cm1 (f32.mul (local.get $alpha) (f32.abs (local.get $v))))
      ${body}
      (local.set $q (i32.add (local.get $q) ${i32(1)}))
      (br $nz)))`;

  const sc = '(local.get $sc)';
  const yo = '(local.get $yo)';

  const cgRows = `
  (func (export "cg_rows")
    (param $indptr i32) (param $indices i32) (param $data i32) (param $X i32) (param $Y i32) (param $A i32)
    (param $alpha f32) (param $steps i32) (param $lo i32) (param $hi i32) (param $sc i32) (result i32)
    (local $u i32) (local $s i32) (local $e i32) (local $q i32) (local $xo i32) (local $yo i32) (local $k i32) (local $ak i32)
    (local $it i32) (local $bad i32)
    (local $v f32) (local $cm1 f32) (local $t f32) (local $dot f32) (local $rsold f32) (local $rsnew f32) (local $pap f32) (local $check f32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $ts v128)
    (local.set $bad ${i32(-1)})
    (local.set $u (local.get $lo))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $u) (local.get $hi)))
      (local.set $s (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $u) ${i32(2)}))))
      (local.set $e (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $u) ${i32(2)}))))
      (local.set $xo (i32.add (local.get $X) (i32.mul (local.get $u) ${i32(RB)})))
      (if (i32.eq (local.get $s) (local.get $e))
        (then (memory.fill (local.get $xo) ${i32(0)} ${i32(RB)}))
        (else
          ;; x = the row's factors (warm start)
          (memory.copy (i32.add ${sc} ${i32(X_OFF)}) (local.get $xo) ${i32(RB)})
          ;; r = -(Y'Y + lambda I) x + sum_i (c p - (c - 1) y_i.x) y_i
          (memory.fill (i32.add ${sc} ${i32(R_OFF)}) ${i32(0)} ${i32(RB)})
          ${matvec(X_OFF, R_OFF, 'sub')}
          ${nonZeros(`
            ${dot(yo, 0, sc, X_OFF, 'dot')}
            (local.set $t (f32.sub
              (select (f32.add (f32.const 1) (local.get $cm1)) (f32.const 0) (f32.gt (local.get $v) (f32.const 0)))
              (f32.mul (local.get $cm1) (local.get $dot))))
            (local.set $ts (f32x4.splat (local.get $t)))
            ${axpy(sc, R_OFF, 'ts', yo, 0)}`)}
          (memory.copy (i32.add ${sc} ${i32(P_OFF)}) (i32.add ${sc} ${i32(R_OFF)}) ${i32(RB)})
          ${dot(sc, R_OFF, sc, R_OFF, 'rsold')}
          ;; a non-finite residual (overflow in float32) is a diverged row, not a converged one
          (if (i32.and (i32.lt_s (local.get $bad) ${i32(0)}) (f32.ne (f32.sub (local.get $rsold) (local.get $rsold)) (f32.const 0)))
            (then (local.set $bad (local.get $u))))
          (if (f32.ge (local.get $rsold) (f32.const 1e-20)) (then
            (local.set $it ${i32(0)})
            (block $cgDone (loop $cg
              (br_if $cgDone (i32.ge_s (local.get $it) (local.get $steps)))
              ;; ap = (Y'Y + lambda I) p + sum_i (c - 1)(y_i.p) y_i
              (memory.fill (i32.add ${sc} ${i32(AP_OFF)}) ${i32(0)} ${i32(RB)})
              ${matvec(P_OFF, AP_OFF, 'add')}
              ${nonZeros(`
                ${dot(yo, 0, sc, P_OFF, 'dot')}
                (local.set $ts (f32x4.splat (f32.mul (local.get $cm1) (local.get $dot))))
                ${axpy(sc, AP_OFF, 'ts', yo, 0)}`)}
              ${dot(sc, P_OFF, sc, AP_OFF, 'pap')}
              ;; x += step p; r -= step ap; rsnew = r.r
              (local.set $ts (f32x4.splat (f32.div (local.get $rsold) (local.get $pap))))
              ${axpy(sc, X_OFF, 'ts', sc, P_OFF)}
              ${axpy(sc, R_OFF, 'ts', sc, AP_OFF, 'sub')}
              ${dot(sc, R_OFF, sc, R_OFF, 'rsnew')}
              (br_if $cgDone (f32.lt (local.get $rsnew) (f32.const 1e-20)))
              ;; p = r + beta p
              (local.set $ts (f32x4.splat (f32.div (local.get $rsnew) (local.get $rsold))))
              ${Array.from({ length: NV }, (_, i) => `(v128.store offset=${P_OFF + 16 * i} ${sc} (f32x4.add ${ld(sc, R_OFF + 16 * i)} ${mul('(local.get $ts)', ld(sc, P_OFF + 16 * i))}))`).join('\n')}
              (local.set $rsold (local.get $rsnew))
              (local.set $it (i32.add (local.get $it) ${i32(1)}))
              (br $cg)))))
          (memory.copy (local.get $xo) (i32.add ${sc} ${i32(X_OFF)}) ${i32(RB)})
          ;; NaN and +-Infinity make check - check non-zero or NaN
          (local.set $acc0 ${ld(sc, X_OFF)})
          ${Array.from({ length: NV - 1 }, (_, i) => `(local.set $acc0 (f32x4.add (local.get $acc0) ${ld(sc, X_OFF + 16 * (i + 1))}))`).join('\n')}
          (local.set $check (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
                                     (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
          (if (i32.and (i32.lt_s (local.get $bad) ${i32(0)}) (f32.ne (f32.sub (local.get $check) (local.get $check)) (f32.const 0)))
            (then (local.set $bad (local.get $u))))))
      (local.set $u (i32.add (local.get $u) ${i32(1)}))
      (br $rows)))
    (local.get $bad))`;

  const gramRows = `
  (func (export "gram_rows") (param $F i32) (param $lo i32) (param $hi i32) (param $out i32)
    (local $r i32) (local $fo i32) (local $k i32) (local $row i32) (local $ts v128)
    (memory.fill (local.get $out) ${i32(0)} ${i32(RB * dims)})
    (local.set $r (local.get $lo))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $r) (local.get $hi)))
      (local.set $fo (i32.add (local.get $F) (i32.mul (local.get $r) ${i32(RB)})))
      (local.set $k ${i32(0)})
      (local.set $row (local.get $out))
      (loop $cols
        (local.set $ts (f32x4.splat (f32.load (i32.add (local.get $fo) (local.get $k)))))
        ${axpy('(local.get $row)', 0, 'ts', '(local.get $fo)', 0)}
        (local.set $row (i32.add (local.get $row) ${i32(RB)}))
        (local.set $k (i32.add (local.get $k) ${i32(4)}))
        (br_if $cols (i32.lt_u (local.get $k) ${i32(RB)})))
      (local.set $r (i32.add (local.get $r) ${i32(1)}))
      (br $rows))))`;

  return `(module
  (import "env" "memory" (memory 1 65536 shared))
  ${cgRows}
  ${gramRows})`;
}
