import { describe, it, expect } from 'vitest';
import type { Store } from '../types.js';
import { copyStore } from '../copy.js';
import { TABLES } from '../tables.js';
import { all, play, track, T0, MIN, type Cleanup, type Opener } from './fixtures.js';

/** A store with something in every table: catalog, sessions (one late event pending), state, exposures, models, keys, experiments, policies. */
async function populate(s: Store): Promise<string> {
  await s.ingest({
    artists: [{ id: 'a1', name: 'Ann', genres: ['jazz'] }],
    tracks: [track('t1', 'a1', { genres: ['jazz'] }), track('t2', 'a2'), track('t3', 'a1')],
    playlists: [{ id: 'p1', name: 'Mix', trackIds: ['t2', 't1'] }],
    events: Array.from({ length: 25 }, (_, i) => play(`e${i}`, `u${i % 3}`, `t${(i % 3) + 1}`, T0 + i * 20 * MIN)),
  });
  await s.ingest({ events: [play('late', 'u1', 't1', T0 - 5 * MIN), { type: 'like', source: 'app', eventId: 'l1', listenerId: 'u9', trackId: 't3', ts: T0 }] });
  await s.listenerState.put('u1', 'online-state', new Uint8Array([1, 2, 3]));
  await s.listenerState.put('*', 'cursor', new Uint8Array([7]));
  await s.exposures.append({ requestId: 'r1', listenerId: 'u1', surface: 'radio', ts: T0, items: [{ trackId: 't1', position: 0, score: 0.5, propensity: 1 }] });
  await s.models.put('transitions', Uint8Array.from({ length: 1000 }, (_, i) => i % 251), { dims: 0 });
  await s.models.put('transitions', new Uint8Array([9]));
  const { key } = await s.keys.create({ scopes: ['admin'], name: 'ops' });
  await s.experiments.create({ name: 'x', def: { name: 'x' }, status: 'running', createdAt: T0, startedAt: T0, stoppedAt: null, offset: 0.5, shippedVariant: null });
  await s.policies.put('fair', { objectives: { emergingArtists: 0.2 } });
  return key;
}

/**
 * `copyStore` from one kind of store into another: the copy is the same store (stats, the
 * log with its seqs and sessions, state, exposures, models, keys that still verify), a rerun
 * copies nothing, and a copy stopped part way completes on the next run, nothing doubled.
 */
export function storeCopyContract(name: string, openFrom: Opener<Store>, openTo: Opener<Store>, cleanup?: Cleanup): void {
  describe(`store copy: ${name}`, () => {
    it('copies every table row for row, idempotently, and resumes after an interruption', async () => {
      const from = await openFrom();
      const to = await openTo();
      try {
        const key = await populate(from);
        // Stopped part way through the event log, in batches of 4.
        const stop = new AbortController();
        await expect(copyStore(from, to, { batchSize: 4, onProgress: (p) => p.table === 'events' && p.done >= 8 && stop.abort(), signal: stop.signal })).rejects.toThrow();
        expect(await to.tables.count('events')).toBe(8);
        expect(await to.tables.count('models')).toBe(0);
        const done = await copyStore(from, to, { batchSize: 3 });
        expect(done.map((t) => t.table)).toEqual(TABLES.map((t) => t.name));
        for (const t of done) expect(t.to, t.table).toBe(t.from);
        expect(done.find((t) => t.table === 'events')!.from).toBe(27);
        const again = await copyStore(from, to);
        expect(again.every((t) => t.copied === 0)).toBe(true);
        expect(await to.stats({ top: 5 })).toEqual(await from.stats({ top: 5 }));
        expect(await all(to.events.scan())).toEqual(await all(from.events.scan()));
        // The late event was still pending in the source: it still is, and sessionize resolves it the same way.
        expect(await to.events.sessionize()).toEqual(await from.events.sessionize());
        expect(await to.events.forListener('u1')).toEqual(await from.events.forListener('u1'));
        expect(Array.from((await to.listenerState.get('u1', 'online-state'))!)).toEqual([1, 2, 3]);
        expect(await to.exposures.get('r1')).toEqual(await from.exposures.get('r1'));
        expect((await to.models.get('transitions', 1))!.data).toEqual((await from.models.get('transitions', 1))!.data);
        expect((await to.keys.verify(key))?.name).toBe('ops');
        expect(await to.experiments.get('x')).toEqual(await from.experiments.get('x'));
        expect(await to.policies.get('fair')).toEqual(await from.policies.get('fair'));
        // New rows the copy makes itself continue past the copied keys.
        const more = await to.ingest({ tracks: [track('t4')], events: [play('after', 'u1', 't4', T0 + 900 * MIN)] });
        expect(more.accepted).toBe(2);
        expect((await to.events.lastSeq())).toBeGreaterThan(await from.events.lastSeq());
        expect((await to.models.put('transitions', new Uint8Array([1]))).version).toBe(3);
        // Copying into a store that is not this store's copy is refused.
        await expect(copyStore(await populateFresh(openFrom), to)).rejects.toThrow(/not \(a copy of\) this store|copy into an empty store/);
      } finally {
        await from.close();
        await to.close();
        await cleanup?.();
      }
    });
  });
}

async function populateFresh(open: Opener<Store>): Promise<Store> {
  const s = await open();
  await s.ingest({ tracks: [track('z1')] });
  return s;
}
