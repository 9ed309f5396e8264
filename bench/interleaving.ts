/**
 * Interleaving against A/B in the closed loop (docs/experiments.md, "Interleaving"): for each
 * pair of policies, the same simulated world (listeners, days, seed) runs once as an A/B test
 * and once as a team-draft interleaving experiment. Sensitivity is the listeners each design
 * needs for 80% power at alpha 0.05 at the effect it observed: the A/B test on minutes per
 * listener (CUPED-adjusted, both arms), the interleaving experiment on the per-listener
 * preference. The A/B figure is the baseline of the same run; the ratio A/B / interleaving is
 * issue 21's target (at least 10).
 *
 *   npm run bench -- interleaving [--listeners 1000] [--days 5] [--tracks 6000] [--seed 21] [--pairs beam,emerging,satisfaction] [--json]
 *
 * With --json (bench/report.ts): figures.<pair>.interleaving (listenersFor80, preference,
 * sequential), baseline.<pair>.ab (listenersFor80, relativeLift of minutes per listener, pValue),
 * ratios.<pair>.abOverInterleaving, targets.<pair> (at least 10x; the same direction).
 */
import { simulateAb, simulateInterleaving } from '../src/experiments/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** The pairs: the default policy (control, team a) against one change (treatment, team b). */
const PAIRS: Record<string, { about: string; treatment: Record<string, unknown> }> = {
  beam: { about: 'default vs beam width 1 (greedy sequencing)', treatment: { solver: { beamWidth: 1 } } },
  emerging: { about: 'default vs emergingArtists 0.3', treatment: { objectives: { emergingArtists: 0.3 } } },
  satisfaction: { about: 'default vs satisfaction 0.5 (half the weight of predicted listening)', treatment: { objectives: { satisfaction: 0.5 } } },
};

export async function interleavingBench(args: string[], rec: Results): Promise<void> {
  console.log(machineLine());
  const listeners = Number(arg(args, '--listeners', '1000')), days = Number(arg(args, '--days', '5'));
  const tracks = Number(arg(args, '--tracks', '6000')), seed = Number(arg(args, '--seed', '21'));
  const names = arg(args, '--pairs', 'beam,emerging,satisfaction').split(',').filter(Boolean);
  for (const n of names) if (!PAIRS[n]) throw new Error(`--pairs: unknown pair ${n}; known: ${Object.keys(PAIRS).join(', ')}`);
  console.log(`closed loop: ${listeners} listeners, ${days} days of radio, ${tracks} tracks, seed ${seed}; the same world for both designs`);
  const t0 = performance.now();
  const rows: string[][] = [];
  for (const name of names) {
    const pair = PAIRS[name]!;
    const part = rec.part(name);
    const opts = { control: {}, treatment: pair.treatment, listeners, days, seed, tracks, onProgress: (m: string) => process.stderr.write(`\r\x1b[K  ${name}: ${m} (${((performance.now() - t0) / 1000).toFixed(0)} s)`) };
    const ab = await simulateAb({ ...opts, metrics: { success: ['minutesPerListener'], guardrails: [] } });
    const il = await simulateInterleaving(opts);
    process.stderr.write('\r\x1b[K');
    const m = ab.report.metrics.find((x) => x.metric === 'minutesPerListener')!;
    const abN = m.listenersFor80 ?? Infinity, ilN = il.report.listenersFor80 ?? Infinity;
    const p = il.report.preference;
    const abSays = m.relativeLift > 0 ? 'b' : 'a', ilSays = p.b > p.a ? 'b' : 'a';
    part.figures.interleaving = { listenersFor80: il.report.listenersFor80, preference: p, sequential: { method: il.report.sequential.method, pValue: il.report.sequential.pValue ?? null, reject: il.report.sequential.reject } };
    part.baseline.ab = { listenersFor80: m.listenersFor80 ?? null, minutesPerListener: m.values, relativeLift: m.relativeLift, pValue: m.pValue };
    const ratio = part.ratio('abOverInterleaving', abN, ilN);
    part.target('interleaving needs at least 10x fewer listeners than A/B', ratio >= 10);
    part.target('the same direction as A/B on minutes per listener', abSays === ilSays);
    rows.push([pair.about, `${(100 * m.relativeLift).toFixed(2)}% (p ${m.pValue})`, String(m.listenersFor80 ?? '-'), `b wins ${(100 * p.winRateB).toFixed(1)}% (p ${p.pValue})`, String(il.report.listenersFor80 ?? '-'), Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : '-', abSays === ilSays ? 'same' : 'OPPOSITE']);
  }
  const head = ['pair', 'A/B minutes/listener lift', 'A/B listeners for 80%', 'interleaving preference', 'interleaving listeners for 80%', 'A/B / interleaving', 'direction'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s) Target (issue 21): interleaving needs at least 10x fewer listeners than A/B for 80% power, and agrees with A/B's direction.`);
  rec.figures.world = { listeners, days, tracks, seed, surface: 'radio' };
}
