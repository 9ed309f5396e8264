import { describe, expect, it } from 'vitest';
import { Rng } from '../math/index.js';
import { analyzeInterleaving, simulateAb, simulateInterleaving, type InterleavingLog } from './index.js';

/**
 * The coins of an A/A draft drawn again: both teams hold the same list, so the merged list
 * and the listeners' responses do not depend on which team drafted first, and each round's
 * two positions swap teams with probability 1/2 (the draft's own randomization, replayed).
 */
function redraw(log: InterleavingLog, rng: Rng): Uint8Array {
  const teams = Uint8Array.from(log.teams);
  for (let e = 0; e < log.exposures; e++) {
    for (let p = log.start[e]!; p + 1 < log.start[e + 1]!; p += 2) {
      if (rng.next() < 0.5) {
        const t = teams[p]!;
        teams[p] = teams[p + 1]!;
        teams[p + 1] = t;
      }
    }
  }
  return teams;
}

describe('interleaving in the closed loop', () => {
  it('A/A: a balanced draft with no preference; 1,000 re-drawn coins give 3.5%-6.5% false positives (sign test), at most 5% (always-valid)', async () => {
    const r = await simulateInterleaving({ control: {}, treatment: {}, listeners: 250, days: 2, seed: 5, tracks: 3000 });
    const rep = r.report;
    expect(rep.design).toBe('interleave');
    expect(rep.balance.ok).toBe(true);
    expect(rep.listeners).toBeGreaterThan(150);
    expect(rep.creditedPlays).toBeGreaterThan(1500);
    // Every round places one track of each team: positions 2r and 2r + 1 hold a and b.
    const { log } = r;
    for (let e = 0; e < log.exposures; e++) {
      for (let p = log.start[e]!; p + 1 < log.start[e + 1]!; p += 2) expect(log.teams[p]! + log.teams[p + 1]!).toBe(1);
    }
    expect(rep.sequential).toMatchObject({ method: 'mixture-sprt', looks: 2, reject: false });
    expect(rep.decision.action).toBe('no-preference');
    const rng = new Rng(11);
    let fixed = 0, sequential = 0;
    const runs = 1000;
    for (let k = 0; k < runs; k++) {
      const a = analyzeInterleaving(log, { teams: redraw(log, rng) });
      if (a.preference.pValue < 0.05) fixed++;
      if (a.sequential.reject) sequential++;
    }
    expect(fixed / runs).toBeGreaterThanOrEqual(0.035);
    expect(fixed / runs).toBeLessThanOrEqual(0.065);
    expect(sequential / runs).toBeLessThanOrEqual(0.05);
  }, 120_000);

  it('prefers the better policy, in the direction of a full A/B test on minutes per listener', async () => {
    // Team b orders by everything but predicted satisfaction: listeners skip more of its tracks.
    const worse = { objectives: { satisfaction: 0, flow: 0.3, discovery: 0.2, variety: 0.1, emergingArtists: 0.1 } };
    const opts = { control: {}, treatment: worse, listeners: 200, days: 2, seed: 6, tracks: 3000 };
    const inter = await simulateInterleaving(opts);
    const ab = await simulateAb({ ...opts, metrics: { success: ['minutesPerListener'], guardrails: [] } });
    const minutes = ab.report.metrics.find((m) => m.metric === 'minutesPerListener')!;
    expect(minutes.relativeLift).toBeLessThan(0);
    const p = inter.report.preference;
    expect(p.a).toBeGreaterThan(p.b);
    expect(inter.report.sequential.reject).toBe(true);
    expect(inter.report.decision).toMatchObject({ action: 'prefer', team: 'a', variant: 'control' });
    // Team a's tracks were listened to more and skipped less.
    const [a, b] = inter.report.teams;
    expect(a!.listens / (a!.listens + a!.skips)).toBeGreaterThan(b!.listens / (b!.listens + b!.skips));
  }, 180_000);
});
