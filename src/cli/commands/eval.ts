import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  CONTINUATION_MODELS, LISTENER_ARTIST_MODELS, NEXT_TRACK_MODELS, SKIP_MODELS,
  runContinuationEval, runListenerArtistEval, runNextTrackEval, runSkipEval, runOffPolicy, offPolicyFromStore, saveEvalReport, CLUSTER_EMBEDDINGS, DEFAULT_MIPS_CLUSTERS, type ClusterEmbedding, type LiveOffPolicyReport, type NextTrackModel, type OffPolicyReport,
} from '../../evaluation/index.js';
import { PolicyError, SURFACES, type Surface } from '../../sequencing/index.js';
import { POLICY_FORMS, policyArg } from '../policy.js';
import { emit, table } from '../output.js';
import { CliError } from '../errors.js';
import { integer, positiveInt, timeFlag } from '../args.js';
import { withStore, type GlobalOptions } from '../context.js';

const TASKS = {
  'next-track': NEXT_TRACK_MODELS,
  continuation: CONTINUATION_MODELS,
  'listener-artist': LISTENER_ARTIST_MODELS,
  skip: SKIP_MODELS,
  'off-policy': [],
} as const;
type Task = keyof typeof TASKS;

/** Cut-offs of the ranking metrics: the tables show 10 and 100; the saved report has the whole HR@k curve. */
const EVAL_KS = [1, 5, 10, 20, 50, 100];

interface Flags {
  task: string;
  save: boolean;
  models?: string;
  testShare: string;
  sessionGap: string;
  seedTracks: string;
  minSessionLength: string;
  maxQueries: string;
  seed: string;
  out?: string;
  logging?: string;
  target?: string;
  sequences: string;
  length: string;
  listeners: string;
  tracks: string;
  since?: string;
  until?: string;
  surface?: string;
  clusters?: string;
  embedding?: string;
}


