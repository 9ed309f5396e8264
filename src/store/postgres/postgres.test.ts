import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { all, storeContract, storeCopyContract, track, play, T0 } from '../contract/index.js';
import { SqliteStore } from '../sqlite/index.js';
import { openStore } from '../open.js';
import { StoreError } from '../types.js';
import { PostgresStore } from './index.js';
import { SCHEMA_VERSION } from './migrations.js';
import { createTestDatabase, requirePostgres, skipMessage, testServerUrl, testStores, withDatabase, type TestDatabase } from './testing.js';

const pgUp = await requirePostgres();
if (!pgUp) describe.skip(skipMessage(), () => it('needs PostgreSQL', () => {}));

if (pgUp) {
  const stores = testStores();
  storeContract('postgres', stores.open, stores.cleanup);

  let dir = '';
  let n = 0;
  const sqlite = async () => {
    if (dir === '') dir = mkdtempSync(join(tmpdir(), 'segue-pgcopy-'));
    return SqliteStore.open(join(dir, `s${n++}.db`));
  };
  const copyCleanup = async () => {
    await stores.cleanup();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    dir = '';
  };
  storeCopyContract('sqlite to postgres', sqlite, stores.open, copyCleanup);
  storeCopyContract('postgres to sqlite', stores.open, sqlite, copyCleanup);
  storeCopyContract('postgres to postgres', stores.open, stores.open, copyCleanup);

  describe('PostgresStore specifics', () => {
    const made: TestDatabase[] = [];
    const fresh = async () => {
      const db = await createTestDatabase();
      made.push(db);
      return db;
    };
    const sql = async (url: string, text: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(text)).rows;
      } finally {
        await c.end();
      }
    };
    afterAll(async () => {
      for (const db of made) await db.drop();
    });

    it('opens through openStore, keeps data across reopen and records each migration once', async () => {
      const db = await fresh();
      const s1 = await openStore(db.url);
      expect(s1).toBeInstanceOf(PostgresStore);
      await s1.ingest({ tracks: [track('t1')], events: [play('e1', 'u1', 't1', T0)] });
      await s1.close();
      const s2 = await openStore(db.url.replace(/^postgres:/, 'postgresql:'));
      expect(await s2.events.count()).toBe(1);
      await s2.close();
      expect(await sql(db.url, 'SELECT version FROM segue_schema ORDER BY version')).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
    });

    it('migrates exactly once when several processes open a new database at the same moment', async () => {
      const db = await fresh();
      const opened = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(db.url)));
      await Promise.all(opened.map((s, i) => s.ingest({ tracks: [track(`t${i}`)] })));
      expect(await opened[0]!.catalog.counts()).toMatchObject({ tracks: 4 });
      await Promise.all(opened.map((s) => s.close()));
      const rows = await sql(db.url, 'SELECT version, count(*)::int AS n FROM segue_schema GROUP BY version ORDER BY version');
      expect(rows).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1, n: 1 })));
    });

    it('refuses a database from a newer Segue, and one with tables of another program', async () => {
      const db = await fresh();
      await (await PostgresStore.open(db.url)).close();
      await sql(db.url, `INSERT INTO segue_schema (version, name) VALUES (${SCHEMA_VERSION + 1}, 'future')`);
      await expect(PostgresStore.open(db.url)).rejects.toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this Segue knows`));
      await expect(PostgresStore.open(db.url, { readonly: true })).rejects.toThrow(/newer than this Segue knows/);
      const other = await fresh();
      await sql(other.url, 'CREATE TABLE orders (id int)');
      await expect(PostgresStore.open(other.url)).rejects.toThrow(/has tables but no Segue schema/);
    });

    it('opens read-only without migrating, reads, and refuses every write', async () => {
      const empty = await fresh();
      await expect(PostgresStore.open(empty.url, { readonly: true })).rejects.toThrow(/no Segue store in this database/);
      expect(await sql(empty.url, `SELECT to_regclass('segue_schema') AS t`)).toEqual([{ t: null }]);
      const db = await fresh();
      const w = await PostgresStore.open(db.url);
      await w.ingest({ tracks: [track('t1')], events: [play('e1', 'u1', 't1', T0)] });
      await w.close();
      const r = await PostgresStore.open(db.url, { readonly: true });
      expect(await r.events.count()).toBe(1);
      expect((await r.catalog.getTrack('t1'))?.title).toBe('Title t1');
      const writes: Array<[string, () => Promise<unknown>]> = [
        ['ingest', () => r.ingest({ tracks: [track('t2')] })],
        ['put', () => r.listenerState.put('u1', 'k', new Uint8Array([1]))],
        ['update', () => r.listenerState.update('u1', 'k', () => new Uint8Array([1]))],
        ['exposure', () => r.exposures.append({ requestId: 'r', listenerId: 'u1', surface: 'radio', ts: T0, items: [] })],
        ['model', () => r.models.put('m', new Uint8Array([1]))],
        ['key', () => r.keys.create({ scopes: ['admin'] })],
        ['sessionize', () => r.events.sessionize()],
      ];
      for (const [what, write] of writes) await expect(write(), what).rejects.toThrow(/open read-only/);
      // The server refuses too: every transaction of a read-only store's connections is read-only.
      await expect(r.db.arrays(`INSERT INTO sources (name) VALUES ('x') RETURNING ix`)).rejects.toThrow(/open read-only/);
      await r.close();
      expect(await sql(db.url, 'SELECT count(*)::int AS n FROM tracks')).toEqual([{ n: 1 }]);
    });

    it('rolls back a whole batch when the write fails, leaving no half-written state', async () => {
      const db = await fresh();
      const s = await PostgresStore.open(db.url);
      await s.ingest({ tracks: [track('t1')] });
      await sql(db.url, `CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.event_id = 'bad' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$;
                         CREATE TRIGGER boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION boom()`);
      const batch = { tracks: [track('t2')], events: [play('e1', 'u9', 't1', Date.UTC(2031, 0, 1)), play('bad', 'u9', 't1', Date.UTC(2031, 0, 1))] };
      await expect(s.ingest(batch)).rejects.toThrow(/disk on fire/);
      expect(await s.events.count()).toBe(0);
      expect(await s.catalog.getTrack('t2')).toBeUndefined();
      expect(await s.catalog.getListener('u9')).toBeUndefined();
      expect(await sql(db.url, `SELECT count(*)::int AS n FROM event_keys`)).toEqual([{ n: 0 }]);
      await sql(db.url, 'DROP TRIGGER boom ON events');
      // Nothing of the failed batch is remembered (ixs, partitions): the same batch now writes cleanly.
      const r = await s.ingest({ tracks: [track('t2')], events: [play('e1', 'u9', 't1', Date.UTC(2031, 0, 1))] });
      expect(r.accepted).toBe(2);
      expect((await s.events.forListener('u9')).length).toBe(1);
      await s.close();
    });

    it('says in one line why it cannot connect, naming the URL without its password', async () => {
      const server = new URL(testServerUrl());
      const missing = withDatabase(testServerUrl(), 'segue_no_such_db');
      const withPassword = (url: string) => {
        const u = new URL(url);
        u.username = u.username || 'postgres';
        u.password = 'hunter2';
        return u.toString();
      };
      const expectFail = async (url: string, re: RegExp) => {
        const err = await PostgresStore.open(url).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(StoreError);
        const msg = (err as Error).message;
        expect(msg).toMatch(re);
        expect(msg).not.toContain('hunter2');
        expect(msg).not.toContain('\n');
        return msg;
      };
      const m1 = await expectFail(withPassword(missing), /database "segue_no_such_db" does not exist/);
      expect(m1).toBe(`postgres://${server.username || 'postgres'}@${server.host}/segue_no_such_db: database "segue_no_such_db" does not exist`);
      await expectFail(withPassword('postgres://segue@127.0.0.1:1/x'), /^postgres:\/\/segue@127\.0\.0\.1:1\/x: connection refused/);
      await expectFail('postgres://segue:hunter2@127.0.0.1:1/x?password=hunter2', /^postgres:\/\/segue@127\.0\.0\.1:1\/x\?password=\*\*\*: connection refused/);
      await expect(openStore(withPassword(missing))).rejects.toThrow(/does not exist/);
      await expectFail('postgres://segue:hunter2@[::1/x', /^postgres:\/\/segue@\[::1\/x: /);
    });

    it('stores an artifact over the chunk size in chunks, reads it back in slices, and copies it whole', async () => {
      const db = await fresh();
      const s = await PostgresStore.open(db.url);
      s.models.chunkBytes = 1000;
      s.models.readBytes = 300;
      const big = Uint8Array.from({ length: 3500 }, (_, i) => (i * 7) % 256);
      const small = Uint8Array.from({ length: 1000 }, (_, i) => i % 13);
      expect((await s.models.put('big', big, { dims: 8 })).bytes).toBe(3500);
      await s.models.put('small', small);
      await s.models.put('empty', new Uint8Array(0));
      expect((await s.models.get('big'))!.data).toEqual(big);
      expect((await s.models.get('big'))!.meta).toMatchObject({ name: 'big', version: 1, bytes: 3500, info: { dims: 8 } });
      expect((await s.models.get('small'))!.data).toEqual(small);
      expect((await s.models.get('empty'))!.data).toEqual(new Uint8Array(0));
      expect(await sql(db.url, 'SELECT name, chunk, length(data) AS n FROM model_chunks ORDER BY name, chunk')).toEqual(
        [1000, 1000, 1000, 500].map((n, chunk) => ({ name: 'big', chunk, n })),
      );
      expect(await sql(db.url, `SELECT name, chunks, length(data) AS n FROM models ORDER BY name`)).toEqual([
        { name: 'big', chunks: 4, n: 0 }, { name: 'empty', chunks: 0, n: 0 }, { name: 'small', chunks: 0, n: 1000 },
      ]);
      const rows = [];
      for await (const page of s.tables.read('models')) rows.push(...page);
      expect(rows.map((r) => [r[0], r[5]])).toEqual([['big', big], ['empty', new Uint8Array(0)], ['small', small]]);
      await s.close();
    });

    it('refuses a batch with a NUL character in a text value, saying so, and writes none of it', async () => {
      const db = await fresh();
      const s = await PostgresStore.open(db.url);
      await s.ingest({ tracks: [track('t1')] });
      await expect(s.ingest({ events: [play('ok', 'u1', 't1', T0), play('bad\u0000id', 'u1', 't1', T0)] })).rejects.toThrow(/cannot ingest: a text value holds a NUL character/);
      const many = Array.from({ length: 100 }, (_, i) => play(i === 50 ? 'x\u0000' : `e${i}`, 'u1', 't1', T0 + i));
      await expect(s.ingest({ events: many })).rejects.toThrow(/NUL character/);
      expect(await s.events.count()).toBe(0);
      await s.close();
    });

    it('writes a large batch of new keys in one go, and one repeating keys (of the log, of itself) again with ON CONFLICT: the statuses and seqs of SQLite', async () => {
      const db = await fresh();
      const p = await PostgresStore.open(db.url);
      const s = SqliteStore.open(':memory:');
      try {
        const plays = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => play(`e${from + i}`, `u${(from + i) % 7}`, 't1', T0 + (from + i) * 1000));
        const batches = [
          { tracks: [track('t1')] },
          { events: plays(0, 200) },
          { events: plays(100, 300) }, // half of them in the log
          { events: plays(300, 500) }, // new again
          { events: plays(0, 500) }, // all in the log
          { events: [...plays(500, 600), ...plays(550, 650)] }, // repeats within the batch: the first wins
          { events: plays(650, 800) },
        ];
        for (const b of batches) expect(await p.ingest(structuredClone(b))).toEqual(await s.ingest(structuredClone(b)));
        const log = async (x: { events: { scan(): AsyncIterable<Array<{ seq: number; eventId: string; ts: number }>> } }) => (await all(x.events.scan())).map((e) => [e.seq, e.eventId, e.ts]);
        expect(await log(p)).toEqual(await log(s));
        expect(await p.events.count()).toBe(800);
      } finally {
        await p.close();
        await s.close();
      }
    });

    it('reads a known listener again only when a batch derives its sessions or updates it: the sessions and records of SQLite', async () => {
      const db = await fresh();
      const p = await PostgresStore.open(db.url);
      const s = SqliteStore.open(':memory:');
      try {
        const MIN = 60_000;
        const plays = (from: number, to: number, own: boolean) =>
          Array.from({ length: to - from }, (_, i) => ({ ...play(`e${from + i}`, `u${(from + i) % 5}`, 't1', T0 + (from + i) * 7 * MIN), ...(own ? { sessionId: `s${(from + i) % 3}` } : {}) }));
        const batches = [
          { tracks: [track('t1')] },
          { events: plays(0, 100, true) }, // listeners made by events with their own sessions
          { events: plays(100, 200, false) }, // sessions derived: cursors read
          { events: plays(200, 300, true), listeners: [{ id: 'u2', country: 'SE' }] },
          { events: [...plays(300, 350, false), ...plays(350, 420, true)] },
        ];
        for (const b of batches) expect(await p.ingest(structuredClone(b))).toEqual(await s.ingest(structuredClone(b)));
        const same = async <T>(f: (x: typeof p | typeof s) => Promise<T>) => expect(await f(p)).toEqual(await f(s));
        await same((x) => Promise.all(['u0', 'u1', 'u2', 'u3', 'u4'].map((id) => x.events.forListener(id))));
        await same((x) => Promise.all(['u0', 'u2'].map((id) => x.catalog.getListener(id))));
        await same((x) => x.stats());
      } finally {
        await p.close();
        await s.close();
      }
    });

    it('refuses a batch with a value its column cannot take (a fractional msPlayed), writes none of it, and goes on', async () => {
      const db = await fresh();
      const s = await PostgresStore.open(db.url);
      await s.ingest({ tracks: [track('t1')] });
      const many = Array.from({ length: 100 }, (_, i) => ({ ...play(`e${i}`, 'u1', 't1', T0 + i), ...(i === 70 ? { msPlayed: 1.5 } : {}) }));
      await expect(s.ingest({ events: many })).rejects.toThrow(/COPY into events: 1.5 is not an integer/);
      expect(await s.events.count()).toBe(0);
      expect(await s.catalog.getListener('u1')).toBeUndefined();
      expect((await s.ingest({ events: many.map((e) => ({ ...e, msPlayed: 1 })) })).accepted).toBe(100);
      expect(await s.events.count()).toBe(100);
      await s.close();
    });

    it('parses int8 as numbers in its own pools only', async () => {
      const db = await fresh();
      const s = await PostgresStore.open(db.url);
      expect(await s.db.value('SELECT 9007199254740991::int8')).toBe(Number.MAX_SAFE_INTEGER);
      await expect(s.db.value('SELECT 9007199254740993::int8')).rejects.toThrow(/past the 2\^53/);
      expect(pg.types.getTypeParser(20, 'text')('12')).toBe('12');
      await s.close();
    });
  });
}
