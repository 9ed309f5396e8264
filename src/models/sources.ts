import type { Store } from '../store/index.js';
import type { Track } from '../domain/index.js';
import type { ArtifactMeta, TypedArray } from './artifact.js';
import { vocabulary, type PlayLog } from './dataset.js';
import { SOURCE_NAMES, isSourceName, type SourceName } from './source-names.js';
import { AlsCandidates, ContentCandidates, Item2vecCandidates, PopularityCandidates, SknnCandidates, TransitionsCandidates, type CandidateModel } from './candidate.js';
import { csrFromCoo } from './csr.js';
import { popularityTables, releaseMs, DEFAULT_POPULARITY, type PopularityConfig } from './popularity.js';
import { TransitionsModel, DEFAULT_TRANSITIONS, type TransitionsConfig } from './transitions.js';
import { SknnModel, DEFAULT_SKNN, type SknnConfig } from './sknn.js';
import { ContentModel, DEFAULT_CONTENT, type ContentConfig } from './content.js';
import { ITEM2VEC_DEFAULTS, corpusFromSessions, trainItem2vec, type Item2vecConfig } from './item2vec/index.js';
import { defaultAlsConfig, trainAls, type AlsConfig } from './als/index.js';

/** The play log a source learns from, cut into sessions. */
export interface Plays {
  /** Every play, by listener then time. */
  log: PlayLog;
  /** Row of each session's first play, then `log.length`. */
  starts: Int32Array;
  /** 1 for the rows to learn from (all of them, for `segue train`). */
  rows: Uint8Array;
}

/** What a source's trainer is given. */
export interface TrainInput {
  store: Store;
  /** Loaded when some source being trained reads plays (`readsPlays`), else undefined. */
  plays: Plays | undefined;
  onProgress: (msg: string) => void;
  signal?: AbortSignal | undefined;
}

/** A stored artifact, decoded: the bytes, their JSON part and their arrays. */
export interface Artifact {
  bytes: Uint8Array;
  meta: ArtifactMeta;
  arrays: Record<string, TypedArray>;
}

/** One candidate source: how it trains from the store and how it loads back as a `CandidateModel`. */
export interface SourceDef<C> {
  /** The artifact version this build writes and reads (`modelVersion`); bump it with the saved layout. */
  readonly artifactVersion: number;
  /** Whether training reads the play log (`TrainInput.plays`). */
  readonly readsPlays: boolean;
  /** Its default hyper-parameters, a fresh copy per call: its section of `TrainConfig`. */
  defaults(): C;
  /** Train on everything the input holds (seeded by `cfg`; throws on abort). */
  train(input: TrainInput, cfg: C): Promise<CandidateModel>;
  load(artifact: Artifact): CandidateModel;
}

/** Types an entry: its config type is inferred once and shared by `defaults` and `train`. */
function source<C>(def: SourceDef<C>): SourceDef<C> {
  return def;
}

/** The plays of the input; a source with `readsPlays` is only trained with them loaded. */
function playsOf(input: TrainInput, name: string): Plays {
  if (!input.plays) throw new Error(`${name}: trained without the play log; its entry must say readsPlays: true`);
  return input.plays;
}

// The names are source-names.ts's (candidate.ts needs them too, and this table needs candidate.ts).
export { SOURCE_NAMES, isSourceName, type SourceName };

