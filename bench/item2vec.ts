/**
 * item2vec benchmark: words/s of Segue's skip-gram trainer against gensim's Word2Vec on the
 * same corpus with equal settings (sg, dim 64, window 5, 5 negatives, 5 epochs, sample 1e-3,
 * min_count 1, ns_exponent 0.75), at equal thread counts, side by side in one run; plus
 * neighbour quality of both on the corpus' planted clusters (precision@10 of cosine
 * neighbours sharing the query's cluster).
 *
 * The corpus (fixed seed): ~4M tokens in sessions of 5..39 items over 50,000 items in 100
 * clusters, Zipf (s = 1) popularity by rank, 10% of items drawn from the whole catalog.
 * "words" are in-vocabulary items read, before downsampling, as gensim's raw word count.
 *
 *   npm run bench -- item2vec [--tokens 4000000] [--threads 1,2] [--epochs 5] [--kernel simd[,js]] [--install] [--skip-gensim]
 *
 * gensim comes from the Debian package python3-gensim for /usr/bin/python3; with --install
 * the benchmark runs apt-get to install it when absent, otherwise it says that it is absent.
 *
 * With --json (bench/report.ts): figures.<kernel>Threads<n> per Segue run and
 * baseline.gensimThreads<n> (label, threads, seconds, words, effective, wordsPerSecond,
 * precision); ratios.<kernel>Threads<n>OverGensimWordsPerSecond; figures.corpus.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/math/index.js';
import { countItems, trainItem2vec, clusterPrecision, plantedSessions } from '../src/models/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';

const PYTHON = '/usr/bin/python3';
const ITEMS = 50_000;
const CLUSTERS = 100;
const SETTINGS = { dims: 64, window: 5, negatives: 5, sample: 1e-3, minCount: 1, negExponent: 0.75, learningRate: 0.025, minLearningRate: 0.0001, seed: 42 };
/** Target from issue 3: at least 0.7x gensim's words/s at equal threads. */
const TARGET_RATIO = 0.7;

const GENSIM_SCRIPT = String.raw`
import json, sys, time
import numpy as np
import gensim
from gensim.models import Word2Vec
from gensim.models.word2vec import FAST_VERSION
path, out, V, workers, dims, window, neg, epochs, sample, seed = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:8]), int(sys.argv[8]), float(sys.argv[9]), int(sys.argv[10])
with open(path) as f:
    sentences = [line.split() for line in f]
m = Word2Vec(vector_size=dims, window=window, negative=neg, hs=0, sg=1, min_count=1, sample=sample, ns_exponent=0.75,
             alpha=0.025, min_alpha=0.0001, seed=seed, workers=workers, epochs=epochs)
m.build_vocab(sentences)
t = time.perf_counter()
effective, raw = m.train(sentences, total_examples=m.corpus_count, epochs=m.epochs)
seconds = time.perf_counter() - t
vecs = np.zeros((V, dims), dtype=np.float32)
for key, ix in m.wv.key_to_index.items():
    vecs[int(key)] = m.wv.vectors[ix]
vecs.tofile(out)
print(json.dumps({"version": gensim.__version__, "fast": int(FAST_VERSION), "seconds": seconds, "raw": raw, "effective": effective}))
`;

interface Run { label: string; threads: number; seconds: number; words: number; effective: number; precision: number }

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

