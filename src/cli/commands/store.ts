import type { Command } from 'commander';
import { copyStore, openStore, redactLocation, type TableCopy } from '../../store/index.js';
import { emit, table } from '../output.js';
import { progressBar } from '../progress.js';
import { CliError } from '../errors.js';
import type { GlobalOptions } from '../context.js';

/**
 * `segue store copy --from <url> --to <url>`: copy a whole store (the migration path from the
 * embedded SQLite file to PostgreSQL). Idempotent and resumable (see copyStore): rerun it
 * after an interruption and it completes the copy, nothing doubled. Prints progress, and at
 * the end the rows per table on both sides.
 */
export function registerStore(program: Command, globals: () => GlobalOptions): void {
  const store = program.command('store').description('whole-store operations: copy one store into another');
  store
    .command('copy')
    .description('copy a whole store into another, e.g. SQLite to PostgreSQL (idempotent, resumable)')
    .requiredOption('--from <location>', 'the source store: a SQLite file, sqlite:<path> or postgres://…')
    .requiredOption('--to <location>', 'the destination store (created or migrated on open)')
    .action(async (flags: { from: string; to: string }) => {
      const g = globals();
      if (flags.from === flags.to) throw new CliError('store copy: --from and --to name the same store');
      const from = await openStore(flags.from, { readonly: true });
      try {
        const to = await openStore(flags.to);
        try {
          const say = (msg: string): void => {
            if (!g.json) process.stderr.write(`segue store copy: ${msg}\n`);
          };
          say(`${redactLocation(flags.from)} -> ${redactLocation(flags.to)}`);
          const bar = progressBar('copy', !g.json, 'rows');
          let current = '';
          const started = performance.now();
          const tables = await copyStore(from, to, {
            onProgress: (p) => {
              if (p.table !== current && !process.stderr.isTTY) {
                current = p.table;
                say(`${p.table}: ${p.total.toLocaleString('en-US')} rows`);
              }
              current = p.table;
              bar.update(p.done, Math.max(p.total, p.done), { table: p.table });
            },
          });
          bar.stop();
          const seconds = (performance.now() - started) / 1000;
          const complete = tables.every((t) => t.to >= t.from);
          emit(g.json, { from: redactLocation(flags.from), to: redactLocation(flags.to), seconds, complete, tables }, () =>
            [
              table(['table', 'source rows', 'destination rows', 'copied now'], tables.map((t: TableCopy) => [t.table, t.from, t.to, t.copied])),
              `${complete ? 'complete' : 'INCOMPLETE'}: ${tables.reduce((n, t) => n + t.copied, 0).toLocaleString('en-US')} rows copied in ${seconds.toFixed(1)} s`,
            ].join('\n'),
          );
          if (!complete) throw new CliError('store copy: the destination has fewer rows than the source in some table (see above)');
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });
}
