/**
 * Benchmarks: `npm run bench -- <suite> [options] [--json]`. Each suite prints its figures
 * with the machine it ran on, and a baseline measured in the same run; with `--json` it
 * prints one JSON document on stdout instead, the tables going to stderr (bench/report.ts).
 */
import { ingestBench } from './ingest.js';
import { item2vecBench } from './item2vec.js';
import { alsBench } from './als.js';
import { Report } from './report.js';

const SUITES: Record<string, (args: string[], report: Report) => Promise<unknown>> = {
  ingest: ingestBench,
  item2vec: item2vecBench,
  als: alsBench,
  ann: async (a, r) => (await import('./ann.js')).annBench(a, r),
  models: async (a, r) => (await import('./models.js')).modelsBench(a, r),
  ranking: async (a, r) => (await import('./ranking.js')).rankingBench(a, r),
  sequencing: async (a, r) => (await import('./sequencing.js')).sequencingBench(a, r),
  'closed-loop': async (a, r) => (await import('./closed-loop.js')).closedLoopBench(a, r),
  'off-policy': async (a, r) => (await import('./off-policy.js')).offPolicyBench(a, r),
  interleaving: async (a, r) => (await import('./interleaving.js')).interleavingBench(a, r),
  tune: async (a, r) => (await import('./tune.js')).tuneBench(a, r),
  depth: async (a, r) => (await import('./depth.js')).depthBench(a, r),
  serve: async (a, r) => (await import('./serve.js')).serveBench(a, r),
  store: async (a, r) => (await import('./store.js')).storeBench(a, r),
  fingerprint: async (a, r) => (await import('./fingerprint.js')).fingerprintBench(a, r),
  cluster: async (a, r) => (await import('./cluster.js')).clusterBench(a, r),
};

const [suite, ...args] = process.argv.slice(2);
const run = suite === undefined ? undefined : SUITES[suite];
if (run === undefined) {
  process.stderr.write(`usage: npm run bench -- <suite> [options] [--json]; suites: ${Object.keys(SUITES).join(', ')}\n`);
  process.exit(2);
}
const report = new Report(suite!, args);
report.claimStdout();
await run(args, report);
report.finish();
