import {
  popularity, TransitionsModel, SknnModel, corpusFromSessions, trainItem2vec, SessionVectorScorer, topK,
  type PlayLog, type SourceName,
} from '../models/index.js';
import { Rng } from '../math/index.js';
import type { SessionSplit } from './split.js';

/**
 * The sources a next-track blend combines, in this order: four candidate sources (each a
 * `SourceName`, trained by `trainSources` on the evaluation's split), then the session's own
 * tracks as two sources that are evaluation-only, no candidate source (see `sessionRepeatInto`).
 */
export const BLEND_SOURCES = ['transitions', 'sknn', 'item2vec', 'popularity', 'repeat', 'played'] as const satisfies readonly (SourceName | 'repeat' | 'played')[];
export type BlendWeights = Record<(typeof BLEND_SOURCES)[number], number>;

/** Weights used when no validation data is at hand (the session sources stay off without evidence). */
export const DEFAULT_BLEND: BlendWeights = { transitions: 1, sknn: 1, item2vec: 0.5, popularity: 0.3, repeat: 0, played: 0 };

/** The trained sources, each adding raw scores for a session prefix into `out`. */
export interface SessionSources {
  transitions: TransitionsModel;
  sknn: SknnModel;
  item2vec: SessionVectorScorer | undefined;
  pop: Float64Array;
}

/** Train every source on the rows marked in `rows` (the sessions of `start`). */
export async function trainSources(log: PlayLog, start: Int32Array, rows: Uint8Array, opts: { seed?: number; item2vec?: boolean } = {}): Promise<SessionSources> {
  const transitions = TransitionsModel.train(log, start, rows);
  const sknn = SknnModel.train(log, start, rows);
  const pop = popularity(log, rows);
  let item2vec: SessionVectorScorer | undefined;
  if (opts.item2vec !== false) {
    const sessions: Int32Array[] = [];
    for (let s = 0; s + 1 < start.length; s++) if (rows[start[s]!] && start[s + 1]! - start[s]! > 1) sessions.push(log.track.subarray(start[s]!, start[s + 1]!));
    if (sessions.length > 0) {
      const corpus = corpusFromSessions(sessions);
      // Small corpora (one listener's history) need more passes: about 250k tokens in all.
      const epochs = Math.max(5, Math.min(100, Math.ceil(250_000 / Math.max(1, corpus.tokens.length))));
      const r = await trainItem2vec(corpus, log.trackIds.length, { threads: 1, seed: opts.seed ?? 42, epochs });
      item2vec = new SessionVectorScorer(r.vectors, r.dims);
    }
  }
  return { transitions, sknn, item2vec, pop };
}

/**
 * The session's own tracks as two blend sources: `repeat` adds its weight to the latest
 * track (an immediate replay), `played` subtracts its weight once from every other track
 * already played in the session (within a session, and under shuffle above all, a track
 * rarely comes back, while the similarity models rank the session's own tracks first).
 * Both are plain indicators (already in [-1, 1]); validation chooses whether they count.
 *
 * @example sessionRepeatInto(Int32Array.of(3, 5, 3, 7), out, 2, 1) // out[7] += 2; out[3] -= 1; out[5] -= 1
 */
export function sessionRepeatInto(prefix: Int32Array, out: Float32Array | Float64Array, repeat: number, played: number): void {
  const L = prefix.length;
  if (L === 0) return;
  const last = prefix[L - 1]!;
  if (played !== 0) {
    for (let p = 0; p < L - 1; p++) {
      const t = prefix[p]!;
      if (t === last || t < 0 || t >= out.length) continue;
      let seen = false; // count a track once, at its first position
      for (let q = 0; q < p && !seen; q++) seen = prefix[q] === t;
      if (!seen) out[t]! -= played;
    }
  }
  if (repeat !== 0 && last >= 0 && last < out.length) out[last]! += repeat;
}

/**
 * Scores of a blend: each model's scores divided by their maximum for the query (so that
 * every model lies in [0, 1]), times its weight, summed; then the session sources.
 */
export class BlendScorer {
  private readonly parts: Float64Array[];
  private readonly popMax: number;
  constructor(readonly sources: SessionSources, readonly weights: BlendWeights) {
    const n = sources.pop.length;
    this.parts = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    this.popMax = sources.pop.reduce((m, x) => Math.max(m, x), 0);
  }

  /** Each model's normalized scores for a prefix: transitions, sknn, item2vec (views reused per call). */
  components(prefix: Int32Array): Float64Array[] {
    const [a, b, c] = this.parts as [Float64Array, Float64Array, Float64Array];
    a.fill(0);
    b.fill(0);
    c.fill(0);
    this.sources.transitions.scoreInto(prefix, a);
    this.sources.sknn.scoreInto(prefix, b);
    this.sources.item2vec?.scoreInto(prefix, c);
    for (const x of [a, b, c]) {
      let m = 0;
      for (let i = 0; i < x.length; i++) if (x[i]! > m) m = x[i]!;
      if (m > 0) for (let i = 0; i < x.length; i++) x[i]! /= m;
    }
    return [a, b, c];
  }

