import type { Store, ModelMeta } from '../store/index.js';
import { DEFAULT_SESSION_GAP_MINUTES, sessionStarts, type Track } from '../domain/index.js';
import { loadPlays, vocabulary, type PlayLog } from './dataset.js';
import { AlsCandidates, Item2vecCandidates, PopularityCandidates } from './candidate.js';
import { csrFromCoo } from './csr.js';
import { popularityTables, releaseMs, DEFAULT_POPULARITY, type PopularityConfig } from './popularity.js';
import { TransitionsModel, DEFAULT_TRANSITIONS, type TransitionsConfig } from './transitions.js';
import { SknnModel, DEFAULT_SKNN, type SknnConfig } from './sknn.js';
import { ContentModel, DEFAULT_CONTENT, type ContentConfig } from './content.js';
import { ITEM2VEC_DEFAULTS, corpusFromSessions, trainItem2vec, type Item2vecConfig } from './item2vec/index.js';
import { defaultAlsConfig, trainAls, type AlsConfig } from './als/index.js';

export const TRAINABLE = ['transitions', 'sknn', 'item2vec', 'als', 'content', 'popularity'] as const;
export type Trainable = (typeof TRAINABLE)[number];

/** Hyper-parameters of every model; a config file gives any subset (see README "Training"). */
export interface TrainConfig {
  /** Gap that cuts sessions for the session models, in minutes. Default 30. */
  sessionGapMinutes: number;
  transitions: TransitionsConfig;
  sknn: SknnConfig;
  item2vec: Item2vecConfig;
  als: AlsConfig;
  content: ContentConfig;
  popularity: PopularityConfig;
}

export function defaultTrainConfig(): TrainConfig {
  return {
    sessionGapMinutes: DEFAULT_SESSION_GAP_MINUTES,
    transitions: { ...DEFAULT_TRANSITIONS },
    sknn: { ...DEFAULT_SKNN },
    item2vec: { ...ITEM2VEC_DEFAULTS },
    als: defaultAlsConfig(),
    content: { ...DEFAULT_CONTENT },
    popularity: { ...DEFAULT_POPULARITY },
  };
}

/**
 * Merge a partial config (e.g. parsed from a JSON file) over the defaults, refusing keys
 * that do not exist and values of the wrong type: `item2vec.dimz: unknown key`.
 */
export function trainConfig(partial: unknown): TrainConfig {
  const out = defaultTrainConfig() as unknown as Record<string, unknown>;
  if (partial === undefined) return out as unknown as TrainConfig;
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) throw new TypeError('config: expected a JSON object');
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in out)) throw new TypeError(`config.${k}: unknown key; keys: ${Object.keys(out).join(', ')}`);
    const def = out[k];
    if (typeof def === 'object' && def !== null) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`config.${k}: expected an object`);
      const section = def as Record<string, unknown>;
      for (const [kk, vv] of Object.entries(v)) {
        if (!(kk in section)) throw new TypeError(`config.${k}.${kk}: unknown key; keys: ${Object.keys(section).join(', ')}`);
        if (typeof vv !== typeof section[kk]) throw new TypeError(`config.${k}.${kk}: expected a ${typeof section[kk]}, got ${JSON.stringify(vv)}`);
        section[kk] = vv;
      }
    } else {
      if (typeof v !== typeof def) throw new TypeError(`config.${k}: expected a ${typeof def}, got ${JSON.stringify(v)}`);
      out[k] = v;
    }
  }
  return out as unknown as TrainConfig;
}

export interface TrainReport {
  model: Trainable;
  version: number;
  seconds: number;
  bytes: number;
}


/**
 * `segue train`: train the chosen models on everything in the store and save each as a new
 * version in the model registry. Artifacts carry the config and the track vocabulary.
 */
export async function trainModels(
  store: Store,
  models: readonly Trainable[],
  cfg: TrainConfig = defaultTrainConfig(),
  onProgress: (msg: string) => void = () => {},
  signal?: AbortSignal,
): Promise<TrainReport[]> {
  const reports: TrainReport[] = [];
  const needsPlays = models.some((m) => m !== 'content');
  const log = needsPlays ? await loadPlays(store, signal ? { signal } : {}) : undefined;
  const all = log ? new Uint8Array(log.length).fill(1) : undefined;
  const starts = log ? sessionStarts(log.listener, log.ts, cfg.sessionGapMinutes * 60_000) : undefined;
  const info = { trainedAt: new Date().toISOString(), plays: log?.length ?? 0 };
  const save = async (model: Trainable, started: number, bytes: Uint8Array): Promise<ModelMeta> => {
    const meta = await store.models.put(model, bytes, { ...info, seconds: (performance.now() - started) / 1000 });
    reports.push({ model, version: meta.version, seconds: (performance.now() - started) / 1000, bytes: bytes.byteLength });
    return meta;
  };
  for (const model of models) {
    if (signal?.aborted) throw new Error('training aborted');
    onProgress(`training ${model}`);
    const t = performance.now();
    const vocab = { trackIds: log?.trackIds ?? [] };
    switch (model) {
      case 'transitions':
        await save(model, t, TransitionsModel.train(log!, starts!, all, cfg.transitions).save(vocab));
        break;
      case 'sknn':
        await save(model, t, SknnModel.train(log!, starts!, all, cfg.sknn).save(vocab));
        break;
      case 'popularity': {
        const release = new Float64Array(log!.trackIds.length).fill(NaN);
        const ix = vocabulary(log!.trackIds);
        for await (const b of store.catalog.scanTracks()) for (const tr of b) {
          const i = ix(tr.id);
          if (i >= 0) release[i] = releaseMs(tr.releaseDate ?? tr.album?.releaseDate);
        }
        const tables = popularityTables(log!, release, cfg.popularity, all);
        await save(model, t, new PopularityCandidates(tables, vocab.trackIds, { ...cfg.popularity }).save());
        break;
      }
      case 'item2vec': {
        const sessions: Int32Array[] = [];
        for (let s = 0; s + 1 < starts!.length; s++) if (starts![s + 1]! - starts![s]! > 1) sessions.push(log!.track.subarray(starts![s]!, starts![s + 1]!));
        if (sessions.length === 0) throw new Error('item2vec: no session has two or more plays to learn from');
        const r = await trainItem2vec(corpusFromSessions(sessions), log!.trackIds.length, { ...cfg.item2vec, ...(signal ? { signal } : {}), onProgress: (p) => onProgress(`item2vec epoch ${p.epoch}/${cfg.item2vec.epochs}`) });
        onProgress('item2vec index');
        await save(model, t, Item2vecCandidates.build(new Float32Array(r.vectors), r.dims, vocab.trackIds, { ...cfg.item2vec }).save());
        break;
      }
      case 'als': {
        const l = log!;
        const m = csrFromCoo(l.listenerIds.length, l.trackIds.length, l.listener, l.track, l.weight);
        const f = await trainAls(m, { ...cfg.als, ...(signal ? { signal } : {}), onProgress: (p) => onProgress(`als epoch ${p.epoch}/${p.epochs}`) });
        onProgress('als index');
        await save(model, t, AlsCandidates.build(new Float32Array(f.userFactors), new Float32Array(f.itemFactors), f.dims, l.listenerIds, vocab.trackIds, cfg.als).save());
        break;
      }
      case 'content': {
        const tracks: Track[] = [];
        for await (const b of store.catalog.scanTracks()) tracks.push(...b);
        await save(model, t, ContentModel.train(tracks, cfg.content).save());
        break;
      }
    }
  }
  return reports;
}
