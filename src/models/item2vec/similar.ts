import { topK } from '../topk.js';

/**
 * The k items whose vectors have the highest cosine similarity with item `ix`'s, exact (a
 * full scan), best first, ties by lower index, never `ix` itself. Items with zero vectors
 * (out of the vocabulary) get no score and are left out; a zero query gives no neighbours.
 *
 * @example similar(vectors, 64, 17, 10) // { ix: Int32Array(10), scores: Float32Array(10) }
 */
export function similar(vectors: Float32Array, dims: number, ix: number, k: number): { ix: Int32Array; scores: Float32Array } {
  if (!Number.isInteger(dims) || dims < 1 || vectors.length % dims !== 0) {
    throw new RangeError(`similar: vectors.length = ${vectors.length} is not a multiple of dims = ${dims}`);
  }
  const n = vectors.length / dims;
  if (!Number.isInteger(ix) || ix < 0 || ix >= n) throw new RangeError(`similar: item ${ix} is outside 0..${n - 1}`);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`similar: k must be an integer >= 0, got ${k}`);
  const q = ix * dims;
  let qq = 0;
  for (let c = 0; c < dims; c++) qq += vectors[q + c]! * vectors[q + c]!;
  if (qq === 0) return { ix: new Int32Array(0), scores: new Float32Array(0) };
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = i * dims;
    let dot = 0, rr = 0;
    for (let c = 0; c < dims; c++) {
      const v = vectors[r + c]!;
      dot += vectors[q + c]! * v;
      rr += v * v;
    }
    scores[i] = rr === 0 ? NaN : dot / Math.sqrt(qq * rr);
  }
  return topK(scores, k, new Set([ix]));
}
