/**
 * The skip-gram negative-sampling inner loop, as in word2vec.c (TrainModelThread, skip-gram
 * branch) and gensim (word2vec_inner.pyx, fast_sentence_sg_neg). For each kept position i of
 * a session and each context position j within a reduced window, the context item's input
 * vector v_j learns to predict item i against `negatives` items drawn from count^0.75:
 *   g = (label - sigma(v_j . u_t)) * alpha;  e += g u_t;  u_t += g v_j;  then v_j += e.
 *
 * This file must stay self-contained (no imports, no module-level values): worker threads
 * that cannot load the compiled sibling (tests run the TypeScript sources) rebuild these
 * functions from their source text. Flat typed arrays, no allocation in the loop.
 */

/** Everything one share of the corpus trains on; the weight arrays are shared by all workers. */
export interface KernelData {
  /** Input vectors (the item vectors), V x dims, row-major. */
  syn0: Float32Array;
  /** Output vectors for negative sampling, V x dims. */
  syn1: Float32Array;
  dims: number;
  tokens: Int32Array;
  offsets: Int32Array;
  /** Per item: < 0 when out of the vocabulary (dropped); else the item is kept when a uniform u32 < keep[item]. */
  keep: Float64Array;
  /** Alias table (Vose) over items with weight count^negExponent: keep-probability and alias per slot. */
  negProb: Float64Array;
  negAlias: Int32Array;
  /** sigma(x) at EXP_TABLE_SIZE = 1000 points of [-MAX_EXP, MAX_EXP), MAX_EXP = 6. */
  expTable: Float32Array;
  window: number;
  negatives: number;
  learningRate: number;
  minLearningRate: number;
  epochs: number;
  /** Shared flag: non-zero asks the loop to stop at the next session boundary. */
  abort: Int32Array;
  /** Scratch: the kept items of one session (at least the longest session). */
  sentence: Int32Array;
  /** Scratch: the accumulated input-vector update, dims long. */
  work: Float64Array;
  /**
   * The WebAssembly SIMD pair update (kernel-wat.ts), when it runs: `syn0`, `syn1` and
   * `expTable` are then views of `memory`, and `targets` (negatives + 1 int32) and `work`
   * (dims float32) are this thread's scratch there. The instance is made on first use, in
   * the thread that runs.
   */
  simd?: {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    targets: Int32Array;
    work: Float32Array;
    instance?: WebAssembly.Instance;
  };
}

/** What a run carries from one call to the next (so that chunked runs equal one run). */
export interface KernelState {
  /** xorshift32 state, never 0. */
  rng: number;
  /** In-vocabulary items read this epoch in this share (before downsampling). */
  words: number;
  /** Items kept after downsampling, this epoch. */
  effective: number;
  /** Learning rate at the last session processed. */
  alpha: number;
  aborted: boolean;
}

/**
 * Train on sessions [sBegin, sEnd) of one share in one epoch. The learning rate is
 * learningRate - (learningRate - minLearningRate) * progress, progress being this share's
 * items read over all epochs (gensim's linear decay), recomputed at each session.
 */
