import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { segue } from './cli.js';
import { background, countRows, eventCounts, type ImportSummary, pgUp, quiesce, segueJson, sleep, sql, stats, tempDir, withDatabase, writeEvents } from './postgres.js';

/**
 * Faults on the PostgreSQL store: an import and a store copy killed with SIGKILL midway
 * complete when run again, each event stored once; two imports of overlapping files at the
 * same time lose and double nothing.
 */
const EVENTS = 200_000;
const dir = tempDir('segue-pg-faults-');
const file = join(dir, 'events.ndjson');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Wait until `url`'s events table has rows (polling every 25 ms), then SIGKILL `proc`; the events committed by then. */
async function killOnceSomeAreIn(url: string, b: ReturnType<typeof background>): Promise<number> {
  for (let i = 0; i < 2400; i++) {
    if ((await countRows(url, 'events')) > 0) break;
    if (b.proc.exitCode !== null) break;
    await sleep(25);
  }
  b.proc.kill('SIGKILL');
  const [code, signal] = await b.exit;
  expect(signal, `exited by itself (code ${code}) before it was killed: ${b.err.join('')}`).toBe('SIGKILL');
  // The killed client's server session may still be committing what it sent: wait for it to end.
  await quiesce(url);
  return (await eventCounts(url)).events;
}

/** Each event's session, in event id order. */
const sessions = async (url: string): Promise<Array<[string, string]>> =>
  (await sql<{ event_id: string; session_id: string }>(url, 'SELECT event_id, session_id FROM events ORDER BY event_id')).map((r) => [r.event_id, r.session_id]);

/** Every listener's online state but the fold's cursor (its sequence number may differ by a gap). */
const state = async (url: string): Promise<string[]> =>
  (await sql<{ r: string }>(url, "SELECT listener_id || ' ' || key || ' ' || md5(value) AS r FROM listener_state WHERE key <> 'online-state-cursor' ORDER BY listener_id, key COLLATE \"C\"")).map((x) => x.r);

