import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import type { IngestBatch, Store } from '../store/index.js';
import { runImport } from './pipeline.js';
import { ndjson } from './formats/ndjson.js';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/ndjson/small.ndjson');

/** A store that asks for small batches read ahead, and records how its ingest is called (each call slowed, so that reading could overlap it). */
function readingAhead(inner: Store, failAt?: number): { store: Store; calls: number; mostAtOnce: number } {
  const seen = { calls: 0, mostAtOnce: 0 };
  let active = 0;
  const ingest = async (batch: IngestBatch) => {
    const call = seen.calls++;
    seen.mostAtOnce = Math.max(seen.mostAtOnce, ++active);
    try {
      await new Promise((r) => setTimeout(r, 5));
      if (call === failAt) throw new Error('store down');
      return await inner.ingest(batch);
    } finally {
      active--;
    }
  };
  const store = new Proxy(inner, {
    get: (target, key) => (key === 'bulkIngest' ? { batchSize: 2, readAhead: true } : key === 'ingest' ? ingest : Reflect.get(target, key)),
  });
  return Object.assign(seen, { store });
}

describe('runImport reading ahead (a store whose bulkIngest asks for it)', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'segue-pipeline-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same as batch by batch: one ingest at a time, in order, the same counts, rejects and data', async () => {
    const plain = await openStore(join(dir, 'plain.db'));
    const ahead = readingAhead(await openStore(join(dir, 'ahead.db')));
    try {
      const a = await runImport({ store: plain, format: ndjson, path: FIXTURE, rejectsFile: join(dir, 'plain.rejects'), batchSize: 2 });
      const b = await runImport({ store: ahead.store, format: ndjson, path: FIXTURE, rejectsFile: join(dir, 'ahead.rejects') });
      const counts = (s: typeof a) => ({ read: s.read, accepted: s.accepted, duplicates: s.duplicates, rejected: s.rejected, sessionized: s.sessionized });
      expect(counts(b)).toEqual(counts(a));
      expect(a.rejected).toBeGreaterThan(0);
      expect(ahead.calls).toBeGreaterThan(3);
      expect(ahead.mostAtOnce).toBe(1);
      const rejects = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { line: number; reason: string })).sort((x, y) => x.line - y.line);
      expect(rejects('ahead.rejects')).toEqual(rejects('plain.rejects'));
      expect(await ahead.store.stats()).toEqual(await plain.stats());
      // Again: every event a duplicate, counted once the batches holding them are written.
      expect(counts(await runImport({ store: ahead.store, format: ndjson, path: FIXTURE, rejectsFile: join(dir, 'ahead.rejects') }))).toMatchObject({ accepted: 0, duplicates: a.accepted });
    } finally {
      await plain.close();
      await ahead.store.close();
    }
  });

  it('fails with the error of a batch that fails, keeping the batches written before it and sending none after it', async () => {
    const ahead = readingAhead(await openStore(join(dir, 'ahead.db')), 2);
    try {
      await expect(runImport({ store: ahead.store, format: ndjson, path: FIXTURE, rejectsFile: join(dir, 'ahead.rejects') })).rejects.toThrow('store down');
      expect(ahead.calls).toBe(3);
      expect((await ahead.store.catalog.counts()).tracks).toBeGreaterThan(0);
    } finally {
      await ahead.store.close();
    }
  });
});
