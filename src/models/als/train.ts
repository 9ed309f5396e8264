/**
 * Implicit-feedback ALS training (Hu, Koren, Volinsky 2008) with conjugate-gradient row solves
 * (Takacs et al. 2011), laid out as implicit's `cpu/als.py` fit(): validate, init, loop
 * {Gramian of tracks, solve listeners, Gramian of listeners, solve tracks, report}, check NaN.
 *
 * Parallel over worker threads: factors and both CSR orientations live in SharedArrayBuffers,
 * each worker solves one contiguous block of rows (blocks balanced by non-zeros), and one pool
 * serves the whole run. The Gramian is summed over fixed chunks in a fixed order and each row
 * solve reads only shared inputs, so results are bit-identical for any thread count.
 */
import { deriveSeed, Rng, compileWat, MAX_HEAP_BYTES, WasmHeap } from '../../math/index.js';
import { transpose, type Csr } from '../csr.js';
import { alsConfig, type AlsConfig } from './config.js';
import { AlsPool } from './pool.js';
import { alsKernelWat, simdDims } from './kernel-wat.js';
import { GRAM_CHUNK, alsLoss, exactSolveRow, gramianRows } from './solver.js';
import { runTask, type AlsShared, type AlsTask } from './tasks.js';

/** Progress after each epoch; `loss` only with `calculateLoss`. */
export interface AlsProgress {
  epoch: number;
  epochs: number;
  seconds: number;
  loss?: number;
}

export interface AlsTrainOptions extends Partial<AlsConfig> {
  onProgress?: (p: AlsProgress) => void;
  signal?: AbortSignal;
}

export interface AlsFactors {
  /** listeners x dims, row-major */
  userFactors: Float32Array;
  /** tracks x dims, row-major */
  itemFactors: Float32Array;
  dims: number;
  /** Training loss after the last epoch, with `calculateLoss`. */
  loss?: number;
  /** The kernel that ran: 'simd' unless asked for 'js' or the input needs it (see AlsConfig.kernel). */
  kernel: 'simd' | 'js';
}

/** Factors stopped being finite: the message names the side, row and epoch, and suggests a fix. */
export class AlsDivergedError extends Error {
  override readonly name = 'AlsDivergedError';
}

/**
 * Above this alpha |r_ui| the JavaScript kernel (float64 accumulation) runs instead of the
 * float32 SIMD one: implicit-feedback confidences are play counts or their logs, far below.
 */
export const SIMD_MAX_CONFIDENCE = 1e6;

/** Scale of the initial normal factors. */
const INIT_SCALE = 0.01;

function checkCsr(m: Csr): void {
  const { rows, cols, indptr, indices, data } = m;
  if (indptr.length !== rows + 1 || indptr[0] !== 0) throw new RangeError(`trainAls: indptr must have rows + 1 = ${rows + 1} entries starting at 0, got ${indptr.length}`);
  const nnz = indptr[rows]!;
  if (indices.length < nnz || data.length < nnz) throw new RangeError(`trainAls: indptr ends at ${nnz} but indices has ${indices.length} and data ${data.length}`);
  for (let r = 0; r < rows; r++) if (indptr[r + 1]! < indptr[r]!) throw new RangeError(`trainAls: indptr decreases at row ${r}`);
  for (let q = 0; q < nnz; q++) {
    if (!(indices[q]! >= 0 && indices[q]! < cols)) throw new RangeError(`trainAls: entry ${q} has column ${indices[q]}, expected 0..${cols - 1}`);
    if (!Number.isFinite(data[q]!)) throw new RangeError(`trainAls: entry ${q} has value ${data[q]}, expected a finite number`);
  }
}

/**
 * Split rows 0..rows into `parts` contiguous blocks of about equal work, work being a row's
 * dense part (about dims^2 per CG pass) plus its non-zeros (2 dims each).
 */
export function splitRows(indptr: Int32Array, rows: number, parts: number, dims: number): Int32Array {
  const bounds = new Int32Array(parts + 1);
  const work = (r: number) => indptr[r]! * 2 * dims + r * dims * dims;
  const total = work(rows);
  let r = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (r < rows && work(r) < target) r++;
    bounds[p] = r;
  }
  bounds[parts] = rows;
  return bounds;
}

