import { once } from 'node:events';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneTestDatabase, createTestDatabase, requirePostgres, testQuery, type TestDatabase } from '../../src/store/testing.js';
import { segue, segueAsync } from './cli.js';

/**
 * Shared support of the PostgreSQL end-to-end tests (test/e2e/postgres-*.test.ts): whether
 * the server is there, throwaway databases, SQL on them, and the CLI's JSON output.
 */

/**
 * True when PostgreSQL answers. Under CI=true an unreachable server throws (the file fails);
 * elsewhere it warns with the message of src/store/testing.ts and the file's tests skip.
 */
export const pgUp: boolean = await requirePostgres();

/**
 * A test file's temp folder, made only when its tests run (a skipped file leaves nothing
 * behind; its afterAll, which removes the folder, may not run).
 */
export const tempDir = (prefix: string): string => (pgUp ? mkdtempSync(join(tmpdir(), prefix)) : join(tmpdir(), `${prefix}skipped`));

export type { TestDatabase };
export { createTestDatabase };

/** Run `fn` in a new database, and drop it (WITH (FORCE)) afterwards, also when `fn` fails. */
export async function withDatabase<T>(fn: (db: TestDatabase) => Promise<T>): Promise<T> {
  const db = await createTestDatabase();
  try {
    return await fn(db);
  } finally {
    await db.drop();
  }
}

/**
 * A new database that starts as a copy of `from` (see cloneTestDatabase), once every
 * session on `from` has ended (a copy needs nobody connected to its template).
 */
export async function cloneDatabase(from: TestDatabase): Promise<TestDatabase> {
  await quiesce(from.url);
  return cloneTestDatabase(from);
}

/** Run `fn` in a copy of `from` (see cloneDatabase), and drop the copy afterwards, also when `fn` fails. */
export async function withClone<T>(from: TestDatabase, fn: (db: TestDatabase) => Promise<T>): Promise<T> {
  const db = await cloneDatabase(from);
  try {
    return await fn(db);
  } finally {
    await db.drop();
  }
}

/** Run one SQL statement on `url`; its rows. */
export const sql = testQuery;

/** `SELECT count(*) FROM <table>` as a number; 0 while the table does not exist yet (the schema is made on first open). */
export async function countRows(url: string, table: string): Promise<number> {
  try {
    return Number((await sql<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`))[0]!.n);
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return 0; // undefined_table
    throw err;
  }
}

/** The events' count, their distinct (source, event id) pairs and the idempotency keys (event_keys). */
export async function eventCounts(url: string): Promise<{ events: number; distinct: number; keys: number }> {
  const [r] = await sql<{ events: string; distinct: string; keys: string }>(url,
    'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(DISTINCT (source_ix, event_id)) FROM events) AS distinct, (SELECT count(*) FROM event_keys) AS keys');
  return { events: Number(r!.events), distinct: Number(r!.distinct), keys: Number(r!.keys) };
}

/**
 * Wait until no session but ours is connected to the database `url` names: after a client is
 * killed, its backend may still be finishing (or committing) what it was sent.
 */
export async function quiesce(url: string, timeoutMs = 30_000): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [r] = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    if (Number(r!.n) === 0) return;
    if (Date.now() > until) throw new Error(`${name}: other sessions still connected after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `segue ...args --json`: asserts exit 0 and parses stdout. */
export function segueJson<T = Record<string, unknown>>(args: string[], opts: { cwd?: string } = {}): T {
  const r = segue([...args, '--json'], opts);
  if (r.status !== 0) throw new Error(`segue ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** `segue --store <store> stats --json`, parsed. */
export const stats = (store: string): Record<string, unknown> => segueJson(['--store', store, 'stats']);

/** An import's --json summary. */
export interface ImportSummary { format: string; read: number; accepted: number; duplicates: number; rejected: number; stateEvents: number }

/** The counts of an import summary (without its times, paths and the state fold). */
export const counts = (s: ImportSummary): Pick<ImportSummary, 'read' | 'accepted' | 'duplicates' | 'rejected'> =>
  ({ read: s.read, accepted: s.accepted, duplicates: s.duplicates, rejected: s.rejected });

/**
 * Write Segue NDJSON: 500 tracks, then `play_end` events with ids e<from>..e<to - 1> over 300
 * listeners. Some listeners' plays come newest first and some jump hours now and then (late
 * events and session cuts), as in import-crash.test.ts. An event's content depends only on
 * its number, so overlapping files agree on the events they share.
 */
export async function writeEvents(path: string, from: number, to: number, span = to): Promise<void> {
  const out = createWriteStream(path);
  for (let t = 0; t < 500; t++) out.write(JSON.stringify({ type: 'track', id: `t${t}`, title: `T${t}`, artists: [{ id: `a${t % 50}`, name: `A${t % 50}` }] }) + '\n');
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = from; i < to; i++) {
    const l = i % 300;
    const ts = l % 7 === 0 ? t0 + (span - i) * 1000 : t0 + i * 1000 + (l % 5 === 0 ? Math.floor(i / 1500) * 3_600_000 : 0);
    const line = JSON.stringify({ type: 'play_end', eventId: `e${i}`, listenerId: `u${l}`, ts, trackId: `t${(i * 31) % 500}`, msPlayed: 1000, endReason: i % 4 ? 'trackdone' : 'fwdbtn' });
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

type Proc = ReturnType<typeof segueAsync>;

/** A background `segue`, its output so far, and its exit. */
export function background(args: string[], cwd?: string): { proc: Proc; out: string[]; err: string[]; exit: Promise<[number | null, NodeJS.Signals | null]> } {
  const proc = segueAsync(args, cwd);
  const out: string[] = [], err: string[] = [];
  proc.stdout.on('data', (d: Buffer) => out.push(d.toString()));
  proc.stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const exit = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { proc, out, err, exit };
}

/**
 * Start `segue --store <store> serve --port 0 ...extra` and wait for the URL it prints
 * ("listening on http://…", and with --workers "… N processes").
 */
export async function startServer(store: string, extra: string[] = []): Promise<{ proc: Proc; url: string; out: string[]; err: string[]; exit: Promise<[number | null, NodeJS.Signals | null]> }> {
  const b = background(['--store', store, 'serve', '--port', '0', '--reload-interval', '0', ...extra]);
  const workers = extra.includes('--workers');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      b.proc.kill('SIGKILL');
      reject(new Error(`serve did not start: ${b.out.join('')} ${b.err.join('')}`));
    }, 90_000);
    const look = (): void => {
      const text = b.out.join('');
      const m = (workers ? /listening on (http:\/\/\S+) .*\d+ processes/ : /listening on (http:\/\/\S+) /).exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    b.proc.stdout.on('data', look);
    void b.exit.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${b.out.join('')} ${b.err.join('')}`));
    });
  });
  return { ...b, url };
}

/** One HTTP call on a connection of its own (so that, with --workers, consecutive calls reach every process). */
export async function call(url: string, key: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, {
    signal: AbortSignal.timeout(30_000),
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, connection: 'close', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: r.status, json };
}