/** Each source's training and loading, by name. */
const TABLE = {
  transitions: source<TransitionsConfig>({
    artifactVersion: 1,
    readsPlays: true,
    defaults: () => ({ ...DEFAULT_TRANSITIONS }),
    train: async (input, cfg) => {
      const { log, starts, rows } = playsOf(input, 'transitions');
      return new TransitionsCandidates(TransitionsModel.train(log, starts, rows, cfg), log.trackIds);
    },
    load: ({ bytes, meta }) => new TransitionsCandidates(TransitionsModel.load(bytes), meta.trackIds as string[]),
  }),
  sknn: source<SknnConfig>({
    artifactVersion: 1,
    readsPlays: true,
    defaults: () => ({ ...DEFAULT_SKNN }),
    train: async (input, cfg) => {
      const { log, starts, rows } = playsOf(input, 'sknn');
      return new SknnCandidates(SknnModel.train(log, starts, rows, cfg), log.trackIds);
    },
    load: ({ bytes, meta }) => new SknnCandidates(SknnModel.load(bytes), meta.trackIds as string[]),
  }),
  item2vec: source<Item2vecConfig>({
    artifactVersion: 2,
    readsPlays: true,
    defaults: () => ({ ...ITEM2VEC_DEFAULTS }),
    train: async (input, cfg) => {
      const { log, starts } = playsOf(input, 'item2vec');
      const { onProgress, signal } = input;
      const sessions: Int32Array[] = [];
      for (let s = 0; s + 1 < starts.length; s++) if (starts[s + 1]! - starts[s]! > 1) sessions.push(log.track.subarray(starts[s]!, starts[s + 1]!));
      if (sessions.length === 0) throw new Error('item2vec: no session has two or more plays to learn from');
      const r = await trainItem2vec(corpusFromSessions(sessions), log.trackIds.length, { ...cfg, ...(signal ? { signal } : {}), onProgress: (p) => onProgress(`item2vec epoch ${p.epoch}/${cfg.epochs}`) });
      onProgress('item2vec index');
      return Item2vecCandidates.build(new Float32Array(r.vectors), r.dims, log.trackIds, { ...cfg });
    },
    load: ({ meta, arrays }) => Item2vecCandidates.load(meta, arrays),
  }),
  als: source<AlsConfig>({
    artifactVersion: 2,
    readsPlays: true,
    defaults: () => defaultAlsConfig(),
    train: async (input, cfg) => {
      const { log: l } = playsOf(input, 'als');
      const m = csrFromCoo(l.listenerIds.length, l.trackIds.length, l.listener, l.track, l.weight);
      const f = await trainAls(m, { ...cfg, ...(input.signal ? { signal: input.signal } : {}), onProgress: (p) => input.onProgress(`als epoch ${p.epoch}/${p.epochs}`) });
      input.onProgress('als index');
      return AlsCandidates.build(new Float32Array(f.userFactors), new Float32Array(f.itemFactors), f.dims, l.listenerIds, l.trackIds, cfg);
    },
    load: ({ meta, arrays }) => AlsCandidates.load(meta, arrays),
  }),
  content: source<ContentConfig>({
    artifactVersion: 1,
    readsPlays: false,
    defaults: () => ({ ...DEFAULT_CONTENT }),
    train: async ({ store }, cfg) => {
      const tracks: Track[] = [];
      for await (const b of store.catalog.scanTracks()) tracks.push(...b);
      return new ContentCandidates(ContentModel.train(tracks, cfg));
    },
    load: ({ bytes }) => new ContentCandidates(ContentModel.load(bytes)),
  }),
  popularity: source<PopularityConfig>({
    artifactVersion: 2,
    readsPlays: true,
    defaults: () => ({ ...DEFAULT_POPULARITY }),
    train: async (input, cfg) => {
      const { log, rows } = playsOf(input, 'popularity');
      const release = new Float64Array(log.trackIds.length).fill(NaN);
      const ix = vocabulary(log.trackIds);
      for await (const b of input.store.catalog.scanTracks()) for (const tr of b) {
        const i = ix(tr.id);
        if (i >= 0) release[i] = releaseMs(tr.releaseDate ?? tr.album?.releaseDate);
      }
      return new PopularityCandidates(popularityTables(log, release, cfg, rows), log.trackIds, { ...cfg });
    },
    load: ({ meta, arrays }) => PopularityCandidates.load(meta, arrays),
  }),
} satisfies { readonly [N in SourceName]: SourceDef<unknown> };

/** Each source's hyper-parameters, by name (the per-source sections of `TrainConfig`). */
export type SourceConfigs = { [N in SourceName]: (typeof TABLE)[N] extends SourceDef<infer C> ? C : never };

/**
 * The table, typed so that a source's entry and its config section go together: for a name
 * `n`, `SOURCE_TABLE[n].train(input, cfg[n])` type-checks.
 */
export const SOURCE_TABLE: { readonly [N in SourceName]: SourceDef<SourceConfigs[N]> } = TABLE;

/**
 * The default serving set: what `segue demo` trains and the ranker ranks (ranking's
 * `RANKER_SOURCES`: ranking/train-ranker.ts retrains each inside its time split), and what the
 * closed-loop, off-policy and simulated A/B worlds train.
 *
 * @example await trainModels(store, DEFAULT_SOURCES)
 */
export const DEFAULT_SOURCES = ['transitions', 'sknn', 'popularity'] as const satisfies readonly SourceName[];

/** A fresh copy of every source's default hyper-parameters, by name, in the table's order. */
export function sourceDefaults(): SourceConfigs {
  const out: Partial<SourceConfigs> = {};
  for (const name of SOURCE_NAMES) setDefaults(out, name);
  return out as SourceConfigs; // every name was filled just above
}

function setDefaults<N extends SourceName>(out: Partial<SourceConfigs>, name: N): void {
  out[name] = SOURCE_TABLE[name].defaults();
}

/**
 * Train one source with its own config section.
 *
 * @example const m = await trainSource('sknn', input, trainConfig({ sknn: { k: 50 } }))
 */
export function trainSource<N extends SourceName>(name: N, input: TrainInput, cfg: SourceConfigs): Promise<CandidateModel> {
  return SOURCE_TABLE[name].train(input, cfg[name]);
}
