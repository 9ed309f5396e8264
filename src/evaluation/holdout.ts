import type { Store } from '../store/index.js';
import type { Playlist } from '../domain/index.js';
import {
  loadPlays, trackArtists, TransitionsModel, SknnModel, SessionVectorScorer, corpusFromSessions, trainItem2vec,
  alsConfig, foldIn, itemGramian, trainAls, csrFromCoo, topK,
  type PlayLog, type SourceName,
} from '../models/index.js';
import { Rng } from '../math/index.js';
import { MultiTargetMetrics, artistDistance } from './metrics.js';

/** A query with several held-out items: what is known (the seed) and what is to be found. */
export interface HoldoutQuery {
  /** The known items, in order (a playlist's first tracks, a listener's other artists). */
  history: Int32Array;
  weights?: Float32Array;
  /** The query's row in the training matrix, when the model knows it (listener–artist). */
  row?: number;
  targets: ReadonlySet<number>;
}

/** Fills `out` (one slot per item, zeroed) with scores; higher is better. */
export type HoldoutScorer = (q: HoldoutQuery, out: Float64Array) => void;

export interface HoldoutReport {
  protocol: string;
  queries: number;
  /** Share of held-out items never seen in training (no model can rank them). */
  coldTargetShare: number;
  candidates: number;
  results: Record<string, Record<string, number>>;
}

/**
 * Rank every candidate for each query with each scorer and measure the held-out items:
 * candidates are the items seen in training, minus the query's own history; ties break by
 * lower index.
 */
export function evaluateHoldout(
  nItems: number,
  candidate: Uint8Array,
  queries: readonly HoldoutQuery[],
  scorers: Record<string, HoldoutScorer>,
  opts: { ks?: number[]; playShare?: Float64Array; distance?: (a: number, b: number) => number; protocol: string },
): HoldoutReport {
  const ks = opts.ks ?? [10, 100];
  const maxK = Math.max(...ks);
  let candidates = 0;
  for (let t = 0; t < nItems; t++) candidates += candidate[t]!;
  const names = Object.keys(scorers);
  const metrics = names.map(() => new MultiTargetMetrics(ks, candidates, opts.playShare));
  const scores = new Float64Array(nItems);
  let targets = 0, cold = 0;
  for (const q of queries) {
    for (const t of q.targets) {
      targets++;
      if (!candidate[t]) cold++;
    }
    names.forEach((name, m) => {
      scores.fill(0);
      scorers[name]!(q, scores);
      for (let t = 0; t < nItems; t++) if (!candidate[t]) scores[t] = NaN;
      for (const t of q.history) scores[t] = NaN;
      metrics[m]!.add(topK(scores, maxK).ix, q.targets, opts.distance);
    });
  }
  const results: Record<string, Record<string, number>> = {};
  names.forEach((name, m) => (results[name] = metrics[m]!.result()));
  return { protocol: opts.protocol, queries: queries.length, coldTargetShare: targets > 0 ? cold / targets : 0, candidates, results };
}

/** Training sequences as a play log: one "listener" per sequence, in order (sequence i at time i * 10^6 + position). */
export function logFromSequences(seqs: readonly Int32Array[], itemIds: string[], weights?: readonly Float32Array[]): { log: PlayLog; start: Int32Array } {
  let n = 0;
  for (const s of seqs) n += s.length;
  const listener = new Int32Array(n), track = new Int32Array(n), ts = new Float64Array(n), weight = new Float32Array(n).fill(1);
  const start = new Int32Array(seqs.length + 1);
  let o = 0;
  seqs.forEach((s, i) => {
    start[i] = o;
    for (let j = 0; j < s.length; j++, o++) {
      listener[o] = i;
      track[o] = s[j]!;
      ts[o] = i * 1e6 + j; // later sequences are "more recent" (sknn samples the latest)
      if (weights) weight[o] = weights[i]![j]!;
    }
  });
  start[seqs.length] = o;
  const log: PlayLog = { trackIds: itemIds, listenerIds: seqs.map((_, i) => String(i)), listener, track, ts, skipped: new Int8Array(n).fill(-1), weight, length: n };
  return { log, start };
}

