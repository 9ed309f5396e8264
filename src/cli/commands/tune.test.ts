import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/index.js';
import { getExperiment } from '../../experiments/index.js';
import { CliError } from '../errors.js';
import { runSegue } from '../testing.js';

/**
 * The live-log workflow from the command line: `segue simulate --served --explore-weights`
 * builds a store as a running service with weight exploration would; `segue eval --task
 * off-policy --target` estimates another policy from its logged candidates (MIPS included);
 * `segue policy tune` proposes weights from it, saves them and starts an experiment of them.
 */
const dir = mkdtempSync(join(tmpdir(), 'segue-tune-cli-'));
const db = join(dir, 'served.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Served { exposures: number; logged: number; explored: number; until: number }
let served: Served;
let radioExplored = 0;

beforeAll(async () => {
  served = JSON.parse(await runSegue(['--store', db, '--json', 'simulate', '--served', '--listeners', '80', '--tracks', '1500', '--days', '2', '--warmup-days', '5', '--seed', '3',
    '--policy', '{"logging":{"candidatesShare":0.3}}', '--explore-weights', '0.6'])) as Served;
}, 120_000);

describe('a served store with explored weights', () => {
  it('logs the weights of about the share asked for, each within its interval, and the candidates with the policy walked', async () => {
    expect(served.explored / served.exposures).toBeGreaterThan(0.45);
    expect(served.explored / served.exposures).toBeLessThan(0.75);
    const store = await openStore(db);
    try {
      let seen = 0;
      for await (const b of store.exposures.scan({ since: 0, until: served.until + 1 })) {
        for (const x of b) {
          if (x.candidates) expect(x.candidates.policy?.objectives).toBeDefined();
          if (!x.weights) continue;
          seen++;
          if (x.surface === 'radio') radioExplored++;
          expect(Object.keys(x.weights.used).sort()).toEqual(['emergingArtists', 'flow']); // radio's weights but the numeraire
          for (const [k, v] of Object.entries(x.weights.used)) {
            expect(v).toBeGreaterThanOrEqual(x.weights.low[k]!);
            expect(v).toBeLessThanOrEqual(x.weights.high[k]!);
            expect(x.weights.low[k]).toBe(Math.max(0, x.weights.base[k]! - 0.5));
          }
          if (x.candidates) expect((x.candidates.policy!.objectives as Record<string, number>).flow).toBe(x.weights.used.flow);
        }
      }
      expect(seen).toBe(served.explored);
      expect(radioExplored).toBeGreaterThan(20);
    } finally {
      await store.close();
    }
  });

  it('estimates another policy off-policy from the live log, MIPS among the estimators', async () => {
    const r = JSON.parse(await runSegue(['--store', db, '--json', 'eval', '--task', 'off-policy', '--target', '{"objectives":{"emergingArtists":0.2},"exploration":{"epsilon":0.3,"temperature":0.5}}'])) as {
      sequences: number; estimates: Array<{ estimator: string; value: number; effectiveSampleSize: number }>; mips: { clusters: number; embedding: string };
    };
    expect(r.sequences).toBe(served.logged);
    expect(r.estimates.map((e) => e.estimator)).toEqual(['item-ips', 'item-snips', 'pi-ips', 'rips', 'mips']);
    expect(r.mips.clusters).toBe(16);
    const mips = r.estimates.find((e) => e.estimator === 'mips')!, item = r.estimates.find((e) => e.estimator === 'item-snips')!;
    expect(mips.value).toBeGreaterThan(0);
    // Cluster-level weights vary less than item-level ones: a larger effective sample.
    expect(mips.effectiveSampleSize).toBeGreaterThan(item.effectiveSampleSize);
  });

  it('tunes radio\'s weights: a proposal within the explored box with intervals, saved as a policy, and an interleaving experiment of it started', async () => {
    const r = JSON.parse(await runSegue(['--store', db, '--json', 'policy', 'tune', '--surface', 'radio', '--objective', 'minutes', '--guardrail', 'emergingShare>=0.01', '--guardrail', 'skipRate<=+10%',
      '--budget', '50', '--experiment', 'interleave'])) as {
      lists: number; box: Record<string, [number, number]>; proposal: { weights: Record<string, number>; metrics: Record<string, { value: number; lower: number; upper: number }> };
      current: { weights: Record<string, number> }; guardrails: Array<{ metric: string; threshold: number }>; saved: { name: string; version: number }; experiment: string; candidates: number;
    };
    expect(r.lists).toBe(radioExplored); // radio's lists: the served store has autoplay's too
    expect(r.current.weights).toEqual({ emergingArtists: 0.05, flow: 1 });
    expect(r.box).toEqual({ emergingArtists: [0, 0.55], flow: [0.5, 1.5] });
    for (const [k, v] of Object.entries(r.proposal.weights)) {
      expect(v).toBeGreaterThanOrEqual(r.box[k]![0]);
      expect(v).toBeLessThanOrEqual(r.box[k]![1]);
    }
    const m = r.proposal.metrics.minutes!;
    expect(m.lower).toBeLessThan(m.value);
    expect(m.upper).toBeGreaterThan(m.value);
    expect(r.candidates).toBe(51);
    expect(r.saved.name).toBe('tuned-radio');
    const store = await openStore(db);
    try {
      expect((await store.policies.get('tuned-radio'))!.policy).toEqual({ surface: 'radio', objectives: r.proposal.weights });
      const x = await getExperiment(store, r.experiment);
      expect(x.status).toBe('running');
      expect(x.def.design).toBe('interleave');
      expect(x.def.variants.map((v) => v.policy)).toEqual([{ objectives: r.current.weights }, { surface: 'radio', objectives: r.proposal.weights }]);
    } finally {
      await store.close();
    }
    const text = await runSegue(['--store', db, 'policy', 'tune', '--surface', 'radio', '--no-save']);
    expect(text).toMatch(/current .*emergingArtists 0\.05, flow 1/);
    expect(text).toMatch(/candidates hold every guardrail/);
  });

  it('refuses what it cannot tune from, saying what to do', async () => {
    await expect(runSegue(['--store', db, 'policy', 'tune', '--surface', 'discovery'])).rejects.toThrow(/no discovery exposure .* explored weights .*weightsShare/);
    await expect(runSegue(['--store', db, 'policy', 'tune', '--surface', 'radio', '--guardrail', 'skips<3'])).rejects.toThrow(CliError);
    await expect(runSegue(['--store', db, 'policy', 'tune', '--surface', 'radio', '--guardrail', 'vibes>=1'])).rejects.toThrow(/unknown metric "vibes"/);
    await expect(runSegue(['--store', db, 'policy', 'tune', '--surface', 'radio', '--objective', 'fun'])).rejects.toThrow(/--objective must be one of minutes/);
    await expect(runSegue(['--store', db, 'simulate', '--explore-weights', '0.5'])).rejects.toThrow(/--explore-weights applies with --served/);
  });
});
