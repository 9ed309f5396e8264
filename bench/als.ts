/**
 * ALS benchmark (issue 3): seconds per iteration of implicit ALS with conjugate gradient,
 * 64 factors, on a synthetic 100k-listener x 50k-track matrix with 5M non-zeros (Zipf track
 * popularity, lognormal listener activity, fixed seed), on 1 and 2 threads, with peak RSS.
 * Side by side with benfred/implicit when Debian's python3-implicit is installed; otherwise
 * the reference figures measured for issue 3 are printed.
 *
 * The JavaScript kernel (float64 accumulation) runs after the WebAssembly SIMD one as the
 * in-run baseline.
 *
 *   npm run bench -- als [--epochs 3] [--listeners 100000] [--tracks 50000] [--nnz 5000000] [--threads 1,2] [--kernel simd,js] [--json]
 *
 * With --json (bench/report.ts): figures.<kernel>Threads<n> (secondsPerIteration, setupSeconds,
 * peakRssMB) for the SIMD kernel, baseline.jsThreads<n> (the plain JavaScript kernel) and
 * baseline.implicitThreads<n> (measured side by side, or the reference figures,
 * marked reference: true); ratios.<kernel>Threads<n>Over{Js,Implicit}.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/math/index.js';
import { csrFromCoo, trainAls, type Csr } from '../src/models/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';

/** implicit 0.7.3, CG, 64 factors, this matrix size, this machine size (issue 3). */
const REFERENCE = { 1: 1.06, 2: 0.57 } as Record<number, number>;
const TARGET_2_THREADS = 1.15;
const ZIPF_EXPONENT = 0.8;
const PYTHON = '/usr/bin/python3';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** A listeners x tracks play-count matrix with exactly `nnz` distinct non-zeros. */
export function zipfMatrix(listeners: number, tracks: number, nnz: number, seed: number): Csr {
  const rng = new Rng(seed);
  const cdf = new Float64Array(tracks);
  let acc = 0;
  for (let i = 0; i < tracks; i++) cdf[i] = acc += 1 / Math.pow(i + 1, ZIPF_EXPONENT);
  for (let i = 0; i < tracks; i++) cdf[i]! /= acc;
  // Listener activity: lognormal, mean nnz / listeners, capped, then nudged to sum to nnz.
  const mean = nnz / listeners;
  const cap = Math.min(tracks >> 2, Math.round(mean * 50));
  const counts = new Int32Array(listeners);
  let total = 0;
  for (let u = 0; u < listeners; u++) total += counts[u] = Math.min(cap, Math.max(1, Math.round(rng.lognormal(Math.log(mean) - 0.5, 1))));
  for (let u = 0; total !== nnz; u = (u + 1) % listeners) {
    if (total < nnz && counts[u]! < cap) { counts[u]!++; total++; }
    else if (total > nnz && counts[u]! > 1) { counts[u]!--; total--; }
  }
  const r = new Int32Array(nnz), c = new Int32Array(nnz), v = new Float32Array(nnz);
  const mark = new Int32Array(tracks).fill(-1);
  let q = 0;
  for (let u = 0; u < listeners; u++) {
    for (let k = 0; k < counts[u]!; k++) {
      let i: number;
      do {
        const x = rng.next();
        let lo = 0, hi = tracks - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid]! < x) lo = mid + 1; else hi = mid;
        }
        i = lo;
      } while (mark[i] === u);
      mark[i] = u;
      r[q] = u; c[q] = i; v[q] = 1 + Math.floor(rng.exponential() * 3);
      q++;
    }
  }
  return csrFromCoo(listeners, tracks, r, c, v);
}

const rssMB = () => process.resourceUsage().maxRSS / 1024;

