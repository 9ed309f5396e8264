/**
 * Worker thread of the ALS pool (see pool.ts): keeps views of the shared CSR and factor
 * arrays from its first message, then runs one task per message. Nothing is copied per task;
 * replies are a few numbers.
 */
import { parentPort } from 'node:worker_threads';
import { runTask, type AlsShared, type AlsTask, type AlsReply } from './tasks.js';

let shared: AlsShared | undefined;

parentPort!.on('message', (msg: { init: AlsShared } | AlsTask) => {
  if ('init' in msg) {
    shared = msg.init;
    return;
  }
  let reply: AlsReply;
  try {
    reply = runTask(shared!, msg);
  } catch (err) {
    reply = { error: err instanceof Error ? err.stack ?? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