/** Each part's scores divided by their maximum for the query, weighted and summed. */
export function normalizedBlend(parts: ReadonlyArray<readonly [HoldoutScorer, number]>, nItems: number): HoldoutScorer {
  const tmp = new Float64Array(nItems);
  return (q, out) => {
    for (const [score, w] of parts) {
      if (w === 0) continue;
      tmp.fill(0);
      score(q, tmp);
      let m = 0;
      for (let i = 0; i < nItems; i++) if (tmp[i]! > m) m = tmp[i]!;
      if (m > 0) for (let i = 0; i < nItems; i++) out[i]! += (w * tmp[i]!) / m;
    }
  };
}

/** A deterministic number in [0, 1) from a string and a seed (FNV-1a, then a mix). */
export function hashUnit(id: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

/**
 * Models of the playlist continuation task: the candidate sources it trains on its own split
 * (each a `SourceName`) and `blend`, an evaluation-only baseline (CONTINUATION_BLEND of them).
 */
export const CONTINUATION_MODELS = ['popularity', 'transitions', 'sknn', 'item2vec', 'als', 'blend'] as const satisfies readonly (SourceName | 'blend')[];
/** Models of the listener–artist task: candidate sources, and `blend` (LISTENER_ARTIST_BLEND of them). */
export const LISTENER_ARTIST_MODELS = ['popularity', 'sknn', 'als', 'blend'] as const satisfies readonly (SourceName | 'blend')[];

/** Weights of the continuation blend, by candidate source, in blend order (fixed defaults, not tuned on the test playlists). */
export const CONTINUATION_BLEND = { transitions: 1, sknn: 1, item2vec: 0.5, als: 1, popularity: 0.1 } as const satisfies Partial<Record<SourceName, number>>;
/** Weights of the listener–artist blend, by candidate source, in blend order. */
export const LISTENER_ARTIST_BLEND = { sknn: 1, als: 1, popularity: 0.1 } as const satisfies Partial<Record<SourceName, number>>;

export interface HoldoutOptions {
  models?: readonly string[];
  testShare?: number;
  seed?: number;
  ks?: number[];
  /** At most this many queries (an even, deterministic subsample). Default 10,000. */
  maxQueries?: number;
  /** Continuation: how many first tracks are given. Default 5. */
  seedTracks?: number;
  /** ALS dimensions and epochs (smaller for tests). */
  als?: { dims?: number; epochs?: number };
  item2vecEpochs?: number;
}

function subsample<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const stride = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * stride)]!);
}

/**
 * `segue eval --task continuation`: playlist continuation. Playlists split into training
 * and test: by `modifiedAt` when every playlist has one (the latest `testShare` are the test
 * set: a temporal split), else by a seeded hash of the id. Each test playlist longer than
 * `seedTracks` distinct tracks is a query: its first `seedTracks` tracks are given, the rest
 * are held out. Models learn from the training playlists only (order kept: transitions and
 * item2vec read them as sequences; sknn as sessions; ALS as rows, folding the seed in).
 */
