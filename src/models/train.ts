import type { Store, ModelMeta } from '../store/index.js';
import { DEFAULT_SESSION_GAP_MINUTES, sessionStarts } from '../domain/index.js';
import { loadPlays } from './dataset.js';
import { SOURCE_NAMES, SOURCE_TABLE, sourceDefaults, trainSource, type SourceConfigs, type SourceName, type TrainInput } from './sources.js';

/** The models `segue train --models` trains: every candidate source (models/sources.ts). */
export const TRAINABLE: readonly SourceName[] = SOURCE_NAMES;
export type Trainable = SourceName;

/**
 * Hyper-parameters of every model, one section per source (its entry's `defaults()` in
 * models/sources.ts); a config file gives any subset (see docs/models.md, "Training config").
 */
export interface TrainConfig extends SourceConfigs {
  /** Gap that cuts sessions for the session models, in minutes. Default 30. */
  sessionGapMinutes: number;
}

export function defaultTrainConfig(): TrainConfig {
  return { sessionGapMinutes: DEFAULT_SESSION_GAP_MINUTES, ...sourceDefaults() };
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
  const needsPlays = models.some((m) => SOURCE_TABLE[m].readsPlays);
  const log = needsPlays ? await loadPlays(store, signal ? { signal } : {}) : undefined;
  const input: TrainInput = {
    store,
    plays: log ? { log, starts: sessionStarts(log.listener, log.ts, cfg.sessionGapMinutes * 60_000), rows: new Uint8Array(log.length).fill(1) } : undefined,
    onProgress,
    signal,
  };
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
    await save(model, t, (await trainSource(model, input, cfg)).save());
  }
  return reports;
}
