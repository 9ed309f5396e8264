import hnswlibNode from 'hnswlib-node';
import { checkQuery, checkVectors, DEFAULT_HNSW, sortResult, type AnnIndex, type AnnMetric, type AnnResult, type HnswParams } from './ann-index.js';
import { packIndex, unpackIndex } from './format.js';
import { bytesVia, readVia } from './temp-file.js';

const { HierarchicalNSW } = hnswlibNode;
type Native = InstanceType<typeof HierarchicalNSW>;

/**
 * HNSW from hnswlib-node 3.x (N-API bindings of nmslib/hnswlib). Build inserts one row at a
 * time on the calling thread. Exclusions are honoured by fetching k + |exclude| and
 * filtering, not by hnswlib's filter callback, which would call into JS for every candidate.
 *
 * @example
 * const index = HnswlibIndex.build(vectors, 64, 'cosine', { m: 16, efConstruction: 200, ef: 64, seed: 100 });
 * index.query(vectors.subarray(0, 64), 10) // { ix, scores }, about 0.99 recall@10
 */
export class HnswlibIndex implements AnnIndex {
  readonly kind = 'hnswlib' as const;

  private constructor(
    readonly metric: AnnMetric,
    readonly dims: number,
    readonly size: number,
    readonly params: HnswParams,
    private readonly native: Native,
  ) {}

  static build(vectors: Float32Array, dims: number, metric: AnnMetric, params: Partial<HnswParams> = {}): HnswlibIndex {
    const n = checkVectors('HnswlibIndex.build', vectors, dims);
    const p = { ...DEFAULT_HNSW, ...params };
    const native = new HierarchicalNSW(metric === 'cosine' ? 'cosine' : 'ip', dims);
    native.initIndex({ maxElements: Math.max(1, n), m: p.m, efConstruction: p.efConstruction, randomSeed: p.seed });
    const row: number[] = new Array<number>(dims);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < dims; c++) row[c] = vectors[i * dims + c]!;
      native.addPoint(row, i);
    }
    native.setEf(p.ef);
    return new HnswlibIndex(metric, dims, n, p, native);
  }

  static load(bytes: Uint8Array): HnswlibIndex {
    const { header, payload } = unpackIndex(bytes, 'hnswlib');
    const p = { ...DEFAULT_HNSW, ...header.params };
    const native = new HierarchicalNSW(header.metric === 'cosine' ? 'cosine' : 'ip', header.dims);
    readVia(payload, (path) => native.readIndexSync(path));
    native.setEf(p.ef);
    return new HnswlibIndex(header.metric, header.dims, header.size, p, native);
  }

  /** Changes the search candidate list size (recall against speed); saved with the index. */
  setEf(ef: number): void {
    if (!Number.isInteger(ef) || ef < 1) throw new RangeError(`HnswlibIndex.setEf: ef must be an integer >= 1, got ${ef}`);
    this.params.ef = ef;
    this.native.setEf(ef);
  }

  query(vector: Float32Array, k: number, exclude?: ReadonlySet<number>): AnnResult {
    checkQuery('HnswlibIndex.query', vector, this.dims, k);
    const fetch = Math.min(this.size, k + (exclude?.size ?? 0));
    if (fetch === 0 || (this.metric === 'cosine' && vector.every((v) => v === 0))) return { ix: new Int32Array(0), scores: new Float32Array(0) };
    const { neighbors, distances } = this.native.searchKnn(Array.from(vector), fetch);
    const ix = new Int32Array(Math.min(k, neighbors.length));
    const scores = new Float32Array(ix.length);
    // hnswlib returns distances 1 - similarity, nearest first.
    let m = 0;
    for (let j = 0; j < neighbors.length && m < ix.length; j++) {
      if (exclude !== undefined && exclude.has(neighbors[j]!)) continue;
      ix[m] = neighbors[j]!;
      scores[m++] = 1 - distances[j]!;
    }
    const out = { ix: ix.subarray(0, m), scores: scores.subarray(0, m) };
    sortResult(out.ix, out.scores);
    return out;
  }

  save(): Uint8Array {
    const payload = bytesVia((path) => this.native.writeIndexSync(path));
    const { m, efConstruction, ef, seed } = this.params;
    return packIndex({ kind: 'hnswlib', metric: this.metric, dims: this.dims, size: this.size, params: { m, efConstruction, ef, seed } }, payload);
  }
}
