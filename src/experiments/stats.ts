import tCdf from '@stdlib/stats-base-dists-t-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import chisqCdf from '@stdlib/stats-base-dists-chisquare-cdf';

/**
 * The statistics of experiment reports (see REFERENCES.md): Welch's t-test, the delta method
 * for ratio metrics, CUPED, relative-lift intervals, the always-valid mSPRT, group-sequential
 * boundaries with O'Brien-Fleming-type alpha spending, the sample-ratio-mismatch test and
 * Holm's correction. Distribution functions come from stdlib (@stdlib/stats-base-dists-*).
 */

export const Phi = (z: number): number => normalCdf(z, 0, 1);
export const PhiInv = (p: number): number => normalQuantile(p, 0, 1);

/** Mean and unbiased variance of a sample. */
export interface Moments { n: number; mean: number; variance: number }

export function moments(x: ArrayLike<number>): Moments {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = n > 0 ? s / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) ** 2;
  return { n, mean, variance: n > 1 ? ss / (n - 1) : NaN };
}

export interface TestResult {
  /** Treatment minus control, in the metric's units. */
  diff: number;
  se: number;
  stat: number;
  df: number;
  pValue: number;
  /** Confidence interval of the difference. */
  ci: [number, number];
}

/**
 * Welch's unequal-variances t-test of mean(b) - mean(a), two-sided, with the
 * Welch-Satterthwaite degrees of freedom.
 */
export function welch(a: Moments, b: Moments, alpha = 0.05): TestResult {
  const va = a.variance / a.n, vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  const diff = b.mean - a.mean;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const stat = diff / se;
  const pValue = se > 0 ? 2 * (1 - tCdf(Math.abs(stat), df)) : diff === 0 ? 1 : 0;
  const q = tQuantile(1 - alpha / 2, df);
  return { diff, se, stat, df, pValue, ci: [diff - q * se, diff + q * se] };
}

