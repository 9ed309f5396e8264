import type { Store } from '../store/index.js';
import { getExperiment } from './assign.js';
import { confidenceSequence, listenersForPower, logMixtureRatio, signTest, type Tally } from './preference.js';
import { groupSequentialBounds, srm } from './stats.js';
import type { Experiment } from './types.js';

const DAY = 86_400_000;
/** Attributed events may arrive after the experiment stops (the session that was served goes on). */
const ATTRIBUTION_GRACE_MS = 6 * 3_600_000;

/**
 * What an interleaving experiment logged, read once: each exposure's teams by position, and
 * each credited play (a listen for its team, +1, or a skip, -1) with its listener and day.
 * Typed columns, so that an analysis (or a thousand, re-drawing the coins) is cheap.
 */
export interface InterleavingLog {
  from: number;
  until: number;
  days: number;
  /** Exposed listeners (units), their ids, and the day each was first exposed. */
  listeners: string[];
  firstDay: Int32Array;
  exposures: number;
  /** Per exposure: its first item's offset in `teams`, then its length; teams: 0 (a) or 1 (b) per served position. */
  start: Int32Array;
  teams: Uint8Array;
  /** Credited plays: listener unit, day, exposure index, position in it, +1 or -1. */
  unit: Int32Array;
  day: Int32Array;
  exposure: Int32Array;
  position: Int32Array;
  value: Int8Array;
}

/** An interleaving experiment's report: the teams' credit, the listeners' preference, the tests and the decision. */
export interface InterleavingReport {
  experiment: string;
  design: 'interleave';
  status: string;
  from: number;
  until: number;
  alpha: number;
  teams: Array<{ team: 'a' | 'b'; variant: string; picks: number; listens: number; skips: number }>;
  /** Tracks placed per team against 1:1 (a broken draft shows here first). */
  balance: { chi2: number; pValue: number; ok: boolean };
  listeners: number;
  exposures: number;
  creditedPlays: number;
  /** Listeners preferring each team (more credit) and ties; winRateB over decided listeners with its interval; delta = (b - a) / listeners. */
  preference: { a: number; b: number; ties: number; winRateB: number; ci: [number, number]; delta: number; z: number; pValue: number };
  /** Read at the end of every day: always-valid (Beta-mixture SPRT with its confidence sequence), or group-sequential with `plannedListeners`. */
  sequential: {
    method: 'mixture-sprt' | 'group-sequential'; pValue?: number; z?: number; boundary?: number; cs?: [number, number]; looks: number; reject: boolean;
    path: Array<{ day: number; winRateB: number; pValue?: number; cs?: [number, number]; z: number; boundary?: number }>;
  };
  /** Listeners an interleaving test of this preference needs for 80% power at alpha (fixed horizon). */
  listenersFor80: number | null;
  decision: { action: 'prefer' | 'no-preference' | 'continue' | 'invalid'; variant?: string; team?: 'a' | 'b'; reasons: string[] };
}

/**
 * Read an interleaving experiment's exposures (variant `interleaved`, each item's team) and
 * the plays attributed to them (`context.requestId`, the track): a play listened through (or,
 * with `credit.listenMs`, played that long) counts for the item's team, a skip against it.
 */
