/**
 * A training worker: builds its share of features' histograms, or computes gradients of its
 * share of rows or groups, on request, synchronously with the trainer through Atomics on a
 * shared control array (see hist-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { HistArena } from './hist.js';
import { LambdaRank } from './lambdarank.js';
import { binaryGradients, CTRL, OP, waitWhile, type HistInit } from './hist-protocol.js';

parentPort!.once('message', (init: HistInit) => {
  const { ctrl } = init;
  const arena = HistArena.attach(init.memory, init.layout, init.module);
  const rank = init.rank ? new LambdaRank(init.rank) : undefined;
  let seen = 0;
  Atomics.store(ctrl, CTRL.ready, 1);
  Atomics.notify(ctrl, CTRL.ready);
  for (;;) {
    while (!waitWhile(ctrl, CTRL.request, seen, 60_000)) { /* the trainer is busy elsewhere: keep waiting */ }
    seen = Atomics.load(ctrl, CTRL.request);
    if (seen < 0) return;
    try {
      const op = ctrl[CTRL.op]!, from = ctrl[CTRL.from]!, to = ctrl[CTRL.to]!;
      if (op === OP.HIST) arena.build(ctrl[CTRL.lo]!, ctrl[CTRL.m]!, from, to);
      else if (op === OP.BINARY) binaryGradients(arena.margin, arena.labels, arena.pairs, from, to);
      else if (op === OP.RANK) rank!.gradients(arena.margin, arena.pairs, from, to);
      else throw new Error(`unknown operation ${op}`);
    } catch (err) {
      Atomics.store(ctrl, CTRL.failed, 1);
      console.error(`gbdt training worker: ${(err as Error).stack ?? String(err)}`);
    }
    Atomics.store(ctrl, CTRL.done, seen);
    Atomics.notify(ctrl, CTRL.done);
  }
});
