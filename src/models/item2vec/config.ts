import { availableParallelism } from 'node:os';

/**
 * Hyper-parameters of item2vec: word2vec skip-gram with negative sampling (Mikolov et al.,
 * "Distributed representations of words and phrases", NIPS 2013) over sessions and playlists
 * (Barkan and Koenigstein, "Item2vec", 2016). Names and defaults follow word2vec.c and gensim.
 */
export interface Item2vecConfig {
  /** Length of each item vector. Default 64. */
  dims: number;
  /**
   * Largest distance between an item and a context item in the same session. As in word2vec,
   * each position samples a reduced window uniformly from 1..window. Default 5.
   */
  window: number;
  /** Negative samples per (item, context) pair. Default 5. */
  negatives: number;
  /** Passes over the corpus. Default 5. */
  epochs: number;
  /** Starting learning rate; decays linearly to `minLearningRate` over all epochs. Default 0.025. */
  learningRate: number;
  /** Learning rate at the end of the last epoch. Default 0.0001. */
  minLearningRate: number;
  /**
   * Negatives are drawn in proportion to count^negExponent. 0.75 is word2vec's choice;
   * Caselles-Dupre et al. (RecSys 2018) find other values (even negative ones) much better
   * for music, so it is configurable. Default 0.75.
   */
  negExponent: number;
  /**
   * Frequent-item downsampling threshold t: an item with corpus share f is kept with
   * probability (sqrt(f / t) + 1) t / f (word2vec.c, gensim). 0 disables. Default 1e-3.
   */
  sample: number;
  /** Items seen fewer times are dropped from the sessions and get zero vectors. Default 1. */
  minCount: number;
  /** Seed of every random choice; with threads = 1 training is deterministic. Default 42. */
  seed: number;
  /**
   * Worker threads updating the shared weights lock-free (Hogwild: Recht et al. 2011).
   * 1 runs inline on the calling thread. Default min(2, available cores).
   */
  threads: number;
  /**
   * 'simd': the pair update runs in the WebAssembly SIMD kernel (float32), when dims is a
   * multiple of 4; 'js': the plain JavaScript kernel. Both draw the same random numbers.
   * Default 'simd'.
   */
  kernel: 'simd' | 'js';
}

/** The defaults, as documented on each field of {@link Item2vecConfig}. */
export const ITEM2VEC_DEFAULTS: Readonly<Item2vecConfig> = Object.freeze({
  dims: 64,
  window: 5,
  negatives: 5,
  epochs: 5,
  learningRate: 0.025,
  minLearningRate: 0.0001,
  negExponent: 0.75,
  sample: 1e-3,
  minCount: 1,
  seed: 42,
  threads: Math.max(1, Math.min(2, availableParallelism())),
  kernel: 'simd',
});

function posInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`item2vec config: ${name} must be an integer >= ${min}, got ${v}`);
}

/**
 * The defaults overridden by `opts`, validated once.
 *
 * @example item2vecConfig({ dims: 32 }).window // 5
 */
export function item2vecConfig(opts: Partial<Item2vecConfig> = {}): Item2vecConfig {
  const c: Item2vecConfig = { ...ITEM2VEC_DEFAULTS };
  for (const key of Object.keys(ITEM2VEC_DEFAULTS) as Array<keyof Item2vecConfig>) {
    const v = opts[key];
    if (v !== undefined) (c as unknown as Record<string, unknown>)[key] = v;
  }
  posInt('dims', c.dims);
  posInt('window', c.window);
  posInt('negatives', c.negatives);
  posInt('epochs', c.epochs);
  posInt('minCount', c.minCount);
  posInt('threads', c.threads);
  if (c.kernel !== 'simd' && c.kernel !== 'js') throw new RangeError(`item2vec config: kernel must be 'simd' or 'js', got ${String(c.kernel)}`);
  if (!Number.isInteger(c.seed)) throw new RangeError(`item2vec config: seed must be an integer, got ${c.seed}`);
  if (!(c.learningRate > 0) || !Number.isFinite(c.learningRate)) throw new RangeError(`item2vec config: learningRate must be finite and > 0, got ${c.learningRate}`);
  if (!(c.minLearningRate >= 0 && c.minLearningRate <= c.learningRate)) {
    throw new RangeError(`item2vec config: minLearningRate must be in [0, learningRate = ${c.learningRate}], got ${c.minLearningRate}`);
  }
  if (!Number.isFinite(c.negExponent)) throw new RangeError(`item2vec config: negExponent must be finite, got ${c.negExponent}`);
  if (!(c.sample >= 0) || !Number.isFinite(c.sample)) throw new RangeError(`item2vec config: sample must be finite and >= 0 (0 disables downsampling), got ${c.sample}`);
  return c;
}
