import type { Store } from '../store/index.js';
import { DEFAULT_SESSION_GAP_MS, advanceSession, sessionId, type SessionCursor } from '../domain/index.js';
import { TrackTable } from '../features/index.js';
import { Rng } from '../math/index.js';
import { getExperiment } from './assign.js';
import { DEFAULT_METRICS, METRICS, controlOf, type Experiment, type MetricName } from './types.js';
import { Phi, gini, groupSequentialBounds, holm, msprtPValue, relativeLift, srm, tCdfTwoSided } from './stats.js';
import { listenersForPower } from './preference.js';

const DAY = 86_400_000;
/** Attributed events may arrive after the experiment stops (the session that was served goes on). */
export const ATTRIBUTION_GRACE_MS = 6 * 3_600_000;

export interface MetricResult {
  metric: MetricName;
  role: 'success' | 'guardrail' | 'observed';
  direction: 'up' | 'down';
  /** The variant compared with `control`. */
  variant: string;
  control: string;
  /** The metric's value per variant (CUPED-adjusted when `cuped` is set). */
  values: Record<string, number>;
  /** treatment / control - 1, with its interval at 1 - alpha. */
  relativeLift: number;
  ci: [number, number];
  absoluteDiff: number;
  /** Fixed-horizon two-sided p-value (Welch's t for means, the delta method for ratios, bootstrap for Gini). */
  pValue: number;
  /** Holm-adjusted over the success metrics and treatments; equal to pValue for the others. */
  pValueAdjusted: number;
  cuped: { theta: number; varianceReduction: number } | null;
  /** The sequential test, read at the end of every day since the start. */
  sequential: { method: 'msprt' | 'group-sequential'; pValue?: number; boundary?: number; z?: number; looks: number; reject: boolean; path: SequentialLook[] } | null;
  /** success: a significant move the right way; guardrail: non-inferior within `margin`. */
  significant: boolean;
  margin?: number;
  nonInferior?: boolean;
  /**
   * Listeners (both arms, split evenly) a fixed-horizon test of this difference needs for 80%
   * power at alpha, from the per-listener variances the test used (CUPED-adjusted when `cuped`
   * is set); null when there is no difference to detect. Comparable to an interleaving
   * experiment's `listenersFor80` for the same pair of policies.
   */
  listenersFor80?: number | null;
}

/** One daily look of the sequential test: the always-valid p-value (mSPRT, before Holm), or z against its boundary (group-sequential). */
export interface SequentialLook {
  /** Days since the start (0: the first day). */
  day: number;
  pValue?: number;
  z: number;
  boundary?: number;
}

export interface ExperimentReport {
  experiment: string;
  status: string;
  from: number;
  until: number;
  alpha: number;
  variants: Array<{ name: string; listeners: number; exposures: number; weight: number | null }>;
  srm: { chi2: number; pValue: number; ok: boolean };
  /** Listeners seen in two variants: 0 unless assignment broke. */
  assignmentConflicts: number;
  attributedPlays: number;
  metrics: MetricResult[];
  decision: { action: 'ship' | 'no-ship' | 'continue' | 'invalid'; variant?: string; reasons: string[] };
}

/** Per-listener counters of attributed plays. */
class Units {
  readonly ix = new Map<string, number>();
  variant: number[] = [];
  firstDay: number[] = [];
  plays: number[] = [];
  listens: number[] = [];
  skips: number[] = [];
  minutes: number[] = [];
  emerging: number[] = [];
  sessions: Array<Set<string>> = [];
  genres: Array<Set<string>> = [];
  unit(listener: string, variant: number, day: number): number {
    let u = this.ix.get(listener);
    if (u === undefined) {
      u = this.variant.length;
      this.ix.set(listener, u);
      this.variant.push(variant);
      this.firstDay.push(day);
      for (const a of [this.plays, this.listens, this.skips, this.minutes, this.emerging]) a.push(0);
      this.sessions.push(new Set());
      this.genres.push(new Set());
    }
    return u;
  }
  get size(): number {
    return this.variant.length;
  }
}

interface Play { unit: number; day: number; listened: boolean; skipped: boolean; minutes: number; emerging: boolean; session: string; genres: readonly string[]; artist: string }

