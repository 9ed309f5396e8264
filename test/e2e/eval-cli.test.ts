import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segue } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-eval-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segue eval --task next-track', () => {
  it('ranks next tracks on a simulated world better than popularity, as a table and as JSON', () => {
    const db = join(dir, 'sim.db');
    const sim = segue(['--store', db, 'simulate', '--listeners', '150', '--tracks', '3000', '--days', '7', '--seed', '5', '--json']);
    expect(sim.status, sim.stderr).toBe(0);
    const out = join(dir, 'report.json');
    const r = segue(['--store', db, 'eval', '--task', 'next-track', '--json', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { queries: number; results: Record<string, Record<string, number>>; models: string[]; blend: { weights: Record<string, number>; tunedOn: string } };
    // Blend weights come from validation sessions inside the training period, never the test set.
    expect(report.blend.tunedOn).toMatch(/validation queries \(latest 20% of training sessions\)/);
    expect(Object.keys(report.blend.weights)).toEqual(['transitions', 'sknn', 'item2vec', 'popularity']);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expect(report.models).toEqual(['popularity', 'transitions', 'sknn', 'item2vec', 'blend']);
    expect(report.queries).toBeGreaterThan(500);
    const pop = report.results.popularity!['HR@10']!;
    expect(report.results.blend!['HR@10']).toBeGreaterThan(pop);
    // The tuned blend is at least as good as its best single source, within noise.
    const best = Math.max(...['transitions', 'sknn', 'item2vec'].map((m) => report.results[m]!['NDCG@10']!));
    expect(report.results.blend!['NDCG@10']).toBeGreaterThanOrEqual(best * 0.95);
    for (const m of report.models) for (const k of ['HR@10', 'NDCG@10', 'MRR@10', 'HR@100', 'coverage']) expect(report.results[m]![k]).toBeGreaterThanOrEqual(0);
    const text = segue(['--store', db, 'eval', '--task', 'next-track', '--models', 'transitions']);
    expect(text.stdout).toMatch(/^popularity\s+\d/m);
    expect(text.stdout).toMatch(/^transitions\s+\d/m);
    expect(text.stdout).not.toMatch(/^sknn/m);
  });

  it('rejects unknown tasks and models in one line', () => {
    const db = join(dir, 'empty.db');
    expect(segue(['--store', db, 'eval', '--task', 'vibes']).stderr.trim()).toMatch(/^segue: --task must be one of next-track/);
    expect(segue(['--store', db, 'eval', '--task', 'next-track', '--models', 'magic']).stderr.trim()).toMatch(/^segue: --models: unknown "magic"/);
    expect(segue(['--store', db, 'eval', '--task', 'next-track']).stderr.trim()).toMatch(/^segue: .*empty\.db: no such store/);
    expect(segue(['--store', db, 'stats']).stderr.trim()).toMatch(/no such store/);
    expect(existsSync(db)).toBe(false); // reading never creates a store
  });
});
