import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { Rng, deriveSeed } from '../math/index.js';
import { simulate, writeToStore, startSession, respond, Ctx, Responses } from '../simulator/index.js';
import { trainModels, DEFAULT_SOURCES } from '../models/index.js';
import { trainRanker, DEFAULT_RANKER } from '../ranking/index.js';
import { Surfaces, toSeqItems } from '../surfaces/index.js';
import { Assigner } from '../experiments/index.js';
import { trackClusters } from './clusters.js';
import { PolicyError, choiceProbabilities, overridePolicy, sequence, type Policy, type SeqItem } from '../sequencing/index.js';

/**
 * Off-policy evaluation of sequences. Logged data: n sequences of up to K items, with each
 * item's logging propensity p (the probability that the logging policy picked it at its
 * position given the earlier items), the target policy's probability q of the same pick, and a
 * reward r per position (1 when the track was listened through). The value of a policy is the
 * expected total reward of a sequence.
 */
export interface LoggedSequences {
  n: number;
  K: number;
  /** n x K, row-major; positions past a sequence's end hold p = q = 1, r = 0. */
  p: Float64Array;
  q: Float64Array;
  r: Float64Array;
  /**
   * The marginal probabilities (logging, target) that the pick at each position falls in the
   * logged pick's cluster of track embeddings, given the items before it: what MIPS reads.
   */
  pm?: Float64Array;
  qm?: Float64Array;
}

export const ESTIMATORS = ['item-ips', 'item-snips', 'pi-ips', 'rips', 'mips'] as const;
export type EstimatorName = (typeof ESTIMATORS)[number];

export const ESTIMATOR_ABOUT: Record<EstimatorName, string> = {
  'item-ips': 'per item: each position\'s reward weighted by its own ratio q/p, as if items did not interact',
  'item-snips': 'per item, self-normalized per position',
  'pi-ips': 'whole sequence, position-independent: every position\'s reward weighted by the product of all ratios of the sequence (unbiased, high variance)',
  'rips': 'reward-interaction IPS (McInerney et al., KDD 2020): the reward at position k weighted by the product of ratios up to k, self-normalized per position',
  'mips': 'marginalized IPS (Saito and Joachims, ICML 2022): per item, each position weighted by the ratio of the probabilities that the pick falls in the logged pick\'s cluster of track embeddings, self-normalized per position',
};

/** Per-position values of an estimator (their sum is the sequence value), from the rows in `rows`. */
export function estimatePositions(d: LoggedSequences, est: EstimatorName, rows?: Int32Array): Float64Array {
  const { K } = d;
  const n = rows ? rows.length : d.n;
  if (est === 'mips' && !(d.pm && d.qm)) throw new RangeError('mips: the logged sequences carry no cluster-marginal probabilities (pm, qm)');
  const p = est === 'mips' ? d.pm! : d.p, q = est === 'mips' ? d.qm! : d.q;
  const num = new Float64Array(K), den = new Float64Array(K);
  for (let s = 0; s < n; s++) {
    const i = rows ? rows[s]! : s;
    const o = i * K;
    let cum = 1, all = 1;
    if (est === 'pi-ips') for (let k = 0; k < K; k++) all *= q[o + k]! / p[o + k]!;
    for (let k = 0; k < K; k++) {
      const w1 = q[o + k]! / p[o + k]!;
      cum *= w1;
      const w = est === 'item-ips' || est === 'item-snips' || est === 'mips' ? w1 : est === 'pi-ips' ? all : cum;
      num[k]! += w * d.r[o + k]!;
      den[k]! += w;
    }
  }
  const out = new Float64Array(K);
  const normalized = est === 'item-snips' || est === 'rips' || est === 'mips';
  for (let k = 0; k < K; k++) out[k] = normalized ? (den[k]! > 0 ? num[k]! / den[k]! : 0) : num[k]! / n;
  return out;
}

export interface Estimate { estimator: EstimatorName; value: number; ci: [number, number]; perPosition: number[] }

/** An estimator's value with a percentile bootstrap interval over sequences. */
export function estimate(d: LoggedSequences, est: EstimatorName, opts: { bootstrap?: number; alpha?: number; seed?: number } = {}): Estimate {
  const sum = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);
  const per = estimatePositions(d, est);
  const B = opts.bootstrap ?? 200, alpha = opts.alpha ?? 0.05;
  const rng = new Rng(opts.seed ?? 17);
  const vals: number[] = [];
  const rows = new Int32Array(d.n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < d.n; i++) rows[i] = rng.int(d.n);
    vals.push(sum(estimatePositions(d, est, rows)));
  }
  vals.sort((x, y) => x - y);
  return { estimator: est, value: sum(per), ci: [vals[Math.floor((alpha / 2) * B)]!, vals[Math.min(B - 1, Math.floor((1 - alpha / 2) * B))]!], perPosition: Array.from(per) };
}

