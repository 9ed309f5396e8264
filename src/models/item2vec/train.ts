import { Rng, deriveSeed, compileWat, MAX_HEAP_BYTES, WasmHeap, type HeapArray } from '../../math/index.js';
import { item2vecConfig, type Item2vecConfig } from './config.js';
import { countItems, validateCorpus, type Item2vecCorpus } from './corpus.js';
import { sgnsRun, type EpochReply, type KernelData, type KernelState } from './kernel.js';
import { sgnsKernelWat, sgnsSimdDims } from './kernel-wat.js';
import { WorkerPool } from './pool.js';
import { keepThresholds, negativeTable, sigmoidTable } from './tables.js';

/** Reported after each epoch. */
export interface Item2vecProgress {
  /** Epochs done, 1..epochs. */
  epoch: number;
  epochs: number;
  /** In-vocabulary items read this epoch (before downsampling). */
  words: number;
  /** Items kept after frequent-item downsampling this epoch. */
  effectiveWords: number;
  /** Learning rate reached at the end of the epoch (mean over workers). */
  learningRate: number;
  /** Seconds since training started. */
  seconds: number;
}

export interface Item2vecOptions extends Partial<Item2vecConfig> {
  /** Item counts (length vocabSize) to use instead of counting the corpus. */
  counts?: ArrayLike<number>;
  onProgress?: (p: Item2vecProgress) => void;
  /** Aborting stops training within a few thousand sessions and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface Item2vecResult {
  /** Input vectors, vocabSize x dims row-major, in a SharedArrayBuffer. Items out of the vocabulary are 0. */
  vectors: Float32Array;
  dims: number;
  /** In-vocabulary items read per second of training, over all epochs (word2vec.c's "words/thread/sec" times threads). */
  wordsPerSecond: number;
  /** In-vocabulary items read over all epochs, and those kept after downsampling. */
  words: number;
  effectiveWords: number;
  seconds: number;
  config: Item2vecConfig;
  /** The kernel that ran: 'simd' unless asked for 'js' or dims is not a multiple of 4 (see Item2vecConfig.kernel). */
  kernel: 'simd' | 'js';
}

function sharedF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

function sharedCopyF32(a: Float32Array): Float32Array {
  const out = sharedF32(a.length);
  out.set(a);
  return out;
}

/**
 * The weights, the sigmoid table and each thread's scratch in one shared WebAssembly memory,
 * for the SIMD kernel.
 */
async function simdState(vocabSize: number, dims: number, negatives: number, threads: number) {
  const arrays: HeapArray[] = [{ f32: vocabSize * dims }, { f32: vocabSize * dims }, { f32: 1000 }];
  for (let w = 0; w < threads; w++) arrays.push({ i32: negatives + 1 }, { f32: dims });
  const heap = new WasmHeap(arrays, { shared: true });
  const [syn0, syn1, expTable] = heap.views as [Float32Array, Float32Array, Float32Array];
  expTable.set(sigmoidTable());
  const module = await compileWat('sgns', sgnsKernelWat(dims));
  return {
    syn0, syn1, expTable,
    scratch: (w: number) => ({ module, memory: heap.memory, targets: heap.views[3 + 2 * w] as Int32Array, work: heap.views[4 + 2 * w] as Float32Array }),
  };
}

function sharedCopy<T extends Int32Array | Float64Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (b: SharedArrayBuffer): T };
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/**
 * Split sessions into `parts` contiguous shares with about equal in-vocabulary items each.
 * Returns share boundaries (parts + 1 session indexes), items per share and the longest session per share.
 */
