import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TRAINABLE, trainConfig, trainModels, type Trainable } from '../../models/train.js';
import { emit, fmt, table } from '../output.js';
import { CliError } from '../errors.js';
import { withStore, type GlobalOptions } from '../context.js';

export function registerTrain(program: Command, globals: () => GlobalOptions): void {
  program
    .command('train')
    .description('train candidate models on the store and save them as new versions in its model registry')
    .option('--models <list>', `comma-separated: ${TRAINABLE.join(', ')}`, TRAINABLE.join(','))
    .option('--config <file>', 'hyper-parameters as JSON (any subset; see README "Training" for keys and defaults)')
    .action(async (flags: { models: string; config?: string }) => {
      const g = globals();
      const models = flags.models.split(',').map((m) => m.trim()).filter(Boolean);
      const unknown = models.filter((m) => !(TRAINABLE as readonly string[]).includes(m));
      if (unknown.length > 0 || models.length === 0) throw new CliError(`--models: unknown ${unknown.map((m) => JSON.stringify(m)).join(', ') || '(none given)'}; available: ${TRAINABLE.join(', ')}`);
      let cfg;
      try {
        cfg = trainConfig(flags.config === undefined ? undefined : (JSON.parse(readFileSync(flags.config, 'utf8')) as unknown));
      } catch (err) {
        throw new CliError(`--config ${flags.config}: ${(err as Error).message}`);
      }
      const ac = new AbortController();
      const onSigint = (): void => ac.abort();
      process.once('SIGINT', onSigint);
      const progress = (msg: string): void => {
        if (!g.json && process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
      };
      const reports = await withStore(g, (store) => trainModels(store, models as Trainable[], cfg, progress, ac.signal)).finally(() => {
        process.off('SIGINT', onSigint);
        if (!g.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      });
      emit(g.json, reports, () => table(['model', 'version', 'seconds', 'size'], reports.map((r) => [r.model, r.version, Number(r.seconds.toFixed(2)), `${fmt(Math.round(r.bytes / 1024))} KiB`])));
    });
}