export async function runContinuationEval(store: Store, opts: HoldoutOptions = {}): Promise<HoldoutReport & { models: string[]; split: Record<string, number | string> }> {
  const seedTracks = opts.seedTracks ?? 5, testShare = opts.testShare ?? 0.2, seed = opts.seed ?? 42;
  const wanted = new Set(['popularity', ...(opts.models ?? CONTINUATION_MODELS)]);
  const playlists: Playlist[] = [];
  for await (const page of store.catalog.scanPlaylists()) playlists.push(...page);
  const ix = new Map<string, number>(), ids: string[] = [];
  const seqOf = (p: Playlist): Int32Array => Int32Array.from(p.trackIds, (t) => {
    let i = ix.get(t);
    if (i === undefined) {
      i = ids.length;
      ix.set(t, i);
      ids.push(t);
    }
    return i;
  });
  const temporal = playlists.length > 0 && playlists.every((p) => p.modifiedAt !== undefined);
  let isTest: (p: Playlist, rank: number) => boolean;
  const order = playlists.map((_, i) => i);
  if (temporal) {
    order.sort((a, b) => playlists[a]!.modifiedAt! - playlists[b]!.modifiedAt! || (playlists[a]!.id < playlists[b]!.id ? -1 : 1));
    const cut = Math.round(playlists.length * (1 - testShare));
    isTest = (_p, rank) => rank >= cut;
  } else {
    isTest = (p) => hashUnit(p.id, seed) < testShare;
  }
  const train: Int32Array[] = [], queries: HoldoutQuery[] = [];
  let testPlaylists = 0;
  order.forEach((pi, rank) => {
    const p = playlists[pi]!;
    const s = seqOf(p);
    if (!isTest(p, rank)) {
      if (s.length > 0) train.push(s);
      return;
    }
    testPlaylists++;
    const history = s.subarray(0, seedTracks);
    const known = new Set(history);
    const targets = new Set<number>();
    for (let j = seedTracks; j < s.length; j++) if (!known.has(s[j]!)) targets.add(s[j]!);
    if (history.length === seedTracks && targets.size > 0) queries.push({ history, targets });
  });
  const n = ids.length;
  const { log, start } = logFromSequences(train, ids);
  const candidate = new Uint8Array(n);
  const pop = new Float64Array(n);
  for (let i = 0; i < log.length; i++) {
    candidate[log.track[i]!] = 1;
    pop[log.track[i]!]! += 1;
  }
  const scorers: Record<string, HoldoutScorer> = { popularity: (_q, o) => o.set(pop) };
  const needs = (m: string): boolean => wanted.has(m) || wanted.has('blend');
  if (needs('transitions')) {
    const m = TransitionsModel.train(log, start);
    scorers.transitions = (q, o) => m.scoreInto(q.history, o);
  }
  if (needs('sknn')) {
    const m = SknnModel.train(log, start, undefined, { recencyWeighting: false });
    scorers.sknn = (q, o) => m.scoreInto(q.history, o);
  }
  if (needs('item2vec') && train.some((s) => s.length > 1)) {
    const corpus = corpusFromSessions(train.filter((s) => s.length > 1));
    const epochs = opts.item2vecEpochs ?? Math.max(5, Math.min(50, Math.ceil(1_000_000 / Math.max(1, corpus.tokens.length))));
    const r = await trainItem2vec(corpus, n, { threads: 1, seed, epochs });
    const m = new SessionVectorScorer(r.vectors, r.dims, { prefixTracks: seedTracks, prefixDecay: 1 });
    scorers.item2vec = (q, o) => m.scoreInto(q.history, o);
  }
  if (needs('als')) {
    const cfg = alsConfig({ threads: 1, seed, ...opts.als });
    const m = csrFromCoo(train.length, n, log.listener, log.track, log.weight);
    const f = await trainAls(m, cfg);
    const gram = itemGramian(f.itemFactors, f.dims, cfg.regularization);
    scorers.als = (q, o) => {
      const x = foldIn(f.itemFactors, f.dims, q.history, new Float32Array(q.history.length).fill(1), cfg, gram);
      dotInto(x, f.itemFactors, f.dims, o);
    };
  }
  if (wanted.has('blend')) {
    scorers.blend = normalizedBlend(Object.entries(CONTINUATION_BLEND).filter(([k]) => scorers[k]).map(([k, w]) => [scorers[k]!, w] as const), n);
  }
  for (const k of Object.keys(scorers)) if (!wanted.has(k)) delete scorers[k];
  const artistOf = await trackArtists(store);
  const share = Float64Array.from(pop, (p) => p / Math.max(1, log.length));
  const report = evaluateHoldout(n, candidate, subsample(queries, opts.maxQueries ?? 10_000), scorers, {
    ...(opts.ks ? { ks: opts.ks } : {}),
    playShare: share,
    distance: artistDistance(ids, artistOf),
    protocol: `playlist continuation: ${temporal ? `the latest ${testShare * 100}% of playlists by modifiedAt` : `${testShare * 100}% of playlists by a seeded hash of the id (no modifiedAt)`} are the test set; the first ${seedTracks} tracks are given, the other distinct tracks held out; models learn from the training playlists; candidates: tracks of training playlists minus the seed, ties by lower index`,
  });
  return { ...report, models: Object.keys(scorers), split: { playlists: playlists.length, trainPlaylists: train.length, testPlaylists, split: temporal ? 'modifiedAt' : 'hash' } };
}

function dotInto(x: Float32Array, Y: Float32Array, d: number, out: Float64Array): void {
  const n = Y.length / d;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[c]! * Y[i * d + c]!;
    out[i]! += s;
  }
}