export function sgnsRun(d: KernelData, sBegin: number, sEnd: number, epoch: number, shareWords: number, st: KernelState): void {
  const MAX_EXP = 6;
  const EXP_SCALE = 1000 / MAX_EXP / 2;
  const TO_UNIT = 1 / 4294967296;
  const syn0 = d.syn0, syn1 = d.syn1, dims = d.dims;
  const tokens = d.tokens, offsets = d.offsets, keep = d.keep;
  const negProb = d.negProb, negAlias = d.negAlias, nNeg = negProb.length;
  const expTable = d.expTable, window = d.window, negatives = d.negatives;
  const sentence = d.sentence, work = d.work, abort = d.abort;
  const lr0 = d.learningRate, lrSpan = d.learningRate - d.minLearningRate;
  const totalWords = Math.max(1, d.epochs * shareWords);
  const dims4 = dims & ~3;
  const simd = d.simd;
  let pair: ((...args: number[]) => number) | null = null;
  let targets: Int32Array = new Int32Array(0);
  let syn0Ptr = 0, syn1Ptr = 0, expPtr = 0, targetsPtr = 0, workPtr = 0;
  if (simd !== undefined) {
    simd.instance ??= new WebAssembly.Instance(simd.module, { env: { memory: simd.memory } });
    pair = simd.instance.exports.sg_pair as (...args: number[]) => number;
    targets = simd.targets;
    syn0Ptr = syn0.byteOffset; syn1Ptr = syn1.byteOffset; expPtr = expTable.byteOffset;
    targetsPtr = targets.byteOffset; workPtr = simd.work.byteOffset;
  }
  const rowBytes = dims * 4;
  let rng = st.rng | 0;
  let words = st.words, effective = st.effective, alpha = st.alpha;

  for (let s = sBegin; s < sEnd; s++) {
    if ((s & 255) === 0 && Atomics.load(abort, 0) !== 0) {
      st.aborted = true;
      break;
    }
    alpha = lr0 - lrSpan * ((epoch * shareWords + words) / totalWords);
    if (alpha < d.minLearningRate) alpha = d.minLearningRate;
    // Read the session, dropping out-of-vocabulary items and downsampling frequent ones.
    let len = 0;
    const o1 = offsets[s + 1]!;
    for (let t = offsets[s]!; t < o1; t++) {
      const w = tokens[t]!;
      const k = keep[w]!;
      if (k < 0) continue;
      words++;
      rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
      if ((rng >>> 0) >= k) continue;
      sentence[len++] = w;
    }
    effective += len;
    if (len < 2) continue;

    for (let i = 0; i < len; i++) {
      const word = sentence[i]!;
      rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
      const b = (rng >>> 0) % window;
      let j = i - window + b;
      if (j < 0) j = 0;
      let jEnd = i + window + 1 - b;
      if (jEnd > len) jEnd = len;
      for (; j < jEnd; j++) {
        if (j === i) continue;
        if (pair !== null) {
          // The same draws as below; the SIMD kernel does the arithmetic.
          let nt = 1;
          targets[0] = word;
          for (let n = 1; n <= negatives; n++) {
            rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
            let slot = Math.floor((rng >>> 0) * TO_UNIT * nNeg);
            rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
            if ((rng >>> 0) * TO_UNIT >= negProb[slot]!) slot = negAlias[slot]!;
            if (slot !== word) targets[nt++] = slot;
          }
          pair(syn0Ptr + sentence[j]! * rowBytes, targetsPtr, nt, alpha, syn1Ptr, expPtr, workPtr);
          continue;
        }
        const l1 = sentence[j]! * dims;
        for (let c = 0; c < dims; c++) work[c] = 0;
        for (let n = 0; n <= negatives; n++) {
          let target: number;
          let label: number;
          if (n === 0) {
            target = word;
            label = 1;
          } else {
            rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
            let slot = Math.floor((rng >>> 0) * TO_UNIT * nNeg);
            rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
            if ((rng >>> 0) * TO_UNIT >= negProb[slot]!) slot = negAlias[slot]!;
            if (slot === word) continue;
            target = slot;
            label = 0;
          }
          const l2 = target * dims;
          // f = v_j . u_target, four accumulators.
          let f0 = 0, f1 = 0, f2 = 0, f3 = 0;
          let c = 0;
          for (; c < dims4; c += 4) {
            f0 += syn0[l1 + c]! * syn1[l2 + c]!;
            f1 += syn0[l1 + c + 1]! * syn1[l2 + c + 1]!;
            f2 += syn0[l1 + c + 2]! * syn1[l2 + c + 2]!;
            f3 += syn0[l1 + c + 3]! * syn1[l2 + c + 3]!;
          }
          for (; c < dims; c++) f0 += syn0[l1 + c]! * syn1[l2 + c]!;
          const f = f0 + f1 + f2 + f3;
          let g: number;
          if (f >= MAX_EXP) g = (label - 1) * alpha;
          else if (f <= -MAX_EXP) g = label * alpha;
          else {
            // Just below MAX_EXP, (f + MAX_EXP) * EXP_SCALE can round up to the table's size.
            let e = ((f + MAX_EXP) * EXP_SCALE) | 0;
            if (e > 999) e = 999;
            g = (label - expTable[e]!) * alpha;
          }
          if (g === 0) continue;
          // e += g u_target; u_target += g v_j (one pass).
          c = 0;
          for (; c < dims4; c += 4) {
            const u0 = syn1[l2 + c]!, u1 = syn1[l2 + c + 1]!, u2 = syn1[l2 + c + 2]!, u3 = syn1[l2 + c + 3]!;
            work[c] += g * u0;
            work[c + 1] += g * u1;
            work[c + 2] += g * u2;
            work[c + 3] += g * u3;
            syn1[l2 + c] = u0 + g * syn0[l1 + c]!;
            syn1[l2 + c + 1] = u1 + g * syn0[l1 + c + 1]!;
            syn1[l2 + c + 2] = u2 + g * syn0[l1 + c + 2]!;
            syn1[l2 + c + 3] = u3 + g * syn0[l1 + c + 3]!;
          }
          for (; c < dims; c++) {
            const u = syn1[l2 + c]!;
            work[c] += g * u;
            syn1[l2 + c] = u + g * syn0[l1 + c]!;
          }
        }
        for (let c = 0; c < dims; c++) syn0[l1 + c] += work[c]!;
      }
    }
  }
  st.rng = rng === 0 ? 1 : rng;
  st.words = words;
  st.effective = effective;
  st.alpha = alpha;
}

