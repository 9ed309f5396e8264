import type { Store } from '../store/index.js';
import type { Exposure } from '../domain/index.js';
import { TrackTable } from '../features/index.js';
import { loggingPolicy, replayInputs } from '../surfaces/index.js';
import { choiceProbabilities, overridePolicy, type Policy, type SeqContext, type SeqItem, type Surface } from '../sequencing/index.js';
import { ESTIMATORS, ESTIMATOR_ABOUT, estimate, type Estimate, type LoggedSequences } from './off-policy.js';
import { trackClusters, type ClusterEmbedding } from './clusters.js';
import { forAttributedPlays } from './attributed.js';

export interface LiveOffPolicyOptions {
  /** A partial policy over each exposure's surface default: the policy to evaluate. */
  target: Record<string, unknown>;
  since?: number;
  until?: number;
  /** Only this surface's exposures (default: every surface with logged candidates). */
  surface?: Surface;
  bootstrap?: number;
  seed?: number;
  /** Clusters of track embeddings for MIPS (default DEFAULT_MIPS_CLUSTERS), and the embedding (default: the first the store has). */
  clusters?: number;
  embedding?: ClusterEmbedding;
}

/** MIPS's clusters of track embeddings when not given: few enough that the marginal weights stay near 1, enough to tell what listeners react to apart. */
export const DEFAULT_MIPS_CLUSTERS = 16;

export interface LiveOffPolicyReport {
  protocol: string;
  /** Exposures in the window, those with their candidates logged, and those used (the rest named in `skipped`). */
  exposures: number;
  logged: number;
  sequences: number;
  skipped: Record<string, number>;
  length: number;
  /** The logged lists' own value: listened-through tracks per list. */
  logging: { value: number };
  estimates: Array<Estimate & { about: string; effectiveSampleSize: number }>;
  /** MIPS's action groups: k-means clusters of the logged candidates' embeddings (absent when the log does not record its logging policy). */
  mips?: { embedding: ClusterEmbedding; clusters: number; tracks: number; withoutVector: number };
  /** Mean whole-list weight (1 in expectation when the target's support is covered). */
  meanSequenceWeight: number;
  /** Share of logged positions where the logging policy did not explore (propensity 1). */
  deterministicShare: number;
  warnings: string[];
}

/** Kish's effective sample size of weights: (sum w)^2 / sum w^2. */
function ess(w: ArrayLike<number>): number {
  let s = 0, s2 = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i]!;
    s2 += w[i]! * w[i]!;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

/**
 * Off-policy evaluation from a store's own exposures: each exposure with its candidates
 * logged (policy.logging.candidatesShare) is a logged list with its propensities; the
 * target's probability of each pick is its greedy walk replayed on the same candidates
 * (sequencing's choiceProbabilities), and the reward at a position is 1 when a play
 * attributed to the exposure (context.requestId) listened the track through. The value is
 * listened-through tracks per list, estimated by the estimators of the simulator's
 * evaluation (per-item IPS and SNIPS, whole-list IPS, RIPS, and MIPS over k-means clusters
 * of the candidates' track embeddings) with bootstrap intervals.
 */
