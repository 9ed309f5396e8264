import { Index, MetricKind, ScalarKind } from 'usearch';
import { checkQuery, checkVectors, DEFAULT_HNSW, sortResult, type AnnIndex, type AnnMetric, type AnnResult, type HnswParams } from './ann-index.js';
import { packIndex, unpackIndex } from './format.js';
import { bytesVia, readVia } from './temp-file.js';

/** Build options beyond the graph: usearch inserts in parallel. */
export interface UsearchParams extends HnswParams {
  /** Build threads; 0 means all cores. Search always runs on the calling thread. */
  threads: number;
}

function nativeIndex(metric: AnnMetric, dims: number, p: HnswParams): Index {
  return new Index({
    dimensions: dims,
    metric: metric === 'cosine' ? MetricKind.Cos : MetricKind.IP,
    quantization: ScalarKind.F32,
    connectivity: p.m,
    expansion_add: p.efConstruction,
    expansion_search: p.ef,
    multi: false,
  });
}

/**
 * HNSW from usearch 2.x (unum-cloud/USearch, N-API bindings of its C++ core, SIMD distances
 * from its bundled kernels). Keys are the row indexes. Exclusions: fetch k + |exclude| and
 * filter. `ef` (expansion_search) is fixed when the native index is made.
 *
 * @example
 * const index = UsearchIndex.build(vectors, 64, 'cosine', { m: 16, efConstruction: 200, ef: 64, threads: 1 });
 * index.query(vectors.subarray(0, 64), 10) // { ix, scores }
 */
export class UsearchIndex implements AnnIndex {
  readonly kind = 'usearch' as const;

  private constructor(
    readonly metric: AnnMetric,
    readonly dims: number,
    readonly size: number,
    readonly params: HnswParams,
    private native: Index,
  ) {}

  static build(vectors: Float32Array, dims: number, metric: AnnMetric, params: Partial<UsearchParams> = {}): UsearchIndex {
    const n = checkVectors('UsearchIndex.build', vectors, dims);
    const { threads = 0, ...rest } = params;
    const p = { ...DEFAULT_HNSW, ...rest };
    const native = nativeIndex(metric, dims, p);
    if (n > 0) {
      const keys = new BigUint64Array(n);
      for (let i = 0; i < n; i++) keys[i] = BigInt(i);
      native.add(keys, vectors, threads);
    }
    return new UsearchIndex(metric, dims, n, p, native);
  }

  static load(bytes: Uint8Array): UsearchIndex {
    const { header, payload } = unpackIndex(bytes, 'usearch');
    const p = { ...DEFAULT_HNSW, ...header.params };
    const native = nativeIndex(header.metric, header.dims, p);
    if (header.size > 0) readVia(payload, (path) => native.load(path));
    return new UsearchIndex(header.metric, header.dims, header.size, p, native);
  }

  /**
   * Changes the search candidate list size (recall against speed); saved with the index.
   * usearch fixes it when the native index is made, so this reloads the graph (one copy).
   */
  setEf(ef: number): void {
    if (!Number.isInteger(ef) || ef < 1) throw new RangeError(`UsearchIndex.setEf: ef must be an integer >= 1, got ${ef}`);
    if (ef === this.params.ef) return;
    this.params.ef = ef;
    const next = UsearchIndex.load(this.save());
    this.native = next.native;
  }

  query(vector: Float32Array, k: number, exclude?: ReadonlySet<number>): AnnResult {
    checkQuery('UsearchIndex.query', vector, this.dims, k);
    const fetch = Math.min(this.size, k + (exclude?.size ?? 0));
    if (fetch === 0 || (this.metric === 'cosine' && vector.every((v) => v === 0))) return { ix: new Int32Array(0), scores: new Float32Array(0) };
    const { keys, distances } = this.native.search(vector, fetch, 1);
    const ix = new Int32Array(Math.min(k, keys.length));
    const scores = new Float32Array(ix.length);
    // usearch returns distances 1 - similarity, nearest first.
    let m = 0;
    for (let j = 0; j < keys.length && m < ix.length; j++) {
      const i = Number(keys[j]!);
      if (exclude !== undefined && exclude.has(i)) continue;
      ix[m] = i;
      scores[m++] = 1 - distances[j]!;
    }
    const out = { ix: ix.subarray(0, m), scores: scores.subarray(0, m) };
    sortResult(out.ix, out.scores);
    return out;
  }

  save(): Uint8Array {
    const payload = this.size > 0 ? bytesVia((path) => this.native.save(path)) : new Uint8Array(0);
    const { m, efConstruction, ef, seed } = this.params;
    return packIndex({ kind: 'usearch', metric: this.metric, dims: this.dims, size: this.size, params: { m, efConstruction, ef, seed } }, payload);
  }
}
