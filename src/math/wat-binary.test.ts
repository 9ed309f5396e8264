import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { assembleWat } from './wat-binary.js';
import { compileWatSync, instantiate } from './wasm.js';

const FEATURES = { simd: true, threads: true, bulk_memory: true, sat_float_to_int: true };

/** wabt's binary of the same text: the reference. */
async function wabtBinary(text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const m = wabt.parseWat('t.wat', text, FEATURES);
  try {
    return m.toBinary({}).buffer;
  } finally {
    m.destroy();
  }
}

/** Control flow, constants of every shape, locals of several types, lanes and memory immediates. */
const SAMPLE = `(module
  (import "env" "memory" (memory 1 4))
  (func $internal (param i32) (result i32) (i32.add (local.get 0) (i32.const -129)))
  (func (export "mix") (param $a i32) (param $b f32) (result f64)
    (local $i i32) (local $j i32) (local $v v128) (local $d f64) (local $w v128)
    (local.set $v (v128.const i32x4 -1 0 0x7fffffff 2147483648))
    (local.set $w (v128.const i8x16 0x55 0x55 0x55 0x55 0x55 0x55 0x55 0x55 1 2 3 4 5 6 7 8))
    (local.set $w (v128.xor (local.get $w) (v128.const i64x2 0 -9223372036854775808)))
    (local.set $v (v128.bitselect (local.get $v) (local.get $w) (v128.const f32x4 1.5 -0 0.25 3e38)))
    (local.set $v (v128.load32_lane offset=8 2 (local.get $a) (local.get $v)))
    (local.set $d (f64.const -0.1))
    (block $out
      (loop $top
        (br_if $out (i32.ge_u (local.get $i) (i32.const 10)))
        (block $c2 (block $c1 (block $c0 (br_table $c0 $c1 $c2 (i32.and (local.get $i) (i32.const 3))))
          (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $c2))
          (local.set $j (i32.sub (local.get $j) (i32.load16_u offset=70000 (local.get $a)))))
        (if (i32.eqz (local.get $j))
          (then (local.set $d (f64.add (local.get $d) (f64.const 1))))
          (else (i32.store8 offset=3 (local.get $a) (local.get $j))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (memory.fill (local.get $a) (i32.const 0) (i32.const 16))
    (f64.add (local.get $d) (f64x2.extract_lane 1 (f64x2.splat (f64.const 2))))))`;

describe('assembleWat', () => {
  it('writes the same bytes as wabt (the tree kernel at each depth is held to it in ranking/gbdt/kernel-wat.test.ts)', async () => {
    expect(Array.from(assembleWat(SAMPLE))).toEqual(Array.from(await wabtBinary(SAMPLE)));
  });

  it('imports a shared memory as wabt does, and runs on one', async () => {
    const text = '(module (import "env" "memory" (memory 1 8 shared)) (func (export "put") (param $a i32) (i32.store (local.get $a) (i32.const 7))))';
    expect(Array.from(assembleWat(text))).toEqual(Array.from(await wabtBinary(text)));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 8, shared: true });
    (instantiate(compileWatSync('shared', text), memory).exports.put as (a: number) => void)(16);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(new Int32Array(memory.buffer)[4]).toBe(7);
  });

  it('compiles synchronously to a module that runs', () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 4 });
    const { exports } = instantiate(compileWatSync('sample', SAMPLE), memory);
    // i counts 0..9; j goes up by one at i % 4 = 0 and down by the (zero) 16-bit word at 70064
    // at i % 4 = 1, so it never returns to 0 and d stays -0.1: the result is -0.1 + 2.
    expect((exports.mix as (a: number, b: number) => number)(64, 0)).toBe(-0.1 + 2);
    expect(new Uint8Array(memory.buffer, 64, 16).every((b) => b === 0)).toBe(true);
  });

  it('names what it cannot assemble', () => {
    expect(() => assembleWat('(module (func (f32x4.sqrt (local.get 0))))')).toThrow('instruction f32x4.sqrt is not supported by this assembler');
    expect(() => assembleWat('(module (import "env" "memory" (memory 1 shared)))')).toThrow('a shared memory needs a maximum');
    expect(() => assembleWat('(module (func (local.get $nope)))')).toThrow('unknown local $nope');
    expect(() => assembleWat('(module (func (br $nope)))')).toThrow('unknown label $nope');
    expect(() => assembleWat('(module (func)')).toThrow('unbalanced "("');
    expect(() => compileWatSync('broken', '(module (table 1 funcref))')).toThrow('broken.wat: wat: module field table is not supported by this assembler');
  });
});