function sharedCopy<T extends Int32Array | Float32Array>(a: T, share: boolean): T {
  if (!share) return a;
  const out = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * Train listener and track factors from a listeners x tracks matrix of implicit feedback
 * (play counts or weights; negative values mean "disliked": p = 0, confidence 1 + alpha |r|).
 * Seeded; throws on abort and on non-finite factors.
 *
 * @example
 *   const { userFactors, itemFactors, dims } = await trainAls(plays, { dims: 32, epochs: 10 });
 *   // score of track i for listener u: dot(userFactors[u*dims..], itemFactors[i*dims..])
 */
export async function trainAls(userItems: Csr, opts: AlsTrainOptions = {}): Promise<AlsFactors> {
  const { onProgress, signal, ...rest } = opts;
  const cfg = alsConfig(rest);
  checkCsr(userItems);
  signal?.throwIfAborted();
  const d = cfg.dims;
  const nUsers = userItems.rows, nItems = userItems.cols;
  const threads = Math.max(1, Math.min(cfg.threads, Math.max(nUsers, nItems)));
  const share = threads > 1;
  const nnz = userItems.indptr[nUsers]!;
  const t = transpose({ ...userItems, indices: userItems.indices.subarray(0, nnz), data: userItems.data.subarray(0, nnz) });
  const nChunks = Math.ceil(Math.max(nUsers, nItems, 1) / GRAM_CHUNK);
  // float32 arithmetic (the SIMD kernel) overflows in the CG residuals long before float64 does.
  let maxConfidence = 0;
  for (let q = 0; q < nnz; q++) maxConfidence = Math.max(maxConfidence, Math.abs(userItems.data[q]!) * cfg.alpha);
  const simdBytes = nnz * 16 + (nUsers + nItems) * (d * 4 + 8) + (nChunks + 1 + threads) * d * d * 4;
  const s = cfg.kernel === 'simd' && simdDims(d) && simdBytes < MAX_HEAP_BYTES && maxConfidence <= SIMD_MAX_CONFIDENCE ? await simdState(userItems, t, d, threads, nChunks) : plainState(userItems, t, d, share, nChunks);
  const { user, item, userFactors, itemFactors } = s;
  const rng = new Rng(deriveSeed(cfg.seed, 'als', 'init'));
  for (let i = 0; i < userFactors.length; i++) userFactors[i] = rng.normal() * INIT_SCALE;
  for (let i = 0; i < itemFactors.length; i++) itemFactors[i] = rng.normal() * INIT_SCALE;

  const bounds = { user: splitRows(user.indptr, nUsers, threads, d), item: splitRows(item.indptr, nItems, threads, d) };
  const pool = share ? await AlsPool.start(threads, s) : undefined;
  const run = async (tasks: AlsTask[]) => (pool ? pool.run(tasks) : tasks.map((task) => runTask(s, task) as { bad: number }));

  /** Fill s.gram with F'F (+ lambda I) of one side, summing fixed chunks in order. */
  const gram = async (side: 'user' | 'item', lambda: number) => {
    const rows = side === 'user' ? nUsers : nItems;
    const nChunks = Math.ceil(rows / GRAM_CHUNK);
    const per: number[][] = Array.from({ length: threads }, () => []);
    for (let c = 0; c < nChunks; c++) per[c % threads]!.push(c);
    await run(per.filter((c) => c.length > 0).map((chunks) => ({ op: 'gram', side, chunks })));
    s.gram.fill(0);
    const partials = s.simd ? s.simd.partials32 : s.partials;
    for (let c = 0; c < nChunks; c++) for (let k = 0; k < d * d; k++) s.gram[k]! += partials[c * d * d + k]!;
    for (let j = 0; j < d; j++) s.gram[j * d + j]! += lambda;
    s.simd?.gram32.set(s.gram);
  };

  const solve = async (side: 'user' | 'item', epoch: number) => {
    const b = bounds[side];
    const tasks: AlsTask[] = [];
    for (let w = 0; w < threads; w++) tasks.push({ op: 'solve', side, lo: b[w]!, hi: b[w + 1]!, alpha: cfg.alpha, cgSteps: cfg.cgSteps, worker: w });
    const replies = await run(tasks);
    const bad = replies.map((r) => r.bad).find((r) => r >= 0);
    if (bad !== undefined) {
      throw new AlsDivergedError(
        `trainAls: ${side === 'user' ? 'listener' : 'track'} factors became NaN or infinite at epoch ${epoch + 1} (row ${bad}); ` +
          `try a higher regularization (now ${cfg.regularization}) or a lower alpha (now ${cfg.alpha})`,
      );
    }
  };

  let loss: number | undefined;
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const t0 = performance.now();
      signal?.throwIfAborted();
      await gram('item', cfg.regularization);
      await solve('user', epoch);
      signal?.throwIfAborted();
      await gram('user', cfg.regularization);
      await solve('item', epoch);
      if (cfg.calculateLoss) {
        await gram('item', 0);
        loss = alsLoss(user.indptr, user.indices, user.data, nUsers, nItems, userFactors, itemFactors, s.gram, d, cfg.alpha, cfg.regularization);
      }
      onProgress?.({ epoch: epoch + 1, epochs: cfg.epochs, seconds: (performance.now() - t0) / 1000, ...(loss === undefined ? {} : { loss }) });
    }
  } finally {
    await pool?.close();
  }
  // Copies, so that the result does not keep the whole training heap alive.
  return { userFactors: s.simd ? userFactors.slice() : userFactors, itemFactors: s.simd ? itemFactors.slice() : itemFactors, dims: d, kernel: s.simd ? 'simd' : 'js', ...(loss === undefined ? {} : { loss }) };
}

