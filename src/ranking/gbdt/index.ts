export { quantileBins, applyBins, binColumns, binOf, type Binning } from './binning.js';
export { GbdtModel, KERNEL_MIN_ROWS, type GbdtObjective } from './model.js';
export { ForestKernel, type TreeArrays } from './forest.js';
export { trainGbdt, GBDT_DEFAULTS, type GbdtParams, type GbdtData, type GbdtTrainOptions, type GbdtTrainResult, type GbdtProgress } from './train.js';
export { auc, logLoss, ndcgAt } from './metrics.js';
