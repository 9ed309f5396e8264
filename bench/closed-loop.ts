/**
 * Closed-loop quality in the simulator (issue 5): for radio and autoplay, listen-through
 * rate, minutes per session and emerging-artist share of (a) popularity, (b) the ranker's
 * scores sorted without sequencing and (c) the sequencer, each list played by the
 * simulator's behaviour model from the same listener state with the same random numbers.
 *
 *   npm run bench -- closed-loop [--listeners 1500] [--tracks 12000] [--days 14] [--sessions 300] [--length 30] [--seed 3] [--json]
 *
 * With --json (bench/report.ts): figures.<surface> is the sequencer arm (listenThrough,
 * minutes, emergingShare, plays), baseline.<surface> the popularity and ranker-sorted arms,
 * and ratios the sequencer's over each.
 */
import { runClosedLoop } from '../src/evaluation/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

export async function closedLoopBench(args: string[], rec: Results): Promise<void> {
  console.log(machineLine());
  const t = performance.now();
  const r = await runClosedLoop({
    listeners: Number(arg(args, '--listeners', '1500')), tracks: Number(arg(args, '--tracks', '12000')), days: Number(arg(args, '--days', '14')),
    sessions: Number(arg(args, '--sessions', '300')), length: Number(arg(args, '--length', '30')), seed: Number(arg(args, '--seed', '3')),
    onProgress: (m) => console.log(`  ${m} (${((performance.now() - t) / 1000).toFixed(0)} s)`),
  });
  console.log(r.protocol);
  console.log(`${'surface'.padEnd(9)} ${'arm'.padEnd(14)} ${'listen-through'.padStart(14)} ${'min/session'.padStart(11)} ${'emerging'.padStart(8)} ${'plays'.padStart(6)}`);
  for (const [surface, arms] of Object.entries(r.results)) {
    for (const [arm, m] of Object.entries(arms)) {
      console.log(`${surface.padEnd(9)} ${arm.padEnd(14)} ${m.listenThrough.toFixed(3).padStart(14)} ${m.minutes.toFixed(1).padStart(11)} ${m.emergingShare.toFixed(3).padStart(8)} ${String(m.plays).padStart(6)}`);
    }
  }
  console.log(`${((performance.now() - t) / 1000).toFixed(0)} s in all`);
  rec.figures.protocol = r.protocol;
  rec.figures.sessions = r.sessions;
  for (const [surface, arms] of Object.entries(r.results)) {
    rec.figures[surface] = arms.sequencer;
    rec.baseline[surface] = { popularity: arms.popularity, rankerSorted: arms['ranker-sorted'] };
    for (const [name, base] of [['Popularity', arms.popularity], ['RankerSorted', arms['ranker-sorted']]] as const) {
      rec.ratio(`${surface}SequencerOver${name}ListenThrough`, arms.sequencer.listenThrough, base.listenThrough);
      rec.ratio(`${surface}SequencerOver${name}Minutes`, arms.sequencer.minutes, base.minutes);
      rec.ratio(`${surface}SequencerOver${name}Emerging`, arms.sequencer.emergingShare, base.emergingShare);
    }
  }
  rec.figures.seconds = (performance.now() - t) / 1000;
}
