export { quantileBins, applyBins, binOf, type Binning } from './binning.js';
export { GbdtModel, type GbdtObjective } from './model.js';
export { trainGbdt, GBDT_DEFAULTS, type GbdtParams, type GbdtData, type GbdtTrainOptions, type GbdtTrainResult, type GbdtProgress } from './train.js';
export { auc, logLoss, ndcgAt } from './metrics.js';
