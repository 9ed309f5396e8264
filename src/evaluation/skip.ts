import { startsSession } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { TrackTable } from '../features/index.js';
import {
  F, FEATURES, FeatureBuilder, audioEmbedding, auc, isPlay, loadEventColumns, replay, trainGbdt,
  type EventColumns, type GbdtParams,
} from '../ranking/index.js';

/** Predictors of the skip task: two baselines and the learned model. */
export const SKIP_MODELS = ['majority', 'track-skip-rate', 'gbdt'] as const;
export type SkipModel = (typeof SKIP_MODELS)[number];

export interface SkipEvalOptions {
  models?: readonly string[];
  /** Share of sessions, latest by start time, held out. Default 0.2. */
  testShare?: number;
  /** Gap that cuts sessions of events without a session id, in minutes. Default 30. */
  gapMinutes?: number;
  /** Sessions shorter than this are left out (WSDM Cup sessions have 10 to 20 tracks). Default 4. */
  minSessionLength?: number;
  /** At most this many test sessions (an even, deterministic subsample). */
  maxQueries?: number;
  /** At most this many training rows for the model (an even subsample of training sessions). Default 400,000. */
  maxTrainRows?: number;
  seed?: number;
  gbdt?: Partial<GbdtParams>;
}

export interface SkipMetrics {
  /** WSDM Cup 2019 mean average accuracy over the second halves of sessions. */
  'mean-average-accuracy': number;
  'first-prediction-accuracy': number;
  accuracy: number;
  AUC: number;
}

export interface SkipReport {
  protocol: string;
  /** Test sessions scored. */
  queries: number;
  /** Second-half tracks predicted. */
  predictions: number;
  skipRate: { train: number; test: number };
  results: Record<string, SkipMetrics>;
  importance?: Array<{ feature: string; gain: number }>;
  split: { sessions: number; testSessions: number; trainRows: number; cutoff: string | null };
}

interface Session {
  /** Event indices of its plays, in time order. */
  plays: number[];
  half: number;
}

/** Plays grouped into sessions: by session id where events carry one, else by a gap. */
function sessionsOf(ev: EventColumns, gapMs: number): Session[] {
  const open = new Map<number, { plays: number[]; key: number; last: number }>();
  const out: Session[] = [];
  const close = (s: { plays: number[] }): void => {
    out.push({ plays: s.plays, half: Math.floor(s.plays.length / 2) });
  };
  for (let i = 0; i < ev.n; i++) {
    if (!isPlay(ev, i)) continue;
    const l = ev.listener[i]!;
    const cur = open.get(l);
    const key = ev.session[i]!;
    if (cur && (key >= 0 ? key === cur.key : !startsSession(cur.last, ev.ts[i]!, gapMs))) {
      cur.plays.push(i);
      cur.last = ev.ts[i]!;
      continue;
    }
    if (cur) close(cur);
    open.set(l, { plays: [i], key, last: ev.ts[i]! });
  }
  for (const s of open.values()) close(s);
  return out;
}

/**
 * `segue eval --task skip`: the protocol of the Spotify Sequential Skip Prediction Challenge
 * (WSDM Cup 2019). For each held-out session, the first half is given with its skips; the
 * task is to predict, for every track of the second half, whether it is skipped. Features
 * are built from the online state as it was at the end of the first half (the log replayed
 * in time order), so nothing of the second half, nor anything later, leaks into them.
 */
