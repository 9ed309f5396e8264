import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.js';
import { Assigner, createExperiment, parseExperiment, shipExperiment, simulateAb, startExperiment, stopExperiment, variantOf, type Experiment } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-exp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const def = (name: string, extra: Record<string, unknown> = {}) => ({
  name, surfaces: ['radio'], variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1, policy: { objectives: { emergingArtists: 0.5 } } }], ...extra,
});
const listeners = Array.from({ length: 20_000 }, (_, i) => `u${i}`);

describe('assignment', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore(join(dir, 'assign.db'));
  });
  afterAll(() => store.close());

  it('is sticky, deterministic and splits by weight', async () => {
    await createExperiment(store, def('split', { variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }] }));
    await startExperiment(store, 'split', 1000);
    const asg = await Assigner.load(store);
    const first = listeners.map((l) => asg.assign(l, 'radio', 2000)[0]!.variant);
    const reloaded = await Assigner.load(store);
    const again = listeners.map((l) => reloaded.assign(l, 'radio', 5000)[0]!.variant);
    expect(again).toEqual(first);
    const b = first.filter((v) => v === 'b').length / listeners.length;
    expect(b).toBeGreaterThan(0.74);
    expect(b).toBeLessThan(0.76);
    // Not before it started, not on another surface.
    expect(asg.assign('u1', 'radio', 999)).toEqual([]);
    expect(asg.assign('u1', 'autoplay', 2000)).toEqual([]);
    await stopExperiment(store, 'split', 3000);
    expect((await Assigner.load(store)).assign('u1', 'radio', 4000)).toEqual([]);
  });

  it('keeps experiments of one layer apart and lets layers overlap', async () => {
    await createExperiment(store, def('l1', { layer: 'ranking', allocation: 0.5 }));
    await createExperiment(store, def('l2', { layer: 'ranking', allocation: 0.5, salt: 'other' }));
    await createExperiment(store, def('l3', { layer: 'ui', allocation: 0.5 }));
    await createExperiment(store, def('l4', { layer: 'ranking', allocation: 0.1 }));
    for (const n of ['l1', 'l2', 'l3']) await startExperiment(store, n, 1000);
    await expect(startExperiment(store, 'l4', 1000)).rejects.toThrow(/layer ranking has 0.000 of its listeners free/);
    const asg = await Assigner.load(store);
    let both12 = 0, in1 = 0, in2 = 0, both13 = 0;
    for (const l of listeners) {
      const names = asg.assign(l, 'radio', 2000).map((a) => a.experiment);
      const a = names.includes('l1'), b = names.includes('l2'), c = names.includes('l3');
      if (a && b) both12++;
      if (a) in1++;
      if (b) in2++;
      if (a && c) both13++;
    }
    expect(both12).toBe(0);
    expect((in1 + in2) / listeners.length).toBeGreaterThan(0.99);
    expect(both13 / listeners.length).toBeGreaterThan(0.23);
    expect(both13 / listeners.length).toBeLessThan(0.27);
    await stopExperiment(store, 'l2', 5000);
    await startExperiment(store, 'l4', 6000); // the stopped experiment's slice is free again
  });

  it('holds out a share for the long term, also after a variant ships', async () => {
    await createExperiment(store, def('hold', { layer: 'hold', holdout: 0.1 }));
    const x = await startExperiment(store, 'hold', 1000);
    const counts = (e: Experiment) => {
      const c: Record<string, number> = {};
      for (const l of listeners) {
        const v = variantOf(e, l)!.variant;
        c[v] = (c[v] ?? 0) + 1;
      }
      return c;
    };
    const before = counts(x);
    expect(before.holdout! / listeners.length).toBeGreaterThan(0.09);
    expect(before.holdout! / listeners.length).toBeLessThan(0.11);
    const shipped = await shipExperiment(store, 'hold', 'treatment');
    const after = counts(shipped);
    expect(after).toEqual({ holdout: before.holdout, treatment: listeners.length - before.holdout! });
    // The same listeners stay in the holdout.
    for (const l of listeners.slice(0, 500)) expect(variantOf(shipped, l)!.variant === 'holdout').toBe(variantOf(x, l)!.variant === 'holdout');
  });

  it('refuses bad definitions with the field and the reason', async () => {
    expect(() => parseExperiment({ ...def('x'), variants: [{ name: 'a', weight: 1 }, { name: 'a', weight: 1 }] })).toThrow(/variant names must be unique/);
    expect(() => parseExperiment({ ...def('x'), control: 'nope' })).toThrow(/control "nope" is not a variant/);
    expect(() => parseExperiment({ ...def('x'), variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1, policy: { objectives: { flow: 'x' } } }] })).toThrow(/variants\.b\.policy: objectives\.flow/);
    expect(() => parseExperiment({ ...def('x'), surfaces: [] })).toThrow(/surfaces/);
    expect(() => parseExperiment({ ...def('X Y') })).toThrow(/name/);
    await expect(createExperiment(store, def('split'))).rejects.toThrow(/exists already/);
  });
});

