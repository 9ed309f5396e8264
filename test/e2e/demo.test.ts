import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segue } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segue demo (npm start)', () => {
  it('builds the demo world once into ./segue-demo.db, then reopens it', () => {
    const first = segue(['demo', '--json'], { cwd: dir });
    expect(first.status, first.stderr).toBe(0);
    const r = JSON.parse(first.stdout) as { built: boolean; stats: { listeners: number; tracks: number; events: number; sessions: number; skipRate: number } };
    expect(r.built).toBe(true);
    expect(r.stats).toMatchObject({ listeners: 1500, tracks: 20_000 });
    expect(r.stats.events).toBeGreaterThan(200_000);
    expect(r.stats.skipRate).toBeGreaterThan(0.15);
    expect(r.stats.skipRate).toBeLessThan(0.5);
    expect(existsSync(join(dir, 'segue-demo.db'))).toBe(true);
    expect(existsSync(join(dir, 'segue-demo.db.partial'))).toBe(false);
    const again = segue(['demo'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^Opened the demo world in .*segue-demo\.db/);
    expect(again.stdout).toMatch(/eval --task next-track/);
  });

  it('refuses to simulate a second world on top of the first', () => {
    const r = segue(['--store', 'segue-demo.db', 'simulate', '--listeners', '10', '--tracks', '500', '--days', '1'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^segue: .*segue-demo\.db already holds [\d,]+ events: simulate into a new store/);
  });
});
