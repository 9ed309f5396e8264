import type { PlayLog } from '../models/dataset.js';
import { popularity } from '../models/popularity.js';
import { TransitionsModel } from '../models/transitions.js';
import { SknnModel } from '../models/sknn.js';
import { corpusFromSessions, trainItem2vec } from '../models/item2vec/index.js';
import { SessionVectorScorer } from '../models/session-vector.js';
import { topK } from '../models/topk.js';
import type { SessionSplit } from './split.js';

/** The candidate sources a next-track blend combines, in this order. */
export const BLEND_SOURCES = ['transitions', 'sknn', 'item2vec', 'popularity'] as const;
export type BlendWeights = Record<(typeof BLEND_SOURCES)[number], number>;

/** Weights used when no validation data is at hand. */
export const DEFAULT_BLEND: BlendWeights = { transitions: 1, sknn: 1, item2vec: 0.5, popularity: 0.3 };

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
 * Scores of a blend: each source's scores divided by their maximum for the query (so that
 * every source lies in [0, 1]), times its weight, summed.
 */
export class BlendScorer {
  private readonly parts: Float64Array[];
  private readonly popMax: number;
  constructor(readonly sources: SessionSources, readonly weights: BlendWeights) {
    const n = sources.pop.length;
    this.parts = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    this.popMax = sources.pop.reduce((m, x) => Math.max(m, x), 0);
  }

  /** Each source's normalized scores for a prefix, in BLEND_SOURCES order (views reused per call). */
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
  }
}

/** The grid the weights are chosen from (transitions' weight is fixed at 1: only ratios matter). */
const GRID = {
  sknn: [0, 0.5, 1, 2],
  item2vec: [0, 0.25, 0.5, 1],
  popularity: [0, 0.1, 0.3, 1],
};

/**
 * Choose blend weights on validation data, never on the test sessions: the latest 20% of
 * the training sessions become a validation set, the sources are trained on the rest, and
 * the grid's weights with the best NDCG@10 on the validation queries win (ties: the earlier
 * grid point). Queries are capped (every k-th) to bound the cost on large logs.
 */
export async function tuneBlend(log: PlayLog, split: SessionSplit, opts: { seed?: number; maxQueries?: number } = {}): Promise<{ weights: BlendWeights; validationQueries: number; ndcg10: number }> {
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
  const combos: BlendWeights[] = [];
  for (const sk of GRID.sknn) for (const iv of GRID.item2vec) for (const p of GRID.popularity) combos.push({ transitions: 1, sknn: sk, item2vec: iv, popularity: p });
  const gain = new Float64Array(combos.length);
  const popMax = sources.pop.reduce((m, x) => Math.max(m, x), 0) || 1;
  let used = 0;
  const POOL = 300;
  for (let q = 0; q < queries.length; q += stride) {
    const [s, i] = queries[q]!;
    const target = log.track[i]!;
    if (!candidate[target]) {
      used++;
      continue; // no weights can rank a cold target
    }
    const [a, b, c] = scorer.components(log.track.subarray(split.start[s]!, i)) as [Float64Array, Float64Array, Float64Array];
    // Candidates that can reach the top 10 under some weights: the union of each source's best.
    const pool = new Set<number>([target]);
    for (const x of [a, b, c, sources.pop]) for (const t of topK(Float64Array.from(x, (v, t) => (candidate[t] ? v : NaN)), POOL).ix) pool.add(t);
    const items = Int32Array.from(pool);
    combos.forEach((w, k) => {
      const score = (t: number) => a[t]! + w.sknn * b[t]! + w.item2vec * c[t]! + (w.popularity * sources.pop[t]!) / popMax;
      const st = score(target);
      let rank = 1;
      for (const t of items) {
        if (t === target) continue;
        const v = score(t);
        if (v > st || (v === st && t < target)) rank++;
      }
      if (rank <= 10) gain[k]! += 1 / Math.log2(rank + 1);
    });
    used++;
  }
  let best = 0;
  for (let k = 1; k < combos.length; k++) if (gain[k]! > gain[best]!) best = k;
  return { weights: combos[best]!, validationQueries: used, ndcg10: used > 0 ? gain[best]! / used : 0 };
}
