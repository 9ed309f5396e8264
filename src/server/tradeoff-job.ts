/**
 * A worker thread's entry: one `segue tradeoff` run for the console's background job
 * (jobs.ts), so that the simulation and training it does never hold up the server's requests.
 * In: workerData { surface, sweep, options, current? }. Out: progress messages, then the report.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTradeoff, type Sweep, type TradeoffOptions } from '../evaluation/index.js';
import type { Policy } from '../sequencing/index.js';

interface Input { surface: 'radio' | 'autoplay'; sweep: Sweep; options: TradeoffOptions; current?: Policy }
const input = workerData as Input;
const port = parentPort!;
try {
  const report = await runTradeoff(input.surface, input.sweep, {
    ...input.options, ...(input.current ? { current: input.current } : {}),
    onProgress: (message) => port.postMessage({ kind: 'progress', message }),
    onStep: (done, total) => port.postMessage({ kind: 'step', done, total }),
  });
  port.postMessage({ kind: 'done', report });
} catch (err) {
  port.postMessage({ kind: 'failed', error: (err as Error).message });
}
