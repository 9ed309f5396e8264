import { describe, expect, it } from 'vitest';
import { corpusFromSessions, item2vecConfig, ITEM2VEC_DEFAULTS, similar, trainItem2vec, type Item2vecProgress } from './index.js';
import { clusterPrecision, plantedSessions } from './planted.js';

const planted = () => plantedSessions({ items: 200, clusters: 10, sessions: 3000, minLength: 5, maxLength: 15, noise: 0.02, zipf: 0.5, seed: 7 });
const allItems = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('trainItem2vec', () => {
  it('recovers planted clusters: nearest neighbours share the cluster (1 thread)', async () => {
    const { corpus, cluster } = planted();
    const r = await trainItem2vec(corpus, 200, { dims: 16, epochs: 5, threads: 1 });
    expect(r.vectors.length).toBe(200 * 16);
    expect(r.dims).toBe(16);
    expect(r.wordsPerSecond).toBeGreaterThan(0);
    expect(r.words).toBe(corpus.tokens.length * 5);
    expect(r.effectiveWords).toBeLessThanOrEqual(r.words);
    const p = clusterPrecision(r.vectors, 16, cluster, allItems(200), 10);
    expect(p).toBeGreaterThan(0.9);
  });

  it('runs the parallel (worker thread) path and still recovers the clusters', async () => {
    const { corpus, cluster } = planted();
    const progress: Item2vecProgress[] = [];
    const r = await trainItem2vec(corpus, 200, { dims: 16, epochs: 5, threads: 2, onProgress: (p) => progress.push(p) });
    expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.reduce((s, p) => s + p.words, 0)).toBe(corpus.tokens.length * 5);
    expect(r.vectors.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(clusterPrecision(r.vectors, 16, cluster, allItems(200), 10)).toBeGreaterThan(0.9);
  });

  it('gives identical vectors for the same seed on 1 thread, different ones for another seed', async () => {
    const { corpus } = planted();
    const a = await trainItem2vec(corpus, 200, { dims: 8, epochs: 2, threads: 1, seed: 3 });
    const b = await trainItem2vec(corpus, 200, { dims: 8, epochs: 2, threads: 1, seed: 3 });
    const c = await trainItem2vec(corpus, 200, { dims: 8, epochs: 2, threads: 1, seed: 4 });
    expect(Buffer.from(a.vectors.buffer).equals(Buffer.from(b.vectors.buffer))).toBe(true);
    expect(Buffer.from(a.vectors.buffer).equals(Buffer.from(c.vectors.buffer))).toBe(false);
  });

  it('decays the learning rate linearly to minLearningRate, reporting each epoch', async () => {
    const { corpus } = planted();
    const lr: number[] = [];
    await trainItem2vec(corpus, 200, { dims: 8, epochs: 4, threads: 1, onProgress: (p) => lr.push(p.learningRate) });
    expect(lr).toHaveLength(4);
    for (let e = 1; e < 4; e++) expect(lr[e]!).toBeLessThan(lr[e - 1]!);
    // At the end of epoch e the rate is about 0.025 - (0.025 - 0.0001) * e / 4.
    for (let e = 0; e < 4; e++) expect(lr[e]!).toBeCloseTo(0.025 - 0.0249 * ((e + 1) / 4), 3);
  });

  it('throws the abort reason when aborted, inline and in workers', async () => {
    const { corpus } = plantedSessions({ items: 2000, clusters: 20, sessions: 40_000, minLength: 5, maxLength: 30, noise: 0.05, zipf: 1, seed: 2 });
    for (const threads of [1, 2]) {
      const ctl = new AbortController();
      const started = performance.now();
      const run = trainItem2vec(corpus, 2000, { dims: 32, epochs: 50, threads, signal: ctl.signal });
      setTimeout(() => ctl.abort(new Error('stop')), 100);
      await expect(run).rejects.toThrow('stop');
      expect(performance.now() - started).toBeLessThan(5000);
    }
    const pre = AbortSignal.abort();
    await expect(trainItem2vec(corpus, 2000, { threads: 1, signal: pre })).rejects.toThrow(/abort/i);
  });

  it('handles edge cases with clear errors or documented results', async () => {
    // Empty corpus: nothing to train.
    await expect(trainItem2vec(corpusFromSessions([]), 5, { threads: 1 })).rejects.toThrow(/no items with count >= minCount/);
    // Only one-item sessions: no (item, context) pairs.
    await expect(trainItem2vec(corpusFromSessions([[1], [2], [3]]), 5, { threads: 1 })).rejects.toThrow(/no session has two or more/);
    // Malformed input is named.
    await expect(trainItem2vec(corpusFromSessions([[0, 9]]), 5, { threads: 1 })).rejects.toThrow(/tokens\[1\] = 9 is outside 0..4/);
    await expect(trainItem2vec({ tokens: Int32Array.of(1, 2), offsets: Int32Array.of(0, 1) }, 5)).rejects.toThrow(/last offset/);
    await expect(trainItem2vec(corpusFromSessions([[0, 1]]), 2, { dims: 0 })).rejects.toThrow(/dims must be an integer >= 1, got 0/);
    // One-item sessions beside longer ones are fine; unseen items and those under minCount get zero vectors.
    const r = await trainItem2vec(corpusFromSessions([[0], [1, 2, 1, 2], [3]]), 5, { dims: 4, threads: 1, minCount: 2, sample: 0 });
    expect(Array.from(r.vectors.subarray(0, 4))).toEqual([0, 0, 0, 0]); // count 1 < minCount
    expect(Array.from(r.vectors.subarray(4 * 4, 5 * 4))).toEqual([0, 0, 0, 0]); // never seen
    expect(r.vectors.subarray(4, 8).some((v) => v !== 0)).toBe(true);
    expect(similar(r.vectors, 4, 0, 3).ix.length).toBe(0); // zero query: no neighbours
    expect(Array.from(similar(r.vectors, 4, 1, 3).ix)).toEqual([2]); // only in-vocabulary items are scored
    // More threads than sessions still works.
    const t = await trainItem2vec(corpusFromSessions([[0, 1, 2]]), 3, { dims: 4, threads: 4, epochs: 1 });
    expect(t.vectors.every(Number.isFinite)).toBe(true);
  });
});

