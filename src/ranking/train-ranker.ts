import type { Store } from '../store/index.js';
import { sessionStarts } from '../domain/index.js';
import { TrackTable, audioEmbedding } from '../features/index.js';
import {
  PopularityCandidates, SknnCandidates, TransitionsCandidates, TransitionsModel, SknnModel, popularityTables, topK, Touched,
  type CandidateModel, type PlayLog,
} from '../models/index.js';
import { auc, logLoss, ndcgAt, trainGbdt } from './gbdt/index.js';
import { F, FEATURES, FeatureBuilder, type SourceName } from './features.js';
import { isPlay, loadEventColumns, replay, type EventColumns } from './replay.js';
import { DEFAULT_RANKER, Ranker, type RankerConfig, type RankerReport } from './ranker.js';

const NF = FEATURES.length;

/** The plays of the event columns as a PlayLog over the catalog's track ixs, by listener then time. */
export function playLogOf(ev: EventColumns, table: TrackTable): { log: PlayLog; eventOf: Int32Array } {
  const rows: number[] = [];
  for (let i = 0; i < ev.n; i++) if (isPlay(ev, i)) rows.push(i);
  // Events are in time order already: a stable sort by listener keeps it within each listener.
  rows.sort((a, b) => ev.listener[a]! - ev.listener[b]! || a - b);
  const n = rows.length;
  const eventOf = Int32Array.from(rows);
  const log: PlayLog = {
    trackIds: table.ids, listenerIds: ev.listenerIds,
    listener: Int32Array.from(rows, (i) => ev.listener[i]!), track: Int32Array.from(rows, (i) => ev.track[i]!),
    ts: Float64Array.from(rows, (i) => ev.ts[i]!), skipped: Int8Array.from(rows, (i) => ev.skipped[i]!),
    weight: new Float32Array(n).fill(1), length: n,
  };
  return { log, eventOf };
}

/** A growing row-major matrix of feature rows. */
class Rows {
  X = new Float32Array(1 << 16);
  y: number[] = [];
  groups: number[] = [0];
  get n(): number {
    return this.y.length;
  }
  add(X: Float32Array, y: ArrayLike<number>): void {
    const need = (this.n + y.length) * NF;
    if (need > this.X.length) {
      const b = new Float32Array(Math.max(need, this.X.length * 2));
      b.set(this.X);
      this.X = b;
    }
    this.X.set(X.subarray(0, y.length * NF), this.n * NF);
    for (let i = 0; i < y.length; i++) this.y.push(y[i]!);
    this.groups.push(this.n);
  }
  data(): { X: Float32Array; y: Float32Array; n: number; groups: Int32Array } {
    return { X: this.X.subarray(0, this.n * NF), y: Float32Array.from(this.y), n: this.n, groups: Int32Array.from(this.groups) };
  }
}

/**
 * `segue train --models ranker`: replay the log in time order; at sampled plays (after the
 * first of a session) retrieve candidates from each source for the session so far, build
 * their feature rows from the state as it was then, and label them (2 the played track when
 * listened through or of unknown outcome, 1 when skipped, 0 the rest). The sources are
 * retrained on the earlier sessions only; the latest `testShare` of sessions give the report.
 */