describe.runIf(pgUp)('faults on PostgreSQL', () => {
  beforeAll(async () => {
    await writeEvents(file, 0, EVENTS);
  });

  it('an import killed with SIGKILL midway leaves a consistent store, and a rerun completes it with each event once', async () => {
    await withDatabase(async (crash) => {
      const child = background(['--store', crash.url, 'import', 'ndjson', file, '--batch-size', '2000', '--rejects', join(dir, 'r1.ndjson')]);
      const partial = await killOnceSomeAreIn(crash.url, child);
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(EVENTS);
      // Whole batches only: every stored event has its idempotency key, and the other way round.
      expect(await eventCounts(crash.url)).toEqual({ events: partial, distinct: partial, keys: partial });
      expect(partial % 2000).toBe(1500); // the first batch of 2,000 items held the 500 tracks

      const rerun = segueJson<ImportSummary>(['--store', crash.url, 'import', 'ndjson', file, '--rejects', join(dir, 'r1.ndjson')]);
      expect(rerun).toMatchObject({ read: EVENTS + 500, rejected: 0, accepted: EVENTS - partial, duplicates: partial + 500 });
      expect(await eventCounts(crash.url)).toEqual({ events: EVENTS, distinct: EVENTS, keys: EVENTS });
      expect(await countRows(crash.url, 'events WHERE session_id IS NULL')).toBe(0);

      // The same as importing the file in one go into another database.
      await withDatabase(async (clean) => {
        const once = segueJson<ImportSummary>(['--store', clean.url, 'import', 'ndjson', file, '--rejects', join(dir, 'r2.ndjson')]);
        expect(once).toMatchObject({ read: EVENTS + 500, accepted: EVENTS + 500, duplicates: 0 });
        expect(stats(crash.url)).toEqual(stats(clean.url));
        const got = await sessions(crash.url), want = await sessions(clean.url);
        expect(got.length).toBe(EVENTS);
        expect(got).toEqual(want);
        expect(new Set(want.map((r) => r[1])).size).toBeGreaterThan(300); // the hour jumps cut sessions
        expect(await state(crash.url)).toEqual(await state(clean.url));
      });
    });
  }, 120_000);

  it('a store copy killed with SIGKILL midway completes when run again, every table equal, nothing doubled', async () => {
    const lite = join(dir, 'source.db');
    expect(segue(['--store', lite, 'import', 'ndjson', file, '--no-state', '--rejects', join(dir, 'r3.ndjson')]).status).toBe(0);
    await withDatabase(async (to) => {
      const child = background(['store', 'copy', '--from', lite, '--to', to.url, '--json']);
      const partial = await killOnceSomeAreIn(to.url, child);
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(EVENTS);
      expect(await eventCounts(to.url)).toEqual({ events: partial, distinct: partial, keys: partial });

      interface Copy { complete: boolean; tables: Array<{ table: string; from: number; to: number; copied: number }> }
      const rerun = segueJson<Copy>(['store', 'copy', '--from', lite, '--to', to.url]);
      expect(rerun.complete).toBe(true);
      for (const t of rerun.tables) expect(t.to, t.table).toBe(t.from);
      const events = rerun.tables.find((t) => t.table === 'events')!;
      expect(events).toEqual({ table: 'events', from: EVENTS, to: EVENTS, copied: EVENTS - partial });
      expect(rerun.tables.find((t) => t.table === 'tracks')).toEqual({ table: 'tracks', from: 500, to: 500, copied: 0 }); // copied before the kill
      expect(await eventCounts(to.url)).toEqual({ events: EVENTS, distinct: EVENTS, keys: EVENTS });
      expect(stats(to.url)).toEqual(stats(lite));
      // The same sequence numbers and sessions as the source.
      const d = new Database(lite, { readonly: true });
      const want = d.prepare('SELECT count(DISTINCT seq) AS n, sum(seq) AS s, count(DISTINCT session_id) AS sessions FROM events').get() as { n: number; s: number; sessions: number };
      d.close();
      const [got] = await sql<{ n: string; s: string; sessions: string }>(to.url, 'SELECT count(DISTINCT seq) AS n, sum(seq) AS s, count(DISTINCT session_id) AS sessions FROM events');
      expect({ n: Number(got!.n), s: Number(got!.s), sessions: Number(got!.sessions) }).toEqual(want);
    });
  }, 120_000);

  it('two imports of overlapping files at the same time store every event of the union once', async () => {
    // a: e0..e59999, b: e30000..e89999 (the same events where they overlap); the union has 90,000.
    const union = 90_000;
    const a = join(dir, 'a.ndjson'), b = join(dir, 'b.ndjson'), all = join(dir, 'union.ndjson');
    await writeEvents(a, 0, 60_000, union);
    await writeEvents(b, 30_000, union, union);
    await writeEvents(all, 0, union, union);
    await withDatabase(async (db) => {
      // Both open the new database at the same moment too: its schema is made once.
      const kids = [a, b].map((f, k) => background(['--store', db.url, '--json', 'import', 'ndjson', f, '--batch-size', '1000', '--rejects', join(dir, `c${k}.ndjson`)]));
      const exits = await Promise.all(kids.map((k) => k.exit));
      expect(exits, kids.map((k) => k.err.join('')).join('\n')).toEqual([[0, null], [0, null]]);
      const [sa, sb] = kids.map((k) => JSON.parse(k.out.join('')) as ImportSummary);
      for (const s of [sa!, sb!]) expect(s).toMatchObject({ read: 60_500, rejected: 0 });
      // Each event of the union, and each of the 500 tracks, was accepted by exactly one of them.
      expect(sa!.accepted + sb!.accepted).toBe(union + 500);
      expect(sa!.duplicates + sb!.duplicates).toBe(30_000 + 500);
      expect(await eventCounts(db.url)).toEqual({ events: union, distinct: union, keys: union });
      const [ids] = await sql<{ lo: string; hi: string; n: string }>(db.url, 'SELECT min(substr(event_id, 2)::int) AS lo, max(substr(event_id, 2)::int) AS hi, count(DISTINCT event_id) AS n FROM events');
      expect([ids!.lo, ids!.hi, ids!.n].map(Number)).toEqual([0, union - 1, union]);
      expect(await countRows(db.url, 'events WHERE session_id IS NULL')).toBe(0);
      // The same store as the union imported alone: statistics and sessions.
      await withDatabase(async (clean) => {
        expect(segueJson<ImportSummary>(['--store', clean.url, 'import', 'ndjson', all, '--no-state', '--rejects', join(dir, 'c2.ndjson')])).toMatchObject({ accepted: union + 500 });
        expect(stats(db.url)).toEqual(stats(clean.url));
        expect(await sessions(db.url)).toEqual(await sessions(clean.url));
      });
    });
  }, 120_000);
});
