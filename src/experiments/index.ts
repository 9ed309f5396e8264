export * from './types.js';
export * from './stats.js';
export { Assigner, hash01, variantOf, createExperiment, getExperiment, startExperiment, stopExperiment, shipExperiment, fromStored, type Assignment } from './assign.js';
export { experimentReport, type ExperimentReport, type MetricResult, type SequentialLook } from './report.js';
export { simulateAb, type SimulatedAbOptions, type SimulatedAbResult } from './simulate.js';
