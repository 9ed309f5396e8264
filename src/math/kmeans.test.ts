import { describe, it, expect } from 'vitest';
import { Rng, kmeans } from './index.js';

/** `per` points around each of `centres` (2-D), with noise of `sd`, in a shuffled order. */
function blobs(centres: Array<[number, number]>, per: number, sd: number, seed: number): { data: Float32Array; label: Int32Array } {
  const rng = new Rng(seed);
  const n = centres.length * per;
  const order = Array.from({ length: n }, (_, i) => i).sort(() => rng.next() - 0.5);
  const data = new Float32Array(n * 2), label = new Int32Array(n);
  order.forEach((src, r) => {
    const c = Math.floor(src / per);
    label[r] = c;
    data[r * 2] = centres[c]![0] + sd * (rng.next() - 0.5);
    data[r * 2 + 1] = centres[c]![1] + sd * (rng.next() - 0.5);
  });
  return { data, label };
}

describe('kmeans', () => {
  it('recovers well-separated clusters exactly (one cluster per blob, whatever the labels)', () => {
    const { data, label } = blobs([[0, 0], [10, 0], [0, 10], [10, 10], [5, 20]], 40, 2, 3);
    const r = kmeans(data, 2, 5, { seed: 7 });
    expect(r.k).toBe(5);
    const map = new Map<number, number>();
    for (let i = 0; i < label.length; i++) {
      const seen = map.get(label[i]!);
      if (seen === undefined) map.set(label[i]!, r.assignment[i]!);
      else expect(r.assignment[i]).toBe(seen);
    }
    expect(new Set(map.values()).size).toBe(5);
    // Centroids sit at the blobs' means.
    for (const [blob, c] of map) {
      const xs = Array.from(label.keys()).filter((i) => label[i] === blob);
      const mx = xs.reduce((a, i) => a + data[i * 2]!, 0) / xs.length;
      expect(r.centroids[c * 2]).toBeCloseTo(mx, 4);
    }
  });

  it('is deterministic for a seed, and forms no more clusters than distinct rows', () => {
    const { data } = blobs([[0, 0], [4, 4], [8, 0]], 30, 6, 5);
    expect(kmeans(data, 2, 4, { seed: 2 }).assignment).toEqual(kmeans(data, 2, 4, { seed: 2 }).assignment);
    const same = Float32Array.of(1, 1, 1, 1, 2, 2, 1, 1);
    const r = kmeans(same, 2, 5, { seed: 1 });
    expect(r.k).toBe(2);
    expect(r.assignment[0]).toBe(r.assignment[1]);
    expect(r.assignment[0]).not.toBe(r.assignment[2]);
  });

  it('rejects rows that do not divide and a k that is not a positive integer', () => {
    expect(() => kmeans(Float32Array.of(1, 2, 3), 2, 1)).toThrow(/not rows of 2/);
    expect(() => kmeans(Float32Array.of(1, 2), 2, 0)).toThrow(/positive integer/);
  });
});
