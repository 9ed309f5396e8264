import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../math/index.js';
import type { HistArena } from './hist.js';
import type { LambdaRank } from './lambdarank.js';
import { binaryGradients, CTRL, CTRL_SLOTS, OP, waitWhile, type HistInit } from './hist-protocol.js';

/** Work smaller than this (rows of a node, or of gradients) is done on the calling thread alone: waking a worker costs more. */
const PARALLEL_MIN_ROWS = 4096;
/** Longest a trainer waits for a worker before declaring it lost. */
const WAIT_MS = 120_000;

/**
 * The calling thread and `threads - 1` workers over one arena (shared memory), each taking a
 * share of a step: histograms split by features, gradients by rows or by groups. Every sum is
 * made by one thread in the same order whatever the split, so results do not depend on the
 * number of threads. Synchronous: the caller blocks (Atomics.wait) until all are done.
 */
export class HistPool {
  private readonly workers: Array<{ w: Worker; ctrl: Int32Array }> = [];
  private seq = 0;

  constructor(readonly arena: HistArena, threads: number, private readonly rank?: LambdaRank) {
    for (let i = 1; i < threads; i++) {
      const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * 4));
      const w = new Worker(workerEntry(import.meta.url, 'hist-worker'));
      w.unref();
      const init: HistInit = { ctrl, memory: arena.memory, layout: arena.layout, module: arena.module, rank: rank?.s };
      w.postMessage(init);
      this.workers.push({ w, ctrl });
    }
    for (const { ctrl } of this.workers) {
      if (!waitWhile(ctrl, CTRL.ready, 0, WAIT_MS)) {
        this.close();
        throw new Error('gbdt: a training worker did not start');
      }
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Run `op` over [cut(0), cut(parts)) split at cut(1..): the workers take the later shares
   * (with lo, m for histograms), this thread the first through `local`.
   */
  private split(op: number, lo: number, m: number, cut: (i: number) => number, local: (from: number, to: number) => void): void {
    const seq = ++this.seq;
    this.workers.forEach(({ ctrl }, i) => {
      ctrl[CTRL.op] = op;
      ctrl[CTRL.lo] = lo;
      ctrl[CTRL.m] = m;
      ctrl[CTRL.from] = cut(i + 1);
      ctrl[CTRL.to] = cut(i + 2);
      Atomics.store(ctrl, CTRL.request, seq);
      Atomics.notify(ctrl, CTRL.request);
    });
    local(cut(0), cut(1));
    for (const { ctrl } of this.workers) {
      const before = Atomics.load(ctrl, CTRL.done);
      if (before !== seq && !waitWhile(ctrl, CTRL.done, before, WAIT_MS)) throw new Error('gbdt: a training worker stopped answering');
      if (ctrl[CTRL.failed]) throw new Error('gbdt: a training worker failed (its error is on stderr)');
    }
  }

  /** Histograms of every feature over rows[lo .. lo + m) (pairs already gathered in the arena's gh), copied into out. */
  build(lo: number, m: number, out: Float64Array): void {
    const F = this.arena.layout.features;
    if (this.workers.length === 0 || m < PARALLEL_MIN_ROWS) this.arena.build(lo, m, 0, F);
    else this.split(OP.HIST, lo, m, (i) => Math.round((F * i) / this.threads), (from, to) => this.arena.build(lo, m, from, to));
    out.set(this.arena.out);
  }

  /** Every row's binary log-loss (gradient, hessian) from the arena's margins and labels. */
  binaryGradients(): void {
    const a = this.arena, n = a.layout.n;
    const local = (from: number, to: number): void => binaryGradients(a.margin, a.labels, a.pairs, from, to);
    if (this.workers.length === 0 || n < PARALLEL_MIN_ROWS) local(0, n);
    else this.split(OP.BINARY, 0, 0, (i) => Math.round((n * i) / this.threads), local);
  }

  /** Every row's LambdaMART (gradient, hessian), after the round's partners are drawn; groups split by rows. */
  rankGradients(): void {
    const a = this.arena, n = a.layout.n, rank = this.rank!;
    const local = (from: number, to: number): void => rank.gradients(a.margin, a.pairs, from, to);
    if (this.workers.length === 0 || n < PARALLEL_MIN_ROWS) local(0, rank.groupCount);
    else this.split(OP.RANK, 0, 0, (i) => (i === this.threads ? rank.groupCount : rank.groupAtRow(Math.round((n * i) / this.threads))), local);
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
