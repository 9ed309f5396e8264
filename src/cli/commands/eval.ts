import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { NEXT_TRACK_MODELS, runNextTrackEval, type NextTrackModel } from '../../evaluation/index.js';
import { emit, table } from '../output.js';
import { CliError } from '../errors.js';
import { withStore, type GlobalOptions } from '../context.js';

const TASKS = ['next-track'] as const;

export function registerEval(program: Command, globals: () => GlobalOptions): void {
  program
    .command('eval')
    .description('offline evaluation on a temporal split of the store (popularity baseline always included)')
    .requiredOption('--task <task>', `what to evaluate: ${TASKS.join(', ')}`)
    .option('--models <list>', `comma-separated: ${NEXT_TRACK_MODELS.join(', ')}`, NEXT_TRACK_MODELS.join(','))
    .option('--test-share <r>', 'share of sessions, the latest by start time, held out for testing', '0.2')
    .option('--session-gap <minutes>', 'gap that cuts sessions', '30')
    .option('--out <file>', 'also write the JSON report to this file')
    .action(async (flags: { task: string; models: string; testShare: string; sessionGap: string; out?: string }) => {
      const g = globals();
      if (!(TASKS as readonly string[]).includes(flags.task)) throw new CliError(`--task must be one of ${TASKS.join(', ')}, got ${JSON.stringify(flags.task)} (continuation and the other tasks are not built yet)`);
      const models = flags.models.split(',').map((m) => m.trim()).filter(Boolean);
      const unknown = models.filter((m) => !(NEXT_TRACK_MODELS as readonly string[]).includes(m));
      if (unknown.length > 0) throw new CliError(`--models: unknown ${unknown.map((m) => JSON.stringify(m)).join(', ')}; available: ${NEXT_TRACK_MODELS.join(', ')}`);
      const testShare = Number(flags.testShare);
      if (!(testShare > 0 && testShare < 1)) throw new CliError(`--test-share must be between 0 and 1, got ${JSON.stringify(flags.testShare)}`);
      const gap = Number(flags.sessionGap);
      if (!(gap > 0)) throw new CliError(`--session-gap must be a positive number of minutes, got ${JSON.stringify(flags.sessionGap)}`);
      const report = await withStore(g, (store) => runNextTrackEval(store, { models: models as NextTrackModel[], testShare, gapMinutes: gap }), { readonly: true });
      if (report.queries === 0) throw new CliError('no test queries: the store has no sessions of two or more plays in its latest sessions');
      const json = { task: flags.task, ...report };
      if (flags.out) writeFileSync(flags.out, JSON.stringify(json, null, 2) + '\n');
      const cols = ['HR@10', 'NDCG@10', 'MRR@10', 'HR@100', 'NDCG@100', 'MRR@100', 'coverage', 'novelty'];
      emit(g.json, json, () =>
        [
          `next-track: ${report.queries.toLocaleString('en-US')} queries from ${report.split.testSessions.toLocaleString('en-US')} test sessions (of ${report.split.sessions.toLocaleString('en-US')}; test from ${report.split.cutoff}), ${report.candidates.toLocaleString('en-US')} candidates, ${(report.coldTargetShare * 100).toFixed(1)}% of targets unseen in training`,
          table(['model', ...cols], Object.entries(report.results).map(([m, r]) => [m, ...cols.map((c) => Number(r[c]!.toFixed(4)))])),
          report.protocol,
        ].join('\n'),
      );
    });
}