export async function trainRanker(
  store: Store,
  config: RankerConfig = DEFAULT_RANKER,
  onProgress: (msg: string) => void = () => {},
  signal?: AbortSignal,
): Promise<{ ranker: Ranker; version: number; report: RankerReport }> {
  const started = performance.now();
  onProgress('ranker: loading events');
  const table = await TrackTable.load(store);
  const ev = await loadEventColumns(store, table, signal);
  const { log, eventOf } = playLogOf(ev, table);
  if (log.length === 0) throw new Error('ranker: the store has no plays to learn from');

  // Sessions (gap-cut) of the log; the latest share by start time is the test period.
  const gap = config.sessionGapMinutes * 60_000;
  const starts = sessionStarts(log.listener, log.ts, gap);
  const S = starts.length - 1;
  const byStart = Array.from({ length: S }, (_, s) => s).sort((a, b) => log.ts[starts[a]!]! - log.ts[starts[b]!]! || a - b);
  const nTest = Math.round(S * config.testShare);
  const isTest = new Uint8Array(S);
  for (let r = S - nTest; r < S; r++) isTest[byStart[r]!] = 1;
  const trainRow = new Uint8Array(log.length);
  for (let s = 0; s < S; s++) if (!isTest[s]) trainRow.fill(1, starts[s]!, starts[s + 1]!);

  onProgress('ranker: training its sources on the earlier sessions');
  const startArr = Int32Array.from(starts);
  const sources = new Map<SourceName, CandidateModel>();
  // Each source's scorer for the replayed queries. Session models write only the tracks that
  // follow the session's own (a few thousand of 200,000), so a query scores, ranks and resets
  // only those; popularity does not depend on the history, so its scores and top list are
  // computed once. Either gives what ranking the full score vector would.
  const scorers = new Map<SourceName, QueryScorer>();
  for (const name of config.sources) {
    if (name === 'transitions') {
      const model = TransitionsModel.train(log, startArr, trainRow);
      sources.set(name, new TransitionsCandidates(model, table.ids));
      scorers.set(name, sparseScorer(model, table.size, config.candidatesPerSource));
    } else if (name === 'sknn') {
      const model = SknnModel.train(log, startArr, trainRow);
      sources.set(name, new SknnCandidates(model, table.ids));
      scorers.set(name, sparseScorer(model, table.size, config.candidatesPerSource));
    } else if (name === 'popularity') {
      const tables = popularityTables(log, table.releaseMs, {}, trainRow);
      sources.set(name, new PopularityCandidates(tables, table.ids));
      scorers.set(name, fixedScorer(tables.popular, config.candidatesPerSource));
    }
  }

  // Query plays: every play after the first of its session, sampled evenly per period.
  const pick = (test: number, max: number): number[] => {
    const all: number[] = [];
    for (let s = 0; s < S; s++) if (isTest[s] === test) for (let r = starts[s]! + 1; r < starts[s + 1]!; r++) all.push(r);
    all.sort((a, b) => eventOf[a]! - eventOf[b]!);
    if (all.length <= max) return all;
    const stride = all.length / max;
    return Array.from({ length: max }, (_, k) => all[Math.floor(k * stride)]!);
  };
  const trainQ = pick(0, config.maxTrainQueries), testQ = pick(1, config.maxTestQueries);
  const queryAt = new Map<number, { row: number; test: boolean }>();
  for (const r of trainQ) queryAt.set(eventOf[r]!, { row: r, test: false });
  for (const r of testQ) queryAt.set(eventOf[r]!, { row: r, test: true });
  const sessionOf = new Int32Array(log.length);
  for (let s = 0; s < S; s++) sessionOf.fill(s, starts[s]!, starts[s + 1]!);

  const emb = audioEmbedding(table);
  const builder = new FeatureBuilder(table, emb);
  // Ranking groups (queries whose played track some source retrieved) and listen-through rows (every played track of known outcome).
  const train = new Rows(), test = new Rows();
  const listenTrain = new Rows(), listenTest = new Rows();
  let retrieved = 0;
  const names = [...sources.keys()];
  let Xbuf = new Float32Array(0);
  let done = 0;
  onProgress(`ranker: features of ${(trainQ.length + testQ.length).toLocaleString('en-US')} queries`);
  replay(ev, table, (i, engine) => {
    const q = queryAt.get(i);
    if (q === undefined) return;
    if (signal?.aborted) throw new Error('ranker: training aborted');
    const r = q.row, s0 = starts[sessionOf[r]!]!;
    const history = { tracks: log.track.subarray(s0, r) };
    const target = log.track[r]!;
    const cand = new Map<number, number>(); // track ix -> position
    for (const name of names) for (const t of scorers.get(name)!.top(history).ix) if (!cand.has(t)) cand.set(t, cand.size);
    // A target no source retrieved gets its row for the listen-through trees only: as a ranking
    // positive, its zero retrieval scores would teach the trees that not being retrieved is good.
    const hit = cand.has(target);
    if (!hit) cand.set(target, cand.size);
    const ids = Int32Array.from(cand.keys());
    const at = cand.get(target)!;
    const scores: Partial<Record<SourceName, Float32Array>> = {};
    for (const name of names) scores[name] = scorers.get(name)!.at(ids);
    for (const sc of scorers.values()) sc.reset();
    if (Xbuf.length < ids.length * NF) Xbuf = new Float32Array(ids.length * NF);
    builder.build({ view: engine.view(log.listenerIds[log.listener[r]!]!), now: log.ts[r]!, seedIx: log.track[s0]! }, ids, Xbuf, scores);
    const skipped = log.skipped[r]!;
    if (skipped >= 0) (q.test ? listenTest : listenTrain).add(Xbuf.subarray(at * NF, (at + 1) * NF), [skipped === 1 ? 0 : 1]);
    if (hit) {
      const y = new Float32Array(ids.length);
      y[at] = skipped === 1 ? 1 : 2;
      (q.test ? test : train).add(Xbuf, y);
      retrieved++;
    }
    if (++done % 2000 === 0) onProgress(`ranker: features ${done.toLocaleString('en-US')}/${(trainQ.length + testQ.length).toLocaleString('en-US')}`);
  }, { embedding: emb });

  const tr = train.data(), te = test.data();
  if (tr.groups.length < 3) throw new Error('ranker: too few sessions of two or more plays whose next track a source retrieves, to learn from');
  // Early stopping watches the latest tenth of training queries.
  const G = tr.groups.length - 1, cutG = Math.max(1, Math.floor(G * 0.9)), cutRow = tr.groups[cutG]!;
  const fitRank = { X: tr.X.subarray(0, cutRow * NF), y: tr.y.subarray(0, cutRow), n: cutRow, groups: tr.groups.subarray(0, cutG + 1) };
  const valRank = { X: tr.X.subarray(cutRow * NF), y: tr.y.subarray(cutRow), n: tr.n - cutRow, groups: Int32Array.from(tr.groups.subarray(cutG), (g) => g - cutRow) };
  const params = { trees: config.trees, learningRate: config.learningRate, maxDepth: config.maxDepth, seed: config.seed, featureNames: FEATURES };
  onProgress('ranker: training the ranking trees');
  const rank = trainGbdt(fitRank, { ...params, objective: 'lambdarank', ...(valRank.groups.length > 1 ? { validation: valRank } : {}) }).model;
  onProgress('ranker: training the listen-through trees');
  const lt = listenTrain.data(), teL = listenTest.data();
  const cutL = Math.floor(lt.n * 0.9);
  const fitL = { X: lt.X.subarray(0, cutL * NF), y: lt.y.subarray(0, cutL), n: cutL };
  const valL = { X: lt.X.subarray(cutL * NF), y: lt.y.subarray(cutL), n: lt.n - cutL };
  const listen = fitL.n > 0 && new Set(fitL.y).size === 2
    ? trainGbdt(fitL, { ...params, objective: 'binary', ...(valL.n > 0 ? { validation: valL } : {}) }).model
    : trainGbdt({ X: fitL.n > 0 ? fitL.X : new Float32Array(NF), y: Float32Array.of(1), n: 1 }, { ...params, objective: 'binary', trees: 1 }).model;

  // The report, on the held-out sessions.
  const pL = listen.predict(teL.X, teL.n);
  let prior = 0;
  for (let i = 0; i < fitL.n; i++) prior += fitL.y[i]!;
  prior = fitL.n > 0 ? prior / fitL.n : 0.5;
  // The baseline: the track's global listen-through rate, shrunk toward the prior by two plays.
  const pRate = Float64Array.from({ length: teL.n }, (_, i) => {
    const r = teL.X[i * NF + F['track_listen_rate']!]!, n = teL.X[i * NF + F['track_plays']!]!;
    return Number.isNaN(r) ? prior : (r * n + 2 * prior) / (n + 2);
  });
  const rankScores = rank.margins(te.X, te.n);
  const bySource: Record<string, number> = {};
  for (const name of names) {
    const col = F[`score_${name}`]!;
    bySource[name] = ndcgAt(Float64Array.from({ length: te.n }, (_, i) => te.X[i * NF + col]!), te.y, te.groups, 10);
  }
  const bestSource = names.reduce((a, b) => (bySource[b]! > bySource[a]! ? b : a), names[0]!);
  const report: RankerReport = {
    trainQueries: G,
    testQueries: te.groups.length - 1,
    targetRetrieved: round(done > 0 ? retrieved / done : 0),
    candidatesPerQuery: Number((te.n / Math.max(1, te.groups.length - 1)).toFixed(1)),
    listen: {
      rows: teL.n,
      ranker: { AUC: round(auc(pL, teL.y)), logLoss: round(logLoss(pL, teL.y)) },
      trackSkipRate: { AUC: round(auc(pRate, teL.y)), logLoss: round(logLoss(pRate, teL.y)) },
    },
    ranking: { ranker: round(ndcgAt(rankScores, te.y, te.groups, 10)), bySource: Object.fromEntries(Object.entries(bySource).map(([k, v]) => [k, round(v)])), bestSource },
    importance: rank.importance().slice(0, 10).map(({ feature, gain }) => ({ feature, gain: round(gain) })),
    seconds: round((performance.now() - started) / 1000),
  };
  const ranker = new Ranker(rank, listen, names, report, config);
  const meta = await store.models.put('ranker', ranker.save(), { trainedAt: new Date().toISOString(), plays: log.length, report });
  return { ranker, version: meta.version, report };
}

