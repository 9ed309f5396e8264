/**
 * Serving load benchmark (issue 6): `segue serve` on the demo world (200,000 tracks) in its own
 * process, loaded from this process over loopback with autocannon. Radio and autoplay
 * recommendation requests (requests/s, p50, p99) and event ingest in HTTP batches of 500
 * (events/s); GET /healthz in the same run as the baseline (what the HTTP stack alone does).
 *
 *   npm run bench -- serve [--store .bench-tmp/serve-demo.db] [--seconds 20] [--connections 8] [--workers N] [--skip healthz,radio,greedy,lean,autoplay,ingest,baseline]
 *
 * The server runs `--workers N` processes (default: one per core). With more than one, radio
 * and autoplay are measured first on a single process too: the baseline, in the same run.
 *
 * The store is built with `segue demo --no-serve` the first time (about a minute).
 *
 * With --json (bench/report.ts): figures.<load> (rps, p50Ms, p99Ms, errors, requests;
 * eventsPerSecond for ingest) on `--workers` processes for radio, radioOneConnection, greedy,
 * lean, autoplay and ingest; baseline.healthz, and baseline.<load>OneProcess for radio and
 * autoplay when --workers > 1; ratios <load>OverHealthzRps and <load>OverOneProcessRps.
 */
import { DEFAULT_SOURCES } from '../src/models/index.js';
import { spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { openStore } from '../src/store/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';
import { ensureDemoWorld } from './demo-world.js';

const CLI = join(import.meta.dirname, '../src/cli/main.js');

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

const LEAN = DEFAULT_SOURCES.map((source) => ({ source, k: 30 }));

interface Load { name: string; title: string; method: 'GET' | 'POST'; path: string; body?: (i: number) => string; perRequest?: number; target?: string; connections?: number }

export async function serveBench(args: string[], rec: Results): Promise<void> {
  const db = arg(args, '--store', '.bench-tmp/serve-demo.db');
  const seconds = Number(arg(args, '--seconds', '20'));
  const connections = Number(arg(args, '--connections', '8'));
  const skip = new Set(arg(args, '--skip', '').split(',').filter(Boolean));
  const KNOWN = ['healthz', 'radio', 'greedy', 'lean', 'autoplay', 'ingest', 'baseline'];
  for (const s of skip) if (!KNOWN.includes(s)) throw new Error(`--skip: unknown load ${JSON.stringify(s)} (known: ${KNOWN.join(', ')})`);
  const workers = Number(arg(args, '--workers', String(availableParallelism())));
  if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`--workers must be a whole number >= 1, got ${arg(args, '--workers', '')}`);
  console.log(machineLine());
  ensureDemoWorld(db);
  // Each run serves a fresh copy: the ingest load must not grow the demo world run after run.
  const work = `${db}.run`;
  for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
  await (await openStore(db)).close(); // checkpoints the WAL into the file
  copyFileSync(db, work);
  const store = await openStore(work);
  const key = (await store.keys.create({ scopes: ['ingest', 'recommend'], name: 'bench', rateLimit: 1e9 })).key;
  const stats = await store.stats({ top: 200 });
  await store.close();
  const listeners = stats.mostActiveListeners.map((l) => l.id);
  const seeds = stats.topTracks.map((t) => t.id);
  console.log(`world: ${stats.tracks.toLocaleString('en-US')} tracks, ${stats.listeners.toLocaleString('en-US')} listeners, ${stats.events.toLocaleString('en-US')} events; ${connections} connections, ${seconds} s per load`);
  rec.figures.world = { tracks: stats.tracks, listeners: stats.listeners, events: stats.events, connections, seconds, workers };

  const startServer = async (n: number): Promise<{ server: ReturnType<typeof spawn>; url: string }> => {
    const server = spawn(process.execPath, [CLI, '--store', work, 'serve', '--port', '0', '--reload-interval', '0', '--workers', String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      server.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /listening on (http:\/\/\S+) /.exec(buf);
        if (m) resolve(m[1]!);
      });
      server.on('exit', (c) => reject(new Error(`segue serve exited with ${c}`)));
    });
    return { server, url };
  };
  const t0 = Date.now();
  let run = 0;
  const loads: Load[] = [
    { name: 'healthz', title: 'GET /healthz (baseline: the HTTP stack alone)', method: 'GET', path: '/healthz' },
    { name: 'radio', title: 'POST /v1/recommend/radio, 50 tracks', method: 'POST', path: '/v1/recommend/radio', body: (i) => JSON.stringify({ listenerId: listeners[i % listeners.length], n: 50, seed: i }), target: '>= 1,500 req/s, p99 < 25 ms' },
    { name: 'radioOneConnection', title: 'POST /v1/recommend/radio, 50 tracks, one connection (latency without queueing)', connections: 1, method: 'POST', path: '/v1/recommend/radio', body: (i) => JSON.stringify({ listenerId: listeners[i % listeners.length], n: 50, seed: i }) },
    // What a cheaper policy buys: the same request sequenced greedily instead of by beam search.
    { name: 'greedy', title: 'POST /v1/recommend/radio, 50 tracks, greedy sequencing (policy override beamWidth 1)', method: 'POST', path: '/v1/recommend/radio', body: (i) => JSON.stringify({ listenerId: listeners[i % listeners.length], n: 50, seed: i, policy: { solver: { beamWidth: 1 } } }) },
    // The cheapest policy worth serving: 30 candidates from each of the demo's three sources, greedy (see docs/sequencing.md, "Retrieval depth and beam width").
    { name: 'lean', title: 'POST /v1/recommend/radio, 50 tracks, lean policy (30 candidates per source, greedy)', method: 'POST', path: '/v1/recommend/radio', body: (i) => JSON.stringify({ listenerId: listeners[i % listeners.length], n: 50, seed: i, policy: { candidates: LEAN, solver: { beamWidth: 1 } } }) },
    { name: 'autoplay', title: 'POST /v1/recommend/autoplay, 30 tracks', method: 'POST', path: '/v1/recommend/autoplay', body: (i) => JSON.stringify({ listenerId: listeners[i % listeners.length], seedTrack: seeds[(i * 7) % seeds.length], seed: i }), target: '>= 1,500 req/s, p99 < 25 ms' },
    {
      name: 'ingest', title: 'POST /v1/events, batches of 500', method: 'POST', path: '/v1/events', perRequest: 500, target: '>= 30,000 events/s',
      body: (i) => JSON.stringify({ events: Array.from({ length: 500 }, (_, k) => ({ type: 'play_end', eventId: `bench-${t0}-${run}-${i}-${k}`, listenerId: listeners[(i + k) % listeners.length], trackId: seeds[(i * 31 + k) % seeds.length], ts: t0 - 60_000 + k, msPlayed: 150_000, endReason: k % 4 === 0 ? 'fwdbtn' : 'trackdone' })) }),
    },
  ];
  const key2name: Record<string, string[]> = { healthz: [loads[0]!.title], radio: [loads[1]!.title, loads[2]!.title], greedy: [loads[3]!.title], lean: [loads[4]!.title], autoplay: [loads[5]!.title], ingest: [loads[6]!.title] };
  if (Object.keys(key2name).some((k) => !KNOWN.includes(k))) throw new Error('bench serve: a load is missing from KNOWN');
  const wanted = (load: Load): boolean => ![...skip].some((s) => key2name[s]?.includes(load.title));
  const runLoads = async (n: number, list: Load[]): Promise<void> => {
    const { server, url } = await startServer(n);
    const label = `${n} server process${n === 1 ? '' : 'es'}`;
    try {
      for (const load of list) {
        run++;
        let i = 0;
        const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
        // Warm up (JIT, page cache), then measure.
        for (const [dur, measured] of [[3, false], [seconds, true]] as const) {
          const result = await autocannon({
            url, connections: load.connections ?? connections, duration: dur, pipelining: 1,
            requests: [{ method: load.method, path: load.path, headers, ...(load.body ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: load.body!(i++) }) } : {}) }],
          });
          if (!measured) continue;
          const rps = result.requests.average;
          const bad = result.non2xx + result.errors + result.timeouts;
          const per = load.perRequest ? `, ${Math.round(rps * load.perRequest).toLocaleString('en-US')} events/s` : '';
          console.log(`${load.title} [${label}]: ${Math.round(rps).toLocaleString('en-US')} req/s${per}, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${bad} errors of ${result.requests.total.toLocaleString('en-US')}${load.target && n === workers ? `; target ${load.target}` : ''}`);
          const row = { processes: n, connections: load.connections ?? connections, rps, p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: bad, requests: result.requests.total, ...(load.perRequest ? { eventsPerSecond: rps * load.perRequest } : {}) };
          if (load.name === 'healthz') rec.baseline.healthz = row;
          else if (n !== workers) rec.baseline[`${load.name}OneProcess`] = row;
          else rec.figures[load.name] = row;
        }
      }
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.on('exit', r));
    }
  };
  try {
    // The baseline first: ingest, which grows the store, runs last.
    if (workers > 1 && !skip.has('baseline')) await runLoads(1, [loads[1]!, loads[5]!].filter(wanted));
    await runLoads(workers, loads.filter(wanted));
    const rps = (o: Record<string, unknown>, k: string): number | undefined => (o[k] as { rps: number } | undefined)?.rps;
    for (const name of ['radio', 'greedy', 'lean', 'autoplay']) {
      rec.ratio(`${name}OverHealthzRps`, rps(rec.figures, name), rps(rec.baseline, 'healthz'));
      rec.ratio(`${name}OverOneProcessRps`, rps(rec.figures, name), rps(rec.baseline, `${name}OneProcess`));
    }
    // Issue 20's targets for radio over HTTP: a share of what the bare stack answers, and the tail at 8 connections.
    const radio = rec.figures['radio'] as { rps: number; p99Ms?: number; p99?: number } | undefined;
    const share = rec.ratios['radioOverHealthzRps'];
    if (typeof share === 'number') {
      rec.target('radio >= 8% of /healthz req/s', share >= 0.08);
      console.log(`radio is ${(100 * share).toFixed(1)}% of /healthz req/s; target >= 8%: ${share >= 0.08 ? 'met' : 'NOT met'}`);
    }
    const p99 = radio?.p99Ms ?? radio?.p99;
    if (p99 !== undefined && connections === 8) rec.target('radio p99 <= 25 ms at 8 connections', p99 <= 25);
  } finally {
    for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
  }
}