export async function readInterleavingLog(store: Store, x: Experiment, now: number): Promise<InterleavingLog> {
  const d = x.def;
  const from = x.startedAt ?? now, until = x.stoppedAt ?? now;
  const listenMs = d.credit?.listenMs;
  const units = new Map<string, number>();
  const listeners: string[] = [], firstDay: number[] = [];
  const start: number[] = [], teams: number[] = [];
  const byRequest = new Map<string, { e: number; unit: number; listener: string; pos: Map<string, number> }>();
  for await (const batch of store.exposures.scan({ since: from, until: until + 1 })) {
    for (const e of batch) {
      const k = e.experiment?.split(',').indexOf(d.name) ?? -1;
      if (k < 0 || e.variant?.split(',')[k] !== 'interleaved') continue;
      let u = units.get(e.listenerId);
      if (u === undefined) {
        units.set(e.listenerId, (u = listeners.length));
        listeners.push(e.listenerId);
        firstDay.push(Math.floor((e.ts - from) / DAY));
      }
      const pos = new Map<string, number>();
      start.push(teams.length);
      e.items.forEach((it, p) => {
        teams.push(it.team === 'b' ? 1 : 0);
        if (!pos.has(it.trackId)) pos.set(it.trackId, p);
      });
      byRequest.set(e.requestId, { e: start.length - 1, unit: u, listener: e.listenerId, pos });
    }
  }
  start.push(teams.length);
  const cu: number[] = [], cd: number[] = [], ce: number[] = [], cp: number[] = [], cv: number[] = [];
  for await (const batch of store.events.scan({ types: ['play_end', 'skip'], since: from, until: until + ATTRIBUTION_GRACE_MS + 1 })) {
    for (const ev of batch) {
      const at = ev.context?.requestId === undefined ? undefined : byRequest.get(ev.context.requestId);
      if (!at || at.listener !== ev.listenerId || ev.trackId === undefined) continue;
      const p = at.pos.get(ev.trackId);
      if (p === undefined) continue;
      const skipped = ev.type === 'skip' || ev.skipped === true;
      const listened = !skipped && (listenMs === undefined || (ev.msPlayed ?? 0) >= listenMs);
      if (!skipped && !listened) continue;
      cu.push(at.unit);
      cd.push(Math.max(0, Math.floor((ev.ts - from) / DAY)));
      ce.push(at.e);
      cp.push(p);
      cv.push(skipped ? -1 : 1);
    }
  }
  return {
    from, until, days: Math.max(1, Math.ceil((until - from) / DAY)), listeners, firstDay: Int32Array.from(firstDay), exposures: start.length - 1,
    start: Int32Array.from(start), teams: Uint8Array.from(teams),
    unit: Int32Array.from(cu), day: Int32Array.from(cd), exposure: Int32Array.from(ce), position: Int32Array.from(cp), value: Int8Array.from(cv),
  };
}

/** Per listener, team b's credit minus team a's, from the credits up to `lastDay` (teams from `teams`, the log's by default). */
function creditDiff(log: InterleavingLog, lastDay: number, teams: Uint8Array): Float64Array {
  const diff = new Float64Array(log.listeners.length);
  for (let c = 0; c < log.unit.length; c++) {
    if (log.day[c]! > lastDay) continue;
    const t = teams[log.start[log.exposure[c]!]! + log.position[c]!]!;
    diff[log.unit[c]!]! += t === 1 ? log.value[c]! : -log.value[c]!;
  }
  return diff;
}

function tally(diff: Float64Array, log: InterleavingLog, lastDay: number): Tally {
  const t: Tally = { a: 0, b: 0, ties: 0 };
  for (let u = 0; u < diff.length; u++) {
    if (log.firstDay[u]! > lastDay) continue;
    if (diff[u]! > 0) t.b++;
    else if (diff[u]! < 0) t.a++;
    else t.ties++;
  }
  return t;
}