export async function runSkipEval(store: Store, opts: SkipEvalOptions = {}): Promise<SkipReport> {
  const models = new Set(opts.models ?? SKIP_MODELS);
  const testShare = opts.testShare ?? 0.2;
  const minLen = Math.max(2, opts.minSessionLength ?? 4);
  const table = await TrackTable.load(store);
  const ev = await loadEventColumns(store, table);
  const all = sessionsOf(ev, (opts.gapMinutes ?? 30) * 60_000).filter((s) => s.plays.length >= minLen);
  // Latest share by start time are the test sessions.
  all.sort((a, b) => ev.ts[a.plays[0]!]! - ev.ts[b.plays[0]!]! || a.plays[0]! - b.plays[0]!);
  const nTest = Math.round(all.length * testShare);
  const train = all.slice(0, all.length - nTest);
  let test = all.slice(all.length - nTest);
  if (opts.maxQueries !== undefined && test.length > opts.maxQueries) {
    const stride = test.length / opts.maxQueries;
    test = Array.from({ length: opts.maxQueries }, (_, k) => test[Math.floor(k * stride)]!);
  }
  const maxTrainRows = opts.maxTrainRows ?? 400_000;
  let trainRowsTotal = 0;
  for (const s of train) trainRowsTotal += s.plays.length - s.half;
  const trainStride = Math.max(1, trainRowsTotal / maxTrainRows);
  const trainUsed = trainStride > 1 ? train.filter((_, k) => Math.floor(k / trainStride) !== Math.floor((k - 1) / trainStride)) : train;

  // Feature rows of every second half, built at the first half's last play.
  const builder = new FeatureBuilder(table, audioEmbedding(table));
  const NF = FEATURES.length;
  const at = new Map<number, Session[]>();
  for (const s of [...trainUsed, ...test]) {
    const i = s.plays[s.half]!;
    const list = at.get(i);
    if (list) list.push(s);
    else at.set(i, [s]);
  }
  const rows = new Map<Session, Float32Array>();
  replay(ev, table, (i, engine) => {
    const list = at.get(i);
    if (!list) return;
    for (const s of list) {
      const second = Int32Array.from(s.plays.slice(s.half), (j) => ev.track[j]!);
      const X = new Float32Array(second.length * NF);
      const now = ev.ts[s.plays[s.half - 1]!]!;
      builder.build({ view: engine.view(ev.listenerIds[ev.listener[i]!]!), now }, second, X);
      for (let j = 0; j < second.length; j++) X[j * NF + F['position']!]! += j;
      rows.set(s, X);
    }
  });

  const labelsOf = (s: Session): number[] => s.plays.slice(s.half).map((j) => ev.skipped[j]!);
  // Training matrix: labelled second-half rows of training sessions; the latest 10% validate.
  const gather = (sessions: Session[]): { X: Float32Array; y: Float32Array; n: number } => {
    let n = 0;
    for (const s of sessions) for (const y of labelsOf(s)) if (y >= 0) n++;
    const X = new Float32Array(n * NF), y = new Float32Array(n);
    let r = 0;
    for (const s of sessions) {
      const R = rows.get(s)!;
      labelsOf(s).forEach((lab, j) => {
        if (lab < 0) return;
        X.set(R.subarray(j * NF, (j + 1) * NF), r * NF);
        y[r++] = lab;
      });
    }
    return { X, y, n };
  };
  const cut = Math.floor(trainUsed.length * 0.9);
  const fit = gather(trainUsed.slice(0, cut)), valid = gather(trainUsed.slice(cut));
  let trainSkips = 0;
  for (let i = 0; i < fit.n; i++) trainSkips += fit.y[i]!;
  const prior = fit.n > 0 ? trainSkips / fit.n : 0.5;

  const predictors: Record<string, (s: Session, X: Float32Array, firstHalf: number[]) => Float64Array> = {};
  if (models.has('majority')) {
    predictors.majority = (s, _X, first) => {
      const known = first.filter((y) => y >= 0);
      const share = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : prior;
      // The score (for AUC) is the first half's skip share; the prediction (score >= 0.5) its
      // majority, a tie going to the first half's last outcome.
      const last = known.length > 0 ? known[known.length - 1]! : 1;
      return new Float64Array(s.plays.length - s.half).fill(share === 0.5 && last === 0 ? 0.4999 : share);
    };
  }
  if (models.has('track-skip-rate')) {
    predictors['track-skip-rate'] = (s, X) => Float64Array.from({ length: s.plays.length - s.half }, (_, j) => {
      const r = X[j * NF + F['track_skip_rate']!]!;
      return Number.isNaN(r) ? prior : r;
    });
  }
  let importance: SkipReport['importance'];
  if (models.has('gbdt') && fit.n > 0) {
    const res = trainGbdt({ X: fit.X, y: fit.y, n: fit.n }, {
      featureNames: FEATURES, objective: 'binary', trees: 300, learningRate: 0.05, maxDepth: 6, seed: opts.seed ?? 42,
      ...(valid.n > 0 ? { validation: { X: valid.X, y: valid.y, n: valid.n } } : {}),
      ...opts.gbdt,
    });
    const model = res.model;
    importance = model.importance().slice(0, 10).map(({ feature, gain }) => ({ feature, gain: Number(gain.toFixed(2)) }));
    predictors.gbdt = (s, X) => model.predict(X, s.plays.length - s.half);
  }

  // Score every test session.
  const results: Record<string, SkipMetrics> = {};
  let predictions = 0, testSkips = 0;
  for (const [name, predict] of Object.entries(predictors)) {
    let maa = 0, fpa = 0, sessions = 0, correct = 0, total = 0;
    const scores: number[] = [], labels: number[] = [];
    for (const s of test) {
      const labs = labelsOf(s);
      if (!labs.some((y) => y >= 0)) continue;
      const p = predict(s, rows.get(s)!, s.plays.slice(0, s.half).map((j) => ev.skipped[j]!));
      let hits = 0, k = 0, aa = 0;
      labs.forEach((y, j) => {
        if (y < 0) return;
        const ok = (p[j]! >= 0.5 ? 1 : 0) === y ? 1 : 0;
        k++;
        hits += ok;
        aa += (hits / k) * ok;
        if (k === 1) fpa += ok;
        scores.push(p[j]!);
        labels.push(y);
      });
      maa += aa / k;
      sessions++;
      correct += hits;
      total += k;
    }
    results[name] = {
      'mean-average-accuracy': sessions ? maa / sessions : NaN,
      'first-prediction-accuracy': sessions ? fpa / sessions : NaN,
      accuracy: total ? correct / total : NaN,
      AUC: auc(scores, labels),
    };
    predictions = total;
    testSkips = labels.reduce((a, b) => a + b, 0);
  }
  const queries = test.filter((s) => labelsOf(s).some((y) => y >= 0)).length;
  return {
    protocol: 'WSDM Cup 2019 sequential skip prediction: sessions (session ids, else 30-minute gaps) of at least '
      + `${minLen} plays; the latest ${(testShare * 100).toFixed(0)}% by start time are held out; the first half of each is given `
      + 'with its skips and every track of the second half is predicted from the state at the end of the first half; '
      + 'majority = the first half\'s majority outcome, track-skip-rate = the track\'s decayed global skip rate then, gbdt = gradient-boosted trees on all features',
    queries,
    predictions,
    skipRate: { train: Number(prior.toFixed(4)), test: predictions ? Number((testSkips / predictions).toFixed(4)) : NaN },
    results,
    ...(importance ? { importance } : {}),
    split: { sessions: all.length, testSessions: test.length, trainRows: fit.n + valid.n, cutoff: nTest > 0 && all.length > nTest ? new Date(ev.ts[all[all.length - nTest]!.plays[0]!]!).toISOString() : null },
  };
}
