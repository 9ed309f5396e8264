export { Rng, derive, deriveSeed, logFactorial } from './random.js';
export { kmeans, type KMeansResult } from './kmeans.js';
export { AliasTable, CumulativeSampler } from './alias.js';
export { workerEntry } from './worker-url.js';
// wabt loads on the first compileWat, not with this index (most importers never compile a kernel).
export { compileWat, compileWatSync, instantiate, heapBytes, WasmHeap, MAX_HEAP_BYTES, type HeapArray } from './wasm.js';
export { v128Load, watDot } from './wat.js';
export { assembleWat } from './wat-binary.js';
