import { describe, expect, it } from 'vitest';
import { ExactIndex } from './exact.js';

const arr = (a: ArrayLike<number>): number[] => Array.from(a);

describe('ExactIndex', () => {
  // Rows: 0 = (1,0), 1 = (0,1), 2 = (1,1), 3 = (2,0) — 3 is 0 scaled, 4 = (-1,0).
  const vectors = Float32Array.of(1, 0, 0, 1, 1, 1, 2, 0, -1, 0);

  it('ranks by cosine, ties by lower index', () => {
    const index = ExactIndex.build(vectors, 2, 'cosine');
    const r = index.query(Float32Array.of(3, 0), 5);
    expect(arr(r.ix)).toEqual([0, 3, 2, 1, 4]);
    expect(r.scores[0]).toBeCloseTo(1, 6);
    expect(r.scores[1]).toBeCloseTo(1, 6);
    expect(r.scores[2]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(r.scores[4]).toBeCloseTo(-1, 6);
  });

  it('ranks by inner product without normalizing', () => {
    const index = ExactIndex.build(vectors, 2, 'ip');
    const r = index.query(Float32Array.of(1, 0), 3);
    expect(arr(r.ix)).toEqual([3, 0, 2]);
    expect(arr(r.scores)).toEqual([2, 1, 1]);
  });

  it('honours exclude', () => {
    const index = ExactIndex.build(vectors, 2, 'cosine');
    expect(arr(index.query(Float32Array.of(1, 0), 2, new Set([0, 2])).ix)).toEqual([3, 1]);
  });

  it('returns n items for k > n and none for k = 0 or a zero cosine query', () => {
    const index = ExactIndex.build(vectors, 2, 'cosine');
    expect(index.query(Float32Array.of(1, 0), 50).ix.length).toBe(5);
    expect(index.query(Float32Array.of(1, 0), 50, new Set([1])).ix.length).toBe(4);
    expect(index.query(Float32Array.of(1, 0), 0).ix.length).toBe(0);
    expect(index.query(Float32Array.of(0, 0), 3).ix.length).toBe(0);
  });

  it('handles an empty index and one item', () => {
    expect(ExactIndex.build(new Float32Array(0), 2, 'cosine').query(Float32Array.of(1, 0), 3).ix.length).toBe(0);
    expect(arr(ExactIndex.build(Float32Array.of(0, 2), 2, 'cosine').query(Float32Array.of(1, 1), 3).ix)).toEqual([0]);
  });

  it('rejects bad input, naming the sizes', () => {
    expect(() => ExactIndex.build(Float32Array.of(1, 2, 3), 2, 'cosine')).toThrow(/3 is not a multiple of dims = 2/);
    expect(() => ExactIndex.build(Float32Array.of(1, NaN), 2, 'cosine')).toThrow(/non-finite/);
    const index = ExactIndex.build(vectors, 2, 'cosine');
    expect(() => index.query(Float32Array.of(1, 0, 0), 1)).toThrow(/length 3, expected dims = 2/);
    expect(() => index.query(Float32Array.of(1, 0), -1)).toThrow(/k must be/);
  });
});
