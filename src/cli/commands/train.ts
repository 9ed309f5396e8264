import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TRAINABLE, trainConfig, trainModels, type Trainable } from '../../models/index.js';
import { rankerConfig, trainRanker, type RankerConfig, type RankerReport } from '../../ranking/index.js';
import { emit, fmt, table } from '../output.js';
import { CliError } from '../errors.js';
import { announce, withStore, type GlobalOptions } from '../context.js';

export function registerTrain(program: Command, globals: () => GlobalOptions): void {
  program
    .command('train')
    .description('train candidate models on the store and save them as new versions in its model registry')
    .option('--models <list>', `comma-separated: ${[...TRAINABLE, 'ranker'].join(', ')} (the ranker trains after the others, on its own time split)`, TRAINABLE.join(','))
    .option('--config <file>', 'hyper-parameters as JSON (any subset; see docs/models.md, "Training config", for keys and defaults)')
    .action(async (flags: { models: string; config?: string }) => {
      const g = globals();
      const models = flags.models.split(',').map((m) => m.trim()).filter(Boolean);
      const available = [...TRAINABLE, 'ranker'];
      const unknown = models.filter((m) => !available.includes(m));
      if (unknown.length > 0 || models.length === 0) throw new CliError(`--models: unknown ${unknown.map((m) => JSON.stringify(m)).join(', ') || '(none given)'}; available: ${available.join(', ')}`);
      let cfg;
      let rcfg: RankerConfig;
      try {
        const raw = flags.config === undefined ? undefined : (JSON.parse(readFileSync(flags.config, 'utf8')) as unknown);
        const { ranker, ...rest } = (raw ?? {}) as { ranker?: unknown };
        cfg = trainConfig(raw === undefined ? undefined : rest);
        rcfg = rankerConfig(ranker ?? {});
      } catch (err) {
        throw new CliError(`--config ${flags.config}: ${(err as Error).message}`);
      }
      const candidates = models.filter((m): m is Trainable => m !== 'ranker');
      const ac = new AbortController();
      const onSigint = (): void => ac.abort();
      process.once('SIGINT', onSigint);
      const progress = (msg: string): void => {
        if (!g.json && process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
      };
      let rankerReport: RankerReport | undefined;
      const reports = await withStore(g, async (store) => {
        const out: Array<{ model: string; version: number; seconds: number; bytes: number; report?: RankerReport }> =
          candidates.length > 0 ? await trainModels(store, candidates, cfg, progress, ac.signal) : [];
        if (models.includes('ranker')) {
          const t = performance.now();
          const r = await trainRanker(store, rcfg, progress, ac.signal);
          rankerReport = r.report;
          out.push({ model: 'ranker', version: r.version, seconds: (performance.now() - t) / 1000, bytes: r.ranker.save().byteLength, report: r.report });
        }
        return out;
      }).finally(() => {
        process.off('SIGINT', onSigint);
        if (!g.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      });
      await announce(g, 'model'); // nodes on the bus reload now, not at their next look
      emit(g.json, reports, () => [
        table(['model', 'version', 'seconds', 'size'], reports.map((r) => [r.model, r.version, Number(r.seconds.toFixed(2)), `${fmt(Math.round(r.bytes / 1024))} KiB`])),
        ...(rankerReport ? [rankerText(rankerReport)] : []),
      ].join('\n'));
    });
}

/** The ranker's offline report as a few lines of text. */
function rankerText(r: RankerReport): string {
  const src = Object.entries(r.ranking.bySource).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `ranker report on held-out sessions (${fmt(r.testQueries)} queries, ${r.candidatesPerQuery} candidates each; trained on ${fmt(r.trainQueries)}; the played track was retrieved in ${(r.targetRetrieved * 100).toFixed(1)}% of sampled plays):`,
    table(['', 'ranker', 'baseline', 'baseline is'], [
      ['NDCG@10 of candidates', r.ranking.ranker, r.ranking.bySource[r.ranking.bestSource] ?? NaN, `best single retrieval score (${r.ranking.bestSource})`],
      ['listen-through AUC', r.listen.ranker.AUC, r.listen.trackSkipRate.AUC, 'track global skip rate'],
      ['listen-through log-loss', r.listen.ranker.logLoss, r.listen.trackSkipRate.logLoss, 'track global skip rate'],
    ]),
    `retrieval scores alone: ${src}`,
    `top features: ${r.importance.map((f) => f.feature).join(', ')}`,
  ].join('\n');
}
