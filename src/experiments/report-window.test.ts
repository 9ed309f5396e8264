import { describe, it, expect } from 'vitest';
import { openStore, type StoredEvent } from '../store/index.js';
import { track, play } from '../store/contract/index.js';
import { createExperiment, experimentReport, startExperiment, stopExperiment } from './index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

describe('experiment reports read their window', () => {
  it('scans only the events of the experiment, its pre-period and its grace, through the time index', async () => {
    const store = await openStore(':memory:');
    try {
      await store.ingest({ tracks: [track('t1'), track('t2')] });
      // 60 days of plays by 40 listeners; the experiment runs days 40..47 with a 7-day pre-period.
      const events = [];
      for (let d = 0; d < 60; d++) for (let u = 0; u < 40; u++) events.push(play(`e${d}-${u}`, `u${u}`, u % 2 ? 't1' : 't2', T0 + d * DAY + u * 60_000));
      await store.ingest({ events });
      await createExperiment(store, { name: 'w', surfaces: ['radio'], variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1 }] }, T0);
      await startExperiment(store, 'w', T0 + 40 * DAY);
      for (let u = 0; u < 40; u++) {
        await store.exposures.append({ requestId: `r${u}`, listenerId: `u${u}`, surface: 'radio', ts: T0 + 40 * DAY + u, experiment: 'w', variant: u % 2 ? 'treatment' : 'control', items: [{ trackId: 't1', position: 0, score: 1, propensity: 1 }] });
      }
      await stopExperiment(store, 'w', T0 + 47 * DAY);
      // Count what the report reads from the log.
      let read = 0;
      const scan = store.events.scan.bind(store.events);
      store.events.scan = (o) => ({
        async *[Symbol.asyncIterator]() {
          for await (const b of scan(o)) {
            read += b.length;
            yield b as StoredEvent[];
          }
        },
      });
      const rep = await experimentReport(store, 'w', { now: T0 + 50 * DAY });
      expect(rep.variants.map((v) => v.name)).toEqual(['control', 'treatment']);
      // The pre-period (7 days) and the experiment's window with its 6-hour grace: 15 days of 40 listeners at most, not 60 days.
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThanOrEqual(15 * 40);
    } finally {
      await store.close();
    }
  });
});
