import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRejectRate, runImport } from '../pipeline.js';
import { importHarness } from './testing.js';
import { ndjson } from './ndjson.js';

const FIXTURE = join(import.meta.dirname, '../../../test/fixtures/ndjson/small.ndjson');
const h = importHarness(ndjson, 'segue-ndjson-');

describe('ndjson import', () => {
  it('imports catalog and events, rejecting bad lines with line number and reason', async () => {
    const { store, rejectsFile } = h;
    const s = await runImport({ store, format: ndjson, path: FIXTURE, rejectsFile });
    expect(s).toMatchObject({ read: 15, accepted: 11, duplicates: 0, rejected: 4, rejectsFile });
    const rejects = readFileSync(rejectsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(rejects.map((r) => r.line).sort((a, b) => a - b)).toEqual([11, 12, 14, 16]);
    const byLine = new Map(rejects.map((r) => [r.line, r.reason]));
    expect(byLine.get(11)).toMatch(/^msPlayed: .*got -4$/);
    expect(byLine.get(12)).toMatch(/^trackId: unknown track "t404"/);
    expect(byLine.get(14)).toMatch(/^invalid JSON/);
    expect(byLine.get(16)).toMatch(/^invalid JSON/); // the truncated last line
    const u1 = await store.events.forListener('u1');
    expect(u1.map((e) => e.type)).toEqual(['play_start', 'play_end', 'skip', 'like']);
    expect(u1[1]!.context).toEqual({ type: 'radio', id: 'st1', surface: 'radio', requestId: 'r1', position: 0 });
    expect(u1[2]).toMatchObject({ skipped: true, endReason: 'fwdbtn', msPlayed: 14000 });
    expect(await store.catalog.getListener('u1')).toEqual({ id: 'u1', country: 'SE', allowExplicit: false });
    const stats = await store.stats();
    expect(stats).toMatchObject({ events: 6, plays: 3, skips: 1, sessions: 2, tracks: 2, artists: 2, listeners: 2 });
  });

  it('adds nothing when the same file is imported again', async () => {
    const { store, rejectsFile } = h;
    await runImport({ store, format: ndjson, path: FIXTURE, rejectsFile });
    const before = await store.stats();
    const again = await runImport({ store, format: ndjson, path: FIXTURE, rejectsFile });
    expect(again).toMatchObject({ read: 15, accepted: 0, duplicates: 11, rejected: 4 });
    expect(await store.stats()).toEqual(before);
  });

  it('stops early when the reject rate is far above --max-reject-rate', async () => {
    const { dir, store, rejectsFile } = h;
    const path = join(dir, 'garbage.ndjson');
    writeFileSync(path, Array.from({ length: 30_000 }, (_, i) => `{"nope":${i}}`).join('\n'));
    const s = await runImport({ store, format: ndjson, path, rejectsFile, maxRejectRate: 0.1 });
    expect(s.aborted).toMatch(/exceeds --max-reject-rate 0.1/);
    expect(s.read).toBeLessThan(30_000);
    expect(s.accepted).toBe(0);
  });

  it('fails in one sentence when the rejects file cannot be written, or is the input', async () => {
    const { dir, store } = h;
    await expect(runImport({ store, format: ndjson, path: FIXTURE, rejectsFile: dir })).rejects.toThrow(/^cannot write the rejects file .*: EISDIR$/);
    await expect(runImport({ store, format: ndjson, path: FIXTURE, rejectsFile: join(dir, 'no', 'such', 'r.ndjson') })).rejects.toThrow(/: ENOENT$/);
    await expect(runImport({ store, format: ndjson, path: FIXTURE, rejectsFile: FIXTURE })).rejects.toThrow(/is the input itself/);
    expect(readFileSync(FIXTURE, 'utf8')).toMatch(/Feeling Good/); // untouched
  });

  it('refuses a format that yields an item with no records (a format bug, not a duplicate)', async () => {
    const { store, rejectsFile } = h;
    const broken = { name: 'broken', description: '', defaultSource: 'x', async *read() { yield [{ where: { file: 'f', line: 3 }, records: [] }]; } };
    await expect(runImport({ store, format: broken, path: FIXTURE, rejectsFile })).rejects.toThrow(/format broken yielded an item with no records at f line 3/);
  });

  it('takes --max-reject-rate only as a decimal from 0 to 1', () => {
    expect(parseRejectRate('0.05')).toBe(0.05);
    expect(parseRejectRate('1')).toBe(1);
    expect(parseRejectRate('.5')).toBe(0.5);
    for (const bad of ['', ' ', '0x1', '1e-1', '2', '-0.1', 'abc']) expect(() => parseRejectRate(bad), bad).toThrow(/--max-reject-rate must be/);
  });

  it('reads every file of a folder in name order', async () => {
    const { dir, store, rejectsFile } = h;
    const folder = join(dir, 'in');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    writeFileSync(join(folder, '1-catalog.ndjson'), '{"type":"track","id":"t1","title":"x","artists":[]}\n');
    writeFileSync(join(folder, '2-events.jsonl'), '{"type":"like","eventId":"l1","listenerId":"u","ts":1714557600000,"trackId":"t1"}\r\n');
    writeFileSync(join(folder, 'notes.txt'), 'ignored');
    const s = await runImport({ store, format: ndjson, path: folder, rejectsFile });
    expect(s).toMatchObject({ read: 2, accepted: 2, rejected: 0 });
  });
});