export interface OffPolicyOptions {
  /** Partial policies over the surface's defaults; the logging policy must explore. */
  logging: Record<string, unknown>;
  target: Record<string, unknown>;
  sequences: number;
  listeners?: number;
  tracks?: number;
  /** Items per sequence (default 10). */
  length?: number;
  seed?: number;
  surface?: 'radio' | 'autoplay';
  bootstrap?: number;
  /** MIPS's clusters of track embeddings (default 16). */
  clusters?: number;
  onProgress?: (msg: string) => void;
}

export interface OffPolicyReport {
  protocol: string;
  sequences: number;
  length: number;
  /** The target's value measured on-policy in the simulator: the truth the estimates aim at. */
  truth: { value: number; se: number; perPosition: number[] };
  logging: { value: number };
  estimates: Array<Estimate & { relativeError: number; about: string }>;
  /** Mean weight of the whole-sequence ratio (1 in expectation: a check on the propensities). */
  meanSequenceWeight: number;
}

/**
 * Off-policy evaluation in the simulator. A world is simulated and Segue's models trained on
 * it; for sampled listeners the surface's candidates are ranked once (at the end of the
 * history). Each logged sequence is Segue's sequencer under the exploring logging policy
 * (its propensities recorded), played by the behaviour model from a copy of the listener's
 * state; the target policy's probabilities of the same picks are computed by replaying its
 * walk on the logged prefixes. The target is also run on-policy on the same contexts, as many
 * times, for its true value.
 */
