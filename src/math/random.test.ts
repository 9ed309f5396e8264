import { describe, expect, it } from 'vitest';
import { Rng, derive, deriveSeed, logFactorial } from './random.js';
import { AliasTable, CumulativeSampler } from './alias.js';

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
function chiSquare(counts: ArrayLike<number>, probs: ArrayLike<number>, n: number): number {
  let x = 0;
  for (let i = 0; i < counts.length; i++) {
    const e = probs[i]! * n;
    if (e > 0) x += (counts[i]! - e) ** 2 / e;
  }
  return x;
}

/** A generous upper bound of the chi-square quantile at 1 - 1e-6 (Wilson-Hilferty). */
function chiBound(df: number): number {
  const z = 4.75;
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.u32())).not.toEqual(xs);
    expect(new Rng(7).reseed(42).u32()).toBe(new Rng(42).u32());
  });

  it('derives independent, reproducible streams', () => {
    expect(deriveSeed(1, 'listener', 3)).toBe(deriveSeed(1, 'listener', 3));
    expect(deriveSeed(1, 'listener', 3)).not.toBe(deriveSeed(1, 'listener', 4));
    expect(deriveSeed(1, 'listener', 3)).not.toBe(deriveSeed(2, 'listener', 3));
    expect(deriveSeed(1, 'a', 'b')).not.toBe(deriveSeed(1, 'ab'));
    expect(derive(9, 'x').next()).toBe(derive(9, 'x').next());
    // Nearby derived streams are uncorrelated: first outputs of 10k consecutive parts look uniform.
    const counts = new Float64Array(20);
    for (let i = 0; i < 10_000; i++) counts[Math.floor(derive(5, i).next() * 20)]!++;
    expect(chiSquare(counts, new Float64Array(20).fill(1 / 20), 10_000)).toBeLessThan(chiBound(19));
  });

  it('next() is uniform on [0, 1) and int(n) on 0..n-1', () => {
    const rng = new Rng(1);
    const n = 200_000;
    const bins = new Float64Array(50);
    const ints = new Float64Array(7);
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
      bins[Math.floor(x * 50)]!++;
      ints[rng.int(7)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(chiSquare(bins, new Float64Array(50).fill(1 / 50), n)).toBeLessThan(chiBound(49));
    expect(chiSquare(ints, new Float64Array(7).fill(1 / 7), n)).toBeLessThan(chiBound(6));
  });

  it('normal, gamma, beta, poisson and lognormal have the right moments', () => {
    const rng = new Rng(2);
    const n = 100_000;
    const moments = (draw: () => number) => {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = draw();
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      return { mean, variance: s2 / n - mean * mean };
    };
    const z = moments(() => rng.normal());
    expect(z.mean).toBeCloseTo(0, 1);
    expect(z.variance).toBeCloseTo(1, 1);
    for (const shape of [0.3, 1, 4.5]) {
      const g = moments(() => rng.gamma(shape));
      expect(Math.abs(g.mean - shape)).toBeLessThan(0.03 * Math.max(1, shape));
      expect(Math.abs(g.variance - shape)).toBeLessThan(0.08 * Math.max(1, shape));
    }
    const b = moments(() => rng.beta(2, 6));
    expect(b.mean).toBeCloseTo(0.25, 2);
    for (const lambda of [0.5, 4, 80]) {
      const p = moments(() => rng.poisson(lambda));
      expect(Math.abs(p.mean - lambda)).toBeLessThan(0.02 * lambda + 0.01);
      expect(Math.abs(p.variance - lambda)).toBeLessThan(0.05 * lambda + 0.02);
    }
    const ln = moments(() => rng.lognormal(0, 0.5));
    expect(ln.mean).toBeCloseTo(Math.exp(0.125), 1);
    expect(() => rng.gamma(0)).toThrow(/shape/);
  });

  it('dirichlet draws lie on the simplex with mean alpha / sum(alpha)', () => {
    const rng = new Rng(3);
    const alpha = new Float64Array([0.2, 0.5, 1.3]);
    const out = new Float64Array(3);
    const mean = new Float64Array(3);
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      rng.dirichlet(alpha, out);
      expect(Math.abs(out[0]! + out[1]! + out[2]! - 1)).toBeLessThan(1e-9);
      for (let k = 0; k < 3; k++) mean[k]! += out[k]! / n;
    }
    expect(mean[0]).toBeCloseTo(0.1, 2);
    expect(mean[1]).toBeCloseTo(0.25, 2);
    expect(mean[2]).toBeCloseTo(0.65, 2);
    expect(() => rng.dirichlet(alpha, new Float64Array(2))).toThrow(/length/);
  });

  it('shuffle is a permutation', () => {
    const a = Int32Array.from({ length: 100 }, (_, i) => i);
    new Rng(4).shuffle(a);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('logFactorial is exact for small k and close for large k', () => {
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(5)).toBeCloseTo(Math.log(120), 12);
    let s = 0;
    for (let i = 2; i <= 300; i++) s += Math.log(i);
    expect(logFactorial(300)).toBeCloseTo(s, 8);
  });
});

describe('AliasTable', () => {
  it('draws each slot in proportion to its weight, like the reference sampler', () => {
    const rng = new Rng(5);
    const w = new Float64Array([5, 0, 1, 0.25, 10, 3, 0, 0.75]);
    const total = w.reduce((a, b) => a + b, 0);
    const p = w.map((x) => x / total);
    const alias = new AliasTable(w);
    const ref = new CumulativeSampler(w);
    const n = 400_000;
    const ca = new Float64Array(w.length);
    const cr = new Float64Array(w.length);
    for (let i = 0; i < n; i++) {
      ca[alias.sample(rng)]!++;
      cr[ref.sample(rng)]!++;
    }
    for (const i of [1, 6]) {
      expect(ca[i]).toBe(0);
      expect(cr[i]).toBe(0);
    }
    expect(chiSquare(ca, p, n)).toBeLessThan(chiBound(5));
    expect(chiSquare(cr, p, n)).toBeLessThan(chiBound(5));
  });

  it('handles a power-law over many slots and maps through items', () => {
    const rng = new Rng(6);
    const n = 10_000;
    const w = Float64Array.from({ length: n }, (_, i) => 1 / (i + 1));
    const items = Int32Array.from({ length: n }, (_, i) => 1000 + i);
    const t = new AliasTable(w, items);
    const draws = 500_000;
    let first = 0;
    let min = Infinity;
    for (let i = 0; i < draws; i++) {
      const x = t.sample(rng);
      min = Math.min(min, x);
      if (x === 1000) first++;
    }
    expect(min).toBeGreaterThanOrEqual(1000);
    const expected = 1 / w.reduce((a, b) => a + b, 0);
    expect(Math.abs(first / draws - expected)).toBeLessThan(0.005);
  });

  it('one slot, and errors name the problem', () => {
    const t = new AliasTable([3]);
    expect(t.sample(new Rng(1))).toBe(0);
    expect(() => new AliasTable([])).toThrow(/no weights/);
    expect(() => new AliasTable([0, 0])).toThrow(/sum to 0/);
    expect(() => new AliasTable([1, -1])).toThrow(/weight 1/);
    expect(() => new AliasTable([1, NaN])).toThrow(/weight 1/);
    expect(() => new AliasTable([1, 2], new Int32Array(3))).toThrow(/items/);
  });
});
