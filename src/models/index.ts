export {
  loadModel, modelFromArtifact, TransitionsCandidates, SknnCandidates, Item2vecCandidates, AlsCandidates, ContentCandidates, PopularityCandidates,
  type CandidateModel, type ModelName, type History, type Ranked, type PopularityList,
} from './candidate.js';
export { trainModels, trainConfig, defaultTrainConfig, TRAINABLE, type Trainable, type TrainConfig, type TrainReport } from './train.js';
export {
  SOURCE_NAMES, SOURCE_TABLE, DEFAULT_SOURCES, isSourceName, sourceDefaults, trainSource,
  type SourceName, type SourceConfigs, type SourceDef, type TrainInput, type Plays, type Artifact,
} from './sources.js';
export { loadPlays, vocabulary, type PlayLog } from './dataset.js';
export { popularity, popularityTables, releaseMs, DEFAULT_POPULARITY, type PopularityConfig, type PopularityTables } from './popularity.js';
export { topK } from './topk.js';
export { createIndex, loadIndex, type AnnIndex, type AnnOptions } from './ann/index.js';
