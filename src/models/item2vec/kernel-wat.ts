/**
 * The skip-gram negative-sampling update of one (context, item) pair as WebAssembly SIMD
 * text, specialised to `dims` (a multiple of 4): each loop over a vector is unrolled into
 * dims / 4 four-lane float32 operations. kernel.ts draws the negatives (the same random
 * draws as its JavaScript path) and calls this once per pair:
 *
 *   sg_pair(l1, targets, n, alpha, syn1, expTable, work)
 *     l1: pointer to the context item's input vector v_j (in syn0);
 *     targets: n int32 item ixs, the first the true item (label 1), the rest negatives (label 0);
 *     for each target t: f = v_j . u_t, g = (label - sigma(f)) alpha (sigma from expTable at
 *     1000 points of [-6, 6), saturated outside), e += g u_t, u_t += g v_j; then v_j += e.
 *     work: dims float32 of scratch for e, own per thread.
 */

import { v128Load, watDot } from '../../math/index.js';

/** Whether the SIMD kernel can run at this vector size. */
export function sgnsSimdDims(dims: number): boolean {
  return dims >= 4 && dims % 4 === 0 && dims <= 1024;
}

export function sgnsKernelWat(dims: number): string {
  if (!sgnsSimdDims(dims)) throw new RangeError(`sgnsKernelWat: dims must be a multiple of 4 in 4..1024, got ${dims}`);
  const RB = dims * 4;
  const NV = dims / 4;
  const MAX_EXP = 6;
  const EXP_SCALE = 1000 / MAX_EXP / 2;
  const ld = v128Load;
  const l1 = '(local.get $l1)', l2 = '(local.get $l2)', work = '(local.get $work)';

  const dot = watDot(NV, l1, 0, l2, 0, 'f');

  // e += g u; u += g v (u read once).
  const update: string[] = [];
  for (let i = 0; i < NV; i++) {
    const o = 16 * i;
    update.push(`(local.set $u ${ld(l2, o)})`);
    update.push(`(v128.store offset=${o} ${work} (f32x4.add ${ld(work, o)} (f32x4.mul (local.get $g4) (local.get $u))))`);
    update.push(`(v128.store offset=${o} ${l2} (f32x4.add (local.get $u) (f32x4.mul (local.get $g4) ${ld(l1, o)})))`);
  }
  const addWork: string[] = [];
  for (let i = 0; i < NV; i++) addWork.push(`(v128.store offset=${16 * i} ${l1} (f32x4.add ${ld(l1, 16 * i)} ${ld(work, 16 * i)}))`);

  return `(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "sg_pair")
    (param $l1 i32) (param $targets i32) (param $n i32) (param $alpha f32) (param $syn1 i32) (param $exp i32) (param $work i32)
    (local $i i32) (local $l2 i32) (local $e i32) (local $f f32) (local $g f32) (local $label f32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $g4 v128) (local $u v128)
    (memory.fill (local.get $work) (i32.const 0) (i32.const ${RB}))
    (local.set $label (f32.const 1))
    (block $done (loop $targets
      (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $l2 (i32.add (local.get $syn1) (i32.mul (i32.load (i32.add (local.get $targets) (i32.shl (local.get $i) (i32.const 2)))) (i32.const ${RB}))))
      ${dot}
      (if (f32.ge (local.get $f) (f32.const ${MAX_EXP}))
        (then (local.set $g (f32.mul (f32.sub (local.get $label) (f32.const 1)) (local.get $alpha))))
        (else (if (f32.le (local.get $f) (f32.const -${MAX_EXP}))
          (then (local.set $g (f32.mul (local.get $label) (local.get $alpha))))
          (else
            ;; just below 6, (f + 6) * scale can round up to the table's size: clamp to its last slot
            (local.set $e (i32.trunc_sat_f32_s (f32.mul (f32.add (local.get $f) (f32.const ${MAX_EXP})) (f32.const ${EXP_SCALE}))))
            (local.set $e (select (i32.const 999) (local.get $e) (i32.gt_s (local.get $e) (i32.const 999))))
            (local.set $g (f32.mul
            (f32.sub (local.get $label)
              (f32.load (i32.add (local.get $exp) (i32.shl (local.get $e) (i32.const 2)))))
            (local.get $alpha)))))))
      (if (f32.ne (local.get $g) (f32.const 0)) (then
        (local.set $g4 (f32x4.splat (local.get $g)))
        ${update.join('\n        ')}))
      (local.set $label (f32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $targets)))
    ${addWork.join('\n    ')}))`;
}
