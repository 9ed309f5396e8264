import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRecord } from '../domain/index.js';
import { getFormat, runImport } from '../ingest/index.js';
import { openStore } from '../store/index.js';
import { eventsNdjson, simulate, toEvent, toNdjson, writeNdjson, writeToStore } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('NDJSON output', () => {
  it('the fast byte encoder writes exactly what toEvent says, as checkRecord reads it', () => {
    let checked = 0;
    for (const b of simulate({ listeners: 40, tracks: 1500, days: 2, seed: 5, batchSize: 700 })) {
      const lines = toNdjson(b).split('\n');
      expect(lines.length).toBe(b.length + 1);
      expect(lines[b.length]).toBe('');
      for (let i = 0; i < b.length; i++) {
        const r = checkRecord(JSON.parse(lines[i]!), 'other');
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.record).toEqual({ kind: 'event', value: toEvent(b, i) });
        checked++;
      }
      // The bytes are a reused view: equal to the string until the next call.
      expect(new TextDecoder().decode(eventsNdjson(b))).toBe(lines.join('\n'));
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('writes a file that passes checkRecord line by line and imports with no rejects', async () => {
    const file = join(dir, 'sim.ndjson');
    const sim = simulate({ listeners: 80, tracks: 2000, days: 3, seed: 11 });
    const result = await writeNdjson(sim, file);
    const lines = readFileSync(file, 'utf8').split('\n').filter((x) => x.length > 0);
    expect(lines.length).toBe(result.catalog + result.events);
    expect(result.events).toBe(sim.stats.events);
    let seenEvent = false;
    const kinds = new Map<string, number>();
    for (const [i, line] of lines.entries()) {
      const r = checkRecord(JSON.parse(line), 'ndjson');
      if (!r.ok) throw new Error(`line ${i + 1}: ${r.error}`);
      kinds.set(r.record.kind, (kinds.get(r.record.kind) ?? 0) + 1);
      // Catalog lines come first.
      if (r.record.kind === 'event') seenEvent = true;
      else expect(seenEvent).toBe(false);
    }
    expect(kinds.get('track')).toBe(2000);
    expect(kinds.get('listener')).toBe(80);
    expect(kinds.get('playlist')).toBe(sim.world.playlists);

    const store = await openStore(join(dir, 'import.db'));
    try {
      const summary = await runImport({ store, format: getFormat('ndjson'), path: file, rejectsFile: join(dir, 'rejects.ndjson') });
      expect(summary.rejected).toBe(0);
      expect(summary.accepted).toBe(lines.length);
      const stats = await store.stats();
      expect(stats.events).toBe(result.events);
      expect(stats.plays).toBe(sim.stats.plays);
      expect(stats.skipRate).toBeCloseTo(sim.stats.skips / sim.stats.plays, 10);
      expect(stats.tracks).toBe(2000);
      // Re-importing is idempotent: every line is a duplicate.
      const again = await runImport({ store, format: getFormat('ndjson'), path: file, rejectsFile: join(dir, 'rejects2.ndjson') });
      expect(again.accepted).toBe(0);
      expect(again.rejected).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('writes the same events straight into a store', async () => {
    const store = await openStore(join(dir, 'direct.db'));
    try {
      const sim = simulate({ listeners: 30, tracks: 1000, days: 2, seed: 11 });
      const result = await writeToStore(sim, store, { batchSize: 500 });
      expect(result.rejected).toBe(0);
      expect(result.events).toBe(sim.stats.events);
      const stats = await store.stats();
      expect(stats.events).toBe(sim.stats.events);
      expect(stats.sessions).toBe(sim.stats.sessions);
      expect(stats.listeners).toBe(30);
    } finally {
      await store.close();
    }
  });

  it('reports a file it cannot write', async () => {
    await expect(writeNdjson(simulate({ listeners: 2, tracks: 100, days: 1 }), join(dir, 'missing', 'x.ndjson'))).rejects.toThrow(/ENOENT/);
  });
});