  scoreInto(prefix: Int32Array, out: Float64Array | Float32Array): void {
    const [a, b, c] = this.components(prefix) as [Float64Array, Float64Array, Float64Array];
    const w = this.weights, pop = this.sources.pop;
    const fp = this.popMax > 0 ? w.popularity / this.popMax : 0;
    for (let i = 0; i < out.length; i++) out[i]! += w.transitions * a[i]! + w.sknn * b[i]! + w.item2vec * c[i]! + fp * pop[i]!;
    sessionRepeatInto(prefix, out, w.repeat, w.played);
  }
}

/** The grid the weights are chosen from (transitions' weight is fixed at 1: only ratios matter). */
export const BLEND_GRID = {
  sknn: [0, 0.5, 1, 2],
  item2vec: [0, 0.25, 0.5, 1],
  popularity: [0, 0.1, 0.3, 1],
  repeat: [0, 0.5, 1, 2, 4],
  played: [0, 1, 4],
} as const;

/** Bootstrap resamples of the validation sessions whose best grid points are averaged. */
export const BLEND_BOOTSTRAPS = 100;

/** Every grid point, in order (later axes vary fastest). */
export function blendGrid(): BlendWeights[] {
  const out: BlendWeights[] = [];
  const g = BLEND_GRID;
  for (const sknn of g.sknn) for (const item2vec of g.item2vec) for (const popularity of g.popularity) for (const repeat of g.repeat) for (const played of g.played) {
    out.push({ transitions: 1, sknn, item2vec, popularity, repeat, played });
  }
  return out;
}

/**
 * Bagged choice of a grid point (Breiman 1996, applied to the choice itself): `gains[k * Q + q]`
 * is the gain of grid point k on query q, `session[q]` the validation session of query q.
 * Each of `rounds` bootstrap resamples of the sessions (drawn with replacement, seeded)
 * picks the grid point with the highest total gain (ties: the earlier point); the result is
 * the mean of the picked points, so that a noisy validation set does not hang the blend on
 * one lucky grid point.
 */
export function baggedChoice(combos: readonly BlendWeights[], gains: Float64Array, session: Int32Array, rounds: number, seed: number): BlendWeights {
  const K = combos.length, Q = session.length;
  if (gains.length !== K * Q) throw new RangeError(`baggedChoice: gains has ${gains.length} values, expected ${K} grid points x ${Q} queries`);
  // Gains summed per session (sessions renumbered 0..S-1 in order of first query).
  const ids = new Map<number, number>();
  const sq = new Int32Array(Q);
  for (let q = 0; q < Q; q++) {
    let s = ids.get(session[q]!);
    if (s === undefined) ids.set(session[q]!, (s = ids.size));
    sq[q] = s;
  }
  const S = ids.size;
  const mean: BlendWeights = { transitions: 0, sknn: 0, item2vec: 0, popularity: 0, repeat: 0, played: 0 };
  if (S === 0 || K === 0 || rounds <= 0) return { ...(combos[0] ?? DEFAULT_BLEND) };
  const perSession = new Float64Array(K * S);
  for (let k = 0; k < K; k++) for (let q = 0; q < Q; q++) perSession[k * S + sq[q]!]! += gains[k * Q + q]!;
  const rng = new Rng(seed);
  const count = new Int32Array(S), total = new Float64Array(K);
  for (let r = 0; r < rounds; r++) {
    count.fill(0);
    for (let j = 0; j < S; j++) count[rng.int(S)]!++;
    total.fill(0);
    for (let k = 0; k < K; k++) {
      let t = 0;
      for (let s = 0; s < S; s++) if (count[s]) t += count[s]! * perSession[k * S + s]!;
      total[k] = t;
    }
    let best = 0;
    for (let k = 1; k < K; k++) if (total[k]! > total[best]!) best = k;
    for (const key of BLEND_SOURCES) mean[key] += combos[best]![key];
  }
  for (const key of BLEND_SOURCES) mean[key] = Math.round((mean[key] / rounds) * 1e6) / 1e6;
  return mean;
}

/** Rank of item `t` among the pool under weights `w` (features: 6 per item), ties by lower index; stops past `cap`. */
function rankIn(items: Int32Array, f: Float64Array, t: number, w: BlendWeights, cap: number): number {
  const score = (j: number): number => w.transitions * f[6 * j]! + w.sknn * f[6 * j + 1]! + w.item2vec * f[6 * j + 2]! + w.popularity * f[6 * j + 3]! + w.repeat * f[6 * j + 4]! + w.played * f[6 * j + 5]!;
  const st = score(t), target = items[t]!;
  let rank = 1;
  for (let j = 0; j < items.length && rank <= cap; j++) {
    if (j === t) continue;
    const v = score(j);
    if (v > st || (v === st && items[j]! < target)) rank++;
  }
  return rank;
}

