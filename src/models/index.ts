export {
  TransitionsCandidates, SknnCandidates, Item2vecCandidates, AlsCandidates, ContentCandidates, PopularityCandidates,
  type CandidateModel, type ModelName, type History, type Ranked, type PopularityList,
} from './candidate.js';
export { loadModel, modelFromArtifact } from './load.js';
export { trainModels, trainConfig, defaultTrainConfig, TRAINABLE, type Trainable, type TrainConfig, type TrainReport } from './train.js';
export {
  SOURCE_NAMES, SOURCE_TABLE, DEFAULT_SOURCES, isSourceName, sourceDefaults, trainSource,
  type SourceName, type SourceConfigs, type SourceDef, type TrainInput, type Plays, type Artifact,
} from './sources.js';
export { loadPlays, trackArtists, vocabulary, type PlayLog } from './dataset.js';
export { popularity, popularityTables, releaseMs, DEFAULT_POPULARITY, type PopularityConfig, type PopularityTables } from './popularity.js';
export { topK, Touched } from './topk.js';
export { createIndex, loadIndex, ExactIndex, HnswlibIndex, UsearchIndex, clusteredVectors, recallAtK, type AnnIndex, type AnnOptions } from './ann/index.js';
// The models themselves, for evaluation's baselines and blends, the ranker's time-split retraining and the benchmarks.
export { TransitionsModel, DEFAULT_TRANSITIONS, type TransitionsConfig } from './transitions.js';
export { SknnModel, DEFAULT_SKNN, type SknnConfig } from './sknn.js';
export { SessionVectorScorer } from './session-vector.js';
export { alsConfig, trainAls, foldIn, itemGramian, type AlsConfig } from './als/index.js';
export { corpusFromSessions, countItems, trainItem2vec, type Item2vecCorpus } from './item2vec/index.js';
export { encodeArtifact, decodeArtifact, ArtifactError, type ArtifactMeta, type TypedArray } from './artifact.js';
export { csrFromCoo, type Csr } from './csr.js';
// Synthetic data whose answer is known by construction (benchmarks of item2vec and the ANN indexes).
export { plantedSessions, clusterPrecision } from './item2vec/planted.js';
export { intrinsicDimension } from './ann/clustered.js';
