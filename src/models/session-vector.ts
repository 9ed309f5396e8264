/**
 * Scores candidates by an embedding of the session so far (session averaging, the fold-in
 * of a session for embedding models such as item2vec): the recency-weighted sum of the
 * latest prefix items' unit vectors, scored by cosine against every item's vector.
 */
export class SessionVectorScorer {
  /** Inverse norms of the item vectors (0 for zero vectors). */
  private readonly inv: Float32Array;
  private readonly q: Float64Array;

  constructor(readonly vectors: Float32Array, readonly dims: number, readonly cfg: { prefixTracks: number; prefixDecay: number } = { prefixTracks: 5, prefixDecay: 0.7 }) {
    if (vectors.length % dims !== 0) throw new RangeError(`SessionVectorScorer: vectors.length ${vectors.length} is not a multiple of dims ${dims}`);
    const n = vectors.length / dims;
    this.inv = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < dims; c++) s += vectors[i * dims + c]! ** 2;
      this.inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
    }
    this.q = new Float64Array(dims);
  }

  /** Add weight * cosine(session vector, item) into `out` for every item; nothing for an empty or unknown prefix. */
  scoreInto(prefix: Int32Array, out: Float32Array | Float64Array, weight = 1): void {
    const { vectors: v, dims: d, inv, q } = this;
    q.fill(0);
    let w = 1, any = false;
    for (let k = 0; k < this.cfg.prefixTracks && k < prefix.length; k++) {
      const it = prefix[prefix.length - 1 - k]!;
      if (it >= 0 && it < inv.length && inv[it]! > 0) {
        const f = w * inv[it]!;
        for (let c = 0; c < d; c++) q[c]! += f * v[it * d + c]!;
        any = true;
      }
      w *= this.cfg.prefixDecay;
    }
    if (!any) return;
    let qq = 0;
    for (let c = 0; c < d; c++) qq += q[c]! * q[c]!;
    const qn = weight / Math.sqrt(qq);
    for (let i = 0; i < inv.length; i++) {
      if (inv[i] === 0) continue;
      let dot = 0;
      const o = i * d;
      for (let c = 0; c < d; c++) dot += q[c]! * v[o + c]!;
      out[i]! += dot * qn * inv[i]!;
    }
  }
}