/** Run benfred/implicit's CG ALS on the same matrix, if importable; seconds per iteration or a reason. */
function implicitSideBySide(m: Csr, threads: number[], epochs: number): Map<number, number> | string {
  const probe = spawnSync(PYTHON, ['-c', 'import implicit, numpy, scipy; print(implicit.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const policy = spawnSync('apt-cache', ['policy', 'python3-implicit'], { encoding: 'utf8' });
    const candidate = /Candidate: (\S+)/.exec(policy.stdout ?? '')?.[1];
    return candidate === undefined || candidate === '(none)'
      ? 'python3-implicit is not in this machine\'s Debian archive (apt-cache policy python3-implicit: no candidate)'
      : `python3-implicit ${candidate} is installable but not installed (apt-get install python3-implicit)`;
  }
  const dir = mkdtempSync(join(tmpdir(), 'segue-bench-als-'));
  try {
    writeFileSync(join(dir, 'indptr.bin'), m.indptr);
    writeFileSync(join(dir, 'indices.bin'), m.indices);
    writeFileSync(join(dir, 'data.bin'), m.data);
    const script = `
import sys, time, numpy as np, scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
d = sys.argv[1]; rows, cols, epochs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
m = sp.csr_matrix((np.fromfile(d + '/data.bin', np.float32), np.fromfile(d + '/indices.bin', np.int32), np.fromfile(d + '/indptr.bin', np.int32)), shape=(rows, cols))
for t in sys.argv[5].split(','):
    times = []
    last = [time.perf_counter()]
    def cb(it, elapsed, loss):
        now = time.perf_counter(); times.append(now - last[0]); last[0] = now
    model = AlternatingLeastSquares(factors=64, regularization=0.01, iterations=epochs, use_cg=True, num_threads=int(t), random_state=42, calculate_training_loss=False)
    last[0] = time.perf_counter()
    model.fit(m, show_progress=False, callback=cb)
    print(t, sorted(times)[len(times) // 2], flush=True)
`;
    const out = spawnSync(PYTHON, ['-c', script, dir, String(m.rows), String(m.cols), String(epochs), threads.join(',')], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    if (out.status !== 0) return `implicit failed: ${out.stderr.trim().split('\n').pop()}`;
    const res = new Map<number, number>();
    for (const line of out.stdout.trim().split('\n')) {
      const [t, s] = line.split(' ');
      res.set(Number(t), Number(s));
    }
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function alsBench(args: string[], rec: Results): Promise<void> {
  const epochs = Number(arg(args, '--epochs', '3'));
  const listeners = Number(arg(args, '--listeners', '100000'));
  const tracks = Number(arg(args, '--tracks', '50000'));
  const nnz = Number(arg(args, '--nnz', '5000000'));
  const threadList = arg(args, '--threads', '1,2').split(',').map(Number);
  const kernels = arg(args, '--kernel', 'simd,js').split(',') as Array<'simd' | 'js'>;
  // The reference figures and the target hold for the size only.
  const defaultSize = listeners === 100_000 && tracks === 50_000 && nnz === 5_000_000;
  console.log(machineLine());
  let t0 = performance.now();
  const m = zipfMatrix(listeners, tracks, nnz, 20240611);
  console.log(`matrix: ${m.rows.toLocaleString('en-US')} listeners x ${m.cols.toLocaleString('en-US')} tracks, ${m.indptr[m.rows]!.toLocaleString('en-US')} non-zeros (Zipf ${ZIPF_EXPONENT} track popularity, seed 20240611), generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`config: dims 64, regularization 0.01, alpha 1, cgSteps 3, ${epochs} iterations (median s/iteration shown)`);
  rec.figures.matrix = { listeners: m.rows, tracks: m.cols, nnz: m.indptr[m.rows]!, epochs };
  const other = implicitSideBySide(m, threadList, epochs);
  if (typeof other === 'string') console.log(`implicit side by side: skipped, ${other}; reference figures from issue 3 shown instead`);
  console.log(`${'kernel'.padEnd(7)} ${'threads'.padEnd(8)} ${'segue s/it'.padStart(11)} ${'setup s'.padStart(8)} ${'implicit s/it'.padStart(14)} ${'ratio'.padStart(6)} ${'peak RSS'.padStart(9)}`);
  for (const kernel of kernels) for (const threads of threadList) {
    const times: number[] = [];
    t0 = performance.now();
    let first = 0;
    await trainAls(m, {
      dims: 64,
      epochs,
      threads,
      kernel,
      onProgress: (p) => {
        if (times.length === 0) first = performance.now();
        times.push(p.seconds);
      },
    });
    const setup = (first - t0) / 1000 - times[0]!;
    const med = [...times].sort((a, b) => a - b)[times.length >> 1]!;
    const ref = typeof other === 'string' ? (defaultSize ? REFERENCE[threads] : undefined) : other.get(threads);
    const refLabel = ref === undefined ? '-' : `${ref.toFixed(2)}${typeof other === 'string' ? ' (ref)' : ''}`;
    console.log(
      `${kernel.padEnd(7)} ${String(threads).padEnd(8)} ${med.toFixed(2).padStart(11)} ${setup.toFixed(2).padStart(8)} ${refLabel.padStart(14)} ${ref === undefined ? '-'.padStart(6) : (med / ref).toFixed(2).padStart(5) + 'x'} ${(rssMB().toFixed(0) + ' MB').padStart(9)}`,
    );
    if (threads === 2 && defaultSize && kernel === 'simd') console.log(`target: <= ${TARGET_2_THREADS} s/iteration on 2 threads: ${med <= TARGET_2_THREADS ? 'met' : 'NOT met'}`);
    const row = { secondsPerIteration: med, setupSeconds: setup, peakRssMB: rssMB() };
    // The plain JavaScript kernel is the in-run baseline, unless it is all that ran.
    const isBaseline = kernel === 'js' && kernels.some((k) => k !== 'js');
    (isBaseline ? rec.baseline : rec.figures)[`${kernel}Threads${threads}`] = row;
    if (ref !== undefined) rec.baseline[`implicitThreads${threads}`] = { secondsPerIteration: ref, reference: typeof other === 'string' };
    if (!isBaseline) rec.ratio(`${kernel}Threads${threads}OverImplicit`, med, ref);
    if (threads === 2 && defaultSize && kernel === 'simd') rec.target(`<= ${TARGET_2_THREADS} s/iteration on 2 threads`, med <= TARGET_2_THREADS);
  }
  console.log(`peak RSS of the whole run (matrix, both orientations, factors, workers): ${rssMB().toFixed(0)} MB`);
  for (const kernel of kernels.filter((k) => k !== 'js')) {
    for (const threads of threadList) {
      const f = rec.figures[`${kernel}Threads${threads}`] as { secondsPerIteration: number } | undefined;
      const b = rec.baseline[`jsThreads${threads}`] as { secondsPerIteration: number } | undefined;
      rec.ratio(`${kernel}Threads${threads}OverJs`, f?.secondsPerIteration, b?.secondsPerIteration);
    }
  }
  rec.figures.peakRssMB = rssMB();
}
