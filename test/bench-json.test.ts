import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Report, type BenchDocument } from '../bench/report.js';

/**
 * Issue 20, "Also": every `npm run bench -- <suite>` takes --json and then prints one JSON
 * document on stdout (bench/report.ts). The sequencing suite at a tiny size (20 requests of
 * 100 candidates; well under a second) stands for all of them: they share the one Report.
 * Runs the build (dist/), as `npm test` makes it first.
 */
const MAIN = join(import.meta.dirname, '../dist/bench/main.js');
const TINY = ['sequencing', '--requests', '20', '--candidates', '100', '--length', '20'];

describe('bench --json', () => {
  it('prints one JSON document on stdout with machine, figures, baseline and ratios; the table goes to stderr', () => {
    const r = spawnSync(process.execPath, [MAIN, ...TINY, '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as BenchDocument; // throws on anything but one document
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(doc.suite).toBe('sequencing');
    expect(doc.machine).toMatch(/^machine: \d+ x .*, node v\d+/);
    expect(doc.args).toEqual([...TINY.slice(1), '--json']);
    const beam = doc.figures.beam8 as Record<string, number>, greedy = doc.baseline!.greedy as Record<string, number>;
    for (const row of [beam, greedy]) for (const k of ['p50Ms', 'p99Ms', 'meanValue']) expect(row[k]).toBeGreaterThan(0);
    expect(doc.ratios.beam8OverGreedyP50).toBeCloseTo(beam.p50Ms! / greedy.p50Ms!, 10);
    expect(typeof doc.targets['beam 8 p99 < 3 ms']).toBe('boolean');
    expect(r.stderr).toContain('beam width 1 (greedy, baseline)');
  });

  it('prints the tables on stdout as before without --json', () => {
    const out = execFileSync(process.execPath, [MAIN, ...TINY], { encoding: 'utf8' });
    expect(out).toMatch(/^machine: /);
    expect(out).toContain('beam width 8: p50');
    expect(out).not.toContain('{');
  });

  it('nests a part under its name, leaves out empty parts and ratios it cannot take, and has a null baseline when none was measured', () => {
    const rep = new Report('models', ['--json']);
    const a = rep.part('ann');
    a.figures.hnswlibEf32 = { qps: 200 };
    a.baseline.exact = { qps: 50 };
    expect(a.ratio('hnswlibEf32OverExactQps', 200, 50)).toBe(4);
    expect(Number.isNaN(a.ratio('usearchEf32OverExactQps', undefined, 50))).toBe(true);
    rep.part('rss').figures.peakRssMB = 900;
    // Parts of parts, asked for again and again (a row at a time), prune too.
    for (const k of ['k30beam1', 'k50beam1']) rep.part('quality').part('radio').part(k).ratio('listenThrough', 1.1, 1);
    rep.part('quality').part('radio').baseline.k100beam8 = { listenThrough: 0.7 };
    const doc = rep.document();
    expect(doc.figures).toEqual({ ann: { hnswlibEf32: { qps: 200 } }, rss: { peakRssMB: 900 } });
    expect(doc.baseline).toEqual({ ann: { exact: { qps: 50 } }, quality: { radio: { k100beam8: { listenThrough: 0.7 } } } });
    expect(doc.ratios).toEqual({ ann: { hnswlibEf32OverExactQps: 4 }, quality: { radio: { k30beam1: { listenThrough: 1.1 }, k50beam1: { listenThrough: 1.1 } } } });
    expect(doc.targets).toEqual({});
    expect(new Report('fingerprint', []).document().baseline).toBeNull();
  });
});
