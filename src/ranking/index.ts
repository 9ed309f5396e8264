export * from './gbdt/index.js';
export {
  FEATURES, F, SOURCES, SURFACES, FeatureBuilder, audioEmbedding, cosine, tempoDelta, keyDistance,
  type SourceName, type Embedding, type FeatureContext,
} from './features.js';
export { loadEventColumns, replay, isPlay, trackInfo, type EventColumns } from './replay.js';
