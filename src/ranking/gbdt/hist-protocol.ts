/** Slots of the control array a trainer and a histogram worker share. */
export const CTRL = { ready: 0, request: 1, done: 2, failed: 3, lo: 4, m: 5, jFrom: 6, jTo: 7 } as const;
export const CTRL_SLOTS = 8;

/** What a histogram worker is given once: views of shared memory. */
export interface HistInit {
  ctrl: Int32Array;
  BC: Uint8Array;
  n: number;
  rows: Int32Array;
  gs: Float64Array;
  hs: Float64Array;
  /** Where the worker writes its features' histograms. */
  out: Float64Array;
}
