export * from './metrics.js';
export * from './split.js';
export * from './next-track.js';
export * from './run.js';
export * from './blend.js';
export * from './holdout.js';
export * from './skip.js';
export * from './closed-loop.js';
