/**
 * Pieces of WebAssembly text shared by the SIMD kernels (see wasm.ts): loops over a row of
 * `nv` four-lane float32 vectors, unrolled with constant offsets.
 */

/** `(v128.load offset=off ptr)`; `ptr` is an expression such as `(local.get $y)`. */
export const v128Load = (ptr: string, off: number): string => `(v128.load offset=${off} ${ptr})`;

/**
 * Set the f32 local `$out` to the dot product of the rows at a + aOff and b + bOff, summed
 * in min(4, nv) v128 accumulators ($acc0..$acc3, which the function must declare), then
 * across lanes as (l0 + l1) + (l2 + l3).
 */
export function watDot(nv: number, a: string, aOff: number, b: string, bOff: number, out: string): string {
  const na = Math.min(4, nv);
  const l: string[] = [];
  for (let i = 0; i < nv; i++) {
    const acc = `$acc${i % na}`;
    const term = `(f32x4.mul ${v128Load(a, aOff + 16 * i)} ${v128Load(b, bOff + 16 * i)})`;
    l.push(i < na ? `(local.set ${acc} ${term})` : `(local.set ${acc} (f32x4.add (local.get ${acc}) ${term}))`);
  }
  let sum = '(local.get $acc0)';
  for (let k = 1; k < na; k++) sum = `(f32x4.add ${sum} (local.get $acc${k}))`;
  l.push(`(local.set $acc0 ${sum})`);
  const lane = (k: number) => `(f32x4.extract_lane ${k} (local.get $acc0))`;
  l.push(`(local.set $${out} (f32.add (f32.add ${lane(0)} ${lane(1)}) (f32.add ${lane(2)} ${lane(3)})))`);
  return l.join('\n');
}