/** num and den of a metric for unit u (mean metrics: den 1). */
function numDen(m: MetricName, units: Units, u: number): [number, number] {
  switch (m) {
    case 'listenThroughRate': return [units.listens[u]!, units.plays[u]!];
    case 'skipRate': return [units.skips[u]!, units.plays[u]!];
    case 'minutesPerSession': return [units.minutes[u]!, units.sessions[u]!.size];
    case 'sessionsPerListener': return [units.sessions[u]!.size, 1];
    case 'minutesPerListener': return [units.minutes[u]!, 1];
    case 'emergingShare': return [units.emerging[u]!, units.plays[u]!];
    case 'genreVariety': return [units.genres[u]!.size, 1];
    case 'artistGini': return [0, 1];
  }
}

interface Estimate { value: number; variance: number; n: number; /** per-unit adjusted linearized values, for Welch's df */ resid: Float64Array; rawVariance: number }

/**
 * A variant's value of a metric over its units, by the delta method on linearized values,
 * CUPED-adjusted with the pre-period's value of the same metric (pooled theta) when given.
 */
function estimates(m: MetricName, units: Units, members: number[][], pre: Units | undefined, preIx: (u: number) => number): { est: Estimate[]; theta: number } {
  const all = members.flat();
  // The pre-period covariate, linearized with the pooled pre-period ratio.
  let P: Float64Array | undefined;
  if (pre) {
    let sn = 0, sd = 0;
    for (const u of all) {
      const [n, d] = preIx(u) >= 0 ? numDen(m, pre, preIx(u)) : [0, 0];
      sn += n;
      sd += d;
    }
    const rp = sd > 0 ? sn / sd : 0, md = sd / Math.max(1, all.length);
    if (md > 0) {
      P = new Float64Array(units.size);
      for (const u of all) {
        const [n, d] = preIx(u) >= 0 ? numDen(m, pre, preIx(u)) : [0, 0];
        P[u] = (n - rp * d) / md;
      }
    }
  }
  const lin: Float64Array[] = [], ratio: number[] = [];
  for (const us of members) {
    let sn = 0, sd = 0;
    for (const u of us) {
      const [n, d] = numDen(m, units, u);
      sn += n;
      sd += d;
    }
    const r = sd > 0 ? sn / sd : NaN, md = sd / Math.max(1, us.length);
    ratio.push(r);
    lin.push(Float64Array.from(us, (u) => {
      const [n, d] = numDen(m, units, u);
      return md > 0 ? (n - r * d) / md : 0;
    }));
  }
  // Pooled theta = sum cov(l, P) / sum var(P), each within its variant.
  let theta = 0;
  const pMean: number[] = [];
  if (P) {
    let c = 0, v = 0;
    members.forEach((us, k) => {
      const mp = us.reduce((a, u) => a + P![u]!, 0) / Math.max(1, us.length);
      pMean.push(mp);
      us.forEach((u, i) => {
        c += lin[k]![i]! * (P![u]! - mp);
        v += (P![u]! - mp) ** 2;
      });
    });
    theta = v > 0 ? c / v : 0;
  }
  const pAll = P ? all.reduce((a, u) => a + P![u]!, 0) / Math.max(1, all.length) : 0;
  const est = members.map((us, k) => {
    const n = us.length;
    const l = lin[k]!;
    const resid = new Float64Array(n);
    let ss = 0, raw = 0;
    for (let i = 0; i < n; i++) {
      resid[i] = l[i]! - (P ? theta * (P[us[i]!]! - pMean[k]!) : 0);
      ss += resid[i]! ** 2;
      raw += l[i]! ** 2;
    }
    const value = ratio[k]! - (P ? theta * (pMean[k]! - pAll) : 0);
    return { value, variance: n > 1 ? ss / (n - 1) / n : NaN, n, resid, rawVariance: n > 1 ? raw / (n - 1) / n : NaN };
  });
  return { est, theta };
}

/**
 * The report of an experiment: exposures give each listener's variant (their first one;
 * conflicts are counted), events that name an exposure of the experiment in
 * `context.requestId` are attributed to it, and every metric is compared per listener,
 * treatment against control. See docs/experiments.md for the statistics and the decision rule.
 */
