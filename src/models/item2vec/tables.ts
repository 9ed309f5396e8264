import { AliasTable } from '../../math/index.js';

/** word2vec.c's sigmoid table: EXP_TABLE_SIZE = 1000 points, inputs clipped to +-MAX_EXP = 6. */
export const EXP_TABLE_SIZE = 1000;
export const MAX_EXP = 6;

/** sigma(x) at x = (i / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP, i = 0..999 (word2vec.c, main). */
export function sigmoidTable(): Float32Array {
  const t = new Float32Array(EXP_TABLE_SIZE);
  for (let i = 0; i < EXP_TABLE_SIZE; i++) {
    const e = Math.exp((i / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP);
    t[i] = e / (e + 1);
  }
  return t;
}

/**
 * Per item, the u32 threshold under which a uniform u32 keeps an occurrence: -1 for items out
 * of the vocabulary (count < minCount), Infinity when always kept. Frequent items are kept with
 * probability (sqrt(c / (t N)) + 1) t N / c, N the in-vocabulary total (word2vec.c ReadWord
 * loop; gensim `sample_int`).
 */
export function keepThresholds(counts: Float64Array, minCount: number, sample: number): { keep: Float64Array; total: number } {
  const v = counts.length;
  const keep = new Float64Array(v);
  let total = 0;
  for (let i = 0; i < v; i++) if (counts[i]! >= minCount && counts[i]! > 0) total += counts[i]!;
  const threshold = sample * total;
  for (let i = 0; i < v; i++) {
    const c = counts[i]!;
    if (!(c >= minCount && c > 0)) keep[i] = -1;
    else if (sample === 0) keep[i] = Infinity;
    else {
      const p = (Math.sqrt(c / threshold) + 1) * (threshold / c);
      keep[i] = p >= 1 ? Infinity : p * 4294967296;
    }
  }
  return { keep, total };
}

/** The negative-sampling distribution count^exponent over in-vocabulary items, as an alias table. */
export function negativeTable(counts: Float64Array, keep: Float64Array, exponent: number): AliasTable {
  const w = new Float64Array(counts.length);
  for (let i = 0; i < w.length; i++) if (keep[i]! >= 0) w[i] = Math.pow(counts[i]!, exponent);
  return new AliasTable(w);
}
