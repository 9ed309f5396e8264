import { describe, it, expect } from 'vitest';
import { Rng } from '../math/index.js';
import { choiceProbabilities, overridePolicy, sequence, type SeqItem } from '../sequencing/index.js';
import { estimate, estimatePositions, runOffPolicy, type LoggedSequences } from './off-policy.js';

function items(rng: Rng, n: number): SeqItem[] {
  return Array.from({ length: n }, (_, k) => {
    const artist = rng.int(Math.max(5, n / 4));
    return {
      trackId: `t${k}`, artistId: `a${artist}`, albumId: `a${artist}-${rng.int(3)}`, satisfaction: rng.next(), sources: ['transitions'], tempo: 70 + rng.next() * 100, energy: rng.next(),
      key: rng.int(12), mode: rng.int(2), genre: `g${rng.int(12)}`, emerging: rng.next() < 0.1, promoted: false, costTier: rng.int(4), explicit: false, podcast: false, isNew: rng.next() < 0.3, durationMs: 200_000,
    };
  });
}

describe('off-policy estimators', () => {
  it('a target policy\'s replayed choice probabilities equal the propensities it logs itself', () => {
    const rng = new Rng(12);
    for (let r = 0; r < 60; r++) {
      const set = items(rng, 40 + rng.int(200));
      const policy = overridePolicy(r % 2 ? 'radio' : 'autoplay', { length: 12, solver: { beamWidth: 1, branching: 5 + rng.int(30) }, exploration: { epsilon: 0.05 + 0.9 * rng.next(), temperature: 0.05 + rng.next() } });
      const ctx = { now: Date.UTC(2027, 0, 1), seed: r };
      const s = sequence(set, policy, ctx);
      const ix = new Map(set.map((it, i) => [it.trackId, i]));
      const q = choiceProbabilities(set, policy, ctx, s.items.map((x) => ix.get(x.trackId)!));
      s.items.forEach((x, k) => expect(q[k]).toBeCloseTo(x.propensity, 5));
    }
  });

  it('are exact on-policy (target = logging): every estimator is the mean reward', () => {
    const rng = new Rng(3);
    const n = 500, K = 6;
    const p = Float64Array.from({ length: n * K }, () => 0.1 + 0.9 * rng.next());
    const d: LoggedSequences = { n, K, p, q: Float64Array.from(p), r: Float64Array.from({ length: n * K }, () => (rng.next() < 0.6 ? 1 : 0)) };
    const mean = d.r.reduce((a, b) => a + b, 0) / n;
    for (const e of ['item-ips', 'item-snips', 'pi-ips', 'rips'] as const) expect(estimate(d, e, { bootstrap: 20 }).value).toBeCloseTo(mean, 10);
    // A target that never picks the logged item at position 3 gives RIPS nothing from position 3 on.
    const q = Float64Array.from(p);
    for (let i = 0; i < n; i++) q[i * K + 3] = 0;
    const per = estimatePositions({ ...d, q }, 'item-ips');
    expect(per[3]).toBe(0);
    expect(per[4]).toBeGreaterThan(0);
  });

  it('refuses policies whose candidates would go unread (every policy sequences the same ranked pool)', async () => {
    await expect(runOffPolicy({ logging: {}, target: { candidates: [{ source: 'transitions', k: 50 }] }, sequences: 10 }))
      .rejects.toThrow(/^target policy: candidates cannot differ between the logging and target policies here/);
  });

  it('in the simulator, from 100,000 logged sequences, reward-interaction IPS lands within 5% of the target\'s true value; per-item IPS misses it', async () => {
    const r = await runOffPolicy({
      logging: { exploration: { epsilon: 0.4, temperature: 0.5 } },
      target: { objectives: { satisfaction: 1, flow: 0.5, emergingArtists: 0.05 }, exploration: { epsilon: 0.7, temperature: 0.8 } },
      sequences: 100_000, listeners: 600, tracks: 5000, length: 10, seed: 2, bootstrap: 100,
    });
    const by = Object.fromEntries(r.estimates.map((e) => [e.estimator, e]));
    expect(Math.abs(r.meanSequenceWeight - 1)).toBeLessThan(0.2);
    // The target differs from the logging policy (its true value is not the logged one).
    expect(Math.abs(r.logging.value / r.truth.value - 1)).toBeGreaterThan(0.02);
    expect(Math.abs(by.rips!.relativeError)).toBeLessThan(0.05);
    expect(by.rips!.ci[0]).toBeLessThanOrEqual(r.truth.value + 2 * r.truth.se);
    expect(by.rips!.ci[1]).toBeGreaterThanOrEqual(r.truth.value - 2 * r.truth.se);
    // Per-item IPS reads each pick against the logged (better) prefix: it overestimates, and its interval misses the truth.
    expect(by['item-ips']!.value).toBeGreaterThan(r.truth.value);
    expect(by['item-ips']!.ci[0]).toBeGreaterThan(r.truth.value);
    expect(r.truth.perPosition).toHaveLength(10);
    expect(by['item-ips']!.perPosition).toHaveLength(10);
  }, 240_000);
});
