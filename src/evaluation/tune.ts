import type { Store } from '../store/index.js';
import { TrackTable } from '../features/index.js';
import { drawDensity, NUMERAIRE_OBJECTIVE, type Surface, type WeightDraw } from '../sequencing/index.js';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { forAttributedPlays } from './attributed.js';

/** What tuning can maximize or hold: per served list (`minutes`, `listens`) or per attributed play (the rates and shares). */
export const TUNE_METRICS = {
  minutes: { kind: 'mean', about: 'minutes of attributed plays per served list' },
  listens: { kind: 'mean', about: 'attributed plays listened through per served list' },
  skipRate: { kind: 'ratio', about: 'share of attributed plays skipped' },
  listenThroughRate: { kind: 'ratio', about: 'share of attributed plays listened through' },
  emergingShare: { kind: 'ratio', about: 'share of attributed plays that went to emerging artists' },
} as const;
export type TuneMetric = keyof typeof TUNE_METRICS;

/** A bound on a metric: absolute (`emergingShare>=0.12`) or relative to the current policy's estimate (`skipRate<=+5%`). */
export interface Guardrail { metric: TuneMetric; op: '>=' | '<='; value: number; relative: boolean }

export class TuneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TuneError';
  }
}

/** Parse `metric>=value`, `metric<=value`, or a relative bound `metric<=+5%` / `metric>=-2%`. */
export function parseGuardrail(text: string): Guardrail {
  const m = /^\s*([A-Za-z]+)\s*(>=|<=)\s*([+-]?\d+(?:\.\d+)?)(%?)\s*$/.exec(text);
  if (!m) throw new TuneError(`guardrail ${JSON.stringify(text)}: expected METRIC>=VALUE or METRIC<=VALUE, the value absolute (0.12) or relative to the current policy (+5%)`);
  const metric = m[1]!;
  if (!(metric in TUNE_METRICS)) throw new TuneError(`guardrail ${JSON.stringify(text)}: unknown metric ${JSON.stringify(metric)}; one of ${Object.keys(TUNE_METRICS).join(', ')}`);
  const relative = m[4] === '%';
  return { metric: metric as TuneMetric, op: m[2] as '>=' | '<=', value: relative ? Number(m[3]) / 100 : Number(m[3]), relative };
}

/** A guardrail's bound: its value, or for a relative one the current weights' value moved by it. */
export function guardrailThreshold(g: Guardrail, current: number): number {
  return g.relative ? current * (1 + g.value) : g.value;
}

export interface TuneOptions {
  surface: Surface;
  objective: TuneMetric;
  guardrails?: Guardrail[];
  /** Candidate weight vectors evaluated (default 200): the current weights and a Halton sequence over the explored box. */
  budget?: number;
  since?: number;
  until?: number;
  /** One-sided confidence of the pessimistic bounds (default 0.95). */
  confidence?: number;
  /** Kernel bandwidth as a share of each weight's explored range (default 0.15). */
  bandwidth?: number;
  /** Fewest effective lists a candidate needs to be considered (default 50). */
  minEffective?: number;
  /** Weights to estimate besides (reported in `at`, not proposed): e.g. a grid to check the estimates against. */
  at?: Array<Record<string, number>>;
}

export interface MetricEstimate { value: number; se: number; lower: number; upper: number }

export interface TuneCandidate {
  weights: Record<string, number>;
  effectiveLists: number;
  metrics: Record<TuneMetric, MetricEstimate>;
  /** Why the candidate cannot be proposed (empty when it can). */
  fails: string[];
}

export interface TuneReport {
  protocol: string;
  surface: Surface;
  objective: TuneMetric;
  guardrails: Array<Guardrail & { threshold: number }>;
  /** Exposures with explored weights used, and those in the window of the surface. */
  lists: number;
  exposures: number;
  /** Each tuned weight's explored range (the box candidates are drawn from). */
  box: Record<string, [number, number]>;
  current: TuneCandidate;
  proposal: TuneCandidate;
  /** The proposal is the current weights (no candidate beat them with confidence within the guardrails). */
  keepCurrent: boolean;
  candidates: number;
  feasible: number;
  warnings: string[];
  /** The estimates at TuneOptions.at. */
  at: TuneCandidate[];
}

/** Per served list: its explored weights and logging density, and the attributed plays' tallies. */
interface Row { used: Float64Array; density: number; plays: number; listens: number; skips: number; minutes: number; emerging: number; listener: string }

/**
 * Per list, a baseline of each per-list metric that does not depend on its weights: the
 * listener's mean over their other explored lists (the mean of all lists for a listener with
 * one). The weights were drawn independently of the listener, so smoothing the metric less
 * its baseline, plus the baselines' mean, estimates the same value with the listener's own
 * level taken out of the noise (regression adjustment, as CUPED does for A/B tests).
 */