describe('item2vecConfig', () => {
  it('documents defaults and validates', () => {
    expect(ITEM2VEC_DEFAULTS).toMatchObject({ dims: 64, window: 5, negatives: 5, epochs: 5, learningRate: 0.025, minLearningRate: 0.0001, negExponent: 0.75, sample: 1e-3, minCount: 1, seed: 42 });
    expect(ITEM2VEC_DEFAULTS.threads).toBeGreaterThanOrEqual(1);
    expect(ITEM2VEC_DEFAULTS.threads).toBeLessThanOrEqual(2);
    expect(item2vecConfig({ negExponent: -0.5 }).negExponent).toBe(-0.5);
    expect(() => item2vecConfig({ minLearningRate: 0.1 })).toThrow(/minLearningRate must be in \[0, learningRate = 0.025\], got 0.1/);
    expect(() => item2vecConfig({ sample: -1 })).toThrow(/sample/);
  });
});

describe('similar', () => {
  it('ranks by cosine, excludes the item, breaks ties by lower index', () => {
    const v = Float32Array.of(1, 0, /* 1 */ 2, 0, /* 2 */ 0, 1, /* 3 */ 1, 1, /* 4 */ 3, 0);
    const r = similar(v, 2, 0, 3);
    expect(Array.from(r.ix)).toEqual([1, 4, 3]);
    expect(r.scores[2]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(similar(v, 2, 0, 0).ix.length).toBe(0);
    expect(similar(v, 2, 0, 99).ix.length).toBe(4);
    expect(() => similar(v, 3, 0, 1)).toThrow(/not a multiple of dims = 3/);
    expect(() => similar(v, 2, 5, 1)).toThrow(/item 5 is outside 0..4/);
  });
});