function shares(corpus: Item2vecCorpus, keep: Float64Array, parts: number): { bounds: Int32Array; words: Float64Array; maxLen: Int32Array; total: number; pairSessions: number } {
  const { tokens, offsets } = corpus;
  const nSessions = offsets.length - 1;
  const perSession = new Float64Array(nSessions);
  let total = 0;
  let pairSessions = 0;
  for (let s = 0; s < nSessions; s++) {
    let n = 0;
    for (let t = offsets[s]!; t < offsets[s + 1]!; t++) if (keep[tokens[t]!]! >= 0) n++;
    perSession[s] = n;
    total += n;
    if (n >= 2) pairSessions++;
  }
  const bounds = new Int32Array(parts + 1);
  const words = new Float64Array(parts);
  const maxLen = new Int32Array(parts);
  let s = 0;
  let acc = 0;
  for (let p = 0; p < parts; p++) {
    bounds[p] = s;
    const goal = (total * (p + 1)) / parts;
    while (s < nSessions && (p === parts - 1 || acc + perSession[s]! / 2 <= goal)) {
      acc += perSession[s]!;
      words[p] += perSession[s]!;
      maxLen[p] = Math.max(maxLen[p]!, offsets[s + 1]! - offsets[s]!);
      s++;
    }
  }
  bounds[parts] = nSessions;
  return { bounds, words, maxLen, total, pairSessions };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Sessions per inline chunk are chosen to hold about this many items, between abort checks. */
const INLINE_CHUNK = 100_000;

/**
 * Train item2vec: skip-gram with negative sampling over sessions (see {@link Item2vecConfig}
 * and kernel.ts). With threads > 1 the weights live in SharedArrayBuffers and worker threads,
 * each given a contiguous share of the sessions, update them without locks (Hogwild, as
 * word2vec.c and gensim do); with threads = 1 it runs inline and is deterministic for a seed.
 *
 * Throws a RangeError on a malformed corpus or config, or when no session holds two
 * in-vocabulary items (nothing to learn); rejects with `signal.reason` when aborted.
 *
 * @example
 *   const corpus = corpusFromSessions([[0, 1, 2], [2, 3]]);
 *   const { vectors, dims } = await trainItem2vec(corpus, 4, { dims: 16, threads: 1 });
 *   similar(vectors, dims, 2, 3);
 */
export async function trainItem2vec(corpus: Item2vecCorpus, vocabSize: number, opts: Item2vecOptions = {}): Promise<Item2vecResult> {
  const cfg = item2vecConfig(opts);
  validateCorpus(corpus, vocabSize);
  let counts: Float64Array;
  if (opts.counts !== undefined) {
    if (opts.counts.length !== vocabSize) throw new RangeError(`item2vec: counts has length ${opts.counts.length}, expected vocabSize = ${vocabSize}`);
    counts = Float64Array.from(opts.counts);
    for (let i = 0; i < vocabSize; i++) {
      if (!(counts[i]! >= 0) || !Number.isFinite(counts[i]!)) throw new RangeError(`item2vec: counts[${i}] must be finite and >= 0, got ${counts[i]}`);
    }
  } else counts = countItems(corpus, vocabSize);
  opts.signal?.throwIfAborted();

  const { keep } = keepThresholds(counts, cfg.minCount, cfg.sample);
  const threads = cfg.threads;
  const plan = shares(corpus, keep, threads);
  if (plan.total === 0) throw new RangeError(`item2vec: the corpus has no items with count >= minCount = ${cfg.minCount}; nothing to train`);
  if (plan.pairSessions === 0) throw new RangeError('item2vec: no session has two or more in-vocabulary items, so there are no (item, context) pairs to train on');
  const neg = negativeTable(counts, keep, cfg.negExponent);

  // word2vec.c's initialization: input vectors uniform in [-0.5, 0.5) / dims, output vectors 0.
  const dims = cfg.dims;
  const simd = cfg.kernel === 'simd' && sgnsSimdDims(dims) && vocabSize * dims * 8 < MAX_HEAP_BYTES / 2 ? await simdState(vocabSize, dims, cfg.negatives, threads) : undefined;
  const syn0 = simd ? simd.syn0 : sharedF32(vocabSize * dims);
  const syn1 = simd ? simd.syn1 : sharedF32(vocabSize * dims);
  const init = new Rng(deriveSeed(cfg.seed, 'item2vec', 'init'));
  for (let i = 0; i < vocabSize; i++) {
    if (keep[i]! < 0) continue;
    for (let c = 0; c < dims; c++) syn0[i * dims + c] = (init.next() - 0.5) / dims;
  }
  const abort = new Int32Array(new SharedArrayBuffer(4));
  const shared = {
    syn0, syn1, dims,
    tokens: sharedCopy(corpus.tokens), offsets: sharedCopy(corpus.offsets),
    keep: sharedCopy(keep), negProb: sharedCopy(neg.prob), negAlias: sharedCopy(neg.alias),
    expTable: simd ? simd.expTable : sigmoidTable(),
    window: cfg.window, negatives: cfg.negatives,
    learningRate: cfg.learningRate, minLearningRate: cfg.minLearningRate, epochs: cfg.epochs,
    abort,
  };
  const epochSeed = (worker: number, epoch: number): number => deriveSeed(cfg.seed, 'item2vec', worker, epoch) | 0 || 1;

  const start = performance.now();
  let words = 0;
  let effectiveWords = 0;
  const report = (epoch: number, w: number, eff: number, lr: number): void => {
    words += w;
    effectiveWords += eff;
    opts.onProgress?.({ epoch: epoch + 1, epochs: cfg.epochs, words: w, effectiveWords: eff, learningRate: lr, seconds: (performance.now() - start) / 1000 });
  };

  if (threads === 1) {
    const data: KernelData = { ...shared, sentence: new Int32Array(plan.maxLen[0]!), work: new Float64Array(dims), ...(simd ? { simd: simd.scratch(0) } : {}) };
    const offsets = corpus.offsets;
    const nSessions = offsets.length - 1;
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const st: KernelState = { rng: epochSeed(0, epoch), words: 0, effective: 0, alpha: cfg.learningRate, aborted: false };
      for (let s = 0; s < nSessions; ) {
        let e = s + 1;
        while (e < nSessions && offsets[e]! - offsets[s]! < INLINE_CHUNK) e++;
        sgnsRun(data, s, e, epoch, plan.words[0]!, st);
        s = e;
        // Let timers and abort events run between chunks.
        await yieldToEventLoop();
        opts.signal?.throwIfAborted();
      }
      report(epoch, st.words, st.effective, st.alpha);
    }
  } else {
    const pool = new WorkerPool(threads);
    const onAbort = (): void => {
      Atomics.store(abort, 0, 1);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await pool.request(
        Array.from({ length: threads }, (_, w) => ({
          type: 'init', data: simd ? { ...shared, simd: simd.scratch(w) } : shared, sBegin: plan.bounds[w], sEnd: plan.bounds[w + 1], shareWords: plan.words[w], maxLen: plan.maxLen[w],
        })),
      );
      for (let epoch = 0; epoch < cfg.epochs; epoch++) {
        opts.signal?.throwIfAborted();
        const replies = await pool.request<EpochReply>(Array.from({ length: threads }, (_, w) => ({ type: 'epoch', epoch, seed: epochSeed(w, epoch) })));
        opts.signal?.throwIfAborted();
        let w = 0, eff = 0, lr = 0;
        for (const r of replies) {
          w += r.words;
          eff += r.effective;
          lr += r.alpha / threads;
        }
        report(epoch, w, eff, lr);
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      await pool.close();
    }
  }

  const seconds = (performance.now() - start) / 1000;
  for (let i = 0; i < syn0.length; i++) {
    if (!Number.isFinite(syn0[i]!)) {
      throw new RangeError(`item2vec: vector of item ${Math.floor(i / dims)} is not finite after training; lower learningRate (${cfg.learningRate})`);
    }
  }
  // A copy when syn0 is a view of the kernel's memory, so that the result does not keep syn1 alive.
  return { vectors: simd ? sharedCopyF32(syn0) : syn0, dims, wordsPerSecond: seconds > 0 ? words / seconds : 0, words, effectiveWords, seconds, config: cfg, kernel: simd ? 'simd' : 'js' };
}
