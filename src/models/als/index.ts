export { alsConfig, defaultAlsConfig, type AlsConfig } from './config.js';
export { trainAls, foldIn, itemGramian, AlsDivergedError, type AlsFactors, type AlsProgress, type AlsTrainOptions } from './train.js';
