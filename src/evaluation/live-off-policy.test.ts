import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.js';
import { simulateServed } from '../experiments/index.js';
import { TrackTable } from '../features/index.js';
import { choiceProbabilities, overridePolicy, sequence, type Surface } from '../sequencing/index.js';
import { loggingPolicy, replayInputs } from '../surfaces/index.js';
import { offPolicyFromStore } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-live-ope-'));

/**
 * One store served as a running service serves one, at the default 5% candidate logging:
 * radio, greedily (a cheaper walk, so that a test can serve its 11,000 pages), the logged 5%
 * exploring at the default epsilon 0.2. The true value of the logging policy and of two other
 * policies is measured in the loop on every logged request, from copies of the listener's state.
 */
const EXPLORE = { epsilon: 0.2, temperature: 0.5 };
const GREEDY = { solver: { beamWidth: 1 } };
const TARGETS = {
  'flow-light': { ...GREEDY, objectives: { satisfaction: 1, flow: 0.3, discovery: 0.2, variety: 0.1, emergingArtists: 0.1 }, exploration: { epsilon: 0.3, temperature: 0.5 } },
  emerging: { ...GREEDY, objectives: { emergingArtists: 0.3 }, exploration: { epsilon: 0.3, temperature: 0.5 } },
};
let served: Awaited<ReturnType<typeof simulateServed>>;
let store: Store;

beforeAll(async () => {
  const db = join(dir, 'served.db');
  served = await simulateServed({ storePath: db, listeners: 1500, days: 5, seed: 2, tracks: 3000, surfaces: ['radio'], policy: GREEDY, truthFor: { self: { ...GREEDY, exploration: EXPLORE }, ...TARGETS } });
  store = await openStore(db);
}, 300_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('off-policy evaluation from a served store', () => {
  it('replays every logged list exactly from its candidates and its logged policy; the logging policy estimates its own observed value; a distant target is flagged', async () => {
    expect(served.logged / served.exposures).toBeGreaterThan(0.04);
    expect(served.logged / served.exposures).toBeLessThan(0.06);
    // Every logged list comes back from its candidates: the same tracks, the same propensities, under the policy it records.
    const table = await TrackTable.load(store);
    let checked = 0;
    for await (const batch of store.exposures.scan({ since: 0, until: served.until + 1 })) {
      for (const x of batch) {
        if (!x.candidates || checked >= 40) continue;
        const inputs = replayInputs(x, table);
        if (typeof inputs === 'string') throw new Error(inputs);
        const walked = overridePolicy(x.surface as Surface, { ...GREEDY, length: x.items.length, exploration: EXPLORE });
        expect(loggingPolicy(x)).toEqual(walked);
        expect(sequence(inputs.items, walked, inputs.ctx).items.map((i) => i.trackId)).toEqual(x.items.map((i) => i.trackId));
        const p = choiceProbabilities(inputs.items, walked, inputs.ctx, inputs.chosen);
        x.items.forEach((it, k) => expect(p[k]).toBeCloseTo(it.propensity, 5));
        checked++;
      }
    }
    expect(checked).toBe(40);
    // The logging policy as a target: its weights are 1 (but for the few lists of over a thousand
    // whose replay differs, 0.2% of the whole-list weight here), so each estimator gives the logged value.
    const self = await offPolicyFromStore(store, { target: { ...GREEDY, exploration: EXPLORE }, bootstrap: 20 });
    expect(self.sequences).toBe(served.logged);
    expect(Math.abs(self.meanSequenceWeight - 1)).toBeLessThan(0.005);
    for (const e of self.estimates) expect(Math.abs(e.value / self.logging.value - 1)).toBeLessThan(0.005);
    expect(self.logging.value).toBeGreaterThan(3);
    expect(self.warnings).toEqual([]);
    // The truth measured in the loop, on the same contexts with fresh draws, agrees with what the log observed.
    expect(served.truth.self!.lists).toBe(served.logged);
    expect(Math.abs(served.truth.self!.value / self.logging.value - 1)).toBeLessThan(0.05);
    // A deterministic target on exploring logs of 20 tracks: most picks lose support, and the report says so.
    const far = await offPolicyFromStore(store, { target: { objectives: { satisfaction: 0.2 } }, bootstrap: 20 });
    expect(far.warnings.join(' ')).toMatch(/insufficient support|effective sample/);
    // A window without logged candidates is an error that says what to do.
    await expect(offPolicyFromStore(store, { target: {}, since: 0, until: 1 })).rejects.toThrow(/candidatesShare/);
  });

  it('at the default 5% logging, estimates two other policies within 5% of their true values with MIPS, where per-item weights leave few effective lists (issue 21)', async () => {
    for (const [name, target] of Object.entries(TARGETS)) {
      const e = await offPolicyFromStore(store, { target, bootstrap: 20 });
      const truth = served.truth[name]!.value;
      const mips = e.estimates.find((x) => x.estimator === 'mips')!, item = e.estimates.find((x) => x.estimator === 'item-snips')!;
      expect(Math.abs(mips.value / truth - 1), `${name}: MIPS ${mips.value} against the truth ${truth}`).toBeLessThan(0.05);
      expect(mips.effectiveSampleSize).toBeGreaterThan(2 * item.effectiveSampleSize);
      expect(e.mips).toEqual({ embedding: 'audio', clusters: 16, tracks: expect.any(Number) as number, withoutVector: 0 });
    }
  });
});