export async function runOffPolicy(o: OffPolicyOptions): Promise<OffPolicyReport> {
  const log = o.onProgress ?? (() => {});
  const surface = o.surface ?? 'radio';
  const K = o.length ?? 10;
  const seed = o.seed ?? 1;
  const policy = (partial: Record<string, unknown>, what: string, branching: number): Policy => overridePolicy(surface, { ...partial, length: K, solver: { beamWidth: 1, branching } }, what);
  // The logging policy explores over every feasible candidate, so that whatever the target may
  // pick has a positive logging propensity (the support condition of importance weighting).
  const logging = policy(o.logging, 'logging policy', 24);
  const target = policy(o.target, 'target policy', 24);
  // Both policies sequence the same ranked pool per context (the engine's default retrieval):
  // off-policy estimates compare sequencing, so a policy's own `candidates` would go unread.
  for (const [what, p] of [['logging', o.logging], ['target', o.target]] as const) {
    if (p.candidates !== undefined) throw new PolicyError(`${what} policy: candidates cannot differ between the logging and target policies here (every policy sequences the same ranked pool); compare retrieval in the closed loop (segue tradeoff, npm run bench -- depth)`);
  }
  if (!(logging.exploration && logging.exploration.epsilon > 0)) throw new PolicyError('logging policy: it must explore (exploration.epsilon > 0): off-policy estimates weigh by its propensities');
  const dir = mkdtempSync(join(tmpdir(), 'segue-ope-'));
  const store = await openStore(join(dir, 'ope.db'));
  try {
    const L = o.listeners ?? 1000;
    const sim = simulate({ listeners: L, tracks: o.tracks ?? 8000, days: 14, seed });
    log('simulating the history');
    await writeToStore(sim, store);
    log('training');
    await trainModels(store, DEFAULT_SOURCES); // the default serving set: what the ranker ranks
    await trainRanker(store, { ...DEFAULT_RANKER, maxTrainQueries: 3000, maxTestQueries: 500, trees: 80 });
    const surfaces = await Surfaces.open(store, { assigner: Assigner.load });
    const reco = surfaces.reco;
    const world = sim.world;
    const now = sim.startMs + 14 * 86_400_000;
    log('ranking candidates');
    const contexts: Array<{ l: number; items: SeqItem[]; played: Map<string, number> }> = [];
    for (let l = 0; l < L; l++) {
      const listenerId = `lis${l}`;
      const view = await reco.state.view(listenerId);
      const seedTrack = view.top('track', now, 1)[0]?.key;
      if (seedTrack === undefined) continue;
      const items = toSeqItems(await reco.rank({ listenerId, seedTrack, now, surface }), reco.table, view, now, 300);
      contexts.push({ l, items, played: view.touchedSince(now - 24 * 3_600_000) });
    }
    if (contexts.length === 0) throw new RangeError('off-policy: no listener with history to serve');
    const n = o.sequences;
    const d: LoggedSequences = {
      n, K, p: new Float64Array(n * K).fill(1), q: new Float64Array(n * K).fill(1), r: new Float64Array(n * K),
      pm: new Float64Array(n * K).fill(1), qm: new Float64Array(n * K).fill(1),
    };
    const clusters = await trackClusters(store, reco.table, [...new Set(contexts.flatMap((c) => c.items.map((it) => it.trackId)))], { k: o.clusters ?? 16, seed });
    const groups = contexts.map((c) => Int32Array.from(c.items, (it) => clusters.of.get(it.trackId)!));
    const truthPer = new Float64Array(K);
    let truthSum = 0, truthSq = 0, loggingSum = 0, seqWeight = 0;
    const resp = new Responses(K);
    const ixOf = (id: string): number => Number(id.slice(3));
    const play = (c: (typeof contexts)[number], tracks: string[], key: string, s: number): Responses => {
      const rng = new Rng(deriveSeed(seed, key, s));
      const ctx = startSession(world, c.l, now, surface === 'radio' ? Ctx.radio : Ctx.autoplay, rng);
      return respond(world, sim.state(c.l).clone(), Int32Array.from(tracks, ixOf), ctx, rng, sim.behaviour, resp);
    };
    for (let s = 0; s < n; s++) {
      if (s % 10_000 === 0) log(`sequences ${s.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}`);
      const c = contexts[s % contexts.length]!;
      const sctx = { now, played: c.played, seed: deriveSeed(seed, 'logging', s) };
      const logged = sequence(c.items, logging, sctx);
      const ix = new Map(c.items.map((it, i) => [it.trackId, i]));
      const chosen = logged.items.map((x) => ix.get(x.trackId)!);
      const q = choiceProbabilities(c.items, target, sctx, chosen);
      const groupOf = groups[s % contexts.length]!;
      const pm = choiceProbabilities(c.items, logging, sctx, chosen, { groupOf }), qm = choiceProbabilities(c.items, target, sctx, chosen, { groupOf });
      const r = play(c, logged.items.map((x) => x.trackId), 'logging-play', s);
      let w = 1;
      for (let k = 0; k < logged.items.length; k++) {
        d.p[s * K + k] = logged.items[k]!.propensity;
        d.q[s * K + k] = q[k]!;
        d.pm![s * K + k] = pm[k]!;
        d.qm![s * K + k] = qm[k]!;
        w *= q[k]! / logged.items[k]!.propensity;
        const reward = k < r.n && r.played[k] && !r.skipped[k] ? 1 : 0;
        d.r[s * K + k] = reward;
        loggingSum += reward;
      }
      seqWeight += w;
      // The truth: the target itself, on the same context.
      const on = sequence(c.items, target, { now, played: c.played, seed: deriveSeed(seed, 'target', s) });
      const t = play(c, on.items.map((x) => x.trackId), 'target-play', s);
      let total = 0;
      for (let k = 0; k < on.items.length; k++) if (k < t.n && t.played[k] && !t.skipped[k]) {
        total++;
        truthPer[k]!++;
      }
      truthSum += total;
      truthSq += total * total;
    }
    const truth = truthSum / n;
    const se = Math.sqrt(Math.max(0, truthSq / n - truth * truth) / n);
    log('estimating');
    const estimates = ESTIMATORS.map((e) => {
      const x = estimate(d, e, { bootstrap: o.bootstrap ?? 200, seed });
      return { ...x, relativeError: x.value / truth - 1, about: ESTIMATOR_ABOUT[e] };
    });
    const protocol = `simulated world (${L} listeners, ${o.tracks ?? 8000} tracks, 14 days, seed ${seed}); ${contexts.length} listeners' ${surface} candidates ranked once; `
      + `${n.toLocaleString('en-US')} sequences of ${K} from Segue's sequencer under the exploring logging policy, played by the behaviour model from a copy of the listener's state; `
      + 'the target run on-policy on the same contexts as often for its true value';
    return {
      protocol, sequences: n, length: K, truth: { value: truth, se, perPosition: Array.from(truthPer, (x) => x / n) }, logging: { value: loggingSum / n },
      estimates, meanSequenceWeight: seqWeight / n,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
