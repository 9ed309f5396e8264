import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Sweep, TradeoffOptions, TradeoffReport } from '../evaluation/index.js';
import type { Policy } from '../sequencing/index.js';

export interface Job {
  id: string;
  kind: 'tradeoff';
  status: 'running' | 'done' | 'failed' | 'cancelled';
  /** 0..1: the world's build counts as the first tenth, then each served run. */
  progress: number;
  message: string;
  startedAt: number;
  finishedAt: number | null;
  params: Record<string, unknown>;
  result?: TradeoffReport;
  error?: string;
}

/** Jobs kept after they finish, newest first: enough for a console's recent runs. */
const KEEP = 20;

/**
 * Background jobs of one server process (the console's trade-off frontier): each runs in a
 * worker thread, one at a time (a second is refused while one runs: the machine's cores
 * serve requests), and is kept in memory with its progress and result. A restart forgets them.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private running: { job: Job; worker: Worker } | undefined;

  get busy(): Job | undefined {
    return this.running?.job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  /** Start a trade-off run; undefined when a job is running already. */
  tradeoff(surface: 'radio' | 'autoplay', sweep: Sweep, options: Omit<TradeoffOptions, 'onProgress' | 'onStep' | 'current' | 'policy'>, current?: Policy): Job | undefined {
    if (this.running) return undefined;
    const job: Job = {
      id: randomUUID(), kind: 'tradeoff', status: 'running', progress: 0, message: 'starting', startedAt: Date.now(), finishedAt: null,
      params: { surface, objective: sweep.objective, values: sweep.values, ...options, current: current !== undefined },
    };
    const worker = new Worker(compiledEntry(import.meta.url, 'tradeoff-job'), { workerData: { surface, sweep, options, current } });
    this.running = { job, worker };
    this.jobs.set(job.id, job);
    const finish = (status: Job['status'], extra: Partial<Job> = {}) => {
      if (job.status !== 'running') return;
      Object.assign(job, { status, finishedAt: Date.now(), ...extra });
      if (this.running?.job === job) this.running = undefined;
      void worker.terminate();
      this.prune();
    };
    worker.on('message', (m: { kind: string; message?: string; done?: number; total?: number; report?: TradeoffReport; error?: string }) => {
      // Progress a stopping thread had already sent must not overwrite a finished job's state.
      if (job.status !== 'running') return;
      if (m.kind === 'progress') job.message = m.message!;
      else if (m.kind === 'step') job.progress = 0.1 + 0.9 * (m.done! / m.total!);
      else if (m.kind === 'done') finish('done', { progress: 1, message: 'done', result: m.report! });
      else if (m.kind === 'failed') finish('failed', { error: m.error!, message: 'failed' });
    });
    worker.on('error', (err) => finish('failed', { error: err.message, message: 'failed' }));
    worker.on('exit', (code) => finish('failed', { error: `the job's thread exited (code ${code})`, message: 'failed' }));
    return job;
  }

  /** Stop the running job (at shutdown, or when asked). */
  async cancel(id?: string): Promise<boolean> {
    const r = this.running;
    if (!r || (id !== undefined && r.job.id !== id)) return false;
    Object.assign(r.job, { status: 'cancelled', finishedAt: Date.now(), message: 'cancelled' });
    this.running = undefined;
    this.prune();
    await r.worker.terminate();
    return true;
  }

  /** Forget all but the KEEP newest jobs. */
  private prune(): void {
    for (const j of this.list().slice(KEEP)) this.jobs.delete(j.id);
  }
}

/**
 * The compiled entry of a worker thread beside this module: the `.js` file itself in dist/,
 * or, when running from TypeScript sources (tests), its build in dist/ (`npm run build`).
 */
function compiledEntry(callerUrl: string, name: string): URL {
  if (!callerUrl.endsWith('.ts')) return new URL(`./${name}.js`, callerUrl);
  // This module is src/server/jobs.ts; its build is dist/src/server/.
  const built = fileURLToPath(new URL(`../../dist/src/server/${name}.js`, callerUrl));
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (a job's thread runs compiled code)`);
  return pathToFileURL(built);
}