export async function experimentReport(store: Store, name: string, opts: { now?: number; bootstrap?: number; seed?: number } = {}): Promise<ExperimentReport> {
  const x = await getExperiment(store, name);
  const d = x.def;
  const alpha = d.alpha ?? 0.05;
  const now = opts.now ?? Date.now();
  const from = x.startedAt ?? now;
  const until = x.stoppedAt ?? now;
  const control = x.status === 'shipped' && (d.holdout ?? 0) > 0 ? 'holdout' : controlOf(d);
  const names = [...d.variants.map((v) => v.name), ...((d.holdout ?? 0) > 0 ? ['holdout'] : [])];
  const vix = new Map(names.map((n, i) => [n, i]));
  const units = new Units();
  const exposures = new Array<number>(names.length).fill(0);
  const byRequest = new Map<string, { unit: number; listener: string }>();
  let conflicts = 0;
  const conflicted = new Set<number>();
  for await (const batch of store.exposures.scan({ since: from, until: until + 1 })) {
    for (const e of batch) {
      if (!e.experiment) continue;
      const k = e.experiment.split(',').indexOf(name);
      if (k < 0) continue;
      const v = vix.get(e.variant?.split(',')[k] ?? '');
      if (v === undefined) continue;
      const u = units.unit(e.listenerId, v, Math.floor((e.ts - from) / DAY));
      if (units.variant[u] !== v && !conflicted.has(u)) {
        conflicted.add(u);
        conflicts++;
      }
      exposures[v]!++;
      byRequest.set(e.requestId, { unit: u, listener: e.listenerId });
    }
  }
  const table = await TrackTable.load(store);
  const plays: Play[] = [];
  // Stored events carry their session (derived by the store's session rule as they arrive);
  // one still pending (it arrived out of time order and the log was not sessionized since)
  // gets its session by the same rule here, from the listener's events as the log gives them.
  const cursors = new Map<string, SessionCursor>();
  const sessionOf = (e: { listenerId: string; sessionId?: string; ts: number }): string => {
    if (e.sessionId !== undefined) return e.sessionId;
    let c = cursors.get(e.listenerId);
    if (c === undefined) cursors.set(e.listenerId, (c = { id: null, start: -Infinity, lastTs: -Infinity }));
    return advanceSession(c, e.listenerId, e.ts, DEFAULT_SESSION_GAP_MS) ?? sessionId(e.listenerId, e.ts);
  };
  const toPlay = (u: number, day: number, e: { listenerId: string; trackId?: string; skipped?: boolean; msPlayed?: number; sessionId?: string; ts: number }): Play | undefined => {
    const t = e.trackId === undefined ? -1 : table.indexOf(e.trackId);
    if (t < 0) return undefined;
    return {
      unit: u, day, listened: e.skipped !== true, skipped: e.skipped === true, minutes: (e.msPlayed ?? table.durationMs[t]!) / 60_000,
      emerging: table.emerging[t] === 1, session: sessionOf(e), genres: table.genres[t]!, artist: table.artist[t]!,
    };
  };
  // Only the experiment's window (and the attribution grace after it) is read, through the log's time index.
  for await (const batch of store.events.scan({ types: ['play_end', 'skip'], since: from, until: until + ATTRIBUTION_GRACE_MS + 1 })) {
    for (const e of batch) {
      const req = e.context?.requestId;
      const at = req === undefined ? undefined : byRequest.get(req);
      if (!at || at.listener !== e.listenerId) continue;
      const p = toPlay(at.unit, Math.max(0, Math.floor((e.ts - from) / DAY)), e);
      if (p) plays.push(p);
    }
  }
  // The pre-period: the same listeners' plays (attributed or not) in the days before the start.
  const preDays = d.preDays ?? 7;
  let pre: Units | undefined;
  const preOf = new Int32Array(units.size).fill(-1);
  if (preDays > 0) {
    pre = new Units();
    for await (const batch of store.events.scan({ types: ['play_end', 'skip'], since: from - preDays * DAY, until: from })) {
      for (const e of batch) {
        const u = units.ix.get(e.listenerId);
        if (u === undefined) continue;
        const p = toPlay(u, 0, e);
        if (!p) continue;
        const q = pre.unit(e.listenerId, 0, 0);
        preOf[u] = q;
        add(pre, q, p);
      }
    }
    if (pre.size === 0) pre = undefined;
  }
  plays.sort((a, b) => a.day - b.day);
  const days = Math.max(1, Math.ceil((until - from) / DAY));
  const metricsDef = d.metrics ?? DEFAULT_METRICS;
  const roles = new Map<MetricName, { role: MetricResult['role']; margin?: number }>();
  for (const m of metricsDef.success) roles.set(m as MetricName, { role: 'success' });
  for (const g of metricsDef.guardrails) roles.set(g.metric as MetricName, { role: 'guardrail', margin: g.margin });
  for (const m of Object.keys(METRICS) as MetricName[]) if (!roles.has(m)) roles.set(m, { role: 'observed' });
  const treatments = names.filter((n) => n !== control && !(n === 'holdout' && control !== 'holdout') && !(control === 'holdout' && n !== x.shippedVariant));
  const ci = vix.get(control)!;

  // Sequential looks: fold each day's plays, then test.
  const seq = new Map<string, { p: number; z: number; reject: boolean; looks: number; boundary?: number; path: SequentialLook[] }>();
  const gsBounds = d.plannedListeners !== undefined ? new Map<number, number[]>() : undefined;
  const fractions: number[] = [];
  let next = 0;
  for (let day = 0; day < days; day++) {
    while (next < plays.length && plays[next]!.day <= day) add(units, plays[next]!.unit, plays[next++]!);
    const members = names.map(() => [] as number[]);
    for (let u = 0; u < units.size; u++) if (units.firstDay[u]! <= day && !conflicted.has(u)) members[units.variant[u]!]!.push(u);
    const nUnits = members.reduce((a, m) => a + m.length, 0);
    let frac = 0;
    if (d.plannedListeners !== undefined) {
      frac = Math.min(1, nUnits / d.plannedListeners);
      if (frac <= (fractions.at(-1) ?? 0)) continue;
      fractions.push(frac);
    }
    for (const [m, meta] of roles) {
      if (METRICS[m].kind === 'variant' || meta.role === 'observed') continue;
      const { est } = estimates(m, units, members, pre, (u) => preOf[u]!);
      for (const t of treatments) {
        const a = est[ci]!, b = est[vix.get(t)!]!;
        if (!(a.n > 1 && b.n > 1) || !Number.isFinite(a.value) || !Number.isFinite(b.value)) continue;
        const diff = b.value - a.value, v = a.variance + b.variance;
        const key = `${m}/${t}`;
        const s = seq.get(key) ?? { p: 1, z: 0, reject: false, looks: 0, path: [] };
        s.looks++;
        s.z = diff / Math.sqrt(v);
        if (gsBounds) {
          // Bounds for the looks so far, the last at full information.
          const bounds = groupSequentialBounds(fractions[fractions.length - 1] === 1 ? fractions : [...fractions, 1], alpha);
          s.boundary = bounds[fractions.length - 1]!;
          if (Math.abs(s.z) >= s.boundary) s.reject = true;
        } else {
          // Mixing variance: a relative effect of about 5% of the control's value.
          const tau2 = (0.05 * Math.abs(a.value)) ** 2 || v;
          s.p = msprtPValue(diff, v, tau2, s.p);
        }
        s.path.push(gsBounds ? { day, z: round(s.z), boundary: round(s.boundary ?? NaN) } : { day, z: round(s.z), pValue: round(s.p) });
        seq.set(key, s);
      }
    }
  }
  while (next < plays.length) add(units, plays[next]!.unit, plays[next++]!);

  // Final look: fixed-horizon estimates, CUPED, lifts.
  const members = names.map(() => [] as number[]);
  for (let u = 0; u < units.size; u++) if (!conflicted.has(u)) members[units.variant[u]!]!.push(u);
  const results: MetricResult[] = [];
  const rng = new Rng(opts.seed ?? 1);
  for (const [m, meta] of roles) {
    const dir = METRICS[m].direction;
    if (METRICS[m].kind === 'variant') {
      const giniOf = (us: number[], pick?: (k: number) => number): number => {
        const byArtist = new Map<string, number>();
        const inUnit = new Set<number>();
        for (let k = 0; k < us.length; k++) inUnit.add(pick ? us[pick(k)]! : us[k]!);
        for (const p of plays) if (inUnit.has(p.unit)) byArtist.set(p.artist, (byArtist.get(p.artist) ?? 0) + 1);
        return gini([...byArtist.values()]);
      };
      const g = members.map((us) => giniOf(us));
      for (const t of treatments) {
        const a = members[ci]!, b = members[vix.get(t)!]!;
        if (a.length < 2 || b.length < 2) continue;
        // Bootstrap over listeners, within each variant.
        const B = opts.bootstrap ?? 200;
        const lifts: number[] = [];
        for (let r = 0; r < B; r++) {
          const ga = giniOf(a, () => rng.int(a.length)), gb = giniOf(b, () => rng.int(b.length));
          lifts.push(ga > 0 ? gb / ga - 1 : 0);
        }
        lifts.sort((p, q) => p - q);
        const lift = g[ci]! > 0 ? g[vix.get(t)!]! / g[ci]! - 1 : 0;
        const below = lifts.filter((l) => l <= 0).length / B;
        results.push({
          metric: m, role: meta.role, direction: dir, variant: t, control, values: { [control]: round(g[ci]!), [t]: round(g[vix.get(t)!]!) },
          relativeLift: round(lift), ci: [round(lifts[Math.floor((alpha / 2) * B)]!), round(lifts[Math.min(B - 1, Math.floor((1 - alpha / 2) * B))]!)],
          absoluteDiff: round(g[vix.get(t)!]! - g[ci]!), pValue: round(Math.min(1, 2 * Math.min(below, 1 - below))), pValueAdjusted: NaN, cuped: null, sequential: null, significant: false,
          ...(meta.margin !== undefined ? { margin: meta.margin } : {}),
        });
      }
      continue;
    }
    const { est, theta } = estimates(m, units, members, pre, (u) => preOf[u]!);
    for (const t of treatments) {
      const a = est[ci]!, b = est[vix.get(t)!]!;
      if (!(a.n > 1 && b.n > 1) || !Number.isFinite(a.value) || !Number.isFinite(b.value)) continue;
      const diff = b.value - a.value, se = Math.sqrt(a.variance + b.variance);
      let pValue: number;
      if (METRICS[m].kind === 'mean') {
        // Welch's t on the (CUPED-adjusted) per-listener values.
        const df = (a.variance + b.variance) ** 2 / (a.variance ** 2 / (a.n - 1) + b.variance ** 2 / (b.n - 1));
        pValue = tCdfTwoSided(diff / se, df);
      } else pValue = 2 * (1 - Phi(Math.abs(diff / se)));
      const rl = relativeLift({ value: a.value, variance: a.variance }, { value: b.value, variance: b.variance }, alpha);
      const s = seq.get(`${m}/${t}`);
      const perArm = listenersForPower(diff, a.variance * a.n + b.variance * b.n, alpha);
      results.push({
        metric: m, role: meta.role, direction: dir, variant: t, control, values: { [control]: round(a.value), [t]: round(b.value) },
        relativeLift: round(rl.lift), ci: [round(rl.ci[0]), round(rl.ci[1])], absoluteDiff: round(diff), pValue: round(pValue), pValueAdjusted: NaN,
        cuped: pre ? { theta: round(theta), varianceReduction: round(1 - (a.variance + b.variance) / (a.rawVariance + b.rawVariance)) } : null,
        sequential: s ? (gsBounds ? { method: 'group-sequential', boundary: round(s.boundary ?? NaN), z: round(s.z), looks: s.looks, reject: s.reject, path: s.path } : { method: 'msprt', pValue: round(s.p), z: round(s.z), looks: s.looks, reject: false, path: s.path }) : null,
        significant: false, ...(meta.margin !== undefined ? { margin: meta.margin } : {}), listenersFor80: Number.isFinite(perArm) ? 2 * perArm : null,
      });
    }
  }
  // Multiple comparisons: Holm over the success metrics x treatments (fixed-horizon and sequential p-values).
  const succ = results.filter((r) => r.role === 'success');
  const adj = holm(succ.map((r) => r.pValue));
  const adjSeq = holm(succ.map((r) => r.sequential?.pValue ?? 1));
  succ.forEach((r, i) => {
    r.pValueAdjusted = round(adj[i]!);
    if (r.sequential?.method === 'msprt') r.sequential.reject = adjSeq[i]! < alpha;
    const good = r.direction === 'up' ? r.relativeLift > 0 : r.relativeLift < 0;
    r.significant = good && (r.sequential ? r.sequential.reject : r.pValueAdjusted < alpha);
  });
  for (const r of results) {
    if (r.role !== 'success') {
      r.pValueAdjusted = r.pValue;
      if (r.sequential?.method === 'msprt') r.sequential.reject = (r.sequential.pValue ?? 1) < alpha;
    }
    if (r.role === 'guardrail') {
      r.nonInferior = r.direction === 'up' ? r.ci[0] >= -r.margin! : r.ci[1] <= r.margin!;
      r.significant = r.nonInferior;
    }
  }

  // Sample ratio: exposed listeners per variant against the weights (the holdout aside).
  const counts = d.variants.map((v) => members[vix.get(v.name)!]!.length);
  const s = srm(counts, d.variants.map((v) => v.weight));
  const srmOk = !(s.pValue < 0.001);
  const reasons: string[] = [];
  let decision: ExperimentReport['decision'];
  if (!srmOk) decision = { action: 'invalid', reasons: [`sample ratio mismatch: ${counts.join(' / ')} listeners against weights ${d.variants.map((v) => v.weight).join(' / ')} (p = ${s.pValue.toExponential(2)})`] };
  else {
    const passing: string[] = [];
    for (const t of treatments) {
      const wins = results.filter((r) => r.variant === t && r.role === 'success' && r.significant);
      const losses = results.filter((r) => r.variant === t && r.role === 'success' && !r.significant && (r.sequential?.reject ?? r.pValueAdjusted < alpha));
      const bad = results.filter((r) => r.variant === t && r.role === 'guardrail' && !r.nonInferior);
      if (wins.length > 0 && bad.length === 0) passing.push(t);
      reasons.push(`${t}: ${wins.length > 0 ? `improves ${wins.map((r) => `${r.metric} (${pct(r.relativeLift)})`).join(', ')}` : 'no success metric improved significantly'}`
        + `${losses.length > 0 ? `; worsens ${losses.map((r) => r.metric).join(', ')}` : ''}`
        + `${bad.length > 0 ? `; guardrail breached: ${bad.map((r) => `${r.metric} (${pct(r.relativeLift)}, interval to ${pct(r.direction === 'up' ? r.ci[0] : r.ci[1])}, margin ${pct(r.margin!)})`).join(', ')}` : '; guardrails hold'}`);
    }
    const best = passing.sort((p, q) => bestLift(results, q) - bestLift(results, p))[0];
    if (best !== undefined) decision = { action: 'ship', variant: best, reasons };
    else if (x.status === 'running') decision = { action: 'continue', reasons };
    else decision = { action: 'no-ship', reasons };
  }
  return {
    experiment: name, status: x.status, from, until, alpha,
    variants: names.map((n, i) => ({ name: n, listeners: members[i]!.length, exposures: exposures[i]!, weight: d.variants.find((v) => v.name === n)?.weight ?? null })),
    srm: { chi2: round(s.chi2), pValue: round(s.pValue), ok: srmOk }, assignmentConflicts: conflicts, attributedPlays: plays.length, metrics: results, decision,
  };
}

function add(units: Units, u: number, p: Play): void {
  units.plays[u]!++;
  if (p.listened) units.listens[u]!++;
  if (p.skipped) units.skips[u]!++;
  units.minutes[u]! += p.minutes;
  if (p.emerging) units.emerging[u]!++;
  units.sessions[u]!.add(p.session);
  for (const g of p.genres) units.genres[u]!.add(g);
}

const bestLift = (results: MetricResult[], t: string): number => Math.max(...results.filter((r) => r.variant === t && r.role === 'success' && r.significant).map((r) => r.relativeLift));
const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

export type { Experiment };