function baselines(rows: Row[], m: 'minutes' | 'listens'): { c: Float64Array; mean: number } {
  const sum = new Map<string, { s: number; n: number }>();
  let all = 0;
  for (const r of rows) {
    const t = sum.get(r.listener) ?? { s: 0, n: 0 };
    t.s += r[m];
    t.n++;
    sum.set(r.listener, t);
    all += r[m];
  }
  const c = Float64Array.from(rows, (r) => {
    const t = sum.get(r.listener)!;
    return t.n > 1 ? (t.s - r[m]) / (t.n - 1) : all / rows.length;
  });
  return { c, mean: c.reduce((a, b) => a + b, 0) / Math.max(1, c.length) };
}

/** The numerator and denominator of a metric for one list. */
function numDen(m: TuneMetric, r: Row): [number, number] {
  switch (m) {
    case 'minutes': return [r.minutes, 1];
    case 'listens': return [r.listens, 1];
    case 'skipRate': return [r.skips, r.plays];
    case 'listenThroughRate': return [r.listens, r.plays];
    case 'emergingShare': return [r.emerging, r.plays];
  }
}

/** Radical inverse in base b: the Halton sequence's coordinate. */
function halton(i: number, b: number): number {
  let f = 1, x = 0;
  while (i > 0) {
    f /= b;
    x += f * (i % b);
    i = Math.floor(i / b);
  }
  return x;
}
const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53];

/**
 * Learn a surface's objective weights from its own exposures (Jeunen et al., RecSys 2024: the
 * scalarisation weights are the action). A sampled share of requests was served with weights
 * drawn uniformly around the policy's (policy.logging.weightsShare; each exposure logs the
 * weights used and the interval each was drawn from). The value of weights w is estimated
 * off-policy, as the value of a target policy that draws its weights from a Gaussian kernel
 * around w: a local-linear regression of each list's metric on its logged weights, weighted
 * by kernel(used - w) over the logging density (the ratio of smoothed sums for rates; per-list
 * metrics less the listener's own level, see `baselines`), with a delta-method standard error. Among the current weights and `budget` candidates spread
 * over the explored box, it proposes
 * the one with the best lower bound on the objective whose guardrails hold at their
 * pessimistic bounds, and keeps the current weights when none beats them.
 */
