import { topK } from '../topk.js';
import { checkQuery, checkVectors, normalizedRows, type AnnIndex, type AnnMetric, type AnnResult } from './ann-index.js';
import { packIndex, unpackIndex } from './format.js';

/**
 * Exact search: a full scan of n dot products and a top-k heap (`topK`), ties by lower
 * index. The reference every approximate index is tested against, and the index used below
 * the size threshold, where a scan is fast enough (n = 20,000 x 64 dims is ~2 ms a query).
 * For `cosine` the rows are stored normalized; a zero query has no neighbours.
 *
 * @example
 * const index = ExactIndex.build(Float32Array.of(1, 0, 0, 1, 1, 1), 2, 'cosine');
 * index.query(Float32Array.of(1, 0), 1) // { ix: [0], scores: [1] }
 */
export class ExactIndex implements AnnIndex {
  readonly kind = 'exact' as const;
  readonly size: number;

  private constructor(readonly metric: AnnMetric, readonly dims: number, private readonly rows: Float32Array) {
    this.size = rows.length / dims;
  }

  /** Indexes a row-major n x dims matrix (copied). */
  static build(vectors: Float32Array, dims: number, metric: AnnMetric): ExactIndex {
    checkVectors('ExactIndex.build', vectors, dims);
    return new ExactIndex(metric, dims, metric === 'cosine' ? normalizedRows(vectors, dims) : vectors.slice());
  }

  /** Restores what `save` wrote. */
  static load(bytes: Uint8Array): ExactIndex {
    const { header, payload } = unpackIndex(bytes, 'exact');
    if (payload.length !== header.size * header.dims * 4) {
      throw new RangeError(`ann index: exact payload has ${payload.length} bytes, expected ${header.size} x ${header.dims} x 4`);
    }
    // Copy into a fresh, aligned buffer: the caller may reuse theirs.
    const rows = new Float32Array(header.size * header.dims);
    new Uint8Array(rows.buffer).set(payload);
    return new ExactIndex(header.metric, header.dims, rows);
  }

  query(vector: Float32Array, k: number, exclude?: ReadonlySet<number>): AnnResult {
    checkQuery('ExactIndex.query', vector, this.dims, k);
    const { dims, rows, size } = this;
    let q = vector;
    if (this.metric === 'cosine') {
      q = normalizedRows(vector, dims);
      if (q.every((v) => v === 0)) return { ix: new Int32Array(0), scores: new Float32Array(0) };
    }
    if (k === 0) return { ix: new Int32Array(0), scores: new Float32Array(0) };
    const scores = new Float32Array(size);
    for (let i = 0, r = 0; i < size; i++, r += dims) {
      let dot = 0;
      for (let c = 0; c < dims; c++) dot += q[c]! * rows[r + c]!;
      scores[i] = dot;
    }
    return topK(scores, k, exclude);
  }

  save(): Uint8Array {
    const { rows } = this;
    return packIndex({ kind: 'exact', metric: this.metric, dims: this.dims, size: this.size }, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  }
}
