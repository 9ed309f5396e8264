import { DEFAULT_SESSION_GAP_MINUTES } from '../domain/index.js';
import { DEFAULT_SOURCES, decodeArtifact, encodeArtifact, isSourceName } from '../models/index.js';
import { ForestKernel, GbdtModel, KERNEL_MIN_ROWS } from './gbdt/index.js';
import { FEATURES, type SourceName } from './features.js';

/** How `segue train --models ranker` builds its training data and trees. */
export interface RankerConfig {
  /** Retrieval sources whose candidates are ranked (and whose scores are features). */
  sources: SourceName[];
  /** Candidates each source retrieves per query. */
  candidatesPerSource: number;
  /** Queries (plays after the first of a session) sampled for training and for the report. */
  maxTrainQueries: number;
  maxTestQueries: number;
  /** Share of sessions, latest by start time, held out for the report. */
  testShare: number;
  sessionGapMinutes: number;
  trees: number;
  learningRate: number;
  maxDepth: number;
  seed: number;
}

/**
 * Sources the ranker can train with: those cheap to retrain inside its own time split
 * (train-ranker.ts), which are the default serving set (models' `DEFAULT_SOURCES`).
 */
export const RANKER_SOURCES: readonly SourceName[] = DEFAULT_SOURCES;

export const DEFAULT_RANKER: RankerConfig = {
  sources: [...DEFAULT_SOURCES],
  candidatesPerSource: 20,
  maxTrainQueries: 15_000,
  maxTestQueries: 5_000,
  testShare: 0.2,
  sessionGapMinutes: DEFAULT_SESSION_GAP_MINUTES,
  trees: 300,
  learningRate: 0.05,
  maxDepth: 6,
  seed: 42,
};

/** Merge a partial config over the defaults, refusing unknown keys and bad values. */
export function rankerConfig(partial: unknown = {}): RankerConfig {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) throw new TypeError('config.ranker: expected an object');
  const out: RankerConfig = { ...DEFAULT_RANKER, sources: [...DEFAULT_RANKER.sources] };
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in out)) throw new TypeError(`config.ranker.${k}: unknown key; keys: ${Object.keys(out).join(', ')}`);
    if (k === 'sources') {
      if (!Array.isArray(v) || v.length === 0 || v.some((s) => !RANKER_SOURCES.includes(s as SourceName))) {
        throw new TypeError(`config.ranker.sources: expected a non-empty list of ${RANKER_SOURCES.join(', ')}, got ${JSON.stringify(v)}`);
      }
      out.sources = v as SourceName[];
      continue;
    }
    const def = (out as unknown as Record<string, unknown>)[k];
    if (typeof v !== typeof def || (typeof v === 'number' && !(v >= 0))) throw new TypeError(`config.ranker.${k}: expected a ${typeof def} >= 0, got ${JSON.stringify(v)}`);
    (out as unknown as Record<string, unknown>)[k] = v;
  }
  if (!(out.testShare > 0 && out.testShare < 1)) throw new TypeError(`config.ranker.testShare: expected a share between 0 and 1, got ${out.testShare}`);
  return out;
}

/** The offline report of a trained ranker, on held-out sessions. */
export interface RankerReport {
  /** Ranking groups: sampled plays whose played track some source retrieved (the share below). */
  trainQueries: number;
  testQueries: number;
  /** Share of sampled plays whose played track was among the retrieved candidates. */
  targetRetrieved: number;
  candidatesPerQuery: number;
  /** Listen-through of the track actually played: the ranker's listen model vs the track's global skip rate. */
  listen: { rows: number; ranker: { AUC: number; logLoss: number }; trackSkipRate: { AUC: number; logLoss: number } };
  /** NDCG@10 of the ranked candidates where the played track was retrieved (2 played and listened through, 1 played and skipped, 0 not played). */
  ranking: { ranker: number; bySource: Record<string, number>; bestSource: string };
  importance: Array<{ feature: string; gain: number }>;
  seconds: number;
}

/**
 * The learned ranker: LambdaMART trees that order candidates, and binary trees that
 * predict listen-through of a track. Both read rows of FEATURES.
 */
export class Ranker {
  constructor(
    readonly rank: GbdtModel,
    readonly listen: GbdtModel,
    readonly sources: SourceName[],
    readonly report: RankerReport,
    readonly config: RankerConfig,
  ) {
    for (const m of [rank, listen]) {
      if (m.featureNames.length !== FEATURES.length || m.featureNames.some((f, i) => f !== FEATURES[i])) {
        throw new RangeError('ranker: its trees read other features than this build assembles; run `segue train --models ranker` again');
      }
    }
  }

  /** Ranking scores (higher first) of n feature rows. */
  score(X: Float32Array, n: number, out: Float64Array = new Float64Array(n)): Float64Array {
    return this.rank.margins(X, n, out);
  }

  /** Probability that each of n tracks is listened through. */
  listenProbability(X: Float32Array, n: number, out: Float64Array = new Float64Array(n)): Float64Array {
    return this.listen.predict(X, n, out);
  }

  private both: ForestKernel | null | undefined;

  /** Build the scoring kernel now (about 8 ms; 75 ms for the first in a process) rather than on the first request. */
  warm(): this {
    this.both ??= ForestKernel.build([this.rank, this.listen]) ?? null;
    return this;
  }

  /**
   * `score` and `listenProbability` of the same n rows in one pass: both ensembles read
   * the rows' block once and share its threshold planes (gbdt/forest.ts), which takes about
   * three quarters of the time of the two calls (bench/realtime.ts). Bit-identical to them.
   *
   * @example const { score, listen } = ranker.scoreAndListen(X, candidates.length);
   */
  scoreAndListen(X: Float32Array, n: number, score: Float64Array = new Float64Array(n), listen: Float64Array = new Float64Array(n)): { score: Float64Array; listen: Float64Array } {
    if (n >= KERNEL_MIN_ROWS) this.both ??= ForestKernel.build([this.rank, this.listen]) ?? null;
    if (n < KERNEL_MIN_ROWS || this.both === null || this.both === undefined) {
      return { score: this.score(X, n, score), listen: this.listenProbability(X, n, listen) };
    }
    this.both.margins(X, n, [score, listen]);
    for (let r = 0; r < n; r++) listen[r] = 1 / (1 + Math.exp(-listen[r]!));
    return { score, listen };
  }

  save(): Uint8Array {
    return encodeArtifact(
      { model: 'ranker', modelVersion: 1, sources: this.sources, report: this.report, config: this.config },
      { rank: this.rank.save(), listen: this.listen.save() },
    );
  }

  static load(bytes: Uint8Array): Ranker {
    const { meta, arrays } = decodeArtifact(bytes, { model: 'ranker', modelVersion: 1 });
    const sources = (meta.sources as string[]).filter(isSourceName);
    return new Ranker(
      GbdtModel.load(arrays.rank as Uint8Array),
      GbdtModel.load(arrays.listen as Uint8Array),
      sources,
      meta.report as RankerReport,
      meta.config as RankerConfig,
    );
  }
}
