import type { ArenaLayout } from './hist.js';
import type { RankState } from './lambdarank.js';

/** Slots of the control array a trainer and a training worker share. */
export const CTRL = { ready: 0, request: 1, done: 2, failed: 3, op: 4, lo: 5, m: 6, from: 7, to: 8 } as const;
export const CTRL_SLOTS = 9;

/** What a worker does on a request, over [from, to) of: features (HIST, of rows[lo .. lo + m)), rows (BINARY), groups (RANK). */
export const OP = { HIST: 1, BINARY: 2, RANK: 3 } as const;

/** What a training worker is given once: the control array, the arena's shared memory and (lambdarank) the groups' state. */
export interface HistInit {
  ctrl: Int32Array;
  memory: WebAssembly.Memory;
  layout: ArenaLayout;
  /** The kernel, compiled once by the trainer. */
  module: WebAssembly.Module;
  rank?: RankState;
}

/**
 * Wait until ctrl[index] differs from `value`: spin briefly (a worker's answer usually comes
 * within microseconds, and waking a sleeping thread can take far longer on a virtual
 * machine), then sleep in short waits, which cannot miss a change. False after `maxMs`.
 */
export function waitWhile(ctrl: Int32Array, index: number, value: number, maxMs: number): boolean {
  for (let i = 0; i < 20_000; i++) if (Atomics.load(ctrl, index) !== value) return true;
  const deadline = Date.now() + maxMs;
  while (Atomics.load(ctrl, index) === value) {
    if (Date.now() > deadline) return false;
    Atomics.wait(ctrl, index, value, 2);
  }
  return true;
}

/** Binary log-loss gradients of rows [from, to) from their margins and 0/1 labels, into the pairs. */
export function binaryGradients(margin: Float64Array, labels: Float32Array, pairs: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const q = 1 / (1 + Math.exp(-margin[i]!));
    pairs[i << 1] = q - labels[i]!;
    pairs[(i << 1) + 1] = Math.max(q * (1 - q), 1e-16);
  }
}