function gensimVersion(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import gensim; print(gensim.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function installGensim(): void {
  console.log('gensim: absent; installing python3-gensim with apt-get (--install)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const cmd of [['apt-get', 'update'], ['apt-get', 'install', '-y', 'python3-gensim']]) {
    const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) {
      console.log(`gensim: \`${cmd.join(' ')}\` failed (exit ${r.status ?? r.error?.message})`);
      return;
    }
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Returns the vectors of the last Segue run (for the ANN benchmark on the project's own embeddings). */
export async function item2vecBench(args: string[], rec: Results): Promise<{ vectors: Float32Array; dims: number } | undefined> {
  let last: { vectors: Float32Array; dims: number } | undefined;
  const tokens = Number(arg(args, '--tokens', '4000000'));
  const epochs = Number(arg(args, '--epochs', '5'));
  const threadList = arg(args, '--threads', '1,2').split(',').map(Number);
  const kernels = arg(args, '--kernel', 'simd').split(',') as Array<'simd' | 'js'>;
  console.log(machineLine());

  const genStart = performance.now();
  const { corpus, cluster } = plantedSessions({ items: ITEMS, clusters: CLUSTERS, sessions: Math.round(tokens / 22), minLength: 5, maxLength: 39, noise: 0.1, zipf: 1, seed: 2024 });
  const counts = countItems(corpus, ITEMS);
  let seen = 0;
  for (let i = 0; i < ITEMS; i++) if (counts[i]! > 0) seen++;
  // Quality queries: 1,000 items seen at least 20 times, fixed sample.
  const eligible: number[] = [];
  for (let i = 0; i < ITEMS; i++) if (counts[i]! >= 20) eligible.push(i);
  const queries = new Rng(7).shuffle(Int32Array.from(eligible)).subarray(0, 1000);
  console.log(`corpus: ${fmt(corpus.tokens.length)} tokens in ${fmt(corpus.offsets.length - 1)} sessions, ${fmt(seen)} of ${fmt(ITEMS)} items seen, ${CLUSTERS} planted clusters, Zipf s = 1 (generated in ${((performance.now() - genStart) / 1000).toFixed(1)} s)`);
  console.log(`settings: skip-gram, dims ${SETTINGS.dims}, window ${SETTINGS.window}, negatives ${SETTINGS.negatives}, epochs ${epochs}, sample ${SETTINGS.sample}, minCount 1, negExponent 0.75, lr 0.025 -> 0.0001`);
  console.log(`quality: precision@10 = share of cosine neighbours in the query's cluster, ${queries.length} queries with count >= 20 (random: ${(1 / CLUSTERS).toFixed(2)})`);
  rec.figures.corpus = { tokens: corpus.tokens.length, sessions: corpus.offsets.length - 1, itemsSeen: seen, items: ITEMS, clusters: CLUSTERS, epochs, queries: queries.length };

  let gensim = args.includes('--skip-gensim') ? null : gensimVersion();
  if (gensim === null && !args.includes('--skip-gensim')) {
    if (args.includes('--install')) {
      installGensim();
      gensim = gensimVersion();
    }
    if (gensim === null) console.log(`gensim: absent (${PYTHON} cannot import gensim); run with --install to apt-get install python3-gensim. Segue figures only.`);
  }

  rec.figures.gensim = gensim ?? (args.includes('--skip-gensim') ? 'skipped (--skip-gensim)' : 'absent');
  const dir = mkdtempSync(join(tmpdir(), 'segue-bench-item2vec-'));
  const corpusPath = join(dir, 'corpus.txt');
  if (gensim !== null) {
    const lines: string[] = [];
    for (let s = 0; s + 1 < corpus.offsets.length; s++) lines.push(corpus.tokens.subarray(corpus.offsets[s]!, corpus.offsets[s + 1]!).join(' '));
    writeFileSync(corpusPath, lines.join('\n') + '\n');
    writeFileSync(join(dir, 'gensim_w2v.py'), GENSIM_SCRIPT);
  }

  const runs: Run[] = [];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`${'trainer'.padEnd(22)} ${pad('threads', 7)} ${pad('words/s', 11)} ${pad('effective/s', 12)} ${pad('seconds', 8)} ${pad('P@10', 6)}  vs gensim`);
  const json = (r: Run): Run & { wordsPerSecond: number } => ({ ...r, wordsPerSecond: r.words / r.seconds });
  const print = (r: Run, vs: string): void => {
    console.log(`${r.label.padEnd(22)} ${pad(r.threads, 7)} ${pad(fmt(r.words / r.seconds), 11)} ${pad(fmt(r.effective / r.seconds), 12)} ${pad(r.seconds.toFixed(2), 8)} ${pad(r.precision.toFixed(3), 6)}  ${vs}`);
  };
  try {
    for (const threads of threadList) {
      let g: Run | null = null;
      if (gensim !== null) {
        const out = join(dir, `gensim-${threads}.f32`);
        const p = spawnSync(PYTHON, [join(dir, 'gensim_w2v.py'), corpusPath, out, String(ITEMS), String(threads), String(SETTINGS.dims), String(SETTINGS.window), String(SETTINGS.negatives), String(epochs), String(SETTINGS.sample), String(SETTINGS.seed)], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (p.status !== 0) console.log(`gensim failed: ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        else {
          const j = JSON.parse(p.stdout.trim().split('\n').pop()!) as { version: string; fast: number; seconds: number; raw: number; effective: number };
          const buf = readFileSync(out);
          const vecs = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
          g = { label: `gensim ${j.version}${j.fast < 0 ? ' (no C ext)' : ''}`, threads, seconds: j.seconds, words: j.raw, effective: j.effective, precision: clusterPrecision(vecs, SETTINGS.dims, cluster, queries, 10) };
          runs.push(g);
          print(g, '');
          rec.baseline[`gensimThreads${threads}`] = json(g);
        }
      }
      for (const kernel of kernels) {
      const r = await trainItem2vec(corpus, ITEMS, { ...SETTINGS, epochs, threads, counts, kernel });
      last = { vectors: r.vectors, dims: r.dims };
      const s: Run = { label: `segue item2vec (${kernel})`, threads, seconds: r.seconds, words: r.words, effective: r.effectiveWords, precision: clusterPrecision(r.vectors, r.dims, cluster, queries, 10) };
      runs.push(s);
      const ratio = g === null ? NaN : s.words / s.seconds / (g.words / g.seconds);
      print(s, g === null ? 'n/a' : `${ratio.toFixed(2)}x words/s (target >= ${TARGET_RATIO}x: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}), P@10 ${(s.precision - g.precision >= 0 ? '+' : '')}${(s.precision - g.precision).toFixed(3)}`);
      rec.figures[`${kernel}Threads${threads}`] = json(s);
      rec.ratio(`${kernel}Threads${threads}OverGensimWordsPerSecond`, ratio, 1);
      if (g !== null) rec.target(`${kernel} on ${threads} threads >= ${TARGET_RATIO}x gensim's words/s`, ratio >= TARGET_RATIO);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return last;
}