/** Quantile of Student's t by bisection on stdlib's CDF (monotone; 1e-12 tolerance). */
export function tQuantile(p: number, df: number): number {
  if (!Number.isFinite(df) || df > 1e7) return PhiInv(p);
  let lo = -1e3, hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A ratio metric's estimate over units: sum(num) / sum(den), and its delta-method variance. */
export interface RatioEstimate { n: number; ratio: number; variance: number }

/**
 * The delta method for a ratio of per-unit sums (Deng et al., KDD 2018): with units i.i.d.,
 * Var(sum num / sum den) ~ (var(num) - 2 R cov(num, den) + R^2 var(den)) / (n mean(den)^2).
 */
export function ratioEstimate(num: ArrayLike<number>, den: ArrayLike<number>): RatioEstimate {
  const n = num.length;
  let sn = 0, sd = 0;
  for (let i = 0; i < n; i++) {
    sn += num[i]!;
    sd += den[i]!;
  }
  const mn = sn / n, md = sd / n, r = sn / sd;
  let vn = 0, vd = 0, c = 0;
  for (let i = 0; i < n; i++) {
    const a = num[i]! - mn, b = den[i]! - md;
    vn += a * a;
    vd += b * b;
    c += a * b;
  }
  vn /= n - 1;
  vd /= n - 1;
  c /= n - 1;
  return { n, ratio: r, variance: (vn - 2 * r * c + r * r * vd) / (n * md * md) };
}

/** z-test of two independent estimates with known (estimated) variances: b - a. */
export function zTest(a: { value: number; variance: number }, b: { value: number; variance: number }, alpha = 0.05): TestResult {
  const diff = b.value - a.value;
  const se = Math.sqrt(a.variance + b.variance);
  const stat = diff / se;
  const pValue = se > 0 ? 2 * (1 - Phi(Math.abs(stat))) : diff === 0 ? 1 : 0;
  const q = PhiInv(1 - alpha / 2);
  return { diff, se, stat, df: Infinity, pValue, ci: [diff - q * se, diff + q * se] };
}

/**
 * CUPED (Deng, Xu, Kohavi and Walker, WSDM 2013): y - theta (x - mean x) with
 * theta = cov(x, y) / var(x) pooled over all units, x a pre-period covariate. Returns the
 * adjusted values (same mean as y) and theta.
 */
export function cuped(y: ArrayLike<number>, x: ArrayLike<number>): { adjusted: Float64Array; theta: number } {
  const n = y.length;
  const my = moments(y).mean, mx = moments(x).mean;
  let c = 0, v = 0;
  for (let i = 0; i < n; i++) {
    c += (x[i]! - mx) * (y[i]! - my);
    v += (x[i]! - mx) ** 2;
  }
  const theta = v > 0 ? c / v : 0;
  const adjusted = new Float64Array(n);
  for (let i = 0; i < n; i++) adjusted[i] = y[i]! - theta * (x[i]! - mx);
  return { adjusted, theta };
}

/**
 * Relative lift b / a - 1 with a delta-method interval (independent groups):
 * Var(b/a) ~ var(b)/a^2 + b^2 var(a)/a^4.
 */
export function relativeLift(a: { value: number; variance: number }, b: { value: number; variance: number }, alpha = 0.05): { lift: number; ci: [number, number]; se: number } {
  const lift = b.value / a.value - 1;
  const se = Math.sqrt(b.variance / a.value ** 2 + (b.value ** 2 * a.variance) / a.value ** 4);
  const q = PhiInv(1 - alpha / 2);
  return { lift, se, ci: [lift - q * se, lift + q * se] };
}

/**
 * The mixture sequential probability ratio test (Johari, Pekelis and Walsh, 2017) for a
 * difference of means with a normal mixing distribution N(0, tau^2): the likelihood ratio
 * after observing estimate `diff` with variance `v` is sqrt(v / (v + tau^2)) exp(tau^2 diff^2 /
 * (2 v (v + tau^2))). The always-valid p-value is the running minimum of 1 / ratio: reading
 * it every day keeps the false-positive rate under alpha.
 */
export function msprtPValue(diff: number, variance: number, tau2: number, previous = 1): number {
  if (!(variance > 0)) return previous;
  const lr = Math.sqrt(variance / (variance + tau2)) * Math.exp((tau2 * diff * diff) / (2 * variance * (variance + tau2)));
  return Math.min(previous, 1 / lr);
}

/**
 * Lan-DeMets O'Brien-Fleming-type alpha spending for a two-sided test of total `alpha`, each
 * side spending alpha/2 as 2 - 2 Phi(z_{1-alpha/4} / sqrt t) (the convention of gsDesign's
 * sfLDOF and R's ldbounds).
 */
export function obfSpending(t: number, alpha: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  return 2 * (2 - 2 * Phi(PhiInv(1 - alpha / 4) / Math.sqrt(t)));
}

/**
 * Two-sided group-sequential boundaries (|z|) for looks at information fractions `t`
 * (increasing, the last 1), spending alpha with O'Brien-Fleming-type spending. Crossing
 * probabilities under H0 by recursive numerical integration of the score process S = Z sqrt(t)
 * (Armitage, McPherson and Rowe, 1969; Jennison and Turnbull, 2000, ch. 19): the density on
 * the continuation region is carried on a midpoint grid, and each look's tail mass is exact
 * given that density (normal CDFs), so the bisection for the boundary is smooth.
 */
export function groupSequentialBounds(t: readonly number[], alpha = 0.05, gridPoints = 600): number[] {
  const bounds: number[] = [];
  let xs = new Float64Array(0), w = new Float64Array(0); // continuation grid and its probability masses
  let spent = 0;
  for (let k = 0; k < t.length; k++) {
    const tk = t[k]!, sd = Math.sqrt(tk);
    const dt = k === 0 ? tk : tk - t[k - 1]!;
    const sdt = Math.sqrt(dt);
    const tail = (b: number): number => {
      const c = b * sd;
      if (k === 0) return 2 * (1 - Phi(b));
      let m = 0;
      for (let j = 0; j < xs.length; j++) m += w[j]! * (Phi((-c - xs[j]!) / sdt) + 1 - Phi((c - xs[j]!) / sdt));
      return m;
    };
    const target = obfSpending(tk, alpha) - spent;
    let lo = 0, hi = 40;
    for (let it = 0; it < 100; it++) {
      const mid = (lo + hi) / 2;
      if (tail(mid) > target) lo = mid;
      else hi = mid;
    }
    const b = (lo + hi) / 2;
    bounds.push(b);
    spent += tail(b);
    // The density of S_k on (-b sd, b sd), at cell midpoints, as masses.
    const c = b * sd, m = gridPoints, step = (2 * c) / m;
    const nx = new Float64Array(m), nw = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const x = -c + (i + 0.5) * step;
      nx[i] = x;
      let d = 0;
      if (k === 0) d = Math.exp(-(x * x) / (2 * tk)) / Math.sqrt(2 * Math.PI * tk);
      else for (let j = 0; j < xs.length; j++) d += w[j]! * Math.exp(-((x - xs[j]!) ** 2) / (2 * dt));
      nw[i] = (k === 0 ? d : d / (sdt * Math.sqrt(2 * Math.PI))) * step;
    }
    xs = nx;
    w = nw;
  }
  return bounds;
}

/** Pearson's chi-square test of observed counts against expected shares: the sample-ratio-mismatch check. */
export function srm(observed: readonly number[], shares: readonly number[]): { chi2: number; pValue: number } {
  const total = observed.reduce((a, b) => a + b, 0);
  const sum = shares.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = (total * shares[i]!) / sum;
    chi2 += (observed[i]! - e) ** 2 / e;
  }
  return { chi2, pValue: observed.length > 1 ? 1 - chisqCdf(chi2, observed.length - 1) : 1 };
}

/** Holm's step-down adjustment of p-values (family-wise error rate). */
export function holm(p: readonly number[]): number[] {
  const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]!);
  const out = new Array<number>(p.length);
  let run = 0;
  order.forEach((i, rank) => {
    run = Math.max(run, Math.min(1, (p.length - rank) * p[i]!));
    out[i] = run;
  });
  return out;
}

/** Gini coefficient of non-negative values (0: equal, toward 1: concentrated). */
export function gini(values: ArrayLike<number>): number {
  const x = Float64Array.from(values as ArrayLike<number>).sort();
  const n = x.length;
  let s = 0, w = 0;
  for (let i = 0; i < n; i++) {
    s += x[i]!;
    w += (i + 1) * x[i]!;
  }
  return n === 0 || s === 0 ? 0 : (2 * w) / (n * s) - (n + 1) / n;
}
export const tCdfTwoSided = (t: number, df: number): number => 2 * (1 - tCdf(Math.abs(t), df));
