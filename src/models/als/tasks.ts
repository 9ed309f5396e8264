/**
 * The units of work of one ALS half-sweep, over state shared by the pool's workers (or used
 * directly when training runs inline on one thread). Same code either way, so the result does
 * not depend on the thread count.
 */
import { GRAM_CHUNK, cgSolveRows, gramianRows } from './solver.js';

/** A CSR matrix's arrays (SharedArrayBuffer-backed when workers run). */
export interface CsrArrays {
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/** What every worker sees: both orientations of the data, both factor matrices, the Gramians. */
export interface AlsShared {
  dims: number;
  /** listeners x tracks */
  user: CsrArrays;
  /** tracks x listeners */
  item: CsrArrays;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** Y'Y + lambda I of the fixed side of the current half-sweep (dims x dims). */
  gram: Float64Array;
  /** One dims x dims partial Gramian per GRAM_CHUNK rows of the larger side. */
  partials: Float64Array;
  /**
   * The WebAssembly SIMD kernel (kernel-wat.ts), when it runs: every array above except
   * `gram` and `partials` is then a view of `memory`, and these are too.
   */
  simd?: {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    /** `gram` in float32, for the kernel. */
    gram32: Float32Array;
    /** float32 partial Gramians, one per GRAM_CHUNK rows. */
    partials32: Float32Array;
    /** 4 x dims float32 per worker. */
    scratch: Float32Array;
    /** Made on first use, in the thread that runs (each worker has its own copy of this object). */
    instance?: WebAssembly.Instance;
  };
}

/** Side 'user' solves listener factors (item factors fixed); 'item' the reverse. */
export type AlsTask =
  | { op: 'gram'; side: 'user' | 'item'; chunks: number[] }
  | { op: 'solve'; side: 'user' | 'item'; lo: number; hi: number; alpha: number; cgSteps: number; worker: number };

/** `bad` is the first row whose factors came out non-finite, or -1. */
export type AlsReply = { bad: number } | { error: string };

/** This thread's instance of the SIMD kernel over the shared memory, kept on `simd` (so it lives as long as the run's state). */
function kernel(simd: NonNullable<AlsShared['simd']>): Record<string, (...args: number[]) => number> {
  simd.instance ??= new WebAssembly.Instance(simd.module, { env: { memory: simd.memory } });
  return simd.instance.exports as Record<string, (...args: number[]) => number>;
}

/** Run one task against the shared state. `gram` tasks' side names the factors summed. */
export function runTask(s: AlsShared, t: AlsTask): AlsReply {
  const d = s.dims;
  if (s.simd) return runSimd(s, s.simd, t);
  if (t.op === 'gram') {
    const F = t.side === 'user' ? s.userFactors : s.itemFactors;
    const rows = F.length / d;
    for (const c of t.chunks) {
      const off = c * d * d;
      s.partials.fill(0, off, off + d * d);
      gramianRows(F, d, c * GRAM_CHUNK, Math.min(rows, (c + 1) * GRAM_CHUNK), s.partials, off);
    }
    return { bad: -1 };
  }
  const m = t.side === 'user' ? s.user : s.item;
  const X = t.side === 'user' ? s.userFactors : s.itemFactors;
  const Y = t.side === 'user' ? s.itemFactors : s.userFactors;
  return { bad: cgSolveRows(m.indptr, m.indices, m.data, X, Y, s.gram, d, t.alpha, t.cgSteps, t.lo, t.hi) };
}

/** The same tasks on the SIMD kernel: pointers are the arrays' byte offsets in the memory. */
function runSimd(s: AlsShared, simd: NonNullable<AlsShared['simd']>, t: AlsTask): AlsReply {
  const d = s.dims;
  const k = kernel(simd);
  if (t.op === 'gram') {
    const F = t.side === 'user' ? s.userFactors : s.itemFactors;
    const rows = F.length / d;
    for (const c of t.chunks) {
      k.gram_rows!(F.byteOffset, c * GRAM_CHUNK, Math.min(rows, (c + 1) * GRAM_CHUNK), simd.partials32.byteOffset + c * d * d * 4);
    }
    return { bad: -1 };
  }
  const m = t.side === 'user' ? s.user : s.item;
  const X = t.side === 'user' ? s.userFactors : s.itemFactors;
  const Y = t.side === 'user' ? s.itemFactors : s.userFactors;
  const scratch = simd.scratch.byteOffset + t.worker * 4 * d * 4;
  const bad = k.cg_rows!(m.indptr.byteOffset, m.indices.byteOffset, m.data.byteOffset, X.byteOffset, Y.byteOffset, simd.gram32.byteOffset, t.alpha, t.cgSteps, t.lo, t.hi, scratch);
  return { bad };
}
