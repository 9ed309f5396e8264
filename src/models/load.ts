import type { Store } from '../store/index.js';
import { decodeArtifact } from './artifact.js';
import type { CandidateModel, ModelName } from './candidate.js';
import { SOURCE_TABLE, isSourceName } from './sources.js';

/**
 * A model from its artifact bytes, whichever model wrote them (each source's `load` in
 * models/sources.ts, at the artifact version its entry reads).
 *
 * @example const m = modelFromArtifact(bytes); m.neighbours(m.trackIndex('t42'), 10)
 */
export function modelFromArtifact(bytes: Uint8Array): CandidateModel {
  const { meta, arrays } = decodeArtifact(bytes);
  const name = meta.model;
  if (!(typeof name === 'string' && isSourceName(name))) throw new RangeError(`model artifact: unknown model ${JSON.stringify(meta.model)}`);
  const source = SOURCE_TABLE[name];
  if (meta.modelVersion !== source.artifactVersion) {
    throw new RangeError(`model artifact: ${name} version ${meta.modelVersion} is not readable by this build (reads ${source.artifactVersion}); run \`segue train --models ${name}\` again`);
  }
  return source.load({ bytes, meta, arrays });
}

/**
 * The latest (or a given) version of a trained model from the store's registry.
 *
 * @example const als = await loadModel(store, 'als'); als.recommend({ tracks, listener: 'u1' }, 50)
 */
export async function loadModel(store: Store, name: ModelName, version?: number): Promise<CandidateModel & { version: number }> {
  const got = await store.models.get(name, version);
  if (!got) throw new RangeError(version === undefined ? `no trained ${name} model in the store; run \`segue train --models ${name}\`` : `no ${name} model version ${version} in the store`);
  const m = modelFromArtifact(got.data) as CandidateModel & { version: number };
  Object.defineProperty(m, 'version', { value: got.meta.version, enumerable: true });
  return m;
}
