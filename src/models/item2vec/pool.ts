import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sgnsRun, workerMain, type WorkerReply, type WorkerRequest } from './kernel.js';

/**
 * Start one item2vec worker. From compiled JavaScript (dist/) the sibling worker.js exists
 * and is loaded as a module. Running the TypeScript sources (vitest) there is no worker.js
 * and Node 20 cannot load .ts in a worker, so the worker is rebuilt from the source text of
 * the self-contained kernel functions (already transpiled to JavaScript by the test runner)
 * and started with `eval: true`. Both paths run the same functions.
 */
function spawnWorker(): Worker {
  const compiled = new URL('./worker.js', import.meta.url);
  if (compiled.protocol === 'file:' && existsSync(fileURLToPath(compiled))) return new Worker(compiled);
  const source = [
    "const { parentPort } = require('node:worker_threads');",
    `const sgnsRun = ${sgnsRun.toString()};`,
    `(${workerMain.toString()})(parentPort, sgnsRun);`,
  ].join('\n');
  return new Worker(source, { eval: true });
}

interface Pending { resolve: (m: WorkerReply) => void; reject: (e: Error) => void }

/**
 * A fixed set of worker threads, each answering one message per request. Kept for a whole
 * training run, so that threads start once and not once per epoch.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending: Array<Pending | null> = [];
  private failure: Error | null = null;

  constructor(size: number) {
    for (let w = 0; w < size; w++) {
      const worker = spawnWorker();
      this.pending.push(null);
      worker.on('message', (m: WorkerReply) => {
        const p = this.pending[w];
        this.pending[w] = null;
        if (p === null || p === undefined) return;
        if (m?.type === 'error') p.reject(new Error(`item2vec worker ${w}: ${m.message}`));
        else p.resolve(m);
      });
      const fail = (e: Error): void => {
        this.failure ??= e;
        const p = this.pending[w];
        this.pending[w] = null;
        p?.reject(e);
      };
      worker.on('error', (e) => fail(new Error(`item2vec worker ${w} failed: ${e.message}`)));
      worker.on('exit', (code) => fail(new Error(`item2vec worker ${w} exited with code ${code}`)));
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Send messages[w] to worker w and resolve with their replies, in worker order (an error
   * reply rejects). `R` names the reply the messages get (an EpochReply for 'epoch').
   */
  request<R extends WorkerReply = WorkerReply>(messages: ReadonlyArray<WorkerRequest>): Promise<R[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return Promise.all(
      this.workers.map(
        (worker, w) =>
          new Promise<R>((resolve, reject) => {
            this.pending[w] = { resolve: (m) => resolve(m as R), reject };
            worker.postMessage(messages[w]);
          }),
      ),
    );
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    this.failure ??= new Error('item2vec worker pool closed');
    const ws = this.workers.splice(0);
    for (const w of ws) w.removeAllListeners('exit');
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
