import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../math/index.js';
import type { HistArena } from './hist.js';
import { CTRL, CTRL_SLOTS, waitWhile, type HistInit } from './hist-protocol.js';

/** Nodes with fewer rows than this are built on the calling thread alone: waking a worker costs more. */
const PARALLEL_MIN_ROWS = 4096;
/** Longest a trainer waits for a worker before declaring it lost. */
const WAIT_MS = 120_000;

/**
 * Histogram building split by features over the calling thread and `threads - 1` workers,
 * all on one arena (shared memory). Each feature's histogram is summed by one thread in row
 * order, so results do not depend on the number of threads. Synchronous: the caller blocks
 * (Atomics.wait) until all are done.
 */
export class HistPool {
  private readonly workers: Array<{ w: Worker; ctrl: Int32Array }> = [];
  private seq = 0;

  constructor(readonly arena: HistArena, threads: number) {
    for (let i = 1; i < threads; i++) {
      const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * 4));
      const w = new Worker(workerEntry(import.meta.url, 'hist-worker'));
      w.unref();
      const init: HistInit = { ctrl, memory: arena.memory, layout: arena.layout, module: arena.module };
      w.postMessage(init);
      this.workers.push({ w, ctrl });
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

  /** Histograms of every feature over rows[lo .. lo + m) (pairs already gathered in the arena's gh), copied into out. */
  build(lo: number, m: number, out: Float64Array): void {
    const F = this.arena.layout.features;
    if (this.workers.length === 0 || m < PARALLEL_MIN_ROWS) {
      this.arena.build(lo, m, 0, F);
      out.set(this.arena.out);
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
    this.arena.build(lo, m, 0, cut(1));
    for (const { ctrl } of this.workers) {
      const before = Atomics.load(ctrl, CTRL.done);
      if (before !== seq && !waitWhile(ctrl, CTRL.done, before, WAIT_MS)) throw new Error('gbdt: a histogram worker stopped answering');
      if (ctrl[CTRL.failed]) throw new Error('gbdt: a histogram worker failed (its error is on stderr)');
    }
    out.set(this.arena.out);
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
