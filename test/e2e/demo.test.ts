import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segue, segueAsync } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segue demo (npm start)', () => {
  it('builds the demo world and its models once into ./segue-demo.db, then reopens it', () => {
    const first = segue(['demo', '--no-serve', '--json'], { cwd: dir });
    expect(first.status, first.stderr).toBe(0);
    const r = JSON.parse(first.stdout) as { built: boolean; trained: string[]; key: string; stats: { listeners: number; tracks: number; events: number; sessions: number; skipRate: number } };
    expect(r.built).toBe(true);
    expect(r.trained).toEqual(['transitions', 'sknn', 'popularity', 'ranker']);
    expect(r.stats).toMatchObject({ listeners: 1500, tracks: 200_000 });
    expect(r.stats.events).toBeGreaterThan(300_000);
    expect(r.stats.skipRate).toBeGreaterThan(0.15);
    expect(r.stats.skipRate).toBeLessThan(0.5);
    expect(r.key).toMatch(/^sg_/);
    expect(readFileSync(join(dir, 'segue-demo.db.key'), 'utf8').trim()).toBe(r.key);
    expect(existsSync(join(dir, 'segue-demo.db'))).toBe(true);
    expect(existsSync(join(dir, 'segue-demo.db.partial'))).toBe(false);
    const again = segue(['demo', '--no-serve'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^Opened the demo world in .*segue-demo\.db/);
    expect(again.stdout).not.toMatch(/trained/);
    expect(again.stdout).toContain(r.key);
  }, 240_000);

  it('serves the API on localhost with a working demo key and example requests, and stops on SIGINT', async () => {
    const proc = segueAsync(['demo', '--port', '0'], dir);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 1200 && !out.includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const key = /API key:\s+(sg_\S+)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    expect(out).toMatch(/curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/recommend\/radio/);
    // The printed radio example, as a request.
    const body = /v1\/recommend\/radio .* -d '(\{[^']+\})'/.exec(out)![1]!;
    const r = await fetch(`${url}/v1/recommend/radio`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    expect(r.status).toBe(200);
    const res = (await r.json()) as { requestId: string; items: unknown[] };
    expect(res.items).toHaveLength(10);
    const code = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    proc.kill('SIGINT');
    expect(await code).toBe(0);
  }, 120_000);

  it('refuses to simulate a second world on top of the first', () => {
    const r = segue(['--store', 'segue-demo.db', 'simulate', '--listeners', '10', '--tracks', '500', '--days', '1'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^segue: .*segue-demo\.db already holds [\d,]+ events: simulate into a new store/);
  });
});
