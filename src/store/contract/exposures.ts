import { it, expect } from 'vitest';
import type { Store } from '../types.js';
import { contractSuite, all, T0, type Cleanup, type Opener } from './fixtures.js';

/**
 * The ExposureStore contract: every implementation runs it (one factory per implementation,
 * each call returning a fresh, empty, isolated subject).
 */
export function exposureContract(name: string, open: Opener<Pick<Store, 'exposures' | 'close'>>, cleanup?: Cleanup): void {
  contractSuite(`ExposureStore contract: ${name}`, open, cleanup, (store) => {
    it('logs exposures once per request id', async () => {
      const x = { requestId: 'r1', listenerId: 'u1', surface: 'radio', ts: T0, items: [{ trackId: 't1', position: 0, score: 0.9, propensity: 1 }] };
      expect(await store().exposures.append(x)).toBe(true);
      expect(await store().exposures.append({ ...x, surface: 'other' })).toBe(false);
      expect(await store().exposures.get('r1')).toEqual(x);
      await store().exposures.append({ ...x, requestId: 'r2', ts: T0 + 1 });
      expect((await store().exposures.forListener('u1')).map((e) => e.requestId)).toEqual(['r1', 'r2']);
      expect(await store().exposures.forListener('u1', { since: T0 + 1 })).toHaveLength(1);
      // Concurrent appends (a server's simultaneous responses): each stored once, each told whether it was new.
      const many = Array.from({ length: 50 }, (_, i) => ({ ...x, requestId: `c${i % 40}`, ts: T0 + 10 + i }));
      const got = await Promise.all(many.map((e) => store().exposures.append(e)));
      expect(got.filter(Boolean)).toHaveLength(40);
      expect(got.slice(40)).toEqual(new Array(10).fill(false));
      expect(await store().exposures.forListener('u1', { since: T0 + 10 })).toHaveLength(40);
    });

    it('scans exposures by time, in time order, in batches', async () => {
      for (let i = 0; i < 7; i++) await store().exposures.append({ requestId: `q${i}`, listenerId: 'u1', surface: 'radio', ts: T0 + (i % 3), items: [] });
      const seen: string[] = [];
      for await (const b of store().exposures.scan({ since: T0 + 1, batchSize: 2 })) seen.push(...b.map((e) => e.requestId));
      expect(seen).toEqual(['q1', 'q4', 'q2', 'q5']);
      // The window's end is exclusive, and only the window is read.
      expect((await all(store().exposures.scan({ since: T0 + 1, until: T0 + 2 }))).map((e) => e.requestId)).toEqual(['q1', 'q4']);
    });
  });
}
