import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { simulateServed, type ServedTruth } from '../experiments/index.js';
import { DEFAULT_WEIGHTS_RADIUS, NUMERAIRE_OBJECTIVE } from '../sequencing/index.js';
import { guardrailThreshold, tuneWeights, type Guardrail, type TuneCandidate, type TuneMetric, type TuneReport } from './tune.js';

export interface TuneSimOptions {
  /** The deliberately poor starting objective weights (a partial `objectives`). */
  start: Record<string, number>;
  /** A partial policy under every policy of the run (the start, the grid, the proposal), e.g. a solver. */
  base?: Record<string, unknown>;
  objective: TuneMetric;
  guardrails?: Guardrail[];
  budget?: number;
  /** The tuner's kernel bandwidth (TuneOptions.bandwidth). */
  bandwidth?: number;
  /** Share of requests served with explored weights (default 1) and how far (default DEFAULT_WEIGHTS_RADIUS). */
  share?: number;
  radius?: number;
  /** Grid points per tuned weight over the explored box (default 5). */
  grid?: number;
  listeners: number;
  days: number;
  seed: number;
  tracks?: number;
  historyDays?: number;
  surface?: 'radio' | 'autoplay';
  /** Where the two served stores go (the explored one, then the check). */
  dir: string;
  onProgress?: (msg: string) => void;
}

/** A policy's true metrics in the served loop (on every request, from copies of the listener's state). */
export interface TrueMetrics { minutes: number; minutesSe: number; listens: number; skipRate: number; emergingShare: number; listenThroughRate: number }

export interface TuneSimReport {
  protocol: string;
  tune: TuneReport;
  start: { weights: Record<string, number>; truth: TrueMetrics };
  tuned: { weights: Record<string, number>; truth: TrueMetrics; guardrailsHold: boolean };
  /** Each grid point's truth, and the tuner's estimate there from the store (the estimator's accuracy). */
  grid: Array<{ weights: Record<string, number>; truth: TrueMetrics; guardrailsHold: boolean; estimate: TuneCandidate }>;
  best: { weights: Record<string, number>; truth: TrueMetrics };
  /** (tuned - start) / (best - start) on the objective's true value. */
  gainShare: number;
}

const metricsOf = (t: ServedTruth): TrueMetrics => ({ minutes: t.minutes, minutesSe: t.minutesSe, listens: t.value, skipRate: t.skipRate, emergingShare: t.emergingShare, listenThroughRate: 1 - t.skipRate });

/**
 * Issue 21's check of `segue policy tune` in the simulator. A served store is built under the
 * starting weights with every request's weights explored (the exploration policy); the tuner
 * proposes weights from that store alone. The same service is then run again, and on each of
 * its requests the true metrics of the start, of every point of a grid over the explored box
 * and of the proposal are measured (from copies of the listener's state, with common random
 * numbers). The grid's best point that holds the guardrails (in truth) is the yardstick: the
 * share of its gain over the start that the proposal gets.
 */
export async function tuneInSimulator(o: TuneSimOptions): Promise<TuneSimReport> {
  const surface = o.surface ?? 'radio';
  const radius = o.radius ?? DEFAULT_WEIGHTS_RADIUS;
  const names = Object.keys(o.start).filter((n) => n !== NUMERAIRE_OBJECTIVE).sort();
  const g = o.grid ?? 5;
  const axes = names.map((n) => {
    const lo = Math.max(0, o.start[n]! - radius), hi = Math.min(100, o.start[n]! + radius);
    return Array.from({ length: g }, (_, i) => Number((lo + ((hi - lo) * i) / (g - 1)).toFixed(4)));
  });
  const points: Array<Record<string, number>> = [{}];
  axes.forEach((axis, j) => {
    const next: Array<Record<string, number>> = [];
    for (const p of points) for (const v of axis) next.push({ ...p, [names[j]!]: v });
    points.splice(0, points.length, ...next);
  });
  const objectives = (w: Record<string, number>): Record<string, unknown> => ({ ...o.base, objectives: { ...o.start, ...w } });
  const truthFor: Record<string, Record<string, unknown>> = { start: objectives({}) };
  points.forEach((p, i) => (truthFor[`grid-${i}`] = objectives(p)));
  const world = {
    listeners: o.listeners, days: o.days, seed: o.seed, ...(o.tracks ? { tracks: o.tracks } : {}), ...(o.historyDays ? { historyDays: o.historyDays } : {}), surfaces: [surface],
    // Every request logs its candidates (for the truth of other weights) without exploring tracks; a share explores weights.
    policy: { ...o.base, objectives: o.start, logging: { candidatesShare: 1, exploration: { epsilon: 0, temperature: 0.5 }, weightsShare: o.share ?? 1, weightsRadius: radius } },
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  };
  const explored = await simulateServed({ ...world, storePath: join(o.dir, 'explored.db') });
  const store = await openStore(join(o.dir, 'explored.db'));
  let tune: TuneReport;
  try {
    tune = await tuneWeights(store, { surface, objective: o.objective, ...(o.guardrails ? { guardrails: o.guardrails } : {}), ...(o.budget ? { budget: o.budget } : {}), ...(o.bandwidth ? { bandwidth: o.bandwidth } : {}), until: explored.until, at: points });
  } finally {
    await store.close();
  }
  // The truth of every policy compared, in one loop on the same requests (common random numbers): a second run of
  // the same service, since the proposal is known only now.
  o.onProgress?.('the loop again: the true values of the start, the grid and the proposal');
  const check = await simulateServed({ ...world, storePath: join(o.dir, 'check.db'), truthFor: { ...truthFor, tuned: objectives(tune.proposal.weights) } });
  const start = metricsOf(check.truth.start!);
  const holds = (m: TrueMetrics): boolean => (o.guardrails ?? []).every((gr) => {
    const threshold = guardrailThreshold(gr, start[gr.metric]);
    return gr.op === '>=' ? m[gr.metric] >= threshold : m[gr.metric] <= threshold;
  });
  const grid = points.map((p, i) => {
    const truth = metricsOf(check.truth[`grid-${i}`]!);
    return { weights: p, truth, guardrailsHold: holds(truth), estimate: tune.at[i]! };
  });
  const allowed = grid.filter((x) => x.guardrailsHold);
  const best = (allowed.length > 0 ? allowed : grid).reduce((a, b) => (b.truth[o.objective] > a.truth[o.objective] ? b : a));
  const tunedTruth = metricsOf(check.truth.tuned!);
  const gain = best.truth[o.objective] - start[o.objective];
  return {
    protocol: `${explored.protocol}; every request's objective weights explored within ${radius} of the start's; tuned from that store alone; then the same service run again, the true values of the start, a ${axes.map((a) => a.length).join(' x ')} grid over the explored box and the proposal measured on each of its requests`,
    tune, start: { weights: Object.fromEntries(names.map((n) => [n, o.start[n]!])), truth: start },
    tuned: { weights: tune.proposal.weights, truth: tunedTruth, guardrailsHold: holds(tunedTruth) },
    grid, best: { weights: best.weights, truth: best.truth },
    gainShare: gain === 0 ? NaN : (tunedTruth[o.objective] - start[o.objective]) / gain,
  };
}
