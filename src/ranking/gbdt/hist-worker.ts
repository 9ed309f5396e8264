/**
 * A histogram worker: builds its share of features' histograms on request, synchronously
 * with the trainer through Atomics on a shared control array (see hist-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { HistArena } from './hist.js';
import { CTRL, waitWhile, type HistInit } from './hist-protocol.js';

parentPort!.once('message', (init: HistInit) => {
  const { ctrl } = init;
  const arena = HistArena.attach(init.memory, init.layout, init.module);
  let seen = 0;
  Atomics.store(ctrl, CTRL.ready, 1);
  Atomics.notify(ctrl, CTRL.ready);
  for (;;) {
    while (!waitWhile(ctrl, CTRL.request, seen, 60_000)) { /* the trainer is busy elsewhere: keep waiting */ }
    seen = Atomics.load(ctrl, CTRL.request);
    if (seen < 0) return;
    try {
      arena.build(ctrl[CTRL.lo]!, ctrl[CTRL.m]!, ctrl[CTRL.jFrom]!, ctrl[CTRL.jTo]!);
    } catch (err) {
      Atomics.store(ctrl, CTRL.failed, 1);
      console.error(`gbdt histogram worker: ${(err as Error).stack ?? String(err)}`);
    }
    Atomics.store(ctrl, CTRL.done, seen);
    Atomics.notify(ctrl, CTRL.done);
  }
});
