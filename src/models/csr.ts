/**
 * A sparse matrix in compressed sparse row form: row r's entries are
 * indices[indptr[r] .. indptr[r+1]) with values in data at the same positions.
 * Rows are listeners (or sessions), columns tracks, in the models' dense ixs.
 */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/**
 * Build a CSR matrix from coordinate triples, summing duplicates, with each row's columns sorted.
 *
 * @example csrFromCoo(2, 3, Int32Array.of(0, 1, 0), Int32Array.of(2, 0, 2), Float32Array.of(1, 1, 1))
 *   // row 0: col 2 = 2; row 1: col 0 = 1
 */
export function csrFromCoo(rows: number, cols: number, r: Int32Array, c: Int32Array, v: Float32Array): Csr {
  if (r.length !== c.length || r.length !== v.length) throw new RangeError(`csrFromCoo: ${r.length} rows, ${c.length} cols, ${v.length} values`);
  const counts = new Int32Array(rows + 1);
  for (let i = 0; i < r.length; i++) {
    const ri = r[i]!, ci = c[i]!;
    if (ri < 0 || ri >= rows || ci < 0 || ci >= cols) throw new RangeError(`csrFromCoo: entry ${i} (${ri}, ${ci}) outside ${rows} x ${cols}`);
    counts[ri + 1]!++;
  }
  for (let i = 0; i < rows; i++) counts[i + 1]! += counts[i]!;
  const pos = counts.slice(0, rows);
  const idx = new Int32Array(r.length);
  const val = new Float32Array(r.length);
  for (let i = 0; i < r.length; i++) {
    const p = pos[r[i]!]!++;
    idx[p] = c[i]!;
    val[p] = v[i]!;
  }
  // Sort each row by column and merge duplicates.
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(r.length);
  const data = new Float32Array(r.length);
  let out = 0;
  const order: number[] = [];
  for (let row = 0; row < rows; row++) {
    const lo = counts[row]!, hi = counts[row + 1]!;
    order.length = 0;
    for (let p = lo; p < hi; p++) order.push(p);
    order.sort((a, b) => idx[a]! - idx[b]!);
    let last = -1;
    for (const p of order) {
      if (idx[p] === last) {
        data[out - 1]! += val[p]!;
      } else {
        indices[out] = idx[p]!;
        data[out] = val[p]!;
        last = idx[p]!;
        out++;
      }
    }
    indptr[row + 1] = out;
  }
  return { rows, cols, indptr, indices: indices.slice(0, out), data: data.slice(0, out) };
}

/** The transpose (columns become rows), e.g. tracks x listeners from listeners x tracks. */
export function transpose(m: Csr): Csr {
  const counts = new Int32Array(m.cols + 1);
  for (let i = 0; i < m.indices.length; i++) counts[m.indices[i]! + 1]!++;
  for (let i = 0; i < m.cols; i++) counts[i + 1]! += counts[i]!;
  const pos = counts.slice(0, m.cols);
  const indices = new Int32Array(m.indices.length);
  const data = new Float32Array(m.indices.length);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const q = pos[m.indices[p]!]!++;
      indices[q] = r;
      data[q] = m.data[p]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr: counts, indices, data };
}
