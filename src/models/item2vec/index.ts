export { ITEM2VEC_DEFAULTS, item2vecConfig, type Item2vecConfig } from './config.js';
export { corpusFromSessions, countItems, validateCorpus, type Item2vecCorpus } from './corpus.js';
export { trainItem2vec, type Item2vecOptions, type Item2vecProgress, type Item2vecResult } from './train.js';
export { similar } from './similar.js';
