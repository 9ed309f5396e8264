import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseSweep, runTradeoff, tradeoffSvg, SWEEPABLE } from '../../evaluation/index.js';
import { emit, table } from '../output.js';
import { CliError } from '../errors.js';
import { positiveInt } from '../args.js';
import type { GlobalOptions } from '../context.js';

interface Flags {
  surface: string;
  sweep: string;
  listeners: string;
  tracks: string;
  days: string;
  sessions: string;
  length: string;
  seed: string;
  out?: string;
  svg?: string;
}


export function registerTradeoff(program: Command, globals: () => GlobalOptions): void {
  program
    .command('tradeoff')
    .description('trace the frontier between listener satisfaction and a creator or business objective in the simulator\'s closed loop (builds its own simulated world; needs no store)')
    .requiredOption('--surface <name>', 'radio or autoplay')
    .requiredOption('--sweep <spec>', `objective=from:to:step, e.g. emergingArtists=0:1:0.1; objectives: ${SWEEPABLE.join(', ')}`)
    .option('--listeners <n>', 'listeners of the simulated world', '1500')
    .option('--tracks <n>', 'tracks of the simulated world', '12000')
    .option('--days <n>', 'days of history simulated before serving', '14')
    .option('--sessions <n>', 'listeners served per point', '300')
    .option('--length <n>', 'tracks per served session', '30')
    .option('--seed <n>', 'seed of the world and the behaviour model', '3')
    .option('--out <file>', 'write the JSON report here (default tradeoff-<surface>-<objective>.json)')
    .option('--svg <file>', 'write the SVG plot here (default tradeoff-<surface>-<objective>.svg)')
    .action(async (flags: Flags) => {
      const g = globals();
      if (flags.surface !== 'radio' && flags.surface !== 'autoplay') throw new CliError(`--surface must be radio or autoplay, got ${JSON.stringify(flags.surface)}`);
      let sweep;
      try {
        sweep = parseSweep(flags.sweep);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const surface = flags.surface;
      const progress = (msg: string): void => {
        if (!g.json && process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
      };
      const report = await runTradeoff(surface, sweep, {
        listeners: positiveInt('--listeners', flags.listeners), tracks: positiveInt('--tracks', flags.tracks), days: positiveInt('--days', flags.days),
        sessions: positiveInt('--sessions', flags.sessions), length: positiveInt('--length', flags.length), seed: Number(flags.seed), onProgress: progress,
      });
      if (!g.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      const out = flags.out ?? `tradeoff-${surface}-${sweep.objective}.json`;
      const svg = flags.svg ?? `tradeoff-${surface}-${sweep.objective}.svg`;
      writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
      writeFileSync(svg, tradeoffSvg(report));
      emit(g.json, report, () => [
        `${surface}: sweeping ${sweep.objective}`,
        table([sweep.objective, 'listen-through', 'min/session', 'emerging share'], [
          ...report.points.map((p) => [p.weight, p.listenThrough, Number(p.minutes.toFixed(1)), p.emergingShare]),
          ['ranker sorted', report.baseline.listenThrough, Number(report.baseline.minutes.toFixed(1)), report.baseline.emergingShare],
        ]),
        report.protocol,
        `wrote ${out} and ${svg}`,
      ].join('\n'));
    });
}
