/** Bins per feature in a histogram (bin 0 is 'missing'); a histogram is [g, h] per bin. */
export const NB = 256;

/** The arrays histograms are built from; shared with worker threads when training in parallel. */
export interface HistData {
  /** Bins, column-major: feature j of row r at j * n + r. */
  BC: Uint8Array;
  n: number;
  /** Row ids, grouped by node: a node's rows are rows[lo .. lo + m). */
  rows: Int32Array;
  /** The node's gradients and hessians in the order of its rows (gathered once per node). */
  gs: Float64Array;
  hs: Float64Array;
}

/**
 * Gradient and hessian histograms of features [jFrom, jTo) over a node's m rows starting at
 * `lo`, into `out` (feature j's bins at (j * NB) * 2), zeroing those features first.
 * Column-wise (LightGBM's col-wise mode), four features per pass over the rows: each row's
 * index and gradients are loaded once per four features, and four histograms (16 KB) stay in L1.
 */
export function histInto(d: HistData, lo: number, m: number, jFrom: number, jTo: number, out: Float64Array): void {
  const { BC, n, rows, gs, hs } = d;
  out.fill(0, (jFrom * NB) << 1, (jTo * NB) << 1);
  let j = jFrom;
  for (; j + 4 <= jTo; j += 4) {
    const b0 = (j * NB) << 1, b1 = ((j + 1) * NB) << 1, b2 = ((j + 2) * NB) << 1, b3 = ((j + 3) * NB) << 1;
    const c0 = j * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    for (let k = 0; k < m; k++) {
      const r = rows[lo + k]!, g = gs[k]!, h = hs[k]!;
      const i0 = b0 + (BC[c0 + r]! << 1), i1 = b1 + (BC[c1 + r]! << 1), i2 = b2 + (BC[c2 + r]! << 1), i3 = b3 + (BC[c3 + r]! << 1);
      out[i0]! += g;
      out[i0 + 1]! += h;
      out[i1]! += g;
      out[i1 + 1]! += h;
      out[i2]! += g;
      out[i2 + 1]! += h;
      out[i3]! += g;
      out[i3 + 1]! += h;
    }
  }
  for (; j < jTo; j++) {
    const base = (j * NB) << 1, col = j * n;
    for (let k = 0; k < m; k++) {
      const idx = base + (BC[col + rows[lo + k]!]! << 1);
      out[idx]! += gs[k]!;
      out[idx + 1]! += hs[k]!;
    }
  }
}