export async function tuneWeights(store: Store, o: TuneOptions): Promise<TuneReport> {
  const since = o.since ?? 0, until = o.until ?? Date.now();
  const guardrails = o.guardrails ?? [];
  const budget = o.budget ?? 200;
  if (!(Number.isInteger(budget) && budget >= 1 && budget <= 100_000)) throw new TuneError(`budget must be an integer from 1 to 100000, got ${budget}`);
  const z = normalQuantile(o.confidence ?? 0.95, 0, 1);
  const table = await TrackTable.load(store);
  const draws: Array<{ requestId: string; listenerId: string; d: WeightDraw }> = [];
  let exposures = 0;
  for await (const batch of store.exposures.scan({ since, until })) {
    for (const x of batch) {
      if (x.surface !== o.surface) continue;
      exposures++;
      if (x.weights) draws.push({ requestId: x.requestId, listenerId: x.listenerId, d: x.weights });
    }
  }
  if (draws.length === 0) {
    throw new TuneError(`no ${o.surface} exposure between ${new Date(since).toISOString()} and ${new Date(until).toISOString()} was served with explored weights (${exposures} exposures): serve a share with them first, policy.logging.weightsShare (e.g. {"logging":{"weightsShare":0.05}})`);
  }
  // The tuned weights: those the most recent draws explored; the current weights: their base.
  const names = Object.keys(draws[draws.length - 1]!.d.used).filter((n) => n !== NUMERAIRE_OBJECTIVE).sort();
  const base = draws[draws.length - 1]!.d.base;
  const usable = draws.filter((x) => names.every((n) => x.d.used[n] !== undefined && x.d.base[n] === base[n]) && Object.keys(x.d.used).length === names.length);
  const rows: Row[] = usable.map((x) => ({ used: Float64Array.from(names, (n) => x.d.used[n]!), density: drawDensity(x.d), plays: 0, listens: 0, skips: 0, minutes: 0, emerging: 0, listener: x.listenerId }));
  await forAttributedPlays(store, usable, since, until, (i, e) => {
    const r = rows[i]!;
    r.plays++;
    if (e.skipped === true) r.skips++;
    else r.listens++;
    r.minutes += (e.msPlayed ?? 0) / 60_000;
    if (table.emerging[table.indexOf(e.trackId)] === 1) r.emerging++;
  });
  const box: Record<string, [number, number]> = {};
  for (const n of names) {
    let lo = Infinity, hi = -Infinity;
    for (const x of usable) {
      lo = Math.min(lo, x.d.low[n]!);
      hi = Math.max(hi, x.d.high[n]!);
    }
    box[n] = [lo, hi];
  }
  const h = names.map((n) => Math.max(1e-6, (o.bandwidth ?? 0.15) * (box[n]![1] - box[n]![0])));
  const minEffective = o.minEffective ?? 50;
  const rho = new Float64Array(rows.length);

  const adjust: Partial<Record<TuneMetric, { c: Float64Array; mean: number }>> = { minutes: baselines(rows, 'minutes'), listens: baselines(rows, 'listens') };
  const d = names.length, P = d + 1;
  const ell = new Float64Array(rows.length);
  const XtWX = new Float64Array(P * P), e1 = new Float64Array(P);
  /**
   * The local-linear smoother's weights at w: each list's weight in the intercept of a
   * weighted least-squares fit of its metric on (used - w), the weights being the Gaussian
   * kernel over the logging density (importance weights of the kernel target). Unlike the
   * kernel average, it has no first-order bias at the box's edges or where a metric is steep.
   * They sum to 1; undefined where the fit is singular (no spread of weights nearby).
   */
  const smoother = (w: Float64Array): boolean => {
    XtWX.fill(0);
    for (let i = 0; i < rows.length; i++) {
      let k = 0;
      for (let j = 0; j < d; j++) {
        const u = (rows[i]!.used[j]! - w[j]!) / h[j]!;
        k += u * u;
      }
      const r = (rho[i] = Math.exp(-0.5 * k) / rows[i]!.density);
      for (let a = 0; a < P; a++) {
        const xa = a === 0 ? 1 : (rows[i]!.used[a - 1]! - w[a - 1]!) / h[a - 1]!;
        for (let b = a; b < P; b++) XtWX[a * P + b]! += r * xa * (b === 0 ? 1 : (rows[i]!.used[b - 1]! - w[b - 1]!) / h[b - 1]!);
      }
    }
    for (let a = 0; a < P; a++) for (let b = 0; b < a; b++) XtWX[a * P + b] = XtWX[b * P + a]!;
    // c = (X'WX)^-1 e1, by Gaussian elimination with partial pivoting; then ell_i = rho_i x_i . c.
    const A = Float64Array.from(XtWX);
    e1.fill(0);
    e1[0] = 1;
    for (let col = 0; col < P; col++) {
      let piv = col;
      for (let r = col + 1; r < P; r++) if (Math.abs(A[r * P + col]!) > Math.abs(A[piv * P + col]!)) piv = r;
      if (!(Math.abs(A[piv * P + col]!) > 1e-12 * Math.abs(A[0]!))) return false;
      if (piv !== col) {
        for (let b = 0; b < P; b++) [A[col * P + b], A[piv * P + b]] = [A[piv * P + b]!, A[col * P + b]!];
        [e1[col], e1[piv]] = [e1[piv]!, e1[col]!];
      }
      for (let r = 0; r < P; r++) {
        if (r === col) continue;
        const f = A[r * P + col]! / A[col * P + col]!;
        if (f === 0) continue;
        for (let b = col; b < P; b++) A[r * P + b]! -= f * A[col * P + b]!;
        e1[r]! -= f * e1[col]!;
      }
    }
    for (let a = 0; a < P; a++) e1[a] = e1[a]! / A[a * P + a]!;
    for (let i = 0; i < rows.length; i++) {
      let x = e1[0]!;
      for (let j = 0; j < d; j++) x += e1[j + 1]! * (rows[i]!.used[j]! - w[j]!) / h[j]!;
      ell[i] = rho[i]! * x;
    }
    return true;
  };

  const evaluate = (w: Float64Array): TuneCandidate => {
    const weights: Record<string, number> = {};
    names.forEach((n, j) => (weights[n] = Number(w[j]!.toFixed(4))));
    const metrics = {} as Record<TuneMetric, MetricEstimate>;
    if (!smoother(w)) {
      for (const m of Object.keys(TUNE_METRICS) as TuneMetric[]) metrics[m] = { value: NaN, se: NaN, lower: NaN, upper: NaN };
      return { weights, effectiveLists: 0, metrics, fails: ['no spread of explored weights around it to fit'] };
    }
    let l2 = 0;
    for (let i = 0; i < rows.length; i++) l2 += ell[i]! * ell[i]!;
    for (const m of Object.keys(TUNE_METRICS) as TuneMetric[]) {
      const adj = adjust[m];
      if (adj) {
        // A per-list metric: its baselines' mean plus the smoothed difference from them.
        let v = 0;
        for (let i = 0; i < rows.length; i++) v += ell[i]! * (rows[i]![m as 'minutes' | 'listens'] - adj.c[i]!);
        let vr = 0;
        for (let i = 0; i < rows.length; i++) vr += (ell[i]! * (rows[i]![m as 'minutes' | 'listens'] - adj.c[i]! - v)) ** 2;
        const se = Math.sqrt(vr);
        metrics[m] = { value: adj.mean + v, se, lower: adj.mean + v - z * se, upper: adj.mean + v + z * se };
        continue;
      }
      // A ratio metric is the ratio of the smoothed numerator and denominator; its variance by the delta method.
      let num = 0, den = 0;
      for (let i = 0; i < rows.length; i++) {
        const [a, b] = numDen(m, rows[i]!);
        num += ell[i]! * a;
        den += ell[i]! * b;
      }
      const v = den > 0 ? num / den : NaN;
      let vr = 0;
      for (let i = 0; i < rows.length; i++) {
        const [a, b] = numDen(m, rows[i]!);
        vr += (ell[i]! * (a - v * b)) ** 2;
      }
      const se = den > 0 ? Math.sqrt(vr) / den : NaN;
      metrics[m] = { value: v, se, lower: v - z * se, upper: v + z * se };
    }
    // The smoother's effective sample: 1 / sum of squared weights (they sum to 1).
    return { weights, effectiveLists: l2 > 0 ? Number((1 / l2).toFixed(1)) : 0, metrics, fails: [] };
  };

  const current = evaluate(Float64Array.from(names, (n) => base[n]!));
  const thresholds = guardrails.map((g) => ({ ...g, threshold: guardrailThreshold(g, current.metrics[g.metric].value) }));
  const check = (c: TuneCandidate): TuneCandidate => {
    if (c.effectiveLists < minEffective) c.fails.push(`rests on ${c.effectiveLists} effective lists (fewer than ${minEffective})`);
    for (const g of thresholds) {
      if (c === current && g.relative) continue; // a bound relative to the current weights holds for them by definition
      const e = c.metrics[g.metric];
      if (g.op === '>=' && !(e.lower >= g.threshold)) c.fails.push(`${g.metric} may fall below ${g.threshold.toFixed(4)} (lower bound ${e.lower.toFixed(4)})`);
      if (g.op === '<=' && !(e.upper <= g.threshold)) c.fails.push(`${g.metric} may rise above ${g.threshold.toFixed(4)} (upper bound ${e.upper.toFixed(4)})`);
    }
    return c;
  };
  check(current);
  let best = current, feasible = current.fails.length === 0 ? 1 : 0;
  for (let i = 1; i <= budget; i++) {
    const w = Float64Array.from(names, (n, j) => box[n]![0] + halton(i, PRIMES[j % PRIMES.length]!) * (box[n]![1] - box[n]![0]));
    const c = check(evaluate(w));
    if (c.fails.length > 0) continue;
    feasible++;
    if (best.fails.length > 0 || c.metrics[o.objective].lower > best.metrics[o.objective].lower) best = c;
  }
  // Propose only what beats the current weights with confidence: the proposal's lower bound above the current's estimate.
  // (When the current weights break a guardrail, the best candidate that holds them all is proposed whatever its objective.)
  const keepCurrent = best === current || (current.fails.length === 0 && best.metrics[o.objective].lower <= current.metrics[o.objective].value);
  const proposal = keepCurrent ? current : best;
  const warnings: string[] = [];
  if (usable.length < draws.length) warnings.push(`${draws.length - usable.length} of ${draws.length} explored lists explored other weights or from another base than the latest (${JSON.stringify(base)}) and were left out`);
  if (current.fails.length > 0) warnings.push(`the current weights themselves fail: ${current.fails.join('; ')}`);
  if (keepCurrent) warnings.push(feasible <= (current.fails.length === 0 ? 1 : 0) ? 'no candidate holds every guardrail with confidence: keep the current weights, or explore more (a larger weightsShare or a longer window)' : 'no candidate beats the current weights with confidence: keep them');
  return {
    protocol: `${rows.length} ${o.surface} lists served with explored weights (${exposures} ${o.surface} exposures between ${new Date(since).toISOString()} and ${new Date(until).toISOString()}); `
      + `each candidate's metrics estimated off-policy by local-linear regression on the logged weights, weighted by a Gaussian kernel (bandwidth ${o.bandwidth ?? 0.15} of each weight's explored range) over their uniform logging densities, delta-method standard errors; `
      + `${budget} candidates (Halton) over the explored box and the current weights; proposal: the best ${((o.confidence ?? 0.95) * 100).toFixed(0)}% lower bound on ${o.objective} whose guardrails hold at their pessimistic bounds`,
    surface: o.surface, objective: o.objective, guardrails: thresholds, lists: rows.length, exposures, box, current, proposal, keepCurrent, candidates: budget + 1, feasible, warnings,
    at: (o.at ?? []).map((w) => evaluate(Float64Array.from(names, (n) => w[n] ?? base[n]!))),
  };
}
