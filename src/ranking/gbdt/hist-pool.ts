import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../math/index.js';
import { histInto, NB, type HistData } from './hist.js';
import { CTRL, CTRL_SLOTS, waitWhile, type HistInit } from './hist-protocol.js';

/** Nodes with fewer rows than this are built on the calling thread alone: waking a worker costs more. */
const PARALLEL_MIN_ROWS = 4096;
/** Longest a trainer waits for a worker before declaring it lost. */
const WAIT_MS = 120_000;

/** Typed arrays over SharedArrayBuffers, for data the workers read. */
export function shared<T extends Uint8Array | Int32Array | Float64Array>(ctor: new (b: SharedArrayBuffer) => T, length: number, bytes: number): T {
  return new ctor(new SharedArrayBuffer(length * bytes));
}

/**
 * Histogram building split by features over the calling thread and `threads - 1` workers.
 * Each feature's histogram is summed by one thread in row order, so results do not depend
 * on the number of threads. Synchronous: the caller blocks (Atomics.wait) until all are done.
 */
export class HistPool {
  private readonly workers: Array<{ w: Worker; ctrl: Int32Array; out: Float64Array }> = [];
  private seq = 0;

  constructor(readonly d: HistData, readonly features: number, threads: number) {
    for (let i = 1; i < threads; i++) {
      const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * 4));
      const out = new Float64Array(new SharedArrayBuffer(features * NB * 2 * 8));
      const w = new Worker(workerEntry(import.meta.url, 'hist-worker'));
      w.unref();
      const init: HistInit = { ctrl, BC: d.BC, n: d.n, rows: d.rows, gs: d.gs, hs: d.hs, out };
      w.postMessage(init);
      this.workers.push({ w, ctrl, out });
    }
    for (const { ctrl } of this.workers) {
      if (!waitWhile(ctrl, CTRL.ready, 0, WAIT_MS)) {
        this.close();
        throw new Error('gbdt: a histogram worker did not start');
      }
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Histograms of every feature over rows[lo .. lo + m) (gs, hs already gathered), into out. */
  build(lo: number, m: number, out: Float64Array): void {
    const F = this.features;
    if (this.workers.length === 0 || m < PARALLEL_MIN_ROWS) {
      histInto(this.d, lo, m, 0, F, out);
      return;
    }
    const parts = this.threads;
    const cut = (i: number): number => Math.round((F * i) / parts);
    const seq = ++this.seq;
    this.workers.forEach(({ ctrl }, i) => {
      ctrl[CTRL.lo] = lo;
      ctrl[CTRL.m] = m;
      ctrl[CTRL.jFrom] = cut(i + 1);
      ctrl[CTRL.jTo] = cut(i + 2);
      Atomics.store(ctrl, CTRL.request, seq);
      Atomics.notify(ctrl, CTRL.request);
    });
    histInto(this.d, lo, m, 0, cut(1), out);
    this.workers.forEach(({ ctrl, out: theirs }, i) => {
      const before = Atomics.load(ctrl, CTRL.done);
      if (before !== seq && !waitWhile(ctrl, CTRL.done, before, WAIT_MS)) throw new Error('gbdt: a histogram worker stopped answering');
      if (ctrl[CTRL.failed]) throw new Error('gbdt: a histogram worker failed (its error is on stderr)');
      const from = (cut(i + 1) * NB) << 1, to = (cut(i + 2) * NB) << 1;
      out.set(theirs.subarray(from, to), from);
    });
  }

  close(): void {
    for (const { w, ctrl } of this.workers) {
      Atomics.store(ctrl, CTRL.request, -1);
      Atomics.notify(ctrl, CTRL.request);
      void w.terminate();
    }
    this.workers.length = 0;
  }
}
