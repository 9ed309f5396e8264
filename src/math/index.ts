export { Rng, derive, deriveSeed, logFactorial } from './random.js';
export { AliasTable, CumulativeSampler } from './alias.js';
export { workerEntry } from './worker-url.js';
