export { type AnnIndex, type AnnKind, type AnnMetric, type AnnResult, type HnswParams, DEFAULT_HNSW } from './ann-index.js';
export { ExactIndex } from './exact.js';
export { HnswlibIndex } from './hnswlib.js';
export { UsearchIndex, type UsearchParams } from './usearch.js';
export { createIndex, loadIndex, DEFAULT_ANN, type AnnOptions } from './create.js';
export { clusteredVectors, recallAtK, type ClusteredOptions } from './clustered.js';
