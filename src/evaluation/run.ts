import type { Store } from '../store/index.js';
import { loadPlays, trackArtists, popularity, TransitionsModel, type SourceName } from '../models/index.js';
import { BLEND_BOOTSTRAPS, BlendScorer, DEFAULT_BLEND, trainSources, tuneBlend, type BlendWeights } from './blend.js';
import { splitSessions } from './split.js';
import { artistDistance } from './metrics.js';
import { evaluateNextTrack, type NextTrackReport, type NextTrackScorer } from './next-track.js';

/**
 * Models the next-track evaluation can run today: the candidate sources it trains on its own
 * split (each a `SourceName`; ALS and content join as they land) and two baselines that are no
 * candidate source: `markov` is transitions with window 1 from the latest track only (a
 * first-order Markov chain), for comparison; `blend` is the tuned blend of the sources (blend.ts).
 */
export const NEXT_TRACK_MODELS = ['popularity', 'markov', 'transitions', 'sknn', 'item2vec', 'blend'] as const satisfies readonly (SourceName | 'markov' | 'blend')[];
export type NextTrackModel = (typeof NEXT_TRACK_MODELS)[number];


export interface EvalOptions {
  models?: NextTrackModel[];
  gapMinutes?: number;
  testShare?: number;
  ks?: number[];
  /** Seed of the models that sample (item2vec). Default 42. */
  seed?: number;
  /** At most this many queries: every k-th test session. Default: all. */
  maxQueries?: number;
}

/**
 * `segue eval --task next-track`: load the music plays (podcast episodes left out), split in
 * time, train each model on the training sessions, and rank the next track of every test
 * query. Popularity is always included as the baseline. Deterministic for a seed (item2vec's
 * sampling and the blend's bootstrap are seeded).
 */
export async function runNextTrackEval(store: Store, opts: EvalOptions = {}): Promise<NextTrackReport & { models: string[]; blend?: { weights: BlendWeights; tunedOn: string }; split: { sessions: number; testSessions: number; cutoff: string | null } }> {
  const wanted = new Set<NextTrackModel>(['popularity', ...(opts.models ?? NEXT_TRACK_MODELS)]);
  const log = await loadPlays(store, { musicOnly: true });
  const split = splitSessions(log, { gapMs: (opts.gapMinutes ?? 30) * 60_000, testShare: opts.testShare ?? 0.2 });
  const pop = popularity(log, split.trainRow);
  let total = 0;
  for (const p of pop) total += p;
  const share = Float64Array.from(pop, (p) => (total > 0 ? p / total : 0));
  const sources = await trainSources(log, split.start, split.trainRow, { seed: opts.seed ?? 42, item2vec: wanted.has('item2vec') || wanted.has('blend') });
  const scorers: Record<string, NextTrackScorer> = { popularity: (_q, o) => o.set(pop) };
  if (wanted.has('markov')) {
    const markov = TransitionsModel.train(log, split.start, split.trainRow, { window: 1, prefixTracks: 1 });
    scorers.markov = (q, o) => markov.scoreInto(q.prefix, o);
  }
  if (wanted.has('transitions')) scorers.transitions = (q, o) => sources.transitions.scoreInto(q.prefix, o);
  if (wanted.has('sknn')) scorers.sknn = (q, o) => sources.sknn.scoreInto(q.prefix, o);
  if (wanted.has('item2vec')) scorers.item2vec = (q, o) => sources.item2vec?.scoreInto(q.prefix, o);
  let blend: { weights: BlendWeights; tunedOn: string } | undefined;
  if (wanted.has('blend')) {
    const tuned = await tuneBlend(log, split, { seed: opts.seed ?? 42 });
    blend = tuned.validationQueries > 0
      ? { weights: tuned.weights, tunedOn: `${tuned.validationQueries} validation queries (latest 20% of training sessions): mean of the best grid points of ${BLEND_BOOTSTRAPS} bootstrap resamples of the validation sessions, NDCG@10 ${tuned.ndcg10.toFixed(4)} (best single grid point ${fmtWeights(tuned.gridBest.weights)}: ${tuned.gridBest.ndcg10.toFixed(4)})` }
      : { weights: DEFAULT_BLEND, tunedOn: 'defaults (no validation queries)' };
    const b = new BlendScorer(sources, blend.weights);
    scorers.blend = (q, o) => b.scoreInto(q.prefix, o);
  }
  const artistOf = await trackArtists(store);
  const report = evaluateNextTrack(log, split, scorers, {
    ks: opts.ks ?? [10, 100],
    playShare: share,
    distance: artistDistance(log.trackIds, artistOf),
    ...(opts.maxQueries ? { maxQueries: opts.maxQueries } : {}),
  });
  return {
    ...report,
    protocol: `music plays only (podcast episodes left out); ${report.protocol}`,
    models: Object.keys(scorers),
    ...(blend ? { blend } : {}),
    split: { sessions: split.sessions, testSessions: split.testSessions, cutoff: Number.isFinite(split.cutoffTs) ? new Date(split.cutoffTs).toISOString() : null },
  };
}

function fmtWeights(w: BlendWeights): string {
  return Object.entries(w).map(([k, v]) => `${k} ${+v.toFixed(2)}`).join(', ');
}