const round = (x: number): number => Number(x.toFixed(4));

/** One source's retrieval for a replayed query: its top list, then its score of any track, until `reset`. */
export interface QueryScorer {
  /** The k best tracks scored above 0 (ties: lower ix first). */
  top(history: { tracks: Int32Array }): { ix: Int32Array };
  /** The scores of these tracks for the last query (0 where not above 0). */
  at(ids: Int32Array): Float32Array;
  reset(): void;
}

/** A session model's scorer: a scratch vector that stays zero between queries, and the entries each query touched. */
export function sparseScorer(model: { scoreInto(prefix: Int32Array, out: Float64Array, weight: number, touched: Touched): void }, size: number, k: number): QueryScorer {
  const scores = new Float64Array(size);
  const touched = new Touched(size);
  return {
    top(history) {
      model.scoreInto(history.tracks, scores, 1, touched);
      return touched.best(scores, k);
    },
    at: (ids) => positive(scores, ids),
    reset: () => touched.reset(scores),
  };
}

/** A history-independent scorer (popularity): scores and top list computed once. */
export function fixedScorer(scores: Float64Array, k: number): QueryScorer {
  const masked = Float64Array.from(scores, (v) => (v > 0 ? v : NaN));
  const best = topK(masked, k);
  return { top: () => best, at: (ids) => positive(scores, ids), reset: () => {} };
}

function positive(scores: Float64Array, ids: Int32Array): Float32Array {
  const out = new Float32Array(ids.length);
  for (let c = 0; c < ids.length; c++) {
    const v = scores[ids[c]!]!;
    out[c] = v > 0 ? v : 0;
  }
  return out;
}
