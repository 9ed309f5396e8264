import betaln from '@stdlib/math-base-special-betaln';
import { Phi, PhiInv } from './stats.js';

/**
 * The statistics of an interleaving experiment (docs/experiments.md, "Interleaving"). The
 * unit is the listener: one who credited team b more than team a is a win for b, the reverse
 * a win for a, equal credit a tie. Under "no preference" a decided listener is a win for b
 * with probability 1/2, whatever the position effects (the coin that drafts first is fair).
 */

/** Wins of each team and ties, over listeners. */
export interface Tally {
  a: number;
  b: number;
  ties: number;
}

/**
 * Prior of the always-valid test: the share of decided listeners preferring b ~ Beta(k, k).
 * k = 50 puts most of the mass within 0.5 +- 0.1 (standard deviation 0.05), the preferences
 * that matter when tuning one surface's objectives.
 */
export const MIXTURE_K = 50;

/** log of the mixture likelihood ratio of w wins of b against l wins of a: Beta(k, k) over p against p = 1/2. */
export function logMixtureRatio(w: number, l: number, k = MIXTURE_K): number {
  return betaln(w + k, l + k) - betaln(k, k) + (w + l) * Math.LN2;
}

/**
 * The fixed-horizon sign test on decided listeners (normal approximation, two-sided), the
 * share preferring b with its Wilson interval, and delta = (wins b - wins a) / listeners (the
 * interleaving effect of Chapelle et al., 2012).
 */
export function signTest(t: Tally, alpha = 0.05): { winRateB: number; ci: [number, number]; delta: number; z: number; pValue: number } {
  const m = t.a + t.b, n = m + t.ties;
  const p = m > 0 ? t.b / m : NaN;
  const z = m > 0 ? (t.b - t.a) / Math.sqrt(m) : 0;
  const q = PhiInv(1 - alpha / 2);
  let ci: [number, number] = [NaN, NaN];
  if (m > 0) {
    const c = (p + (q * q) / (2 * m)) / (1 + (q * q) / m), h = (q / (1 + (q * q) / m)) * Math.sqrt((p * (1 - p)) / m + (q * q) / (4 * m * m));
    ci = [c - h, c + h];
  }
  return { winRateB: p, ci, delta: n > 0 ? (t.b - t.a) / n : NaN, z, pValue: m > 0 ? 2 * (1 - Phi(Math.abs(z))) : 1 };
}

/**
 * The always-valid confidence sequence for the share preferring b at this look: every p
 * whose likelihood ratio against the mixture stays under 1 / alpha (Robbins' mixture method);
 * valid at any look, however many are taken.
 */
export function confidenceSequence(w: number, l: number, alpha = 0.05, k = MIXTURE_K): [number, number] {
  const m = w + l;
  if (m === 0) return [0, 1];
  const mix = betaln(w + k, l + k) - betaln(k, k);
  const inside = (p: number): boolean => mix - (w * Math.log(p) + l * Math.log(1 - p)) < Math.log(1 / alpha);
  const hat = w / m;
  // The set is an interval around the maximum likelihood (the log-likelihood is concave): bisect each end.
  const edge = (outer: number): number => {
    let lo = Math.min(Math.max(hat, 1e-12), 1 - 1e-12), hi = outer;
    if (inside(hi)) return outer;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (inside(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  return [edge(1e-12), edge(1 - 1e-12)];
}

/**
 * Listeners needed for a two-sided test at `alpha` with `power`, from per-listener values
 * (an interleaving preference in {-1, 0, 1}, or a metric of one A/B arm with the other's):
 * n = (z_{1-alpha/2} + z_power)^2 * variance / effect^2, per the design's unit of analysis.
 */
export function listenersForPower(effect: number, variance: number, alpha = 0.05, power = 0.8): number {
  if (!(Math.abs(effect) > 0) || !(variance > 0)) return Infinity;
  const z = PhiInv(1 - alpha / 2) + PhiInv(power);
  return Math.ceil((z * z * variance) / (effect * effect));
}
