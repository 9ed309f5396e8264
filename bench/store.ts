/**
 * Store benchmark (docs/storage.md, "Bulk ingest benchmark"): the same simulated NDJSON (1M events by
 * default) imported into SQLite and into PostgreSQL in one run, each import in its own
 * process (bench/child-import.ts) for its own peak RSS; random point reads per second
 * (`catalog.getTrack`, `events.forListener`) on both; and the limit, measured in the same
 * run: the same event rows, already parsed and written as CSV, loaded with psql's `\copy`
 * into a table with the same columns and the same unique (source, event_id) key.
 *
 *   npm run bench -- store [--events 1000000] [--pg postgres://postgres@127.0.0.1:5432/postgres]
 *                          [--before <an earlier build's dist/bench/child-import.js>] [--json]
 *
 * `--before` imports the same file into SQLite with an earlier build too: the SQLite rate
 * before a change, measured in the same run.
 *
 * With --json (bench/report.ts): figures.imports.{sqlite,postgres} (read, accepted, rejected,
 * seconds, rate, maxRssMB) and figures.pointReads.{sqlite,postgres} (getTrack, forListener,
 * per second); baseline.limit (the \copy: rows, seconds, rate) and baseline.sqliteBefore
 * with --before; ratios postgresOverLimitRate and sqliteOverBeforeRate.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, TABLES, type Cell, type Store } from '../src/store/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';

const HERE = import.meta.dirname;
const CHILD = join(HERE, 'child-import.js');
const CLI = join(HERE, '../src/cli/main.js');
/** Targets of the PostgreSQL issue. */
const TARGET_RATE = 150_000;
const TARGET_SHARE_OF_LIMIT = 0.4;

interface Run { read: number; accepted: number; rejected: number; seconds: number; rate: number; maxRssMB: number }

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

function child(script: string, path: string, store: string): Run {
  const out = execFileSync(process.execPath, [script, 'ndjson', path, store], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

/** A database URL on the same server with another database name. */
function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Random point reads per second: `n` reads of random ids, after a warm-up of the same size. */
async function pointReads(store: Store, trackIds: string[], listenerIds: string[], n: number): Promise<{ getTrack: number; forListener: number }> {
  let seed = 12345;
  const rnd = (k: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % k);
  const time = async (count: number, fn: () => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < Math.min(count, 50); i++) await fn();
    const t = performance.now();
    for (let i = 0; i < count; i++) await fn();
    return count / ((performance.now() - t) / 1000);
  };
  return {
    getTrack: await time(n, () => store.catalog.getTrack(trackIds[rnd(trackIds.length)]!)),
    // SQLite has no per-listener index of the log (it would halve bulk ingest): each read scans, so few of them.
    forListener: await time(Math.max(20, Math.round(n / 1000)), () => store.events.forListener(listenerIds[rnd(listenerIds.length)]!)),
  };
}

/** CSV quoting for psql's \copy (CSV format): every text field quoted, NULL as an empty unquoted field, bytes as bytea hex. */
function csvCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return `"\\x${Buffer.from(v).toString('hex')}"`;
  return `"${v.replace(/"/g, '""')}"`;
}

