import { describe, expect, it } from 'vitest';
import { compileWat, WasmHeap } from '../../math/index.js';
import { sgnsKernelWat } from './kernel-wat.js';
import { countItems } from './corpus.js';
import { sgnsRun, type KernelData, type KernelState } from './kernel.js';
import { plantedSessions } from './planted.js';
import { sgnsReference } from './reference.js';
import { keepThresholds, negativeTable, sigmoidTable } from './tables.js';

function setup(dims: number): KernelData {
  const v = 300;
  const { corpus } = plantedSessions({ items: v, clusters: 6, sessions: 400, minLength: 1, maxLength: 12, noise: 0.1, zipf: 1, seed: 5 });
  const counts = countItems(corpus, v);
  const { keep } = keepThresholds(counts, 2, 1e-2);
  const neg = negativeTable(counts, keep, 0.75);
  const syn0 = new Float32Array(v * dims);
  for (let i = 0; i < syn0.length; i++) syn0[i] = Math.sin(i * 12.9898) * 0.5 / dims;
  return {
    syn0, syn1: new Float32Array(v * dims), dims, tokens: corpus.tokens, offsets: corpus.offsets, keep, negProb: neg.prob, negAlias: neg.alias,
    expTable: sigmoidTable(), window: 4, negatives: 3, learningRate: 0.05, minLearningRate: 0.001, epochs: 2,
    abort: new Int32Array(1), sentence: new Int32Array(12), work: new Float64Array(dims),
  };
}

describe('sgnsRun (the fast kernel)', () => {
  // dims 16 takes the unrolled path only; 13 adds the remainder loops.
  for (const dims of [16, 13]) {
    it(`matches the plain reference up to float rounding (dims ${dims}, 2 epochs)`, () => {
      const fast = setup(dims);
      const slow = setup(dims);
      const n = fast.offsets.length - 1;
      let shareWords = 0;
      for (let t = 0; t < fast.tokens.length; t++) if (fast.keep[fast.tokens[t]!]! >= 0) shareWords++;
      for (let epoch = 0; epoch < 2; epoch++) {
        const a: KernelState = { rng: 99 + epoch, words: 0, effective: 0, alpha: 0, aborted: false };
        const b: KernelState = { ...a };
        sgnsRun(fast, 0, n, epoch, shareWords, a);
        sgnsReference(slow, 0, n, epoch, shareWords, b);
        expect(a).toEqual(b); // same random draws, counts and learning rate
        expect(a.words).toBe(shareWords);
      }
      let maxDiff = 0, maxAbs = 0;
      for (let i = 0; i < fast.syn0.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(fast.syn0[i]! - slow.syn0[i]!), Math.abs(fast.syn1[i]! - slow.syn1[i]!));
        maxAbs = Math.max(maxAbs, Math.abs(slow.syn0[i]!));
      }
      expect(maxAbs).toBeGreaterThan(0.01); // it learned something
      expect(maxDiff).toBeLessThan(1e-4);
    });
  }

  for (const dims of [4, 8, 12, 16]) it(`with the SIMD pair update: the same draws and counts, and the same vectors up to float32 rounding (dims ${dims})`, async () => {
    const js = setup(dims);
    const v = js.syn0.length / dims;
    const heap = new WasmHeap([{ f32: v * dims }, { f32: v * dims }, { f32: 1000 }, { i32: js.negatives + 1 }, { f32: dims }], { shared: true });
    const [syn0, syn1, expTable, targets, work] = heap.views as [Float32Array, Float32Array, Float32Array, Int32Array, Float32Array];
    syn0.set(js.syn0);
    expTable.set(js.expTable);
    const simd: KernelData = { ...setup(dims), syn0, syn1, expTable, simd: { module: await compileWat('sgns', sgnsKernelWat(dims)), memory: heap.memory, targets, work } };
    const n = js.offsets.length - 1;
    for (let epoch = 0; epoch < 2; epoch++) {
      const a: KernelState = { rng: 7 + epoch, words: 0, effective: 0, alpha: 0, aborted: false };
      const b: KernelState = { ...a };
      sgnsRun(js, 0, n, epoch, 3000, a);
      sgnsRun(simd, 0, n, epoch, 3000, b);
      expect(b).toEqual(a);
    }
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < syn0.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(syn0[i]! - js.syn0[i]!), Math.abs(syn1[i]! - js.syn1[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(js.syn0[i]!));
    }
    expect(maxAbs).toBeGreaterThan(0.01);
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('the SIMD sigmoid lookup stays in the table just below MAX_EXP', async () => {
    // f = the largest float32 below 6: (f + 6) * 1000 / 12 rounds to 1000 in float32.
    const f = Math.fround(6 - 2 ** -21);
    const heap = new WasmHeap([{ f32: 4 }, { f32: 4 }, { f32: 1000 }, { i32: 1 }, { f32: 4 }], { shared: true });
    const [syn0, syn1, expTable, targets, work] = heap.views as [Float32Array, Float32Array, Float32Array, Int32Array, Float32Array];
    expTable.set(sigmoidTable());
    targets[0] = 0;
    work.fill(0);
    syn0.set([f, 0, 0, 0]);
    syn1.set([1, 0, 0, 0]);
    const { exports } = new WebAssembly.Instance(await compileWat('sgns', sgnsKernelWat(4)), { env: { memory: heap.memory } });
    (exports.sg_pair as (...a: number[]) => number)(syn0.byteOffset, targets.byteOffset, 1, 0.025, syn1.byteOffset, expTable.byteOffset, work.byteOffset);
    const g = (1 - expTable[999]!) * 0.025; // about 6.2e-5
    expect(syn1[0]).toBeCloseTo(1 + g * f, 6);
    expect(syn0[0]).toBeCloseTo(f + g, 6);
  });

  it('stops at a session boundary when the abort flag is set', () => {
    const d = setup(8);
    Atomics.store(d.abort, 0, 1);
    const st: KernelState = { rng: 1, words: 0, effective: 0, alpha: 0, aborted: false };
    sgnsRun(d, 0, d.offsets.length - 1, 0, 100, st);
    expect(st.aborted).toBe(true);
    expect(st.words).toBe(0);
  });
});
