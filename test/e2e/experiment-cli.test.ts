import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segue } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-exp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segue experiment', () => {
  it('creates, starts, lists, reports and stops an experiment; refuses what is wrong', () => {
    const db = join(dir, 'e.db');
    const file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify({ name: 'more-emerging', surfaces: ['radio', 'autoplay'], holdout: 0.05,
      variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1, policy: { objectives: { emergingArtists: 0.4 } } }],
      metrics: { success: ['emergingShare'], guardrails: [{ metric: 'skipRate', margin: 0.03 }] } }));
    const c = segue(['--store', db, 'experiment', 'create', file]);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/created experiment more-emerging \(draft\)/);
    expect(segue(['--store', db, 'experiment', 'create', file]).stderr).toMatch(/segue: an experiment named "more-emerging" exists already/);
    const bad = segue(['--store', db, 'experiment', 'create', '{"name":"x","surfaces":["radio"],"variants":[{"name":"a","weight":1}]}']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/variants: .*2/);
    expect(segue(['--store', db, 'experiment', 'start', 'more-emerging']).stdout).toMatch(/more-emerging is running/);
    expect(segue(['--store', db, 'experiment', 'list']).stdout).toMatch(/more-emerging\s+running\s+radio,autoplay/);
    const r = segue(['--store', db, '--json', 'experiment', 'report', 'more-emerging']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ experiment: 'more-emerging', status: 'running', variants: [{ name: 'control' }, { name: 'treatment' }, { name: 'holdout' }] });
    expect(segue(['--store', db, 'experiment', 'report', 'nope']).stderr).toMatch(/no experiment named "nope"/);
    expect(segue(['--store', db, 'experiment', 'stop', 'more-emerging']).stdout).toMatch(/is stopped/);
    expect(segue(['--store', db, 'experiment', 'stop', 'more-emerging']).stderr).toMatch(/only a running experiment can stop/);
  });

  it('creates an interleaving experiment from flags, starts and reports it; refuses what is wrong', () => {
    const db = join(dir, 'inter.db');
    expect(segue(['--store', db, 'policy', 'save', 'flowing', '{"objectives":{"flow":1}}']).status).toBe(0);
    const c = segue(['--store', db, 'experiment', 'create', '--interleave', '--surface', 'radio', '--a', 'default', '--b', 'flowing', '--name', 'flow-vs-default', '--listen-ms', '30000']);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/created interleaving experiment flow-vs-default \(draft\): a 1 \/ b 1 on radio/);
    const shown = JSON.parse(segue(['--store', db, '--json', 'experiment', 'list']).stdout) as Array<{ name: string; def: { design: string; credit: { listenMs: number }; variants: Array<{ policy: unknown }> } }>;
    expect(shown[0]!.def).toMatchObject({ design: 'interleave', credit: { listenMs: 30000 } });
    expect(shown[0]!.def.variants[1]!.policy).toEqual({ objectives: { flow: 1 } });
    expect(segue(['--store', db, 'experiment', 'create', '--interleave', '--surface', 'radio', '--a', 'default']).stderr).toMatch(/--interleave needs --b/);
    expect(segue(['--store', db, 'experiment', 'create', '--interleave', '--surface', 'blend', '--a', 'default', '--b', 'flowing']).stderr).toMatch(/interleaving runs on radio, autoplay, discovery, mood .*not blend/);
    expect(segue(['--store', db, 'experiment', 'create']).stderr).toMatch(/give a <definition>/);
    expect(segue(['--store', db, 'experiment', 'start', 'flow-vs-default']).stdout).toMatch(/flow-vs-default is running/);
    const r = segue(['--store', db, 'experiment', 'report', 'flow-vs-default']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/interleaving experiment flow-vs-default \(running\)/);
    expect(r.stdout).toMatch(/decision: continue/);
    const j = JSON.parse(segue(['--store', db, '--json', 'experiment', 'report', 'flow-vs-default']).stdout) as { design: string; teams: Array<{ variant: string }> };
    expect(j.design).toBe('interleave');
    expect(j.teams.map((t) => t.variant)).toEqual(['a', 'b']);
  });

  it('simulates an A/B test in the closed loop and reports it like a real one', () => {
    const db = join(dir, 'policies.db');
    const saved = segue(['--store', db, 'policy', 'save', 'fair', '{"objectives":{"emergingArtists":0.5}}']);
    expect(saved.stdout).toMatch(/saved policy fair version 1/);
    expect(segue(['--store', db, 'policy', 'save', 'broken', '{"objectives":{"flow":"x"}}']).stderr).toMatch(/objectives\.flow/);
    expect(segue(['--store', db, 'policy', 'list']).stdout).toMatch(/fair\s+1/);
    const r = segue(['--store', db, '--json', 'experiment', 'simulate', '--control', 'default', '--treatment', 'fair',
      '--listeners', '250', '--days', '2', '--tracks', '3000', '--seed', '3', '--success', 'emergingShare', '--guardrail', 'skipRate:0.5']);
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { protocol: string; metrics: Array<{ metric: string; values: Record<string, number>; relativeLift: number; ci: number[]; pValue: number }>; decision: { action: string } };
    expect(rep.protocol).toMatch(/simulated A\/B on radio: 250 listeners/);
    const em = rep.metrics.find((m) => m.metric === 'emergingShare')!;
    expect(em.values.treatment).toBeGreaterThan(em.values.control!);
    expect(em.relativeLift).toBeGreaterThan(0);
    expect(em.ci).toHaveLength(2);
    expect(em.pValue).toBeLessThan(0.05);
    expect(['ship', 'no-ship']).toContain(rep.decision.action);
    const bad = segue(['experiment', 'simulate', '--control', 'default', '--treatment', '{"objectives":{"flow":"x"}}', '--listeners', '50', '--days', '1']);
    expect(bad.status).not.toBe(0);
  }, 120_000);
});

describe('segue eval --task off-policy', () => {
  it('estimates a target policy from an exploring logging policy in the simulator, per estimator and position', () => {
    const r = segue(['--json', 'eval', '--task', 'off-policy', '--logging', '{"exploration":{"epsilon":0.4,"temperature":0.5}}', '--target', '{"exploration":{"epsilon":0.7,"temperature":0.8}}',
      '--sequences', '3000', '--listeners', '150', '--tracks', '2000', '--length', '8']);
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { task: string; truth: { value: number; perPosition: number[] }; estimates: Array<{ estimator: string; value: number; ci: number[]; relativeError: number; perPosition: number[] }> };
    expect(rep.task).toBe('off-policy');
    expect(rep.estimates.map((e) => e.estimator)).toEqual(['item-ips', 'item-snips', 'pi-ips', 'rips', 'mips']);
    expect(rep.truth.perPosition).toHaveLength(8);
    for (const e of rep.estimates) expect(e.ci[0]).toBeLessThanOrEqual(e.ci[1]);
    const bad = segue(['eval', '--task', 'off-policy', '--logging', 'default', '--target', 'default', '--sequences', '10']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/logging policy: it must explore/);
  }, 120_000);
});
