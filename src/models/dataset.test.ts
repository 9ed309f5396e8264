import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { play, track } from '../store/contract/index.js';
import { loadPlays, vocabulary } from './dataset.js';

describe('loadPlays', () => {
  it('reads plays into typed arrays ordered by listener, time and log position', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-ds-'));
    const store = await openStore(join(dir, 's.db'));
    const T = Date.UTC(2024, 0, 1);
    await store.ingest({ tracks: [track('t1'), track('t2')], artists: [{ id: 'a9', name: 'N' }] });
    await store.ingest({
      events: [
        play('e1', 'u2', 't2', T + 5000),
        play('e2', 'u1', 't1', T + 9000, { endReason: 'fwdbtn', skipped: true }),
        play('e3', 'u1', 't2', T + 1000),
        { type: 'like', source: 'test', eventId: 'e4', listenerId: 'u1', trackId: 't1', ts: T },
        { type: 'play_count', source: 'test', eventId: 'e5', listenerId: 'u1', trackId: 't1', ts: T + 9000, count: 7 },
        { type: 'play_count', source: 'test', eventId: 'e6', listenerId: 'u1', artistId: 'a9', ts: T, count: 3 },
      ],
    });
    const log = await loadPlays(store);
    expect(log.length).toBe(4);
    expect(log.trackIds).toEqual(['t2', 't1']);
    expect(log.listenerIds).toEqual(['u2', 'u1']);
    const rows = Array.from({ length: log.length }, (_, i) => [log.listenerIds[log.listener[i]!], log.trackIds[log.track[i]!], log.ts[i]! - T, log.skipped[i], log.weight[i]]);
    expect(rows).toEqual([
      ['u2', 't2', 5000, 0, 1],
      ['u1', 't2', 1000, 0, 1],
      ['u1', 't1', 9000, 1, 1],
      ['u1', 't1', 9000, -1, 7],
    ]);
    expect(vocabulary(log.trackIds)('t1')).toBe(1);
    expect(vocabulary(log.trackIds)('zz')).toBe(-1);
    await store.close();
    rmSync(dir, { recursive: true });
  });

  it('musicOnly leaves podcast episodes out before anything else (sessions then cut on music plays alone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-ds-'));
    const store = await openStore(join(dir, 's.db'));
    const T = Date.UTC(2024, 0, 1);
    await store.ingest({ tracks: [track('m1'), track('p1', 'show', { contentType: 'podcast' }), track('m2', 'a1', { contentType: 'music' })] });
    await store.ingest({ events: [play('e1', 'u1', 'm1', T), play('e2', 'u1', 'p1', T + 1000), play('e3', 'u1', 'm2', T + 2000)] });
    const all = await loadPlays(store);
    expect(all.length).toBe(3);
    const music = await loadPlays(store, { musicOnly: true });
    expect(music.length).toBe(2);
    expect(music.trackIds).toEqual(['m1', 'm2']);
    expect(Array.from(music.ts, (t) => t - T)).toEqual([0, 2000]);
    await store.close();
    rmSync(dir, { recursive: true });
  });
});
