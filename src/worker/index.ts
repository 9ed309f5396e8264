export { Worker, type WorkerOptions } from './worker.js';
export { WorkerMetrics } from './metrics.js';
export { startWorker, type WorkerConfig, type RunningWorker } from './run.js';
