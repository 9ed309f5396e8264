/**
 * Benchmarks: `npm run bench -- <suite> [options]`. Each suite prints its figures with the
 * machine it ran on, and a baseline measured in the same run.
 */
import { ingestBench } from './ingest.js';
import { item2vecBench } from './item2vec.js';
import { alsBench } from './als.js';

const SUITES: Record<string, (args: string[]) => Promise<unknown>> = {
  ingest: ingestBench,
  item2vec: item2vecBench,
  als: alsBench,
  ann: async (a) => (await import('./ann.js')).annBench(a),
  models: async (a) => (await import('./models.js')).modelsBench(a),
  ranking: async (a) => (await import('./ranking.js')).rankingBench(a),
  sequencing: async (a) => (await import('./sequencing.js')).sequencingBench(a),
  'closed-loop': async (a) => (await import('./closed-loop.js')).closedLoopBench(a),
  depth: async (a) => (await import('./depth.js')).depthBench(a),
  serve: async (a) => (await import('./serve.js')).serveBench(a),
  store: async (a) => (await import('./store.js')).storeBench(a),
  fingerprint: async (a) => (await import('./fingerprint.js')).fingerprintBench(a),
  cluster: async (a) => (await import('./cluster.js')).clusterBench(a),
};

const [suite, ...args] = process.argv.slice(2);
const run = suite === undefined ? undefined : SUITES[suite];
if (run === undefined) {
  process.stderr.write(`usage: npm run bench -- <suite> [options]; suites: ${Object.keys(SUITES).join(', ')}\n`);
  process.exit(2);
}
await run(args);
