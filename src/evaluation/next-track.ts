import { topK, type PlayLog } from '../models/index.js';
import { RankingMetrics } from './metrics.js';
import type { SessionSplit } from './split.js';

/** A query of the next-track task: the listener and the session so far (latest last). */
export interface NextTrackQuery {
  listener: number;
  prefix: Int32Array;
  ts: number;
}

/** Fills `out` (one slot per track ix, zeroed) with scores for the next track; higher is better. */
export type NextTrackScorer = (q: NextTrackQuery, out: Float64Array) => void;

export interface NextTrackReport {
  protocol: string;
  queries: number;
  /** Share of test targets never played in training (no model can rank them). */
  coldTargetShare: number;
  candidates: number;
  results: Record<string, Record<string, number>>;
}

/**
 * Next-track prediction under the temporal protocol: every position after the first of
 * each test session is a query given its prefix (and all training history, which the
 * scorers were trained on); candidates are the tracks seen in training, repeats allowed;
 * ties break by lower track ix. Metrics at each k (10 and 100 by default).
 */
export function evaluateNextTrack(
  log: PlayLog,
  split: SessionSplit,
  scorers: Record<string, NextTrackScorer>,
  opts: { ks?: number[]; playShare?: Float64Array; maxQueries?: number; distance?: (a: number, b: number) => number } = {},
): NextTrackReport {
  const ks = opts.ks ?? [10, 100];
  const maxK = Math.max(...ks);
  const n = log.trackIds.length;
  const candidate = new Uint8Array(n);
  for (let i = 0; i < log.length; i++) if (split.trainRow[i]) candidate[log.track[i]!] = 1;
  let candidates = 0;
  for (let t = 0; t < n; t++) candidates += candidate[t]!;
  const names = Object.keys(scorers);
  const metrics = names.map(() => new RankingMetrics(ks, candidates, opts.playShare));
  const scores = new Float64Array(n);
  // Over maxQueries: every stride-th test session (in session order), all its positions.
  let total = 0;
  for (let s = 0; s < split.sessions; s++) if (split.isTest[s]) total += split.start[s + 1]! - split.start[s]! - 1;
  const stride = opts.maxQueries && total > opts.maxQueries ? Math.ceil(total / opts.maxQueries) : 1;
  let queries = 0, cold = 0, testSession = -1;
  for (let s = 0; s < split.sessions; s++) {
    if (!split.isTest[s]) continue;
    if (++testSession % stride !== 0) continue;
    const lo = split.start[s]!, hi = split.start[s + 1]!;
    if (opts.maxQueries && queries + hi - lo - 1 > opts.maxQueries) break; // never more than asked
    for (let i = lo + 1; i < hi; i++) {
      const target = log.track[i]!;
      queries++;
      if (!candidate[target]) cold++;
      const q: NextTrackQuery = { listener: log.listener[i]!, prefix: log.track.subarray(lo, i), ts: log.ts[i]! };
      names.forEach((name, m) => {
        scores.fill(0);
        scorers[name]!(q, scores);
        for (let t = 0; t < n; t++) if (!candidate[t]) scores[t] = NaN;
        metrics[m]!.add(topK(scores, maxK).ix, target, opts.distance);
      });
    }
  }
  const results: Record<string, Record<string, number>> = {};
  names.forEach((name, m) => (results[name] = metrics[m]!.result()));
  return {
    protocol: `temporal: sessions cut at 30-minute gaps, last 20% of sessions by start time are the test set, every position after the first is a query${stride > 1 ? ` (every ${stride}th test session: ${queries} of ${total} queries)` : ''}; candidates: tracks seen in training, repeats allowed, ties by lower track index (order of first play)`,
    queries,
    coldTargetShare: queries > 0 ? cold / queries : 0,
    candidates,
    results,
  };
}