/** The preference analysis of a log: the fixed-horizon sign test, the sequential test by day, and the power figure. */
export function analyzeInterleaving(log: InterleavingLog, opts: { alpha?: number; plannedListeners?: number; teams?: Uint8Array } = {}): Pick<InterleavingReport, 'preference' | 'sequential' | 'listenersFor80'> {
  const alpha = opts.alpha ?? 0.05, teams = opts.teams ?? log.teams;
  const planned = opts.plannedListeners;
  const path: InterleavingReport['sequential']['path'] = [];
  let logBest = -Infinity, reject = false, boundary: number | undefined, z = 0, cs: [number, number] = [0, 1];
  const fractions: number[] = [];
  for (let day = 0; day < log.days; day++) {
    const t = tally(creditDiff(log, day, teams), log, day);
    const n = t.a + t.b + t.ties, m = t.a + t.b;
    z = m > 0 ? (t.b - t.a) / Math.sqrt(m) : 0;
    const winRateB = m > 0 ? round(t.b / m) : NaN;
    if (planned !== undefined) {
      const frac = Math.min(1, n / planned);
      if (frac <= (fractions.at(-1) ?? 0)) continue;
      fractions.push(frac);
      const bounds = groupSequentialBounds(fractions[fractions.length - 1] === 1 ? fractions : [...fractions, 1], alpha);
      boundary = bounds[fractions.length - 1]!;
      if (Math.abs(z) >= boundary) reject = true;
      path.push({ day, winRateB, z: round(z), boundary: round(boundary) });
    } else {
      logBest = Math.max(logBest, logMixtureRatio(t.b, t.a));
      // The confidence sequence is intersected over the looks: every look's set holds at once.
      const now = confidenceSequence(t.b, t.a, alpha);
      cs = [Math.max(cs[0], now[0]), Math.min(cs[1], now[1])];
      path.push({ day, winRateB, pValue: round(Math.min(1, Math.exp(-logBest))), cs: [round(cs[0]), round(cs[1])], z: round(z) });
    }
  }
  const finalDiff = creditDiff(log, log.days, teams);
  const t = tally(finalDiff, log, log.days);
  const s = signTest(t, alpha);
  // Power: per-listener preference in {-1, 0, 1}, its mean and variance.
  let sum = 0, sq = 0, n = 0;
  for (let u = 0; u < finalDiff.length; u++) {
    const v = Math.sign(finalDiff[u]!);
    sum += v;
    sq += v * v;
    n++;
  }
  const mean = n > 0 ? sum / n : 0, variance = n > 1 ? (sq - n * mean * mean) / (n - 1) : NaN;
  const need = listenersForPower(mean, variance, alpha);
  const pSeq = Math.min(1, Math.exp(-logBest));
  return {
    preference: { a: t.a, b: t.b, ties: t.ties, winRateB: round(s.winRateB), ci: [round(s.ci[0]), round(s.ci[1])], delta: round(s.delta), z: round(s.z), pValue: round(s.pValue) },
    sequential: planned !== undefined
      ? { method: 'group-sequential', z: round(z), ...(boundary !== undefined ? { boundary: round(boundary) } : {}), looks: path.length, reject, path }
      : { method: 'mixture-sprt', pValue: round(pSeq), cs: [round(cs[0]), round(cs[1])], looks: path.length, reject: pSeq < alpha, path },
    listenersFor80: Number.isFinite(need) ? need : null,
  };
}

/**
 * The report of an interleaving experiment (design `interleave`): which variant's tracks the
 * listeners preferred, tested per listener, with the draft's balance and the decision.
 */
export async function interleavingReport(store: Store, name: string, opts: { now?: number } = {}): Promise<InterleavingReport> {
  const x = await getExperiment(store, name);
  const d = x.def;
  if (d.design !== 'interleave') throw new Error(`experiment ${name} is an A/B test, not an interleaving experiment`);
  const alpha = d.alpha ?? 0.05;
  const log = await readInterleavingLog(store, x, opts.now ?? Date.now());
  const a = analyzeInterleaving(log, { alpha, ...(d.plannedListeners !== undefined ? { plannedListeners: d.plannedListeners } : {}) });
  const picks = [0, 0], listens = [0, 0], skips = [0, 0];
  for (const t of log.teams) picks[t]!++;
  for (let c = 0; c < log.value.length; c++) {
    const t = log.teams[log.start[log.exposure[c]!]! + log.position[c]!]!;
    if (log.value[c]! > 0) listens[t]!++;
    else skips[t]!++;
  }
  const bal = srm(picks, [1, 1]);
  const balanceOk = !(bal.pValue < 0.001);
  const [va, vb] = [d.variants[0]!.name, d.variants[1]!.name];
  const p = a.preference;
  const reasons = [
    `${p.b} listeners preferred ${vb} (b), ${p.a} preferred ${va} (a), ${p.ties} neither; ${vb} wins ${pct(p.winRateB)} of decided listeners (interval ${pct(p.ci[0])} .. ${pct(p.ci[1])})`,
  ];
  let decision: InterleavingReport['decision'];
  if (!balanceOk) decision = { action: 'invalid', reasons: [`the draft is unbalanced: ${picks[0]} tracks from a, ${picks[1]} from b (p = ${bal.pValue.toExponential(2)})`] };
  else if (a.sequential.reject) {
    const team = p.b > p.a ? 'b' : 'a';
    decision = { action: 'prefer', team, variant: team === 'b' ? vb : va, reasons };
  } else decision = { action: x.status === 'running' ? 'continue' : 'no-preference', reasons };
  return {
    experiment: name, design: 'interleave', status: x.status, from: log.from, until: log.until, alpha,
    teams: (['a', 'b'] as const).map((team, i) => ({ team, variant: d.variants[i]!.name, picks: picks[i]!, listens: listens[i]!, skips: skips[i]! })),
    balance: { chi2: round(bal.chi2), pValue: round(bal.pValue), ok: balanceOk },
    listeners: log.listeners.length, exposures: log.exposures, creditedPlays: log.value.length, ...a, decision,
  };
}

const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
