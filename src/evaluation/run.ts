import type { Store } from '../store/index.js';
import { loadPlays } from '../models/dataset.js';
import { popularity } from '../models/popularity.js';
import { TransitionsModel } from '../models/transitions.js';
import { SknnModel } from '../models/sknn.js';
import { corpusFromSessions, trainItem2vec } from '../models/item2vec/index.js';
import { SessionVectorScorer } from '../models/session-vector.js';
import { splitSessions } from './split.js';
import { evaluateNextTrack, type NextTrackReport, type NextTrackScorer } from './next-track.js';

/** Models the next-track evaluation can run today; ALS, item2vec and content join as they land. */
export const NEXT_TRACK_MODELS = ['popularity', 'transitions', 'sknn', 'item2vec', 'blend'] as const;
export type NextTrackModel = (typeof NEXT_TRACK_MODELS)[number];

/** Weights of the serving blend (scores normalized per query by each model's maximum). */
export const DEFAULT_BLEND = { transitions: 1, sknn: 1, popularity: 0.3 } as const;

export interface EvalOptions {
  models?: NextTrackModel[];
  gapMinutes?: number;
  testShare?: number;
  ks?: number[];
  /** Seed of the models that sample (item2vec). Default 42. */
  seed?: number;
}

/**
 * `segue eval --task next-track`: load plays, split in time, train each model on the
 * training sessions, and rank the next track of every test query. Popularity is always
 * included as the baseline. Deterministic: no randomness is involved.
 */
export async function runNextTrackEval(store: Store, opts: EvalOptions = {}): Promise<NextTrackReport & { models: string[]; split: { sessions: number; testSessions: number; cutoff: string | null } }> {
  const wanted = new Set<NextTrackModel>(['popularity', ...(opts.models ?? NEXT_TRACK_MODELS)]);
  const log = await loadPlays(store);
  const split = splitSessions(log, { gapMs: (opts.gapMinutes ?? 30) * 60_000, testShare: opts.testShare ?? 0.2 });
  const n = log.trackIds.length;
  const pop = popularity(log, split.trainRow);
  let total = 0, popMax = 0;
  for (const p of pop) {
    total += p;
    if (p > popMax) popMax = p;
  }
  const share = Float64Array.from(pop, (p) => (total > 0 ? p / total : 0));
  const needTransitions = wanted.has('transitions') || wanted.has('blend');
  const needSknn = wanted.has('sknn') || wanted.has('blend');
  const tr = needTransitions ? TransitionsModel.train(log, split.start, split.trainRow) : undefined;
  const sk = needSknn ? SknnModel.train(log, split.start, split.trainRow) : undefined;
  const a = new Float64Array(n), b = new Float64Array(n);
  const inv = (x: Float64Array): number => {
    let m = 0;
    for (let i = 0; i < x.length; i++) if (x[i]! > m) m = x[i]!;
    return m > 0 ? 1 / m : 0;
  };
  let i2v: SessionVectorScorer | undefined;
  if (wanted.has('item2vec')) {
    const sessions: Int32Array[] = [];
    for (let s = 0; s < split.sessions; s++) if (!split.isTest[s] && split.start[s + 1]! - split.start[s]! > 1) sessions.push(log.track.subarray(split.start[s]!, split.start[s + 1]!));
    if (sessions.length > 0) {
      const corpus = corpusFromSessions(sessions);
      // Small corpora (one listener's history) need more passes: at least about 250k tokens in all.
      const epochs = Math.max(5, Math.min(100, Math.ceil(250_000 / Math.max(1, corpus.tokens.length))));
      const r = await trainItem2vec(corpus, n, { threads: 1, seed: opts.seed ?? 42, epochs });
      i2v = new SessionVectorScorer(r.vectors, r.dims);
    }
  }
  const scorers: Record<string, NextTrackScorer> = { popularity: (_q, o) => o.set(pop) };
  if (wanted.has('transitions')) scorers.transitions = (q, o) => tr!.scoreInto(q.prefix, o);
  if (wanted.has('sknn')) scorers.sknn = (q, o) => sk!.scoreInto(q.prefix, o);
  if (wanted.has('item2vec')) scorers.item2vec = (q, o) => i2v?.scoreInto(q.prefix, o);
  if (wanted.has('blend')) {
    scorers.blend = (q, o) => {
      a.fill(0);
      b.fill(0);
      tr!.scoreInto(q.prefix, a);
      sk!.scoreInto(q.prefix, b);
      const fa = inv(a) * DEFAULT_BLEND.transitions, fb = inv(b) * DEFAULT_BLEND.sknn, fp = popMax > 0 ? DEFAULT_BLEND.popularity / popMax : 0;
      for (let i = 0; i < n; i++) o[i] = fa * a[i]! + fb * b[i]! + fp * pop[i]!;
    };
  }
  const report = evaluateNextTrack(log, split, scorers, { ks: opts.ks ?? [10, 100], playShare: share });
  return {
    ...report,
    models: Object.keys(scorers),
    split: { sessions: split.sessions, testSessions: split.testSessions, cutoff: Number.isFinite(split.cutoffTs) ? new Date(split.cutoffTs).toISOString() : null },
  };
}
