export * from './types.js';
export * from './stats.js';
export { Assigner, INTERLEAVED, hash01, variantOf, createExperiment, getExperiment, startExperiment, stopExperiment, shipExperiment, fromStored, type Assignment } from './assign.js';
export { experimentReport, ATTRIBUTION_GRACE_MS, type ExperimentReport, type MetricResult, type SequentialLook } from './report.js';
export { simulateAb, simulateInterleaving, simulateServed, type ServedWorldOptions, type ServedTruth, type SimulatedAbOptions, type SimulatedAbResult, type SimulatedInterleavingResult } from './simulate.js';
export { interleavingReport, readInterleavingLog, analyzeInterleaving, type InterleavingLog, type InterleavingReport } from './interleaving.js';
export { signTest, confidenceSequence, logMixtureRatio, listenersForPower, MIXTURE_K, type Tally } from './preference.js';