describe('a simulated A/B test in the closed loop', () => {
  it('raises emerging-artist exposure significantly, with a sound sample ratio, and reports every field', async () => {
    const r = await simulateAb({
      control: {}, treatment: { objectives: { emergingArtists: 0.5 } }, listeners: 300, days: 3, seed: 4, tracks: 4000,
      metrics: { success: ['emergingShare'], guardrails: [{ metric: 'skipRate', margin: 0.5 }] },
    });
    const rep = r.report;
    expect(r.sessions).toBeGreaterThan(300);
    expect(rep.srm.ok).toBe(true);
    expect(rep.assignmentConflicts).toBe(0);
    expect(rep.variants.map((v) => v.name)).toEqual(['control', 'treatment']);
    const em = rep.metrics.find((m) => m.metric === 'emergingShare')!;
    expect(em).toMatchObject({ role: 'success', variant: 'treatment', control: 'control', significant: true });
    expect(em.values.treatment).toBeGreaterThan(em.values.control!);
    expect(em.relativeLift).toBeGreaterThan(0.3);
    expect(em.ci[0]).toBeGreaterThan(0);
    expect(em.pValue).toBeLessThan(0.001);
    expect(em.sequential).toMatchObject({ method: 'msprt', looks: 3, reject: true });
    for (const m of rep.metrics) {
      expect(m).toHaveProperty('metric');
      expect(Object.keys(m.values)).toHaveLength(2);
      expect(m.ci[0]).toBeLessThanOrEqual(m.relativeLift);
      expect(m.ci[1]).toBeGreaterThanOrEqual(m.relativeLift);
      expect(m.pValue).toBeGreaterThanOrEqual(0);
    }
    expect(rep.metrics.find((m) => m.metric === 'skipRate')!.role).toBe('guardrail');
    // CUPED with the listeners' own history as the pre-period cuts the variance.
    expect(rep.metrics.find((m) => m.metric === 'sessionsPerListener')!.cuped!.varianceReduction).toBeGreaterThan(0.1);
    expect(rep.decision.action).toBe('ship');
    expect(rep.decision.variant).toBe('treatment');
  }, 120_000);

  it('finds nothing between two identical policies (A/A); a planned sample size makes the sequential test group-sequential', async () => {
    const r = await simulateAb({ control: {}, treatment: {}, listeners: 300, days: 2, seed: 8, tracks: 4000, plannedListeners: 400 });
    const seq = r.report.metrics.find((m) => m.metric === 'listenThroughRate')!.sequential!;
    expect(seq.method).toBe('group-sequential');
    expect(seq.boundary).toBeGreaterThan(2);
    expect(seq.reject).toBe(false);
    expect(r.report.srm.ok).toBe(true);
    expect(r.report.decision.action).toBe('no-ship');
    const ltr = r.report.metrics.find((m) => m.metric === 'listenThroughRate')!;
    expect(ltr.significant).toBe(false);
    expect(Math.abs(ltr.relativeLift)).toBeLessThan(0.05);
  }, 120_000);
});
