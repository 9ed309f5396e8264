import type { KernelData, KernelState } from './kernel.js';

/**
 * The plain version of {@link sgnsRun}, written for reading, which the fast kernel is tested
 * against: the same random draws in the same order and the same sigmoid table, but one
 * accumulator, separate dot and axpy passes and no unrolling, so that the two differ only by
 * float summation order.
 */
export function sgnsReference(d: KernelData, sBegin: number, sEnd: number, epoch: number, shareWords: number, st: KernelState): void {
  const dims = d.dims;
  let rng = st.rng | 0;
  const next = (): number => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return rng >>> 0;
  };
  const sigmoid = (f: number): number => d.expTable[Math.min(999, Math.floor((f + 6) * (1000 / 12)))]!;
  const dot = (a: Float32Array, ia: number, b: Float32Array, ib: number): number => {
    let s = 0;
    for (let c = 0; c < dims; c++) s += a[ia + c]! * b[ib + c]!;
    return s;
  };
  let alpha = st.alpha;
  for (let s = sBegin; s < sEnd; s++) {
    alpha = Math.max(d.minLearningRate, d.learningRate - (d.learningRate - d.minLearningRate) * ((epoch * shareWords + st.words) / Math.max(1, d.epochs * shareWords)));
    const kept: number[] = [];
    for (let t = d.offsets[s]!; t < d.offsets[s + 1]!; t++) {
      const w = d.tokens[t]!;
      if (d.keep[w]! < 0) continue;
      st.words++;
      if (next() < d.keep[w]!) kept.push(w);
    }
    st.effective += kept.length;
    if (kept.length < 2) continue;
    for (let i = 0; i < kept.length; i++) {
      const b = next() % d.window;
      for (let j = Math.max(0, i - d.window + b); j < Math.min(kept.length, i + d.window + 1 - b); j++) {
        if (j === i) continue;
        const l1 = kept[j]! * dims;
        const e = new Float64Array(dims);
        for (let n = 0; n <= d.negatives; n++) {
          let target = kept[i]!;
          let label = 1;
          if (n > 0) {
            let slot = Math.floor((next() / 4294967296) * d.negProb.length);
            if (next() / 4294967296 >= d.negProb[slot]!) slot = d.negAlias[slot]!;
            if (slot === kept[i]) continue;
            target = slot;
            label = 0;
          }
          const l2 = target * dims;
          const f = dot(d.syn0, l1, d.syn1, l2);
          const g = (label - (f >= 6 ? 1 : f <= -6 ? 0 : sigmoid(f))) * alpha;
          for (let c = 0; c < dims; c++) e[c] += g * d.syn1[l2 + c]!;
          for (let c = 0; c < dims; c++) d.syn1[l2 + c] += g * d.syn0[l1 + c]!;
        }
        for (let c = 0; c < dims; c++) d.syn0[l1 + c] += e[c]!;
      }
    }
  }
  st.rng = rng === 0 ? 1 : rng;
  st.alpha = alpha;
}
