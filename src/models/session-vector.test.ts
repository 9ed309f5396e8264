import { describe, it, expect } from 'vitest';
import { SessionVectorScorer } from './session-vector.js';
import { topK } from './topk.js';

describe('SessionVectorScorer', () => {
  // Items 0-2 point along x, 3-5 along y, item 6 has no vector.
  const v = Float32Array.from([1, 0, 2, 0.1, 0.5, 0, 0, 1, 0.1, 3, 0, 0.5, 0, 0]);
  const s = new SessionVectorScorer(v, 2, { prefixTracks: 2, prefixDecay: 0.5 });

  it('scores by cosine to the recency-weighted session vector', () => {
    const out = new Float64Array(7);
    s.scoreInto(Int32Array.of(3, 0), out); // latest is 0 (x), then 3 (y) at half weight
    expect(out[0]).toBeGreaterThan(out[3]!);
    expect(out[6]).toBe(0);
    const q = [1 + 0, 0 + 0.5]; // unit(0) + 0.5 * unit(3)
    const cos = (a: number[], b: number[]) => (a[0]! * b[0]! + a[1]! * b[1]!) / Math.hypot(a[0]!, a[1]!) / Math.hypot(b[0]!, b[1]!);
    expect(out[1]).toBeCloseTo(cos(q, [2, 0.1]), 6);
    // Item 1 (2, 0.1) leans toward the y part of the session: it beats 0 and 2, which tie (lower index first).
    expect(Array.from(topK(out, 3).ix)).toEqual([1, 0, 2]);
  });

  it('adds nothing for an empty or unknown prefix, and honours the weight', () => {
    const out = new Float64Array(7).fill(1);
    s.scoreInto(new Int32Array(0), out);
    s.scoreInto(Int32Array.of(6, 99), out);
    expect(Array.from(out)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    const a = new Float64Array(7), b = new Float64Array(7);
    s.scoreInto(Int32Array.of(4), a);
    s.scoreInto(Int32Array.of(4), b, 2);
    expect(b[4]).toBeCloseTo(2 * a[4]!, 9);
  });
});
