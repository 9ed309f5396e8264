import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segue } from './cli.js';
import { openStore } from '../../src/store/index.js';
import { TransitionsModel, decodeArtifact, trainConfig } from '../../src/models/index.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segue train', () => {
  it('trains every model into the registry, versioned, with its vocabulary', async () => {
    const db = join(dir, 'sim.db');
    expect(segue(['--store', db, 'simulate', '--listeners', '60', '--tracks', '1500', '--days', '3', '--seed', '2']).status).toBe(0);
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ item2vec: { epochs: 1, dims: 16 }, als: { epochs: 2, dims: 8 } }));
    const r = segue(['--store', db, 'train', '--config', cfg, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const reports = JSON.parse(r.stdout) as Array<{ model: string; version: number; bytes: number }>;
    expect(reports.map((x) => [x.model, x.version])).toEqual([['transitions', 1], ['sknn', 1], ['item2vec', 1], ['als', 1], ['content', 1], ['popularity', 1]]);
    expect(reports.every((x) => x.bytes > 0)).toBe(true);
    const again = JSON.parse(segue(['--store', db, 'train', '--models', 'transitions', '--json']).stdout) as Array<{ version: number }>;
    expect(again[0]!.version).toBe(2);
    const store = await openStore(db, { readonly: true });
    const art = (await store.models.get('transitions'))!;
    const meta = decodeArtifact(art.data).meta as unknown as { trackIds: string[] };
    expect(meta.trackIds.length).toBeGreaterThan(100);
    const model = TransitionsModel.load(art.data);
    const out = new Float64Array(meta.trackIds.length);
    model.scoreInto(Int32Array.of(0), out);
    expect(out.some((x) => x > 0)).toBe(true);
    const i2v = decodeArtifact((await store.models.get('item2vec'))!.data);
    expect((i2v.meta as unknown as { dims: number }).dims).toBe(16);
    expect(i2v.arrays.vectors!.length).toBe(16 * meta.trackIds.length);
    await store.close();
  });

  it('validates the config file and the model list', () => {
    expect(() => trainConfig({ als: { dimz: 3 } })).toThrow(/config\.als\.dimz: unknown key/);
    expect(() => trainConfig({ als: { dims: '64' } })).toThrow(/config\.als\.dims: expected a number/);
    expect(() => trainConfig({ nope: 1 })).toThrow(/config\.nope: unknown key/);
    expect(trainConfig({ sessionGapMinutes: 10 }).sessionGapMinutes).toBe(10);
    expect(trainConfig(undefined).item2vec.dims).toBe(64);
    expect(segue(['--store', join(dir, 'x.db'), 'train', '--models', 'magic']).stderr.trim()).toMatch(/^segue: --models: unknown "magic"/);
  });
});
