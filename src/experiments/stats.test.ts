import { describe, it, expect } from 'vitest';
import { Rng } from '../math/index.js';
import { cuped, gini, groupSequentialBounds, holm, moments, msprtPValue, ratioEstimate, relativeLift, srm, tQuantile, welch, zTest } from './stats.js';

/**
 * Reference values: computed independently with SciPy 1.10.1 and NumPy (Debian python3-scipy)
 * by the script quoted beside each case; statsmodels 0.13 for Holm. Group-sequential bounds:
 * the Lan-DeMets O'Brien-Fleming table of gsDesign (sfLDOF, k = 5, two-sided 0.05).
 */
const a = [3.1, 2.4, 5.6, 4.4, 3.9, 2.2, 6.1, 4.8, 3.3, 5.0];
const b = [4.2, 5.9, 3.8, 6.6, 5.1, 4.9, 7.2, 5.5, 4.1, 6.3, 5.8, 4.6];

describe('statistics match reference values', () => {
  it("Welch's t-test: scipy.stats.ttest_ind(b, a, equal_var=False) and t.ppf", () => {
    const r = welch(moments(a), moments(b));
    expect(r.stat).toBeCloseTo(2.409221650663721, 9);
    expect(r.pValue).toBeCloseTo(0.0274369673399836, 9);
    expect(r.df).toBeCloseTo(17.23310662687317, 9);
    expect(r.ci[0]).toBeCloseTo(0.15688789183491636, 7);
    expect(r.ci[1]).toBeCloseTo(2.3497787748317496, 7);
    expect(tQuantile(0.975, 7.3)).toBeCloseTo(2.345066736150929, 8);
  });

  it('sample-ratio mismatch: scipy.stats.chisquare([5100, 4900, 10150], f_exp=shares * total)', () => {
    const r = srm([5100, 4900, 10150], [0.25, 0.25, 0.5]);
    expect(r.chi2).toBeCloseTo(5.086848635235732, 9);
    expect(r.pValue).toBeCloseTo(0.07859679805284904, 9);
  });

  it('delta method for a ratio: numpy, (C00 - 2R C01 + R^2 C11) / (n mean(den)^2)', () => {
    const r = ratioEstimate([10, 4, 7, 0, 12, 5, 9, 3], [14, 9, 8, 2, 15, 7, 11, 6]);
    expect(r.ratio).toBeCloseTo(0.6944444444444444, 12);
    expect(r.variance).toBeCloseTo(0.0032837437672828614, 12);
  });

  it('CUPED: numpy, theta = cov(x, y) / var(x), var of y - theta (x - mean x)', () => {
    const { adjusted, theta } = cuped([5, 7, 6, 9, 4, 8, 7, 6], [4, 6, 6, 8, 3, 7, 7, 5]);
    expect(theta).toBeCloseTo(0.923076923076923, 12);
    expect(moments(adjusted).variance).toBeCloseTo(0.1978021978021978, 12);
  });

  it("Holm's adjustment: statsmodels multipletests(method='holm')", () => {
    const got = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
  });

  it("group-sequential O'Brien-Fleming-type bounds for 5 equal looks (gsDesign sfLDOF)", () => {
    const got = groupSequentialBounds([0.2, 0.4, 0.6, 0.8, 1]);
    // Numerical integration on a grid; the table has 4 decimals: agreement to 2e-4 in z.
    [4.8769, 3.3569, 2.6803, 2.2898, 2.0310].forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(2e-4));
  });

  it('relative lift and Gini', () => {
    const r = relativeLift({ value: 0.5, variance: 0.0001 }, { value: 0.55, variance: 0.0001 });
    expect(r.lift).toBeCloseTo(0.1, 12);
    expect(r.se).toBeCloseTo(Math.sqrt(0.0001 / 0.25 + (0.3025 * 0.0001) / 0.0625), 12);
    expect(gini([1, 1, 1, 1])).toBe(0);
    expect(gini([0, 0, 0, 10])).toBeCloseTo(0.75, 12);
  });
});