/**
 * Choose blend weights on validation data, never on the test sessions: the latest 20% of
 * the training sessions become a validation set, the sources are trained on the rest, and
 * every grid point's NDCG@10 is measured on each validation query. The weights are the mean
 * of the best grid points of `BLEND_BOOTSTRAPS` bootstrap resamples of the validation
 * sessions (`baggedChoice`, seeded). Queries are capped (every k-th) to bound the cost on
 * large logs. Reports the chosen weights' validation NDCG@10 and the single best grid point.
 */
export async function tuneBlend(log: PlayLog, split: SessionSplit, opts: { seed?: number; maxQueries?: number } = {}): Promise<{ weights: BlendWeights; validationQueries: number; ndcg10: number; gridBest: { weights: BlendWeights; ndcg10: number } }> {
  // Validation: the latest 20% of training sessions by start time.
  const train: number[] = [];
  for (let s = 0; s < split.sessions; s++) if (!split.isTest[s]) train.push(s);
  train.sort((x, y) => log.ts[split.start[x]!]! - log.ts[split.start[y]!]! || x - y);
  const nVal = Math.round(train.length * 0.2);
  const isVal = new Uint8Array(split.sessions);
  for (let r = train.length - nVal; r < train.length; r++) isVal[train[r]!] = 1;
  const rows = new Uint8Array(log.length);
  for (const s of train) if (!isVal[s]) rows.fill(1, split.start[s]!, split.start[s + 1]!);
  const sources = await trainSources(log, split.start, rows, opts);
  const scorer = new BlendScorer(sources, DEFAULT_BLEND);
  const candidate = new Uint8Array(log.trackIds.length);
  for (let i = 0; i < log.length; i++) if (rows[i]) candidate[log.track[i]!] = 1;
  // Validation queries, every k-th to stay under maxQueries.
  const queries: Array<[number, number]> = [];
  for (let s = 0; s < split.sessions; s++) if (isVal[s]) for (let i = split.start[s]! + 1; i < split.start[s + 1]!; i++) queries.push([s, i]);
  const stride = Math.max(1, Math.ceil(queries.length / (opts.maxQueries ?? 2000)));
  const used: Array<[number, number]> = [];
  for (let q = 0; q < queries.length; q += stride) used.push(queries[q]!);
  const combos = blendGrid();
  const K = combos.length, Q = used.length;
  const gains = new Float64Array(K * Q);
  // Per query: the pool of candidates that can reach the top 10 under some weights (the
  // union of each source's best, the session's tracks and the target) and their 6 features.
  const pools: Array<{ items: Int32Array; f: Float64Array; t: number } | undefined> = [];
  const popMax = sources.pop.reduce((m, x) => Math.max(m, x), 0) || 1;
  const POOL = 300;
  used.forEach(([s, i], q) => {
    const target = log.track[i]!;
    if (!candidate[target]) {
      pools.push(undefined); // no weights can rank a cold target: gain 0
      return;
    }
    const prefix = log.track.subarray(split.start[s]!, i);
    const [a, b, c] = scorer.components(prefix) as [Float64Array, Float64Array, Float64Array];
    const pool = new Set<number>([target]);
    for (const x of [a, b, c, sources.pop]) for (const t of topK(Float64Array.from(x, (v, t) => (candidate[t] ? v : NaN)), POOL).ix) pool.add(t);
    for (const t of prefix) if (candidate[t]) pool.add(t);
    const items = Int32Array.from(pool);
    // The session sources as features: what sessionRepeatInto adds with weight 1.
    const last = prefix[prefix.length - 1]!, inSession = new Set(prefix);
    const f = new Float64Array(6 * items.length);
    items.forEach((t, j) => {
      f[6 * j] = a[t]!;
      f[6 * j + 1] = b[t]!;
      f[6 * j + 2] = c[t]!;
      f[6 * j + 3] = sources.pop[t]! / popMax;
      f[6 * j + 4] = t === last ? 1 : 0;
      f[6 * j + 5] = t !== last && inSession.has(t) ? -1 : 0;
    });
    const tIx = items.indexOf(target);
    pools.push({ items, f, t: tIx });
    for (let k = 0; k < K; k++) {
      const rank = rankIn(items, f, tIx, combos[k]!, 10);
      if (rank <= 10) gains[k * Q + q] = 1 / Math.log2(rank + 1);
    }
  });
  const ndcgOf = (w: BlendWeights): number => {
    let g = 0;
    for (const p of pools) {
      if (!p) continue;
      const rank = rankIn(p.items, p.f, p.t, w, 10);
      if (rank <= 10) g += 1 / Math.log2(rank + 1);
    }
    return Q > 0 ? g / Q : 0;
  };
  let best = 0, bestGain = -1;
  for (let k = 0; k < K; k++) {
    let g = 0;
    for (let q = 0; q < Q; q++) g += gains[k * Q + q]!;
    if (g > bestGain) [best, bestGain] = [k, g];
  }
  const weights = baggedChoice(combos, gains, Int32Array.from(used, ([s]) => s), BLEND_BOOTSTRAPS, opts.seed ?? 42);
  return { weights, validationQueries: Q, ndcg10: ndcgOf(weights), gridBest: { weights: combos[best]!, ndcg10: Q > 0 ? bestGain / Q : 0 } };
}
