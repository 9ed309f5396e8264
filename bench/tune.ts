/**
 * Learned objective weights against an exhaustive grid (docs/experiments.md, "Learned
 * objective weights"; issue 21's third part). Starting from deliberately poor weights, a
 * served store explores weights around them on every request; `segue policy tune`'s tuner
 * proposes weights from the store alone; the grid over the explored box is measured in the
 * same loop as the proposal, in a second run of the service (the baseline).
 *
 *   npm run bench -- tune [--listeners 600] [--days 3] [--tracks 4000] [--seed 5] [--grid 5] [--budget 200]
 *                         [--start '{"flow":0.1,"emergingArtists":1}'] [--radius 1] [--objective minutes]
 *                         [--guardrail emergingShare>=0.12] [--guardrail skipRate<=+5%] [--bandwidth 0.15] [--json]
 *
 * With --json (bench/report.ts): figures.tuned (weights, truth, estimate), figures.start,
 * baseline.gridBest (weights, truth), ratios.tunedGainOverGridBestGain, targets (at least 90%
 * of the grid's gain; the proposal holds every guardrail in truth).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGuardrail, tuneInSimulator, TUNE_METRICS, type TuneMetric } from '../src/evaluation/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

export async function tuneBench(args: string[], rec: Results): Promise<void> {
  console.log(machineLine());
  const listeners = Number(arg(args, '--listeners', '600')), days = Number(arg(args, '--days', '3'));
  const tracks = Number(arg(args, '--tracks', '4000')), seed = Number(arg(args, '--seed', '5'));
  const grid = Number(arg(args, '--grid', '5')), budget = Number(arg(args, '--budget', '200')), radius = Number(arg(args, '--radius', '1'));
  const bandwidth = args.includes('--bandwidth') ? Number(arg(args, '--bandwidth', '')) : undefined;
  const start = JSON.parse(arg(args, '--start', '{"flow":0.1,"emergingArtists":1}')) as Record<string, number>;
  const objective = arg(args, '--objective', 'minutes');
  if (!(objective in TUNE_METRICS)) throw new Error(`--objective: one of ${Object.keys(TUNE_METRICS).join(', ')}`);
  const given = args.flatMap((a, i) => (a === '--guardrail' && args[i + 1] ? [args[i + 1]!] : []));
  const guardrails = (given.length > 0 ? given : ['emergingShare>=0.12', 'skipRate<=+5%']).map(parseGuardrail);
  const dir = mkdtempSync(join(tmpdir(), 'segue-bench-tune-'));
  const t0 = performance.now();
  try {
    const r = await tuneInSimulator({
      start, objective: objective as TuneMetric, guardrails, budget, radius, grid, listeners, days, tracks, seed, dir, ...(bandwidth ? { bandwidth } : {}),
      onProgress: (m) => process.stderr.write(`\r\x1b[K  ${m} (${((performance.now() - t0) / 1000).toFixed(0)} s)`),
    });
    process.stderr.write('\r\x1b[K');
    console.log(r.protocol);
    const fmt = (w: Record<string, number>): string => Object.entries(w).map(([k, v]) => `${k} ${v}`).join(', ');
    const line = (what: string, w: Record<string, number>, t: { minutes: number; skipRate: number; emergingShare: number; listens: number }, extra = ''): void =>
      console.log(`${what.padEnd(10)} ${fmt(w).padEnd(36)} minutes/list ${t.minutes.toFixed(3)}  listens/list ${t.listens.toFixed(3)}  skipRate ${t.skipRate.toFixed(4)}  emergingShare ${t.emergingShare.toFixed(4)}${extra}`);
    const obj = objective as TuneMetric;
    const said = (c: { metrics: Record<TuneMetric, { value: number; se: number }> }, truth: number): string => `  estimated ${c.metrics[obj].value.toFixed(3)} +- ${c.metrics[obj].se.toFixed(3)} (${(100 * (c.metrics[obj].value / truth - 1)).toFixed(1)}%)`;
    line('start', r.start.weights, r.start.truth, said(r.tune.current, r.start.truth[obj]));
    for (const g of r.grid) line('  grid', g.weights, g.truth, `${said(g.estimate, g.truth[obj])}${g.guardrailsHold ? '' : '  (breaks a guardrail)'}`);
    line('grid best', r.best.weights, r.best.truth);
    const est = r.tune.proposal.metrics[objective as TuneMetric];
    line('tuned', r.tuned.weights, r.tuned.truth, `  (estimated ${est.value.toFixed(3)}, lower bound ${est.lower.toFixed(3)}; ${r.tune.proposal.effectiveLists} effective lists)${r.tuned.guardrailsHold ? '' : '  BREAKS A GUARDRAIL'}`);
    for (const w of r.tune.warnings) console.log(`  warning: ${w}`);
    console.log(`gain: tuned ${(100 * r.gainShare).toFixed(1)}% of the grid's best gain over the start; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
    rec.figures.tuned = { weights: r.tuned.weights, truth: r.tuned.truth, estimate: r.tune.proposal.metrics, guardrailsHold: r.tuned.guardrailsHold, keepCurrent: r.tune.keepCurrent };
    rec.figures.start = { weights: r.start.weights, truth: r.start.truth };
    rec.figures.setup = { listeners, days, tracks, seed, grid, budget, radius, objective, guardrails: given.length > 0 ? given : ['emergingShare>=0.12', 'skipRate<=+5%'], lists: r.tune.lists };
    rec.baseline.gridBest = { weights: r.best.weights, truth: r.best.truth };
    rec.ratio('tunedGainOverGridBestGain', r.tuned.truth[objective as TuneMetric] - r.start.truth[objective as TuneMetric], r.best.truth[objective as TuneMetric] - r.start.truth[objective as TuneMetric]);
    rec.target('the tuned policy gets at least 90% of the grid\'s best gain', r.gainShare >= 0.9);
    rec.target('the tuned policy holds every guardrail', r.tuned.guardrailsHold);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