export function registerEval(program: Command, globals: () => GlobalOptions): void {
  program
    .command('eval')
    .description('offline evaluation on a held-out split of the store (popularity baseline always included)')
    .requiredOption('--task <task>', `what to evaluate: ${Object.keys(TASKS).join(', ')}`)
    .option('--models <list>', `comma-separated; next-track: ${NEXT_TRACK_MODELS.join(', ')}; continuation: ${CONTINUATION_MODELS.join(', ')}; listener-artist: ${LISTENER_ARTIST_MODELS.join(', ')}; skip: ${SKIP_MODELS.join(', ')} (default: all of the task's)`)
    .option('--test-share <r>', 'share held out for testing: the latest sessions by start time (next-track), playlists, or each listener\'s artists', '0.2')
    .option('--session-gap <minutes>', 'next-track and skip: gap that cuts sessions (of events without a session id, for skip)', '30')
    .option('--min-session-length <n>', 'skip: shortest session evaluated', '4')
    .option('--seed-tracks <n>', 'continuation: first tracks of a test playlist that are given', '5')
    .option('--max-queries <n>', 'evaluate at most this many queries (an even, deterministic subsample)', '10000')
    .option('--seed <n>', 'seed of the models that sample (item2vec, ALS) and of random holdouts', '42')
    .option('--out <file>', 'also write the JSON report to this file')
    .option('--no-save', 'do not keep the report in the store (by default the latest report of each task is kept there, for the console\'s Models page and GET /v1/evaluations)')
    .option('--logging <policy>', `off-policy: the exploring logging policy: ${POLICY_FORMS}`)
    .option('--target <policy>', 'off-policy: the policy to evaluate (same forms)')
    .option('--sequences <n>', 'off-policy: logged sequences', '100000')
    .option('--length <n>', 'off-policy: tracks per sequence', '10')
    .option('--listeners <n>', 'off-policy: listeners of the simulated world', '1000')
    .option('--tracks <n>', 'off-policy: tracks of the simulated world', '8000')
    .option('--since <time>', 'off-policy from the store (no --logging): exposures from this time (ISO-8601 or epoch ms; default: all)')
    .option('--until <time>', 'off-policy from the store: exposures before this time (default now)')
    .option('--surface <surface>', 'off-policy from the store: only this surface\'s exposures')
    .option('--clusters <k>', `off-policy: MIPS's clusters of track embeddings (default ${DEFAULT_MIPS_CLUSTERS})`)
    .option('--embedding <name>', `off-policy from the store: MIPS's embedding, ${CLUSTER_EMBEDDINGS.join(', ')} (default: the first the store has)`)
    .action(async (flags: Flags) => {
      const g = globals();
      if (!(flags.task in TASKS)) throw new CliError(`--task must be one of ${Object.keys(TASKS).join(', ')}, got ${JSON.stringify(flags.task)}`);
      if (flags.task === 'off-policy') return offPolicy(g, flags);
      const task = flags.task as Task;
      const available: readonly string[] = TASKS[task];
      const models = flags.models === undefined ? [...available] : flags.models.split(',').map((m) => m.trim()).filter(Boolean);
      const unknown = models.filter((m) => !available.includes(m));
      if (unknown.length > 0) throw new CliError(`--models: unknown for ${task}: ${unknown.map((m) => JSON.stringify(m)).join(', ')}; available: ${available.join(', ')}`);
      const testShare = Number(flags.testShare);
      if (!(testShare > 0 && testShare < 1)) throw new CliError(`--test-share must be between 0 and 1, got ${JSON.stringify(flags.testShare)}`);
      const gap = Number(flags.sessionGap);
      if (!(gap > 0)) throw new CliError(`--session-gap must be a positive number of minutes, got ${JSON.stringify(flags.sessionGap)}`);
      const seedTracks = positiveInt('--seed-tracks', flags.seedTracks);
      const maxQueries = positiveInt('--max-queries', flags.maxQueries);
      const seed = integer('--seed', flags.seed);
      const started = performance.now();
      if (task === 'skip') {
        const minSessionLength = positiveInt('--min-session-length', flags.minSessionLength);
        const report = await withStore(g, (store) => runSkipEval(store, { models, testShare, gapMinutes: gap, minSessionLength, maxQueries, seed }), { readonly: true });
        if (report.queries === 0) throw new CliError(`no test queries: no held-out session has ${minSessionLength} or more plays with known skip flags in its second half`);
        const json = { task, ...report, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
        if (flags.out) writeFileSync(flags.out, JSON.stringify(json, null, 2) + '\n');
        if (flags.save) await withStore(g, (store) => saveEvalReport(store, task, json));
        const cols = ['mean-average-accuracy', 'first-prediction-accuracy', 'accuracy', 'AUC'] as const;
        const n = (x: number): string => x.toLocaleString('en-US');
        emit(g.json, json, () =>
          [
            `skip: ${n(report.queries)} test sessions, ${n(report.predictions)} second-half tracks; skip rate ${report.skipRate.train} in training, ${report.skipRate.test} in test`,
            table(['model', ...cols], Object.entries(report.results).map(([m, r]) => [m, ...cols.map((c) => Number(r[c].toFixed(4)))])),
            report.protocol,
            ...(report.importance ? [`gbdt top features by gain: ${report.importance.map((f) => f.feature).join(', ')}`] : []),
            `split: ${JSON.stringify(report.split)}`,
          ].join('\n'),
        );
        return;
      }
      type Report = { protocol: string; queries: number; coldTargetShare: number; candidates: number; results: Record<string, Record<string, number>>; split: object };
      const report = await withStore<Report>(g, (store) => {
        switch (task) {
          case 'next-track': return runNextTrackEval(store, { models: models as NextTrackModel[], testShare, gapMinutes: gap, maxQueries, seed, ks: EVAL_KS });
          case 'continuation': return runContinuationEval(store, { models, testShare, seedTracks, maxQueries, seed, ks: EVAL_KS });
          case 'listener-artist': return runListenerArtistEval(store, { models, testShare, maxQueries, seed });
          case 'off-policy': throw new Error('unreachable: off-policy is handled above');
        }
      }, { readonly: true });
      if (report.queries === 0) {
        throw new CliError(task === 'next-track'
          ? 'no test queries: the store has no sessions of two or more plays in its latest sessions'
          : task === 'continuation'
            ? `no test queries: no held-out playlist has more than ${seedTracks} distinct tracks (import playlists first, e.g. \`segue import mpd\`)`
            : 'no test queries: no listener has played 5 or more artists');
      }
      const json = { task, ...report, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
      if (flags.out) writeFileSync(flags.out, JSON.stringify(json, null, 2) + '\n');
      if (flags.save) await withStore(g, (store) => saveEvalReport(store, task, json));
      const cols = task === 'next-track'
        ? ['HR@10', 'NDCG@10', 'MRR@10', 'HR@100', 'NDCG@100', 'MRR@100', 'coverage', 'novelty', 'variety']
        : ['HR@10', 'Recall@10', 'NDCG@10', 'MRR@10', 'Recall@100', 'NDCG@100', 'R-precision', 'coverage', 'novelty', 'variety'];
      const n = (x: number): string => x.toLocaleString('en-US');
      const head = task === 'next-track'
        ? `next-track: ${n(report.queries)} queries, ${n(report.candidates)} candidates, ${(report.coldTargetShare * 100).toFixed(1)}% of targets unseen in training`
        : `${task}: ${n(report.queries)} queries, ${n(report.candidates)} candidates, ${(report.coldTargetShare * 100).toFixed(1)}% of held-out items unseen in training`;
      emit(g.json, json, () =>
        [
          head,
          table(['model', ...cols], Object.entries(report.results).map(([m, r]) => [m, ...cols.map((c) => Number((r[c] ?? 0).toFixed(4)))])),
          report.protocol,
          `split: ${JSON.stringify(report.split)}`,
        ].join('\n'),
      );
    });
}

/** `eval --task off-policy`: logged sequences of an exploring policy in the simulator, estimators against the target's true value. */
async function offPolicy(g: GlobalOptions, flags: Flags): Promise<void> {
  if (flags.target === undefined) throw new CliError('--task off-policy needs --target <policy> (and --logging <policy> to run in the simulator instead of on the store\'s exposures)');
  if (flags.logging === undefined) return liveOffPolicy(g, flags);
  const seed = integer('--seed', flags.seed);
  const tty = !g.json && process.stderr.isTTY;
  const t = performance.now();
  let r: OffPolicyReport;
  try {
    r = await runOffPolicy({
      logging: await policyArg(g, '--logging', flags.logging), target: await policyArg(g, '--target', flags.target),
      sequences: positiveInt('--sequences', flags.sequences), length: positiveInt('--length', flags.length), listeners: positiveInt('--listeners', flags.listeners),
      tracks: positiveInt('--tracks', flags.tracks), seed, ...(flags.clusters !== undefined ? { clusters: positiveInt('--clusters', flags.clusters) } : {}),
      onProgress: (m) => {
        if (tty) process.stderr.write(`\r\x1b[K[${((performance.now() - t) / 1000).toFixed(0)} s] ${m}`);
      },
    });
  } catch (err) {
    if (err instanceof PolicyError) throw new CliError(err.message);
    throw err;
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
  }
  const json = { task: 'off-policy', ...r, seconds: Number(((performance.now() - t) / 1000).toFixed(2)) };
  if (flags.out) writeFileSync(flags.out, JSON.stringify(json, null, 2) + '\n');
  const f = (x: number): string => x.toFixed(4);
  emit(g.json, json, () => [
    r.protocol,
    `target's true value (on-policy): ${f(r.truth.value)} listened-through tracks per sequence (se ${f(r.truth.se)}); logging policy: ${f(r.logging.value)}; mean whole-sequence weight ${f(r.meanSequenceWeight)}`,
    '',
    table(['estimator', 'estimate', '95% interval', 'error', 'what it assumes'], r.estimates.map((e) => [e.estimator, f(e.value), `${f(e.ci[0])} .. ${f(e.ci[1])}`, `${(100 * e.relativeError).toFixed(2)}%`, e.about])),
    '',
    'per position (where the per-item estimates drift from the truth):',
    table(['position', 'truth', ...r.estimates.map((e) => e.estimator)], r.truth.perPosition.map((v, k) => [k + 1, f(v), ...r.estimates.map((e) => `${f(e.perPosition[k]!)} (${(100 * (e.perPosition[k]! / v - 1)).toFixed(1)}%)`)])),
  ].join('\n'));
}

/** `eval --task off-policy --target P` without --logging: the store's own exposures with their candidates logged. */
async function liveOffPolicy(g: GlobalOptions, flags: Flags): Promise<void> {
  const since = timeFlag('--since', flags.since), until = timeFlag('--until', flags.until);
  if (flags.surface !== undefined && !(SURFACES as readonly string[]).includes(flags.surface)) throw new CliError(`--surface must be one of ${SURFACES.join(', ')}, got ${JSON.stringify(flags.surface)}`);
  const target = await policyArg(g, '--target', flags.target!);
  if (flags.embedding !== undefined && !(CLUSTER_EMBEDDINGS as readonly string[]).includes(flags.embedding)) throw new CliError(`--embedding must be one of ${CLUSTER_EMBEDDINGS.join(', ')}, got ${JSON.stringify(flags.embedding)}`);
  const embedding = flags.embedding as ClusterEmbedding | undefined;
  const t = performance.now();
  let r: LiveOffPolicyReport;
  try {
    r = await withStore(g, (store) => offPolicyFromStore(store, {
      target, seed: integer('--seed', flags.seed), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}), ...(flags.surface ? { surface: flags.surface as Surface } : {}),
      ...(flags.clusters !== undefined ? { clusters: positiveInt('--clusters', flags.clusters) } : {}), ...(embedding ? { embedding } : {}),
    }));
  } catch (err) {
    if (err instanceof PolicyError || err instanceof RangeError) throw new CliError(err.message);
    throw err;
  }
  const json = { task: 'off-policy', source: 'store', ...r, seconds: Number(((performance.now() - t) / 1000).toFixed(2)) };
  if (flags.out) writeFileSync(flags.out, JSON.stringify(json, null, 2) + '\n');
  const f = (x: number): string => x.toFixed(4);
  emit(g.json, json, () => [
    r.protocol,
    `logged lists' own value: ${f(r.logging.value)} listened-through tracks per list; mean whole-list weight ${f(r.meanSequenceWeight)}; ${(100 * r.deterministicShare).toFixed(1)}% of logged positions did not explore`,
    ...(Object.keys(r.skipped).length > 0 ? [`skipped: ${Object.entries(r.skipped).map(([k, v]) => `${v} (${k})`).join(', ')}`] : []),
    '',
    table(['estimator', 'estimate', '95% interval', 'effective sample', 'what it assumes'], r.estimates.map((e) => [e.estimator, f(e.value), `${f(e.ci[0])} .. ${f(e.ci[1])}`, e.effectiveSampleSize, e.about])),
    ...(r.mips ? [`mips: ${r.mips.clusters} clusters of the ${r.mips.tracks} candidate tracks by their ${r.mips.embedding} embedding${r.mips.withoutVector > 0 ? ` (${r.mips.withoutVector} without a vector, each its own)` : ''}`] : []),
    ...r.warnings.map((w) => `warning: ${w}`),
  ].join('\n'));
}
