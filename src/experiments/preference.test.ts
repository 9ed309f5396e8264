import { describe, expect, it } from 'vitest';
import { Rng } from '../math/index.js';
import { confidenceSequence, listenersForPower, logMixtureRatio, signTest } from './preference.js';

/** One interleaving experiment's daily tallies: each day `perDay` listeners, each preferring b with probability pB, a with pA, else neither. */
function days(rng: Rng, n: number, perDay: number, pB: number, pA: number): Array<{ a: number; b: number; ties: number }> {
  const out: Array<{ a: number; b: number; ties: number }> = [];
  const t = { a: 0, b: 0, ties: 0 };
  for (let d = 0; d < n; d++) {
    for (let i = 0; i < perDay; i++) {
      const u = rng.next();
      if (u < pB) t.b++;
      else if (u < pB + pA) t.a++;
      else t.ties++;
    }
    out.push({ ...t });
  }
  return out;
}

describe('interleaving statistics', () => {
  it('A/A: the sign test rejects 3.5%-6.5% of 1,000 experiments; the always-valid test, read daily, at most 5%, and its confidence sequence covers 1/2 as often', () => {
    const rng = new Rng(314);
    let fixed = 0, sequential = 0, missed = 0;
    const runs = 1000;
    for (let r = 0; r < runs; r++) {
      // Listeners with a preference for either team half the time, as in the simulator.
      const looks = days(rng, 14, 40, 0.25, 0.25);
      if (signTest(looks.at(-1)!).pValue < 0.05) fixed++;
      let best = -Infinity, covered = true;
      for (const t of looks) {
        best = Math.max(best, logMixtureRatio(t.b, t.a));
        const [lo, hi] = confidenceSequence(t.b, t.a);
        if (!(lo <= 0.5 && 0.5 <= hi)) covered = false;
      }
      if (Math.exp(-best) < 0.05) sequential++;
      if (!covered) missed++;
    }
    expect(fixed / runs).toBeGreaterThanOrEqual(0.035);
    expect(fixed / runs).toBeLessThanOrEqual(0.065);
    expect(sequential / runs).toBeLessThanOrEqual(0.05);
    expect(missed / runs).toBeLessThanOrEqual(0.05);
    // The confidence sequence and the test agree: 1/2 is outside exactly when the ratio passed 1/alpha.
    expect(missed).toBe(sequential);
  });

  it('finds a real preference, and the power formula predicts how often', () => {
    const rng = new Rng(2718);
    // 30% prefer b, 24% prefer a: per-listener preference mean 0.06, variance about 0.536.
    const mean = 0.06, variance = 0.54 - mean * mean;
    const n = listenersForPower(mean, variance);
    expect(n).toBeGreaterThan(1000);
    expect(n).toBeLessThan(1300);
    let hits = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) if (signTest(days(rng, 1, n, 0.3, 0.24)[0]!).pValue < 0.05) hits++;
    expect(hits / runs).toBeGreaterThan(0.74);
    expect(hits / runs).toBeLessThan(0.86);
    // A strong preference: the always-valid test stops early, its sequence excludes 1/2 and holds the truth.
    const strong = days(rng, 7, 100, 0.4, 0.2);
    const t = strong.at(-1)!;
    expect(Math.exp(-logMixtureRatio(t.b, t.a))).toBeLessThan(0.001);
    const [lo, hi] = confidenceSequence(t.b, t.a);
    expect(lo).toBeGreaterThan(0.5);
    expect(lo).toBeLessThan(2 / 3);
    expect(hi).toBeGreaterThan(2 / 3);
    expect(signTest(t).winRateB).toBeCloseTo(t.b / (t.a + t.b), 12);
  });

  it('reads an empty or one-sided tally without dividing by zero', () => {
    expect(signTest({ a: 0, b: 0, ties: 3 }).pValue).toBe(1);
    expect(confidenceSequence(0, 0)).toEqual([0, 1]);
    const [lo, hi] = confidenceSequence(30, 0);
    expect(lo).toBeGreaterThan(0.5);
    expect(hi).toBeCloseTo(1, 6);
    expect(listenersForPower(0, 1)).toBe(Infinity);
  });
});
