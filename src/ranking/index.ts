export * from './gbdt/index.js';
export {
  FEATURES, F, SOURCES, SURFACES, FeatureBuilder, cosine, tempoDelta, keyDistance,
  type SourceName, type FeatureContext,
} from './features.js';
export { audioEmbedding, trackInfo, type Embedding } from '../features/index.js';
export { loadEventColumns, replay, isPlay, type EventColumns } from './replay.js';
export { Ranker, DEFAULT_RANKER, RANKER_SOURCES, rankerConfig, type RankerConfig, type RankerReport } from './ranker.js';
export { trainRanker, playLogOf } from './train-ranker.js';
export { Recommender, DEFAULT_RECOMMENDER, type RecommenderConfig, type NextRequest, type Recommendation, type Ranked as RankedCandidates } from './recommender.js';
