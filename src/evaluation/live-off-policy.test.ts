import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { simulateServed } from '../experiments/index.js';
import { TrackTable } from '../features/index.js';
import { choiceProbabilities, overridePolicy, sequence, type Surface } from '../sequencing/index.js';
import { replayInputs } from '../surfaces/index.js';
import { offPolicyFromStore } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-live-ope-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How the served world's logged share explored (the default policies have no exploration of their own). */
const EXPLORE = { epsilon: 0.2, temperature: 0.5 };

describe('off-policy evaluation from a served store', () => {
  it('replays every logged list exactly from its candidates; the logging policy estimates its own observed value; a distant target is flagged', async () => {
    const db = join(dir, 'served.db');
    // Half the requests log their candidates, so that a small world gives many lists.
    const r = await simulateServed({
      storePath: db, listeners: 200, days: 2, seed: 9, tracks: 3000, policy: { logging: { candidatesShare: 0.5, exploration: EXPLORE } },
      // The logging policy's own true value, measured on every logged request from copies of the listener's state.
      truthFor: { self: { exploration: EXPLORE } },
    });
    expect(r.logged).toBeGreaterThan(100);
    expect(r.logged).toBeLessThan(r.exposures);
    const store = await openStore(db);
    try {
      // Every logged list comes back from its candidates: the same tracks, the same propensities.
      const table = await TrackTable.load(store);
      let checked = 0;
      for await (const batch of store.exposures.scan({ since: 0, until: r.until + 1 })) {
        for (const x of batch) {
          if (!x.candidates || checked >= 40) continue;
          const inputs = replayInputs(x, table);
          if (typeof inputs === 'string') throw new Error(inputs);
          const served = overridePolicy(x.surface as Surface, { length: x.items.length, exploration: EXPLORE });
          expect(sequence(inputs.items, served, inputs.ctx).items.map((i) => i.trackId)).toEqual(x.items.map((i) => i.trackId));
          const p = choiceProbabilities(inputs.items, served, inputs.ctx, inputs.chosen);
          x.items.forEach((it, k) => expect(p[k]).toBeCloseTo(it.propensity, 5));
          checked++;
        }
      }
      expect(checked).toBe(40);
      // The logging policy as a target: every weight is 1, so each estimator gives the logged value.
      const self = await offPolicyFromStore(store, { target: { exploration: EXPLORE }, bootstrap: 20 });
      expect(self.sequences).toBe(r.logged);
      expect(self.meanSequenceWeight).toBeCloseTo(1, 4);
      for (const e of self.estimates) expect(e.value).toBeCloseTo(self.logging.value, 3);
      expect(self.logging.value).toBeGreaterThan(3);
      expect(self.warnings).toEqual([]);
      // The truth measured in the loop, on the same contexts with fresh draws, agrees with what the log observed.
      expect(r.truth.self!.lists).toBe(r.logged);
      expect(Math.abs(r.truth.self!.value / self.logging.value - 1)).toBeLessThan(0.15);
      // A deterministic target on exploring logs of 20 tracks: most picks lose support, and the report says so.
      const far = await offPolicyFromStore(store, { target: { objectives: { satisfaction: 0.2 } }, bootstrap: 20 });
      expect(far.warnings.join(' ')).toMatch(/insufficient support|effective sample/);
      // A window without logged candidates is an error that says what to do.
      await expect(offPolicyFromStore(store, { target: {}, since: 0, until: 1 })).rejects.toThrow(/candidatesShare/);
    } finally {
      await store.close();
    }
  }, 120_000);
});
