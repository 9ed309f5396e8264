/**
 * The models benchmark of issue 3, in one run: `npm run bench -- models [options]`.
 *
 * 1. item2vec against gensim's Word2Vec (same corpus, settings and threads);
 * 2. ALS seconds per iteration, 1 and 2 threads, against implicit (or its reference figures);
 * 3. ANN on 200k clustered vectors: exact JS, hnswlib-node, usearch;
 * 4. ANN on the project's own embeddings (the item2vec vectors of step 1);
 * 5. peak RSS of `segue train` (all models) on a store of at least 5M plays: `--store <db>`,
 *    or a simulated world written to a temporary store (12,000 listeners x 50,000 tracks x
 *    28 days, about 5.5M plays; ~90 s to simulate).
 *
 * Options are passed to each part (`--epochs`, `--threads`, `--n`, `--ef` ...); `--skip
 * item2vec,als,ann,own-ann,rss` leaves parts out.
 *
 * With --json (bench/report.ts): each part's figures, baseline and ratios as its own suite
 * gives them, under item2vec, als, ann, ownAnn; rss (figures only: train seconds and artifact
 * size per model, peak RSS, plays).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { item2vecBench } from './item2vec.js';
import { alsBench } from './als.js';
import { annBench, compareIndexes } from './ann.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';
import { Rng } from '../src/math/index.js';

const RSS_TARGET_MB = 2048;
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'main.js');

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

const section = (title: string): void => console.log(`\n== ${title}`);

/** Item vectors with a non-zero norm, and `nq` of them (seeded) as queries. */
function ownVectors(v: Float32Array, dims: number, nq: number): { vectors: Float32Array; queries: Float32Array; n: number } {
  const keep: number[] = [];
  for (let i = 0; i < v.length / dims; i++) {
    let s = 0;
    for (let c = 0; c < dims; c++) s += v[i * dims + c]! ** 2;
    if (s > 0) keep.push(i);
  }
  const vectors = new Float32Array(keep.length * dims);
  keep.forEach((i, j) => vectors.set(v.subarray(i * dims, (i + 1) * dims), j * dims));
  const rng = new Rng(7);
  const queries = new Float32Array(nq * dims);
  for (let q = 0; q < nq; q++) {
    const j = rng.int(keep.length);
    // A query near an item, not the item itself: its vector plus 10% noise.
    for (let c = 0; c < dims; c++) queries[q * dims + c] = vectors[j * dims + c]! * (1 + 0.1 * (rng.next() * 2 - 1));
  }
  return { vectors, queries, n: keep.length };
}

/** Runs the CLI in a child; peak RSS from the child's own resource usage, printed at exit. */
function cliWithRss(args: string[]): { status: number | null; stdout: string; stderr: string; maxRssMB: number; seconds: number } {
  const hook = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nMAXRSS "+process.resourceUsage().maxRSS+"\\n"))';
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', hook, CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\nMAXRSS \d+\n/, ''), maxRssMB: m ? Number(m[1]) / 1024 : NaN, seconds: (performance.now() - t) / 1000 };
}

async function rssBench(args: string[], rec: Results): Promise<void> {
  let store = arg(args, '--store', '');
  let dir: string | undefined;
  try {
    if (!store) {
      dir = mkdtempSync(join(tmpdir(), 'segue-bench-models-'));
      store = join(dir, 'sim.db');
      console.log('store: simulating 12,000 listeners x 50,000 tracks x 28 days (seed 5) into a temporary store ...');
      const sim = cliWithRss(['--store', store, 'simulate', '--listeners', '12000', '--tracks', '50000', '--days', '28', '--seed', '5']);
      if (sim.status !== 0) throw new Error(`simulate failed: ${sim.stderr.trim()}`);
      console.log(`  simulated in ${sim.seconds.toFixed(0)} s`);
    }
    const stats = cliWithRss(['--store', store, 'stats', '--json']);
    const plays = (JSON.parse(stats.stdout) as { plays: number }).plays;
    console.log(`store: ${store}, ${plays.toLocaleString('en-US')} plays${plays < 5_000_000 ? ' (fewer than the 5M the target is about)' : ''}`);
    const r = cliWithRss(['--store', store, 'train', '--json']);
    if (r.status !== 0) throw new Error(`segue train failed: ${r.stderr.trim()}`);
    const reports = JSON.parse(r.stdout) as Array<{ model: string; seconds: number; bytes: number }>;
    console.log(`${'model'.padEnd(12)} ${'seconds'.padStart(8)} ${'artifact'.padStart(9)}`);
    for (const m of reports) console.log(`${m.model.padEnd(12)} ${m.seconds.toFixed(1).padStart(8)} ${`${(m.bytes / 2 ** 20).toFixed(1)} MB`.padStart(9)}`);
    console.log(`segue train (all models, default config): ${r.seconds.toFixed(0)} s in all, peak RSS ${r.maxRssMB.toFixed(0)} MB; target < ${RSS_TARGET_MB} MB on >= 5M interactions: ${plays >= 5_000_000 && r.maxRssMB < RSS_TARGET_MB ? 'met' : 'NOT met'}`);
    rec.figures.plays = plays;
    rec.figures.models = Object.fromEntries(reports.map((m) => [m.model, { seconds: m.seconds, artifactMB: m.bytes / 2 ** 20 }]));
    rec.figures.trainSeconds = r.seconds;
    rec.figures.peakRssMB = r.maxRssMB;
    rec.target(`segue train peak RSS < ${RSS_TARGET_MB} MB on >= 5M interactions`, plays >= 5_000_000 && r.maxRssMB < RSS_TARGET_MB);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

export async function modelsBench(args: string[], rec: Results): Promise<void> {
  const skip = new Set(arg(args, '--skip', '').split(',').filter(Boolean));
  console.log(machineLine());
  let own: { vectors: Float32Array; dims: number } | undefined;
  if (!skip.has('item2vec')) {
    section('item2vec against gensim Word2Vec');
    own = await item2vecBench(args, rec.part('item2vec'));
  }
  if (!skip.has('als')) {
    section('implicit ALS, conjugate gradient');
    await alsBench(args, rec.part('als'));
  }
  if (!skip.has('ann')) {
    section('ANN on clustered synthetic vectors');
    await annBench(args, rec.part('ann'));
  }
  if (!skip.has('own-ann') && own) {
    section("ANN on the project's own embeddings (the item2vec vectors trained above)");
    const { vectors, queries, n } = ownVectors(own.vectors, own.dims, 1000);
    console.log(`data: ${n.toLocaleString('en-US')} trained item vectors x ${own.dims}-d (items seen in the corpus); 1,000 queries: item vectors with 10% noise; cosine`);
    const part = rec.part('ownAnn');
    part.figures.data = { n, dims: own.dims, queries: 1000 };
    compareIndexes(part, vectors, queries, own.dims, arg(args, '--ef', '32,64,128').split(',').map(Number));
  }
  if (!skip.has('rss')) {
    section('peak RSS of training every model');
    await rssBench(args, rec.part('rss'));
  }
}
