/**
 * A fixed pool of worker threads for one ALS training run: started once, given the shared
 * arrays once, then sent one task per worker per phase (Gramian, solve) until closed.
 *
 * Workers load `worker.js` beside this file (dist/, compiled). When this module runs from its
 * TypeScript source (vitest), there is no worker.js: the worker sources are then transpiled
 * once per process into a temp folder (see transpiledWorker), so tests exercise the same
 * parallel path as production.
 */
import { Worker } from 'node:worker_threads';
import type { AlsShared, AlsTask, AlsReply } from './tasks.js';

/**
 * From TypeScript sources only (vitest): transpile worker.ts and the modules it imports
 * relatively (types stripped with the project's `typescript` dev dependency, loaded once)
 * into a temp folder, once per process, and return the worker entry there.
 */
let fromSource: Promise<URL> | undefined;
function transpiledWorker(): Promise<URL> {
  fromSource ??= (async () => {
    const [{ default: ts }, fs, os, path, url, crypto] = await Promise.all([
      import('typescript'),
      import('node:fs'),
      import('node:os'),
      import('node:path'),
      import('node:url'),
      import('node:crypto'),
    ]);
    const srcDir = path.dirname(url.fileURLToPath(import.meta.url));
    const files = new Map<string, string>();
    const todo = ['worker.ts'];
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (files.has(file)) continue;
      const src = fs.readFileSync(path.join(srcDir, file), 'utf8');
      const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      files.set(file, out);
      for (const m of out.matchAll(/from '\.\/([\w-]+)\.js'/g)) todo.push(`${m[1]}.ts`);
    }
    // One folder per version of the sources (named by their hash), reused across test runs;
    // files are written under a temporary name and renamed, so parallel test processes agree.
    const hash = crypto.createHash('sha1');
    for (const [f, out] of [...files].sort()) hash.update(f).update(out);
    const outDir = path.join(os.tmpdir(), `segue-als-worker-${hash.digest('hex').slice(0, 16)}`);
    fs.mkdirSync(outDir, { recursive: true });
    for (const [f, out] of files) {
      const dest = path.join(outDir, f.replace(/\.ts$/, '.js'));
      if (fs.existsSync(dest)) continue;
      const tmp = `${dest}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, out);
      fs.renameSync(tmp, dest);
    }
    return url.pathToFileURL(path.join(outDir, 'worker.js'));
  })();
  return fromSource;
}

async function spawnWorker(): Promise<Worker> {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  return new Worker(await transpiledWorker());
}

/** Worker threads sharing one AlsShared; `run` sends one task to each of the first tasks.length workers. */
export class AlsPool {
  private readonly workers: Worker[];
  private failure: Error | undefined;

  private constructor(workers: Worker[]) {
    this.workers = workers;
    for (const w of workers) w.on('error', (err) => (this.failure ??= err));
  }

  /** Start `threads` workers and hand each the shared arrays (views, not copies). */
  static async start(threads: number, shared: AlsShared): Promise<AlsPool> {
    const workers: Worker[] = [];
    for (let i = 0; i < threads; i++) {
      const w = await spawnWorker();
      w.postMessage({ init: shared });
      workers.push(w);
    }
    return new AlsPool(workers);
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