export async function offPolicyFromStore(store: Store, o: LiveOffPolicyOptions): Promise<LiveOffPolicyReport> {
  const since = o.since ?? 0, until = o.until ?? Date.now();
  const table = await TrackTable.load(store);
  const rows: Array<{ x: Exposure; p: number[]; q: Float64Array; items: SeqItem[]; ctx: SeqContext; chosen: number[]; target: Policy; logger: Policy | undefined }> = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string): void => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  const targets = new Map<string, ReturnType<typeof overridePolicy>>();
  let exposures = 0, logged = 0;
  for await (const batch of store.exposures.scan({ since, until })) {
    for (const x of batch) {
      exposures++;
      if (!x.candidates) continue;
      if (o.surface !== undefined && x.surface !== o.surface) continue;
      logged++;
      const inputs = replayInputs(x, table);
      if (typeof inputs === 'string') {
        skip(inputs);
        continue;
      }
      const key = `${x.surface}/${x.items.length}`;
      let target = targets.get(key);
      if (target === undefined) targets.set(key, (target = overridePolicy(x.surface as Surface, { ...o.target, length: x.items.length }, 'target policy')));
      const q = choiceProbabilities(inputs.items, target, inputs.ctx, inputs.chosen, { conditional: true });
      rows.push({ x, p: x.items.map((it) => it.propensity), q, ...inputs, target, logger: loggingPolicy(x) });
    }
  }
  if (rows.length === 0) {
    throw new RangeError(`off-policy: no exposure between ${new Date(since).toISOString()} and ${new Date(until).toISOString()} has its candidates logged (${exposures} exposures${logged > 0 ? `, ${logged} logged but unusable: ${JSON.stringify(skipped)}` : ''}); serving logs them for policy.logging.candidatesShare of requests (default 5%)`);
  }
  // Rewards: plays attributed to the logged exposures, by position.
  const K = Math.max(...rows.map((r) => r.x.items.length));
  const n = rows.length;
  const d: LoggedSequences = { n, K, p: new Float64Array(n * K).fill(1), q: new Float64Array(n * K).fill(1), r: new Float64Array(n * K) };
  rows.forEach((r, i) => {
    for (let k = 0; k < r.p.length; k++) {
      d.p[i * K + k] = r.p[k]!;
      d.q[i * K + k] = r.q[k]!;
    }
  });
  const posOf = rows.map((r) => new Map(r.x.items.map((it, k) => [it.trackId, k])));
  await forAttributedPlays(store, rows.map((r) => r.x), since, until, (i, e) => {
    const k = posOf[i]!.get(e.trackId);
    if (k !== undefined && e.skipped !== true) d.r[i * K + k] = 1;
  });
  // MIPS: the probabilities that each pick falls in the logged pick's cluster, under the logging policy (as logged) and the target.
  let mips: LiveOffPolicyReport['mips'];
  if (rows.every((r) => r.logger !== undefined)) {
    const ids = [...new Set(rows.flatMap((r) => r.x.candidates!.trackIds))];
    const c = await trackClusters(store, table, ids, { k: o.clusters ?? DEFAULT_MIPS_CLUSTERS, ...(o.embedding ? { embedding: o.embedding } : {}), seed: o.seed ?? 17 });
    mips = { embedding: c.embedding, clusters: c.k, tracks: ids.length, withoutVector: c.alone };
    d.pm = new Float64Array(n * K).fill(1);
    d.qm = new Float64Array(n * K).fill(1);
    rows.forEach((r, i) => {
      const groupOf = Int32Array.from(r.items, (it) => c.of.get(it.trackId)!);
      const pm = choiceProbabilities(r.items, r.logger!, r.ctx, r.chosen, { groupOf });
      const qm = choiceProbabilities(r.items, r.target, r.ctx, r.chosen, { groupOf });
      for (let k = 0; k < r.chosen.length; k++) {
        d.pm![i * K + k] = pm[k]!;
        d.qm![i * K + k] = qm[k]!;
      }
    });
  }
  let loggingValue = 0, deterministic = 0, positions = 0;
  const seqW = new Float64Array(n), itemW: number[] = [];
  for (let i = 0; i < n; i++) {
    let w = 1;
    for (let k = 0; k < rows[i]!.p.length; k++) {
      loggingValue += d.r[i * K + k]!;
      const ratio = d.q[i * K + k]! / d.p[i * K + k]!;
      w *= ratio;
      itemW.push(ratio);
      positions++;
      if (d.p[i * K + k] === 1) deterministic++;
    }
    seqW[i] = w;
  }
  const meanSequenceWeight = seqW.reduce((a, b) => a + b, 0) / n;
  const mipsW: number[] = [];
  if (d.pm) for (let i = 0; i < n; i++) for (let k = 0; k < rows[i]!.chosen.length; k++) mipsW.push(d.qm![i * K + k]! / d.pm[i * K + k]!);
  const estimates = ESTIMATORS.filter((est) => est !== 'mips' || d.pm).map((est) => ({
    ...estimate(d, est, { bootstrap: o.bootstrap ?? 200, seed: o.seed ?? 17 }), about: ESTIMATOR_ABOUT[est],
    // Per-item estimators: the effective number of lists (the positions' effective sample over positions per list).
    effectiveSampleSize: Number((est === 'item-ips' || est === 'item-snips' ? (ess(itemW) * n) / positions : est === 'mips' ? (ess(mipsW) * n) / positions : ess(seqW)).toFixed(1)),
  }));
  const warnings: string[] = [];
  const detShare = deterministic / positions;
  if (detShare > 0.99) warnings.push(`the logging policy did not explore (${(100 * detShare).toFixed(1)}% of logged positions had propensity 1): a target that places other tracks has no support in this log, and its estimates are biased toward the logged lists; serve the logged share with exploration (policy.logging.exploration)`);
  const zero = itemW.filter((w) => w === 0).length / positions;
  if (zero > 0.5) warnings.push(`insufficient support: the target would not have placed ${(100 * zero).toFixed(0)}% of the logged picks where they were (weight 0); its value rests on few lists`);
  if (!mips) warnings.push(`MIPS is left out: ${rows.filter((r) => !r.logger).length} of the ${n} logged lists do not record the policy they were walked with (logged before exposures carried it)`);
  const low = estimates.find((e) => e.estimator === 'rips')!.effectiveSampleSize;
  if (low < Math.max(30, 0.01 * n)) warnings.push(`RIPS rests on an effective sample of ${low} lists of ${n}: the target is far from the logging policy; read its interval, not its point`);
  return {
    protocol: `${n} logged lists (${logged} exposures with candidates of ${exposures} between ${new Date(since).toISOString()} and ${new Date(until).toISOString()}); target probabilities by replaying its greedy walk on each list's candidates; reward: a play attributed to the exposure and listened through`,
    exposures, logged, sequences: n, skipped, length: K, logging: { value: loggingValue / n }, estimates, ...(mips ? { mips } : {}), meanSequenceWeight, deterministicShare: detShare, warnings,
  };
}
