import { describe, expect, it } from 'vitest';
import { Rng } from '../../math/index.js';
import { csrFromCoo, type Csr } from '../csr.js';
import { topK } from '../topk.js';
import { AlsDivergedError, alsConfig, foldIn, trainAls } from './index.js';

/** Two taste groups: listeners 0..n/2 play only tracks 0..m/2, the others only the rest. */
function twoGroups(seed: number, listeners = 60, tracks = 40, perListener = 8): Csr {
  const rng = new Rng(seed);
  const r: number[] = [], c: number[] = [], v: number[] = [];
  const half = tracks / 2;
  for (let u = 0; u < listeners; u++) {
    const base = u < listeners / 2 ? 0 : half;
    for (let k = 0; k < perListener; k++) {
      r.push(u);
      c.push(base + rng.int(half));
      v.push(1 + rng.int(4));
    }
  }
  return csrFromCoo(listeners, tracks, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v));
}

function scoresFor(u: number, f: { userFactors: Float32Array; itemFactors: Float32Array; dims: number }): Float32Array {
  const d = f.dims, n = f.itemFactors.length / d;
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += f.userFactors[u * d + k]! * f.itemFactors[i * d + k]!;
    s[i] = dot;
  }
  return s;
}

describe('trainAls', () => {
  it('recovers planted groups: top recommendations come from the listener group', async () => {
    // Rank-2 structure, 2 dims: every listener's top 5 unseen tracks are in their group.
    const m = twoGroups(1);
    const f = await trainAls(m, { dims: 2, epochs: 10, threads: 1, regularization: 0.1 });
    for (let u = 0; u < m.rows; u++) {
      const seen = new Set(Array.from(m.indices.subarray(m.indptr[u]!, m.indptr[u + 1]!)));
      const { ix } = topK(scoresFor(u, f), 5, seen);
      const group = u < m.rows / 2 ? 0 : 1;
      for (const i of ix) expect(i < m.cols / 2 ? 0 : 1).toBe(group);
    }
    // With spare dims (8) the unseen ranking is noisier, but the own group still scores higher on average.
    const g = await trainAls(m, { dims: 8, epochs: 10, threads: 1, regularization: 0.1 });
    for (let u = 0; u < m.rows; u++) {
      const s = scoresFor(u, g);
      const half = m.cols / 2;
      const mean = (lo: number) => s.subarray(lo, lo + half).reduce((a, b) => a + b, 0) / half;
      const own = u < m.rows / 2 ? 0 : half;
      expect(mean(own)).toBeGreaterThan(mean(half - own));
    }
  });

  it('decreases the training loss', async () => {
    const losses: number[] = [];
    const f = await trainAls(twoGroups(2), { dims: 8, epochs: 8, threads: 1, calculateLoss: true, onProgress: (p) => losses.push(p.loss!) });
    expect(losses).toHaveLength(8);
    for (let e = 1; e < losses.length; e++) expect(losses[e]!).toBeLessThanOrEqual(losses[e - 1]! * (1 + 1e-6));
    expect(losses[7]!).toBeLessThan(losses[0]! * 0.9);
    expect(f.loss).toBe(losses[7]);
  });

  for (const kernel of ['simd', 'js'] as const) it(`gives identical factors on 1 and 2 worker threads, and for the same seed (${kernel} kernel)`, async () => {
    const m = twoGroups(3, 300, 200, 12);
    const one = await trainAls(m, { dims: 16, epochs: 4, threads: 1, kernel });
    const two = await trainAls(m, { dims: 16, epochs: 4, threads: 2, kernel });
    const again = await trainAls(m, { dims: 16, epochs: 4, threads: 2, kernel });
    expect(two.kernel).toBe(kernel);
    expect(two.userFactors).toEqual(one.userFactors);
    expect(two.itemFactors).toEqual(one.itemFactors);
    expect(again.userFactors).toEqual(two.userFactors);
    const other = await trainAls(m, { dims: 16, epochs: 4, threads: 1, seed: 7, kernel });
    expect(other.userFactors).not.toEqual(one.userFactors);
  });

  it('works with more threads than the pool strictly needs (3 workers)', async () => {
    const m = twoGroups(4, 50, 30, 6);
    const one = await trainAls(m, { dims: 4, epochs: 2, threads: 1 });
    const three = await trainAls(m, { dims: 4, epochs: 2, threads: 3 });
    expect(three.itemFactors).toEqual(one.itemFactors);
  });

  it('folds in a listener close to their trained factors', async () => {
    const m = twoGroups(5);
    const cfg = { dims: 8, epochs: 40, threads: 1, regularization: 0.1, cgSteps: 8 };
    const f = await trainAls(m, cfg);
    const d = f.dims;
    for (const u of [0, 17, 45]) {
      const s = m.indptr[u]!, e = m.indptr[u + 1]!;
      const x = foldIn(f.itemFactors, d, m.indices.subarray(s, e), m.data.subarray(s, e), alsConfig(cfg));
      const trained = f.userFactors.subarray(u * d, (u + 1) * d);
      let norm = 0;
      for (let k = 0; k < d; k++) norm = Math.max(norm, Math.abs(trained[k]!));
      for (let k = 0; k < d; k++) expect(Math.abs(x[k]! - trained[k]!)).toBeLessThan(0.02 * norm + 1e-4);
    }
    expect(Array.from(foldIn(f.itemFactors, d, Int32Array.of(), Float32Array.of(), alsConfig(cfg)))).toEqual(new Array(d).fill(0));
    expect(() => foldIn(f.itemFactors, d, Int32Array.of(999), Float32Array.of(1), alsConfig(cfg))).toThrow(/outside/);
  });

  it('gives listeners without history zero factors', async () => {
    const m = csrFromCoo(3, 4, Int32Array.of(0, 2), Int32Array.of(1, 3), Float32Array.of(1, 1));
    const f = await trainAls(m, { dims: 4, epochs: 2, threads: 1 });
    expect(Array.from(f.userFactors.subarray(4, 8))).toEqual([0, 0, 0, 0]);
  });

  it('throws on non-finite factors, suggesting a higher regularization', async () => {
    for (const threads of [1, 2]) {
      const err = await trainAls(twoGroups(6), { dims: 4, epochs: 2, threads, alpha: 1e300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AlsDivergedError);
      expect((err as Error).message).toMatch(/NaN or infinite at epoch 1.*higher regularization/);
    }
  });

  it('rejects a bad config or matrix at the edge', async () => {
    await expect(trainAls(twoGroups(7), { regularization: -1 })).rejects.toThrow(/regularization must be a finite number >= 0, got -1/);
    await expect(trainAls(twoGroups(7), { dims: 0 })).rejects.toThrow(/dims must be an integer >= 1/);
    const m = twoGroups(7);
    const bad = { ...m, data: m.data.slice() };
    bad.data[3] = NaN;
    await expect(trainAls(bad, { threads: 1 })).rejects.toThrow(/entry 3 has value NaN/);
  });

  it('throws on abort, before and during training (workers stopped)', async () => {
    const m = twoGroups(8);
    const pre = new AbortController();
    pre.abort();
    await expect(trainAls(m, { signal: pre.signal, threads: 1 })).rejects.toThrow(/abort/i);
    for (const threads of [1, 2]) {
      const ac = new AbortController();
      let epochs = 0;
      const run = trainAls(m, { dims: 4, epochs: 50, threads, signal: ac.signal, onProgress: (p) => { epochs = p.epoch; if (p.epoch === 2) ac.abort(); } });
      await expect(run).rejects.toThrow(/abort/i);
      expect(epochs).toBe(2);
    }
  });
});
