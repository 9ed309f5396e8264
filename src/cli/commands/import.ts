import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { FORMATS, getFormat, parseRejectRate, runImport } from '../../ingest/index.js';
import { DEFAULT_SESSION_GAP_MINUTES } from '../../domain/index.js';
import { TrackTable, openOnlineState } from '../../features/index.js';
import { emit, table } from '../output.js';
import { progressBar } from '../progress.js';
import { CliError } from '../errors.js';
import { withStore, type GlobalOptions } from '../context.js';

interface ImportFlags {
  rejects?: string;
  maxRejectRate?: string;
  source?: string;
  option: string[];
  sessionGap: string;
  batchSize: string;
  state: boolean;
}

export function registerImport(program: Command, globals: () => GlobalOptions): void {
  program
    .command('import')
    .description(`import a file or a folder of files; formats: ${[...FORMATS.keys()].join(', ')}`)
    .argument('<format>', 'input format')
    .argument('<path>', 'a file, or a folder of files of that format')
    .option('--rejects <file>', 'where rejected lines go (NDJSON with line and reason)', undefined)
    .option('--max-reject-rate <r>', 'fail (exit 3) when more than this share of items is rejected, 0..1')
    .option('--source <name>', "events' source, part of their idempotency key (default: the format's name)")
    .option('--option <key=value>', 'a format option, repeatable (e.g. listener=alice, map.title=track_name)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--session-gap <minutes>', 'gap that ends a derived session', String(DEFAULT_SESSION_GAP_MINUTES))
    .option('--batch-size <n>', 'items per transaction', '5000')
    .option('--no-state', 'do not fold the imported events into the online listener state (`segue` folds them on next use)')
    .addHelpText('after', '\nExit codes: 0 done, 1 error, 3 reject rate above --max-reject-rate.')
    .action(async (formatName: string, path: string, flags: ImportFlags) => {
      const g = globals();
      const format = getFormat(formatName);
      const maxRejectRate = flags.maxRejectRate === undefined ? undefined : parseRejectRate(flags.maxRejectRate);
      const gap = Number(flags.sessionGap);
      if (!(gap > 0)) throw new CliError(`--session-gap must be a positive number of minutes, got ${JSON.stringify(flags.sessionGap)}`);
      const batchSize = Number(flags.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError(`--batch-size must be a positive integer, got ${JSON.stringify(flags.batchSize)}`);
      const options: Record<string, string> = {};
      for (const kv of flags.option) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new CliError(`--option must be key=value, got ${JSON.stringify(kv)}`);
        options[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const rejectsFile = resolve(flags.rejects ?? `${basename(path.replace(/\/+$/, ''))}.rejects.ndjson`);
      const bar = progressBar(`import ${format.name}`, !g.json);
      const ac = new AbortController();
      const onSigint = (): void => ac.abort();
      process.once('SIGINT', onSigint);
      const summary = await withStore(g, async (store) => {
        const s = await runImport({
          store, format, path, options, rejectsFile, batchSize,
          ...(flags.source !== undefined ? { source: flags.source } : {}),
          ...(maxRejectRate !== undefined ? { maxRejectRate } : {}),
          sessionGapMs: gap * 60_000,
          signal: ac.signal,
          onProgress: (p) => bar.update(Math.round(p.bytes / 1e5) / 10, Math.round(p.totalBytes / 1e5) / 10, { read: p.read, rejected: p.rejected }),
        }).finally(() => {
          bar.stop();
          process.off('SIGINT', onSigint);
        });
        // Fold what this import wrote into the online state (listener, track and session counters).
        if (!flags.state || s.aborted !== undefined || s.accepted === 0) return { ...s, stateEvents: 0, stateSeconds: 0 };
        const t = performance.now();
        const { folded } = await openOnlineState(store, await TrackTable.load(store));
        return { ...s, stateEvents: folded, stateSeconds: Number(((performance.now() - t) / 1000).toFixed(2)) };
      });
      emit(g.json, summary, () =>
        [
          `imported ${summary.path} (${summary.format}) in ${summary.seconds.toFixed(1)} s, ${Math.round(summary.rate).toLocaleString('en-US')} items/s`,
          table(['read', 'accepted', 'duplicates', 'rejected'], [[summary.read, summary.accepted, summary.duplicates, summary.rejected]]),
          summary.rejectsFile ? `rejected items: ${summary.rejectsFile}` : '',
          summary.stateEvents > 0 ? `online state: ${summary.stateEvents.toLocaleString('en-US')} events folded in ${summary.stateSeconds} s` : '',
          summary.aborted ? `stopped early: ${summary.aborted}` : '',
        ].filter(Boolean).join('\n'),
      );
      if (summary.aborted !== undefined) process.exitCode = summary.aborted === 'interrupted' ? 130 : 3;
      else if (maxRejectRate !== undefined && summary.rejectRate > maxRejectRate) {
        process.stderr.write(`segue: reject rate ${summary.rejectRate.toFixed(4)} exceeds --max-reject-rate ${maxRejectRate}\n`);
        process.exitCode = 3;
      }
    });
}
