import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { SegueEvent } from '../../domain/index.js';
import { track, play, all, T0, MIN } from '../contract/index.js';
import { PostgresStore } from './index.js';
import { createTestDatabase, requirePostgres, skipMessage, type TestDatabase } from './testing.js';

const pgUp = await requirePostgres();
if (!pgUp) describe.skip(skipMessage(), () => it('needs PostgreSQL', () => {}));

/** Two stores opened separately on one database: two processes, as far as PostgreSQL can tell. */
describe.runIf(pgUp)('PostgresStore under several processes', () => {
  let db: TestDatabase;
  let a: PostgresStore, b: PostgresStore;
  beforeEach(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([PostgresStore.open(db.url), PostgresStore.open(db.url)]);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await db.drop();
  });

  it('loses no increment of concurrent listenerState.update, and calls each fn once', async () => {
    let calls = 0;
    const inc = (old: Uint8Array | undefined): Uint8Array => {
      calls++;
      const n = old === undefined ? 0 : new DataView(old.buffer, old.byteOffset, 4).getUint32(0);
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, n + 1);
      return out;
    };
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).listenerState.update('u1', 'count', inc)));
    const v = (await a.listenerState.get('u1', 'count'))!;
    expect(new DataView(v.buffer, v.byteOffset, 4).getUint32(0)).toBe(60);
    expect(calls).toBe(60);
  });

  it('stores each event exactly once when two stores ingest disjoint and overlapping batches at once, and a reader folding from a cursor misses none', async () => {
    await a.ingest({ tracks: Array.from({ length: 10 }, (_, i) => track(`t${i}`, `a${i % 3}`)) });
    const ev = (i: number): SegueEvent => play(`e${i}`, `u${i % 37}`, `t${i % 10}`, T0 + i * MIN);
    // Batches of 100 go through COPY, batches of 7 through plain statements; each names new listeners too.
    const batches = (from: number, to: number, size: number) => Array.from({ length: Math.ceil((to - from) / size) }, (_, k) => Array.from({ length: Math.min(size, to - from - k * size) }, (_, j) => ev(from + k * size + j)));
    const runs = [
      { store: a, batches: [...batches(0, 600, 100), ...batches(1200, 1235, 7)] },
      { store: b, batches: [...batches(300, 900, 100), ...batches(1200, 1235, 7)] },
    ];
    let accepted = 0, duplicates = 0, done = 0;
    const seen: string[] = [];
    let cursor = 0;
    const fold = async () => {
      for await (const page of b.events.scan({ afterSeq: cursor, batchSize: 50 })) {
        for (const e of page) seen.push(e.eventId);
        cursor = page[page.length - 1]!.seq;
      }
    };
    const reader = async () => {
      while (done < runs.length) {
        await fold();
        await new Promise<void>((r) => {
          setTimeout(r, 2);
        });
      }
      await fold();
    };
    await Promise.all([
      ...runs.map(async ({ store, batches: bs }) => {
        for (const events of bs) {
          const r = await store.ingest({ events });
          accepted += r.accepted;
          duplicates += r.duplicates;
        }
        done++;
      }),
      reader(),
    ]);
    expect(accepted).toBe(935);
    expect(duplicates).toBe(300 + 35);
    expect(await a.events.count()).toBe(935);
    const log = await all(a.events.scan());
    expect(new Set(log.map((e) => e.eventId)).size).toBe(935);
    expect(log.every((e, i) => i === 0 || e.seq > log[i - 1]!.seq)).toBe(true);
    expect(seen.length).toBe(935);
    expect(new Set(seen).size).toBe(935);
    expect((await a.catalog.counts()).listeners).toBe(37);
  });

  it('gives concurrent saves of one model or policy distinct versions, and logs a concurrent exposure once', async () => {
    const saved = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).models.put('als', new Uint8Array([i]))));
    expect(saved.map((m) => m.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const versions = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).policies.put('fair', { i })));
    expect(versions.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const x = { requestId: 'r1', listenerId: 'u1', surface: 'radio', ts: T0, items: [] };
    const firsts = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).exposures.append({ ...x, ts: T0 + i })));
    expect(firsts.filter(Boolean)).toHaveLength(1);
    expect(await a.exposures.forListener('u1')).toHaveLength(1);
  });
});
