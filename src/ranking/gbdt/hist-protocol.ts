import type { ArenaLayout } from './hist.js';

/** Slots of the control array a trainer and a histogram worker share. */
export const CTRL = { ready: 0, request: 1, done: 2, failed: 3, lo: 4, m: 5, jFrom: 6, jTo: 7 } as const;
export const CTRL_SLOTS = 8;

/** What a histogram worker is given once: the control array and the arena's shared memory. */
export interface HistInit {
  ctrl: Int32Array;
  memory: WebAssembly.Memory;
  layout: ArenaLayout;
  /** The kernel, compiled once by the trainer. */
  module: WebAssembly.Module;
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
