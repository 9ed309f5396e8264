/**
 * Nearest-neighbour search over a fixed set of item vectors: what embedding models use to
 * answer `neighbours` and `recommend`. Exact below a catalog-size threshold (exact.ts), an
 * HNSW graph from a native library above it (see create.ts for which and why).
 */

/** `cosine` compares directions (rows and queries are normalized); `ip` is the raw dot product. */
export type AnnMetric = 'cosine' | 'ip';

/** The implementations, as recorded in a saved index. */
export type AnnKind = 'exact' | 'hnswlib' | 'usearch';

/** Parallel arrays, best first: item indexes and their similarity (cosine or dot product). */
export interface AnnResult {
  ix: Int32Array;
  scores: Float32Array;
}

/**
 * A built index over n item vectors of `dims` each; item i is row i of the build matrix.
 *
 * @example
 * const index = createIndex(vectors, 64, { metric: 'cosine' });
 * const { ix, scores } = index.query(vectors.subarray(0, 64), 10, new Set([0]));
 * const again = loadIndex(index.save()); // same answers
 */
export interface AnnIndex {
  readonly kind: AnnKind;
  readonly metric: AnnMetric;
  readonly dims: number;
  /** Number of items. */
  readonly size: number;
  /**
   * The k items most similar to `vector` (length dims), best first, never one in `exclude`.
   * Fewer than k when the index has fewer items left. Ties break by lower index among the
   * items found (an approximate index may miss some).
   */
  query(vector: Float32Array, k: number, exclude?: ReadonlySet<number>): AnnResult;
  /** Bytes that `loadIndex` (or the class's static `load`) restores to identical answers. */
  save(): Uint8Array;
}

/** Graph parameters for the HNSW implementations (Malkov & Yashunin 2018, arXiv:1603.09320). */
export interface HnswParams {
  /** Links per node (hnswlib M, usearch connectivity). */
  m: number;
  /** Candidate list size while building. */
  efConstruction: number;
  /** Candidate list size while searching: raise for recall, lower for speed. */
  ef: number;
  /** Seed for the level of each inserted node (hnswlib; usearch fixes its own). */
  seed: number;
}

export const DEFAULT_HNSW: Readonly<HnswParams> = { m: 16, efConstruction: 200, ef: 64, seed: 100 };

/** Checks the build input at the exported edge; returns n. */
export function checkVectors(where: string, vectors: Float32Array, dims: number): number {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`${where}: dims must be an integer >= 1, got ${dims}`);
  if (vectors.length % dims !== 0) throw new RangeError(`${where}: vectors.length = ${vectors.length} is not a multiple of dims = ${dims}`);
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${where}: vector ${Math.floor(i / dims)} has a non-finite value ${v} at ${i % dims}; check the model's training for divergence`);
  }
  return vectors.length / dims;
}

/** Checks a query at the exported edge. */
export function checkQuery(where: string, vector: Float32Array, dims: number, k: number): void {
  if (vector.length !== dims) throw new RangeError(`${where}: query has length ${vector.length}, expected dims = ${dims}`);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`${where}: k must be an integer >= 0, got ${k}`);
}

/** Sorts parallel arrays best first, ties by lower index, in place (k is small). */
export function sortResult(ix: Int32Array, scores: Float32Array): void {
  for (let i = 1; i < ix.length; i++) {
    const ti = ix[i]!, ts = scores[i]!;
    let j = i - 1;
    while (j >= 0 && (scores[j]! < ts || (scores[j] === ts && ix[j]! > ti))) {
      ix[j + 1] = ix[j]!; scores[j + 1] = scores[j]!;
      j--;
    }
    ix[j + 1] = ti; scores[j + 1] = ts;
  }
}

/** A unit-length copy of each row (zero rows stay zero). */
export function normalizedRows(vectors: Float32Array, dims: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let r = 0; r < vectors.length; r += dims) {
    let ss = 0;
    for (let c = 0; c < dims; c++) ss += vectors[r + c]! * vectors[r + c]!;
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let c = 0; c < dims; c++) out[r + c] = vectors[r + c]! * inv;
  }
  return out;
}