/** One simulated A/A experiment: n listeners per arm, skewed per-listener values. */
function aaArms(rng: Rng, n: number): { a: Float64Array; b: Float64Array; preA: Float64Array; preB: Float64Array } {
  const draw = (pre: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const taste = Math.exp(rng.normal() * 0.8); // heavy listeners and light ones
      pre[i] = taste * (1 + 0.3 * rng.normal());
      out[i] = taste * (1 + 0.3 * rng.normal());
    }
    return out;
  };
  const preA = new Float64Array(n), preB = new Float64Array(n);
  return { a: draw(preA), b: draw(preB), preA, preB };
}

describe('A/A experiments: false positives at alpha 5%', () => {
  it('Welch, delta-method ratio, CUPED each reject 3.5%-6.5% of 1,000 A/A tests', () => {
    const rng = new Rng(2024);
    let welchFp = 0, ratioFp = 0, cupedFp = 0;
    let varRaw = 0, varCuped = 0;
    const runs = 1000, n = 400;
    for (let r = 0; r < runs; r++) {
      const { a, b, preA, preB } = aaArms(rng, n);
      if (welch(moments(a), moments(b)).pValue < 0.05) welchFp++;
      // Ratio: plays / sessions per listener.
      const sessA = Float64Array.from(a, () => 1 + rng.int(10)), sessB = Float64Array.from(b, () => 1 + rng.int(10));
      const playsA = Float64Array.from(sessA, (s) => s * (3 + rng.int(5))), playsB = Float64Array.from(sessB, (s) => s * (3 + rng.int(5)));
      const ra = ratioEstimate(playsA, sessA), rb = ratioEstimate(playsB, sessB);
      if (zTest({ value: ra.ratio, variance: ra.variance }, { value: rb.ratio, variance: rb.variance }).pValue < 0.05) ratioFp++;
      const y = Float64Array.from([...a, ...b]), x = Float64Array.from([...preA, ...preB]);
      const adj = cuped(y, x).adjusted;
      const ca = moments(adj.subarray(0, n)), cb = moments(adj.subarray(n));
      if (welch(ca, cb).pValue < 0.05) cupedFp++;
      varRaw += moments(a).variance;
      varCuped += ca.variance;
    }
    for (const fp of [welchFp, ratioFp, cupedFp]) {
      expect(fp / runs).toBeGreaterThanOrEqual(0.035);
      expect(fp / runs).toBeLessThanOrEqual(0.065);
    }
    // CUPED with a correlated pre-period covariate removes most of the variance.
    expect(varCuped / varRaw).toBeLessThan(0.3);
  });

  it('daily peeking: a fixed-horizon test read every day inflates errors; mSPRT and group-sequential bounds keep them under alpha', () => {
    const rng = new Rng(99);
    const runs = 1000, days = 14, perDay = 60;
    const bounds = groupSequentialBounds(Array.from({ length: days }, (_, d) => (d + 1) / days));
    let naive = 0, msprt = 0, gs = 0;
    for (let r = 0; r < runs; r++) {
      const a: number[] = [], b: number[] = [];
      let p = 1, naiveHit = false, gsHit = false;
      for (let d = 0; d < days; d++) {
        for (let i = 0; i < perDay; i++) {
          a.push(rng.normal() * 2 + 10);
          b.push(rng.normal() * 2 + 10);
        }
        const t = welch(moments(a), moments(b));
        if (t.pValue < 0.05) naiveHit = true;
        if (Math.abs(t.stat) >= bounds[d]!) gsHit = true;
        p = msprtPValue(t.diff, t.se ** 2, 4 / perDay, p);
      }
      if (naiveHit) naive++;
      if (p < 0.05) msprt++;
      if (gsHit) gs++;
    }
    expect(naive / runs).toBeGreaterThan(0.15);
    expect(msprt / runs).toBeLessThanOrEqual(0.05);
    expect(gs / runs).toBeGreaterThanOrEqual(0.035);
    expect(gs / runs).toBeLessThanOrEqual(0.065);
  });

  it('mSPRT and group-sequential tests detect a real effect', () => {
    const rng = new Rng(5);
    let p = 1;
    const a: number[] = [], b: number[] = [];
    for (let d = 0; d < 14; d++) {
      for (let i = 0; i < 200; i++) {
        a.push(rng.normal() * 2 + 10);
        b.push(rng.normal() * 2 + 10.4);
      }
      const t = welch(moments(a), moments(b));
      p = msprtPValue(t.diff, t.se ** 2, 0.05, p);
    }
    expect(p).toBeLessThan(0.01);
  });
});
