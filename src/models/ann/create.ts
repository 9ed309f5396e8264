import { DEFAULT_HNSW, type AnnIndex, type AnnMetric, type HnswParams } from './ann-index.js';
import { ExactIndex } from './exact.js';
import { unpackIndex } from './format.js';
import { HnswlibIndex } from './hnswlib.js';
import { UsearchIndex } from './usearch.js';

/** Options for `createIndex`; defaults in `DEFAULT_ANN`. */
export interface AnnOptions {
  metric: AnnMetric;
  /** Catalogs with fewer items than this get exact search. */
  threshold: number;
  hnsw: HnswParams;
}

/**
 * Defaults. Threshold 20,000: an exact scan of 20,000 x 64 dims runs ~2 ms a query in plain
 * JS, fast enough to serve, and is never wrong. ef 64: on 200k 64-d vectors whose clusters
 * have the local intrinsic dimension of learned embeddings (bench/ann.ts), hnswlib reaches
 * recall@10 0.997 at ~12,000 q/s on one thread; on isotropic, overlapping clusters (the worst
 * case, `bench ann --rank 64`) 0.94.
 */
export const DEFAULT_ANN: Readonly<AnnOptions> = { metric: 'cosine', threshold: 20_000, hnsw: { ...DEFAULT_HNSW } };

/**
 * An index over n x dims row-major vectors: exact below `threshold` items, HNSW above.
 *
 * The HNSW library is hnswlib-node 3.x, chosen over usearch 2.x by `npm run bench -- ann`
 * (one thread, M 16, efConstruction 200, cosine, 200k clustered 64-d vectors, 1,000
 * queries): the same recall@10 at every ef (the same algorithm: 0.859 / 0.939 / 0.978 against
 * 0.851 / 0.934 / 0.978 at ef 32 / 64 / 128), but 2.2-2.8x the queries/s through the Node
 * binding (13,300 against 4,800 q/s at ef 32; usearch pays per call for its batch API,
 * BigInt keys and a thread pool), a faster single-thread build (61 s against 89 s), the same
 * memory (77 MB saved), and its current release supports Node 20, where usearch 2.26 needs
 * Node 22 (2.25.3 is pinned). usearch stays available as `UsearchIndex` and in the benchmark.
 *
 * @example
 * const index = createIndex(itemVectors, 64, { metric: 'cosine' });
 * index.kind // 'exact' for 5,000 tracks, 'hnswlib' for 200,000
 */
export function createIndex(vectors: Float32Array, dims: number, opts: Partial<AnnOptions> = {}): AnnIndex {
  const o = { ...DEFAULT_ANN, ...opts, hnsw: { ...DEFAULT_ANN.hnsw, ...opts.hnsw } };
  if (!Number.isInteger(o.threshold) || o.threshold < 0) throw new RangeError(`createIndex: threshold must be an integer >= 0, got ${o.threshold}`);
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`createIndex: dims must be an integer >= 1, got ${dims}`);
  const n = vectors.length / dims;
  return n < o.threshold ? ExactIndex.build(vectors, dims, o.metric) : HnswlibIndex.build(vectors, dims, o.metric, o.hnsw);
}

/**
 * Restores any index from `save()`'s bytes, whichever implementation wrote them.
 *
 * @example const index = loadIndex(artifact.section('ann'));
 */
export function loadIndex(bytes: Uint8Array): AnnIndex {
  const { header } = unpackIndex(bytes);
  switch (header.kind) {
    case 'exact': return ExactIndex.load(bytes);
    case 'hnswlib': return HnswlibIndex.load(bytes);
    case 'usearch': return UsearchIndex.load(bytes);
    default: throw new RangeError(`ann index: unknown kind ${String(header.kind)}`);
  }
}