/** A message to an item2vec worker (pool.ts sends them; workerMain answers each with a WorkerReply). */
export type WorkerRequest =
  | { type: 'init'; data: Omit<KernelData, 'sentence' | 'work'>; sBegin: number; sEnd: number; shareWords: number; maxLen: number }
  | { type: 'epoch'; epoch: number; seed: number };

/** An epoch's counts, from one worker. */
export interface EpochReply { type: 'done'; words: number; effective: number; alpha: number; aborted: boolean }

/** A worker's answer: ready after 'init', its counts after 'epoch', or what went wrong. */
export type WorkerReply = { type: 'ready' } | EpochReply | { type: 'error'; message: string };

/**
 * The body of a worker thread: receives its share once ('init'), then trains one epoch per
 * 'epoch' message and answers with its counts. Takes its dependencies as arguments so that
 * it can be rebuilt from source text (see pool.ts).
 */
export function workerMain(
  port: { on(event: 'message', fn: (m: WorkerRequest) => void): void; postMessage(m: WorkerReply): void },
  run: typeof sgnsRun,
): void {
  let data: KernelData | null = null;
  let sBegin = 0, sEnd = 0, shareWords = 0;
  port.on('message', (m: WorkerRequest) => {
    try {
      if (m.type === 'init') {
        data = { ...m.data, sentence: new Int32Array(m.maxLen), work: new Float64Array(m.data.dims) } as KernelData;
        sBegin = m.sBegin;
        sEnd = m.sEnd;
        shareWords = m.shareWords;
        port.postMessage({ type: 'ready' });
      } else if (m.type === 'epoch') {
        const st: KernelState = { rng: m.seed | 0 || 1, words: 0, effective: 0, alpha: 0, aborted: false };
        run(data!, sBegin, sEnd, m.epoch, shareWords, st);
        port.postMessage({ type: 'done', words: st.words, effective: st.effective, alpha: st.alpha, aborted: st.aborted });
      }
    } catch (e) {
      port.postMessage({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
    }
  });
}
