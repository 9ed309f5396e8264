/**
 * A fixed pool of worker threads for one ALS training run: started once, given the shared
 * arrays once, then sent one task per worker per phase (Gramian, solve) until closed.
 *
 * Workers load `worker.js` beside this file (dist/, compiled). When this module runs from its
 * TypeScript source (vitest), there is no worker.js: the worker then registers a small
 * module hook that strips types with the project's own `typescript` (a dev dependency) and
 * imports `worker.ts`, so tests exercise the same parallel path as production.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { AlsShared, AlsTask, AlsReply } from './tasks.js';

/** Module hooks (Node >= 20.6 `module.register`) that load .ts sources, for runs from source only. */
function tsHooks(typescriptUrl: string): string {
  return `
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
let ts;
export async function resolve(spec, ctx, next) {
  try { return await next(spec, ctx); } catch (err) {
    if (spec.endsWith('.js') && ctx.parentURL !== undefined && ctx.parentURL.endsWith('.ts')) return next(spec.slice(0, -3) + '.ts', ctx);
    throw err;
  }
}
export async function load(url, ctx, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, ctx);
  ts ??= (await import(${JSON.stringify(typescriptUrl)})).default;
  const src = await readFile(fileURLToPath(url), 'utf8');
  const out = ts.transpileModule(src, { fileName: fileURLToPath(url), compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false } });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}`;
}

function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const tsUrl = pathToFileURL(createRequire(import.meta.url).resolve('typescript')).href;
  const hooks = 'data:text/javascript,' + encodeURIComponent(tsHooks(tsUrl));
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import { register } from 'node:module'; register(${JSON.stringify(hooks)}); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL('data:text/javascript,' + encodeURIComponent(boot)));
}

/** Worker threads sharing one AlsShared; `run` sends one task to each of the first tasks.length workers. */
export class AlsPool {
  private readonly workers: Worker[];
  private failure: Error | undefined;

  constructor(threads: number, shared: AlsShared) {
    this.workers = [];
    for (let i = 0; i < threads; i++) {
      const w = spawnWorker();
      w.on('error', (err) => (this.failure ??= err));
      w.postMessage({ init: shared });
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Run tasks[i] on worker i, resolving with the replies in order; rejects if any worker fails. */
  run(tasks: AlsTask[]): Promise<Array<{ bad: number }>> {
    if (tasks.length > this.workers.length) throw new RangeError(`AlsPool.run: ${tasks.length} tasks for ${this.workers.length} workers`);
    return Promise.all(
      tasks.map(
        (task, i) =>
          new Promise<{ bad: number }>((resolve, reject) => {
            const w = this.workers[i]!;
            const onMessage = (r: AlsReply) => {
              w.off('error', onError);
              w.off('exit', onExit);
              if ('error' in r) reject(new Error(`als worker ${i}: ${r.error}`));
              else resolve(r);
            };
            const onError = (err: Error) => {
              w.off('message', onMessage);
              w.off('exit', onExit);
              reject(err);
            };
            const onExit = (code: number) => {
              w.off('message', onMessage);
              w.off('error', onError);
              reject(this.failure ?? new Error(`als worker ${i} exited with code ${code}`));
            };
            w.once('message', onMessage);
            w.once('error', onError);
            w.once('exit', onExit);
            w.postMessage(task);
          }),
      ),
    );
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