/** Training state in plain (or, for workers, shared) typed arrays, for the JavaScript kernel. */
function plainState(m: Csr, t: Csr, d: number, share: boolean, nChunks: number): AlsShared {
  const floats = (n: number) => (share ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n));
  const doubles = (n: number) => (share ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n));
  const nnz = m.indptr[m.rows]!;
  return {
    dims: d,
    user: { indptr: sharedCopy(m.indptr, share), indices: sharedCopy(m.indices.subarray(0, nnz), share), data: sharedCopy(m.data.subarray(0, nnz), share) },
    item: { indptr: sharedCopy(t.indptr, share), indices: sharedCopy(t.indices, share), data: sharedCopy(t.data, share) },
    userFactors: floats(m.rows * d),
    itemFactors: floats(m.cols * d),
    gram: doubles(d * d),
    partials: doubles(nChunks * d * d),
  };
}

/**
 * Training state in one shared WebAssembly memory for the SIMD kernel: both CSR orientations,
 * both factor matrices, the float32 Gramian and its partials, and each worker's scratch.
 */
async function simdState(m: Csr, t: Csr, d: number, threads: number, nChunks: number): Promise<AlsShared> {
  const nnz = m.indptr[m.rows]!;
  const heap = new WasmHeap(
    [
      { i32: m.rows + 1 }, { i32: nnz }, { f32: nnz },
      { i32: t.rows + 1 }, { i32: nnz }, { f32: nnz },
      { f32: m.rows * d }, { f32: m.cols * d },
      { f32: d * d }, { f32: nChunks * d * d }, { f32: threads * 4 * d },
    ],
    { shared: true },
  );
  const [uIndptr, uIndices, uData, iIndptr, iIndices, iData, userFactors, itemFactors, gram32, partials32, scratch] = heap.views as [
    Int32Array, Int32Array, Float32Array, Int32Array, Int32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  uIndptr.set(m.indptr); uIndices.set(m.indices.subarray(0, nnz)); uData.set(m.data.subarray(0, nnz));
  iIndptr.set(t.indptr); iIndices.set(t.indices.subarray(0, nnz)); iData.set(t.data.subarray(0, nnz));
  return {
    dims: d,
    user: { indptr: uIndptr, indices: uIndices, data: uData },
    item: { indptr: iIndptr, indices: iIndices, data: iData },
    userFactors,
    itemFactors,
    gram: new Float64Array(new SharedArrayBuffer(d * d * 8)),
    partials: new Float64Array(0),
    simd: { module: await compileWat('als', alsKernelWat(d)), memory: heap.memory, gram32, partials32, scratch },
  };
}

/**
 * Y'Y + lambda I of item factors, to reuse across many {@link foldIn} calls.
 *
 * @example const g = itemGramian(model.itemFactors, 64, 0.01);
 */
export function itemGramian(itemFactors: Float32Array, dims: number, regularization: number): Float64Array {
  const g = new Float64Array(dims * dims);
  gramianRows(itemFactors, dims, 0, itemFactors.length / dims, g);
  for (let j = 0; j < dims; j++) g[j * dims + j]! += regularization;
  return g;
}

/**
 * Factors of a listener the model has not seen, with item factors fixed: the exact
 * least-squares solve of one ALS row (implicit's `recalculate_user`), no retraining.
 * `items` are track ixs and `values` their weights, as in the training matrix.
 *
 * @example const x = foldIn(m.itemFactors, m.dims, Int32Array.of(3, 9), Float32Array.of(2, 1), { regularization: 0.01, alpha: 1 });
 */
export function foldIn(
  itemFactors: Float32Array,
  dims: number,
  items: Int32Array,
  values: Float32Array,
  cfg: Pick<AlsConfig, 'regularization' | 'alpha'>,
  gram: Float64Array = itemGramian(itemFactors, dims, cfg.regularization),
): Float32Array {
  const nItems = itemFactors.length / dims;
  if (items.length !== values.length) throw new RangeError(`foldIn: ${items.length} items but ${values.length} values`);
  if (gram.length !== dims * dims) throw new RangeError(`foldIn: gram has ${gram.length} entries, expected dims^2 = ${dims * dims}`);
  for (let q = 0; q < items.length; q++) {
    if (!(items[q]! >= 0 && items[q]! < nItems)) throw new RangeError(`foldIn: item ${items[q]} at ${q} is outside 0..${nItems - 1}`);
    if (!Number.isFinite(values[q]!)) throw new RangeError(`foldIn: value ${values[q]} at ${q} is not finite`);
  }
  const out = new Float32Array(dims);
  if (items.length > 0) exactSolveRow(itemFactors, dims, gram, items, values, cfg.alpha, out, 0, 'the folded-in listener');
  return out;
}