/**
 * `segue eval --task listener-artist`: which artists will a listener play? For data without
 * play times (Last.fm 2K's play counts), a seeded per-listener holdout: of every listener
 * with at least 5 artists, `testShare` of their artists (at least one) are held out, the rest
 * and every other listener train the models; the held-out artists are to be found among all
 * artists the listener has not played in training. ALS weighs a pair by log(1 + plays).
 */
export async function runListenerArtistEval(store: Store, opts: HoldoutOptions = {}): Promise<HoldoutReport & { models: string[]; split: Record<string, number | string> }> {
  const testShare = opts.testShare ?? 0.2, seed = opts.seed ?? 42;
  const wanted = new Set(['popularity', ...(opts.models ?? LISTENER_ARTIST_MODELS)]);
  const log = await loadPlays(store, { item: 'artist' });
  const n = log.trackIds.length;
  // Total plays per (listener, artist); rows of one listener are contiguous in the log.
  const rng = new Rng(seed);
  const train: Int32Array[] = [], trainW: Float32Array[] = [], queries: HoldoutQuery[] = [];
  let heldListeners = 0;
  for (let lo = 0; lo < log.length;) {
    let hi = lo;
    const plays = new Map<number, number>();
    while (hi < log.length && log.listener[hi] === log.listener[lo]) {
      plays.set(log.track[hi]!, (plays.get(log.track[hi]!) ?? 0) + log.weight[hi]!);
      hi++;
    }
    lo = hi;
    const items = Int32Array.from([...plays.keys()].sort((a, b) => a - b));
    let keep = items;
    const targets = new Set<number>();
    if (items.length >= 5) {
      const shuffled = Int32Array.from(items);
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const h = Math.max(1, Math.round(items.length * testShare));
      for (let i = 0; i < h; i++) targets.add(shuffled[i]!);
      keep = items.filter((t) => !targets.has(t));
      heldListeners++;
    }
    const row = train.length;
    train.push(keep);
    trainW.push(Float32Array.from(keep, (t) => Math.log1p(plays.get(t)!)));
    if (targets.size > 0) queries.push({ history: keep, weights: trainW[row]!, row, targets });
  }
  const { log: tl, start } = logFromSequences(train, log.trackIds, trainW);
  const candidate = new Uint8Array(n), pop = new Float64Array(n);
  for (let i = 0; i < tl.length; i++) {
    candidate[tl.track[i]!] = 1;
    pop[tl.track[i]!]! += 1; // listeners, not plays: a few heavy listeners do not make an artist popular
  }
  const scorers: Record<string, HoldoutScorer> = { popularity: (_q, o) => o.set(pop) };
  const needs = (m: string): boolean => wanted.has(m) || wanted.has('blend');
  if (needs('sknn')) {
    // User kNN: each listener's artist set is a "session"; a listener's own row scores only
    // artists they already have, which are excluded from the candidates.
    const m = SknnModel.train(tl, start, undefined, { recencyWeighting: false, k: 100, sampleSize: 2000 });
    scorers.sknn = (q, o) => m.scoreInto(q.history, o);
  }
  if (needs('als')) {
    const cfg = alsConfig({ threads: 1, seed, ...opts.als });
    const f = await trainAls(csrFromCoo(train.length, n, tl.listener, tl.track, tl.weight), cfg);
    scorers.als = (q, o) => dotInto(f.userFactors.subarray(q.row! * f.dims, (q.row! + 1) * f.dims), f.itemFactors, f.dims, o);
  }
  if (wanted.has('blend')) {
    scorers.blend = normalizedBlend(Object.entries(LISTENER_ARTIST_BLEND).filter(([k]) => scorers[k]).map(([k, w]) => [scorers[k]!, w] as const), n);
  }
  for (const k of Object.keys(scorers)) if (!wanted.has(k)) delete scorers[k];
  const share = Float64Array.from(pop, (p) => p / Math.max(1, tl.length));
  const report = evaluateHoldout(n, candidate, subsample(queries, opts.maxQueries ?? 10_000), scorers, {
    ...(opts.ks ? { ks: opts.ks } : {}),
    playShare: share,
    protocol: `listener-artist: for every listener with >= 5 artists, a seeded ${testShare * 100}% of their artists (at least one) held out; models learn from the rest; candidates: artists seen in training minus the listener's own, ties by lower index`,
  });
  return { ...report, models: Object.keys(scorers), split: { listeners: train.length, testListeners: heldListeners, artists: n } };
}