/** The event rows of a store, as CSV of the events table's columns (what \copy loads). */
async function eventsCsv(store: Store, file: string): Promise<number> {
  const out = createWriteStream(file);
  let n = 0;
  for await (const rows of store.tables.read('events', { batchSize: 50_000 })) {
    let chunk = '';
    for (const r of rows) chunk += r.map(csvCell).join(',') + '\n';
    n += rows.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return n;
}

export async function storeBench(args: string[], rec: Results): Promise<void> {
  const events = Number(arg(args, '--events', '1000000'));
  const admin = arg(args, '--pg', process.env.SEGUE_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const before = arg(args, '--before', '');
  console.log(machineLine());
  const dir = mkdtempSync(join(tmpdir(), 'segue-bench-store-'));
  const dbName = `segue_bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${dbName}`);
  const pgUrl = withDb(admin, dbName);
  try {
    const file = join(dir, 'sim.ndjson');
    const listeners = Math.max(100, Math.round(events / 14 / 17.75));
    const gen = spawnSync(process.execPath, [CLI, 'simulate', '--listeners', String(listeners), '--tracks', '50000', '--days', '14', '--seed', '7', '--ndjson', file, '--json'], { encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`simulate failed: ${gen.stderr}`);
    const generated = (JSON.parse(gen.stdout) as { events: number }).events;
    console.log(`simulated ${generated.toLocaleString('en-US')} events of ${listeners.toLocaleString('en-US')} listeners (${(statSync(file).size / 1e6).toFixed(0)} MB of NDJSON)`);
    rec.figures.events = { asked: events, generated };

    const sqlitePath = join(dir, 'sim.db');
    const runs: Array<[string, Run]> = [];
    if (before !== '') runs.push(['SQLite, before (--before build)', child(before, file, join(dir, 'before.db'))]);
    runs.push(['SQLite', child(CHILD, file, sqlitePath)]);
    runs.push(['PostgreSQL', child(CHILD, file, pgUrl)]);
    console.log(`${'import'.padEnd(34)} ${'items'.padStart(11)} ${'rate'.padStart(12)} ${'peak RSS'.padStart(9)}`);
    for (const [label, r] of runs) console.log(`${label.padEnd(34)} ${r.read.toLocaleString('en-US').padStart(11)} ${Math.round(r.rate).toLocaleString('en-US').padStart(10)}/s ${r.maxRssMB.toFixed(0).padStart(6)} MB`);
    const runOf = (label: string): Run | undefined => runs.find(([l]) => l === label)?.[1];
    rec.figures.imports = { sqlite: runOf('SQLite'), postgres: runOf('PostgreSQL') };
    if (before !== '') rec.baseline.sqliteBefore = runOf('SQLite, before (--before build)');

    // Point reads, and the limit's CSV from the same rows.
    const sqlite = await openStore(sqlitePath, { readonly: true });
    const postgres = await openStore(pgUrl);
    try {
      const s = await sqlite.stats({ top: 2000 });
      const trackIds = s.topTracks.map((t) => t.id);
      const listenerIds = s.mostActiveListeners.map((l) => l.id);
      const reads = { SQLite: await pointReads(sqlite, trackIds, listenerIds, 20_000), PostgreSQL: await pointReads(postgres, trackIds, listenerIds, 20_000) };
      for (const [k, v] of Object.entries(reads)) console.log(`${k.padEnd(11)} point reads: getTrack ${Math.round(v.getTrack).toLocaleString('en-US')}/s, events.forListener ${Math.round(v.forListener).toLocaleString('en-US')}/s`);
      rec.figures.pointReads = { sqlite: reads.SQLite, postgres: reads.PostgreSQL };
      const counts = { SQLite: await sqlite.events.count(), PostgreSQL: await postgres.events.count() };
      if (counts.SQLite !== counts.PostgreSQL) throw new Error(`store bench: the two stores hold different event counts (${counts.SQLite} vs ${counts.PostgreSQL})`);

      const csv = join(dir, 'events.csv');
      const rows = await eventsCsv(sqlite, csv);
      const cols = TABLES.find((t) => t.name === 'events')!.columns;
      // The same columns (types as the store keeps them) and the same unique key.
      const limitDb = new pg.Client({ connectionString: pgUrl });
      await limitDb.connect();
      const types: Record<string, string> = { event_id: 'text', end_reason: 'text', start_reason: 'text', playlist_id: 'text', session_id: 'text', context_type: 'text', context_id: 'text', surface: 'text', request_id: 'text', platform: 'text' };
      await limitDb.query(`CREATE TABLE limit_events (${cols.map((c) => `${c} ${types[c] ?? 'bigint'}`).join(', ')}, UNIQUE (source_ix, event_id))`);
      await limitDb.end();
      const t = performance.now();
      execFileSync('psql', [pgUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy limit_events FROM '${csv}' WITH (FORMAT csv)`], { stdio: ['ignore', 'ignore', 'inherit'] });
      const limitSeconds = (performance.now() - t) / 1000;
      const limitRate = rows / limitSeconds;
      const pgRun = runs.find(([l]) => l === 'PostgreSQL')![1];
      const share = pgRun.rate / limitRate;
      console.log(`limit: psql \\copy of the same ${rows.toLocaleString('en-US')} rows as CSV into a table with the same columns and unique (source_ix, event_id): ${limitSeconds.toFixed(2)} s, ${Math.round(limitRate).toLocaleString('en-US')} rows/s`);
      console.log(`PostgreSQL import: ${Math.round(pgRun.rate).toLocaleString('en-US')}/s = ${(share * 100).toFixed(0)}% of the limit (targets: >= ${TARGET_RATE.toLocaleString('en-US')}/s ${pgRun.rate >= TARGET_RATE ? 'met' : 'NOT met'}, >= ${TARGET_SHARE_OF_LIMIT * 100}% of the limit ${share >= TARGET_SHARE_OF_LIMIT ? 'met' : 'NOT met'})`);
      rec.baseline.limit = { rows, seconds: limitSeconds, rate: limitRate };
      rec.ratio('postgresOverLimitRate', pgRun.rate, limitRate);
      rec.target(`PostgreSQL import >= ${TARGET_RATE}/s`, pgRun.rate >= TARGET_RATE);
      rec.target(`PostgreSQL import >= ${TARGET_SHARE_OF_LIMIT * 100}% of the limit`, share >= TARGET_SHARE_OF_LIMIT);
      const beforeRun = runs.find(([l]) => l.startsWith('SQLite, before'));
      if (beforeRun) {
        const ratio = runs.find(([l]) => l === 'SQLite')![1].rate / beforeRun[1].rate;
        console.log(`SQLite import now / before: ${ratio.toFixed(3)} (target: within 10%: ${Math.abs(ratio - 1) <= 0.1 ? 'met' : 'NOT met'})`);
        rec.ratio('sqliteOverBeforeRate', runs.find(([l]) => l === 'SQLite')![1].rate, beforeRun[1].rate);
        rec.target('SQLite import within 10% of before', Math.abs(ratio - 1) <= 0.1);
      }
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  } finally {
    await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
