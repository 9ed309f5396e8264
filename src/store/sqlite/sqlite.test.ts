import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { storeContract, track, play, all } from '../contract/index.js';
import { SqliteStore } from './index.js';
import { SCHEMA_VERSION } from './migrations.js';

let dir = '';
storeContract(
  'sqlite',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'segue-store-'));
    return SqliteStore.open(join(dir, 'segue.db'));
  },
  async () => rmSync(dir, { recursive: true, force: true }),
);

describe('SqliteStore specifics', () => {
  const fresh = () => mkdtempSync(join(tmpdir(), 'segue-store-'));

  it('keeps data across reopen and does not re-run migrations', async () => {
    const d = fresh();
    const s1 = SqliteStore.open(join(d, 's.db'));
    await s1.ingest({ tracks: [track('t1')], events: [play('e1', 'u1', 't1', Date.UTC(2024, 0, 1))] });
    await s1.close();
    const s2 = SqliteStore.open(join(d, 's.db'));
    expect(await s2.events.count()).toBe(1);
    expect(s2.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(s2.db.pragma('journal_mode', { simple: true })).toBe('wal');
    await s2.close();
    rmSync(d, { recursive: true });
  });

  it('migrates a store with the time index (schema 5) to the time summary: its window scans give the same events', async () => {
    const d = fresh();
    const s1 = SqliteStore.open(join(d, 's.db'));
    const T = Date.UTC(2024, 0, 1), H = 3_600_000;
    await s1.ingest({ tracks: [track('t1')] });
    for (let b = 0; b < 5; b++) await s1.ingest({ events: Array.from({ length: 4000 }, (_, i) => play(`e${b}-${i}`, `u${i % 7}`, 't1', T + ((i * 7919 + b * 13) % 100) * H)) });
    const before = (await all(s1.events.scan({ since: T + 20 * H, until: T + 60 * H, batchSize: 999 }))).map((e) => e.seq);
    // Back to schema 5: the (ts) index, no summary.
    s1.db.exec('DROP TABLE event_blocks; CREATE INDEX events_ts ON events (ts); PRAGMA user_version = 5');
    await s1.close();
    const s2 = SqliteStore.open(join(d, 's.db'));
    expect(s2.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(s2.db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'events_ts'`).pluck().get()).toBe(0);
    expect(s2.db.prepare('SELECT count(*) FROM event_blocks').pluck().get()).toBe(3); // 20,000 seqs in blocks of 8,192
    expect(before).toHaveLength(8000);
    expect((await all(s2.events.scan({ since: T + 20 * H, until: T + 60 * H, batchSize: 999 }))).map((e) => e.seq)).toEqual(before);
    await s2.close();
    rmSync(d, { recursive: true });
  });

  it('refuses files that are not Segue stores, and stores from a newer Segue', () => {
    const d = fresh();
    writeFileSync(join(d, 'text.db'), 'hello, this is not sqlite at all, just some text bytes that fill a page');
    expect(() => SqliteStore.open(join(d, 'text.db'))).toThrow(/not a Segue store/);
    const other = new Database(join(d, 'other.db'));
    other.exec('CREATE TABLE x (a)');
    other.close();
    expect(() => SqliteStore.open(join(d, 'other.db'))).toThrow(/not a Segue store/);
    const s = SqliteStore.open(join(d, 'new.db'));
    s.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    s.db.close();
    expect(() => SqliteStore.open(join(d, 'new.db'))).toThrow(/newer than this Segue knows/);
    expect(() => SqliteStore.open(join(d, 'missing', 'deep', 's.db'))).toThrow(/cannot open store/);
    rmSync(d, { recursive: true });
  });

  it('rolls back a whole batch when the write fails, leaving no half-written state', async () => {
    const d = fresh();
    const s = SqliteStore.open(join(d, 's.db'));
    await s.ingest({ tracks: [track('t1')] });
    s.db.exec(`CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.event_id = 'bad' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    await expect(s.ingest({ tracks: [track('t2')], events: [play('e1', 'u9', 't1', Date.UTC(2024, 0, 1)), play('bad', 'u9', 't1', Date.UTC(2024, 0, 1))] })).rejects.toThrow(
      /disk on fire/,
    );
    expect(await s.events.count()).toBe(0);
    expect(await s.catalog.getTrack('t2')).toBeUndefined();
    expect(await s.catalog.getListener('u9')).toBeUndefined();
    s.db.exec('DROP TRIGGER boom');
    // The caches were dropped with the rollback: the same batch now writes cleanly.
    const r = await s.ingest({ tracks: [track('t2')], events: [play('e1', 'u9', 't1', Date.UTC(2024, 0, 1))] });
    expect(r.accepted).toBe(2);
    expect((await s.events.forListener('u9')).length).toBe(1);
    await s.close();
    rmSync(d, { recursive: true });
  });
});
