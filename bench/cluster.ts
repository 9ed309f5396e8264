/**
 * Scale-out benchmark (docs/scale-out.md, "The cluster benchmark and the capacity table"): the demo world served by 2 `segue serve` nodes and
 * 2 `segue worker` processes on PostgreSQL, Redis and NATS JetStream, against the embedded
 * baseline (`segue serve --workers 2` on the SQLite file) in the same run:
 *
 * - radio and autoplay (requests/s, p50, p99, as bench/serve.ts loads them), the ratio
 *   cluster/embedded, and per request: CPU of the nodes (and of the workers, which log the
 *   exposures), Redis commands and bytes, PostgreSQL transactions;
 * - ingest end to end: batches of 500 new events through the nodes until the last is in
 *   PostgreSQL (events/s), with PostgreSQL transactions and rows per batch;
 * - fold latency at a paced 10,000 events/s (segue_fold_latency_seconds of both workers);
 * - Redis memory per listener (1,000,000 copies of the demo world's encoded states);
 * - each service's capacity alone (redis-benchmark, a JetStream publish loop, `segue import`
 *   into PostgreSQL), with the cores it kept busy in the server and in its one client (a
 *   server that was not busy while its client was is flagged: its figure is a floor), and
 *   the projection to 1, 4, 16 and 64 nodes: what saturates first.
 *
 *   npm run bench -- cluster [--json] [--seconds 15] [--warmup 3] [--connections 8]
 *     [--ingest-events 200000] [--ingest-concurrency 8] [--fold-rate 10000] [--fold-seconds 10]
 *     [--listeners 1000000] [--memory-budget 0.5] [--nats-seconds 5] [--pg-events 200000]
 *     [--store .bench-tmp/serve-demo.db] [--pg postgres://postgres@127.0.0.1:5432/postgres]
 *     [--redis redis://127.0.0.1:6379/0] [--nats nats://127.0.0.1:4222]
 *
 * Everything it creates is removed at the end: the database segue_bench_cluster_<hex>, the
 * Redis keys under its prefix, the JetStream streams of its bus prefix.
 *
 * With --json (bench/report.ts): figures.{options, world, cluster, ingest, fold, memory,
 * capacity, projection, clientBound}, baseline.embedded (radio and autoplay on the embedded
 * deployment), ratios {radio,autoplay}ClusterOverEmbeddedRps, and the five targets.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../src/store/index.js';
import { NatsBus } from '../src/bus/index.js';
import { openOnlineState, TrackTable, type RedisOnlineState } from '../src/features/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';
import { ensureDemoWorld } from './demo-world.js';
import { arg, fmt, gaugeSum, histDiff, histogram, histSum, num, pidsNamed, psql, quantile, redisAt, redisDeletePrefix, segue, sleep, startSegue, stop, withChildren, withDb, type Proc } from './cluster-procs.js';
import { eventBodies, loadRecommend, postAll, postPaced, recommendLoads, type LoadResult } from './cluster-load.js';
import { Meter, perUnit } from './cluster-meter.js';
import { natsPublish, pgImport, project, readTemplates, redisBenchmark, redisMemory, type Cores } from './cluster-capacity.js';

const LISTENING = /listening on (http:\/\/\S+) /;
const FOLD = 'segue_fold_latency_seconds';
const TARGETS = { ratio: 0.9, ingest: 50_000, foldP99Ms: 100, bytesPerListener: 400 };

const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
/** A latency quantile in seconds, in ms; past the histogram's last bucket (10 s) it is only known to be over it. */
const ms = (seconds: number): string => (Number.isFinite(seconds) ? `${(seconds * 1000).toFixed(1)} ms` : 'over 10 s (past the last bucket)');
/** The per-unit `redis.<command>` figures, most first. */
const byCommand = (per: Record<string, number>): string =>
  Object.entries(per).filter(([k, v]) => k.startsWith('redis.') && v >= 0.005).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k.slice(6)} ${v.toFixed(2)}`).join(', ');

export async function clusterBench(args: string[], rec: Results): Promise<void> {
  const db = arg(args, '--store', '.bench-tmp/serve-demo.db');
  const admin = arg(args, '--pg', 'postgres://postgres@127.0.0.1:5432/postgres');
  const redisUrl = arg(args, '--redis', 'redis://127.0.0.1:6379/0');
  const natsUrl = arg(args, '--nats', 'nats://127.0.0.1:4222');
  const o = {
    seconds: num(args, '--seconds', 15), warmup: Number(arg(args, '--warmup', '3')), connections: num(args, '--connections', 8),
    ingestEvents: num(args, '--ingest-events', 200_000), ingestConcurrency: num(args, '--ingest-concurrency', 8),
    foldRate: num(args, '--fold-rate', 10_000), foldSeconds: num(args, '--fold-seconds', 10),
    listeners: num(args, '--listeners', 1_000_000), memoryBudget: num(args, '--memory-budget', 0.5),
    natsSeconds: num(args, '--nats-seconds', 5), pgEvents: num(args, '--pg-events', 200_000),
  };
  const redis = redisAt(redisUrl);
  const figures = rec.figures;
  figures.options = o;
  console.log(machineLine());
  ensureDemoWorld(db);

  const hex = randomBytes(4).toString('hex');
  const dbName = `segue_bench_cluster_${hex}`;
  const pgUrl = withDb(admin, dbName);
  const statePrefix = `bench-cluster-${hex}:`, busPrefix = `bench-cluster-${hex}`;
  const work = `${db}.cluster-${hex}`;
  const procs: Proc[] = [];
  let pgStore: Store | undefined;
  let state: RedisOnlineState | undefined;
  try {
    // The world: a fresh copy of the SQLite file for the baseline, and one in PostgreSQL for the cluster.
    await (await openStore(db)).close(); // checkpoints the WAL into the file
    copyFileSync(db, work);
    const sqlite = await openStore(work);
    const key = (await sqlite.keys.create({ scopes: ['ingest', 'recommend'], name: 'bench', rateLimit: 1e9 })).key;
    const stats = await sqlite.stats({ top: 2000 });
    await sqlite.close();
    const allListeners = stats.mostActiveListeners.map((l) => l.id);
    const tracks = stats.topTracks.map((t) => t.id);
    const loads = recommendLoads(allListeners.slice(0, 200), tracks.slice(0, 200));
    psql(admin, `CREATE DATABASE ${dbName}`);
    const copy = JSON.parse(segue(['--json', 'store', 'copy', '--from', db, '--to', pgUrl])) as { seconds: number };
    const scale = ['--store', pgUrl, '--state', redisUrl, '--state-prefix', statePrefix, '--bus', natsUrl, '--bus-prefix', busPrefix];
    const rebuild = JSON.parse(segue([...scale, '--json', 'state', 'rebuild'])) as { listeners: number; events: number; seconds: number };
    pgStore = await openStore(pgUrl);
    // The demo listeners' encoded states as the rebuild left them (before the loads below add to them), for the memory test.
    state = (await openOnlineState(pgStore, await TrackTable.load(pgStore), { redis: { url: redisUrl, prefix: statePrefix, readTimeoutMs: 120_000 } })).state as RedisOnlineState;
    const templates = await readTemplates(state);
    const pgKey = (await pgStore.keys.create({ scopes: ['ingest', 'recommend'], name: 'bench', rateLimit: 1e9 })).key;
    console.log(`world: ${fmt(stats.tracks)} tracks, ${fmt(stats.listeners)} listeners, ${fmt(stats.events)} events; copied into PostgreSQL ${dbName} in ${copy.seconds.toFixed(1)} s; Redis state of ${fmt(rebuild.listeners)} listeners rebuilt in ${rebuild.seconds.toFixed(1)} s`);
    console.log(`loads: ${o.connections} connections, ${o.seconds} s each after ${o.warmup} s of warm-up`);
    figures.world = { tracks: stats.tracks, listeners: stats.listeners, events: stats.events, copySeconds: copy.seconds, rebuild };

    // 1. The embedded baseline.
    const embedded: Record<string, LoadResult & { cpuMsPerRequest: number }> = {};
    {
      const base = await startSegue('embedded', ['--store', work, 'serve', '--port', '0', '--reload-interval', '0', '--workers', '2'], LISTENING);
      procs.push(base);
      const meter = new Meter({ groups: { server: withChildren(base.pid) }, redis });
      for (const name of ['radio', 'autoplay'] as const) {
        const r = await loadRecommend([base.url], key, loads[name], { ...o, around: meter });
        const cost = await meter.finish();
        embedded[name] = { ...r, cpuMsPerRequest: (cost.cpu.server! * 1000) / r.requests };
        console.log(`embedded (serve --workers 2, SQLite) ${name.padEnd(8)}: ${fmt(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors of ${fmt(r.requests)}; CPU ${embedded[name]!.cpuMsPerRequest.toFixed(2)} ms/request`);
      }
      await stop([base]);
    }
    rec.baseline.embedded = embedded;

    // 2. The cluster: workers first (they find the state ready), then the nodes.
    const workers: Proc[] = [], nodes: Proc[] = [];
    for (let i = 1; i <= 2; i++) {
      workers.push(await startSegue(`worker ${i}`, [...scale, 'worker', '--metrics-port', '0'], /metrics at (http:\/\/\S+)\/metrics/));
      procs.push(workers[workers.length - 1]!);
    }
    for (let i = 1; i <= 2; i++) {
      nodes.push(await startSegue(`node ${i}`, [...scale, 'serve', '--port', '0', '--reload-interval', '0'], LISTENING));
      procs.push(nodes[nodes.length - 1]!);
    }
    const nodeUrls = nodes.map((n) => n.url);
    // CPU of the services too (they share this machine's cores with the nodes); PostgreSQL's with the backends that ended meanwhile (the postmaster's reaped children).
    const groups = { nodes: nodes.map((n) => n.pid), workers: workers.map((w) => w.pid), redis: pidsNamed('redis-server'), nats: pidsNamed('nats-server') };
    const meter = new Meter({ groups, services: { postgres: () => pidsNamed('postgres') }, redis, pg: { admin, db: dbName } });
    const scrape = async (): Promise<string[]> => Promise.all(workers.map(async (w) => (await fetch(`${w.url}/metrics`)).text()));
    const metrics = async (): Promise<ReturnType<typeof histSum>> => histSum((await scrape()).map((t) => histogram(t, FOLD)));
    // Each answer publishes an exposure that a worker logs into PostgreSQL: wait until none is left, so that a load does not pay for the last one's.
    const drainExposures = async (): Promise<number> => {
      const t = performance.now();
      while ((await scrape()).reduce((n, text) => n + gaugeSum(text, 'segue_consumer_lag', 'stream="exposures"'), 0) > 0) {
        if (performance.now() - t > 300_000) throw new Error('the workers did not log the exposures within 300 s');
        await sleep(250);
      }
      return (performance.now() - t) / 1000;
    };
    await sleep(3000); // the workers take their partitions
    const idle = await meter.idle(10);
    console.log(`cluster idle background: ${fmt(idle.redis.commands / idle.seconds)} Redis commands/s, ${fmt((idle.pg?.xacts ?? 0) / idle.seconds, 1)} PostgreSQL transactions/s`);
    const cluster: Record<string, LoadResult & Record<string, number>> = {};
    for (const name of ['radio', 'autoplay'] as const) {
      const r = await loadRecommend(nodeUrls, pgKey, loads[name], { ...o, around: meter });
      const per = perUnit(await meter.finish(), r.requests, idle);
      const drained = await drainExposures();
      cluster[name] = { ...r, ...per, ratio: r.rps / embedded[name]!.rps, exposuresDrainedSeconds: drained };
      console.log(`cluster (2 nodes, 2 workers) ${name.padEnd(8)}: ${fmt(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors of ${fmt(r.requests)}; cluster/embedded ${(r.rps / embedded[name]!.rps).toFixed(2)} (target >= ${TARGETS.ratio}: ${verdict(r.rps / embedded[name]!.rps >= TARGETS.ratio)})`);
      console.log(`  per request: CPU ${per['cpuMs.nodes']!.toFixed(2)} ms in the nodes, ${per['cpuMs.workers']!.toFixed(2)} ms in the workers (logging the exposure each answer publishes; their backlog was gone ${drained.toFixed(1)} s after the load's end), Redis ${per['cpuMs.redis']!.toFixed(2)} ms, NATS ${per['cpuMs.nats']!.toFixed(2)} ms, PostgreSQL ${per['cpuMs.postgres']!.toFixed(2)} ms (embedded: ${embedded[name]!.cpuMsPerRequest.toFixed(2)} ms in all)`);
      console.log(`  per request: Redis ${per.redisCommands!.toFixed(2)} commands (${per.redisCommandsNet!.toFixed(2)} net of the idle background), ${fmt(per.redisBytesIn!)} bytes in, ${fmt(per.redisBytesOut!)} bytes out; PostgreSQL ${per.pgXacts!.toFixed(2)} transactions`);
      console.log(`  Redis commands per request, by command (INFO commandstats, a script's own commands included): ${byCommand(per)}`);
    }
    figures.cluster = cluster;

    // 3. Ingest end to end: from the first POST until the last event is in PostgreSQL.
    const ppc = psql(admin, "SELECT count(*) FROM pg_settings WHERE name = 'shared_preload_libraries' AND setting LIKE '%pg_stat_statements%'")[0]![0] === '1';
    const batches = Math.ceil(o.ingestEvents / 500);
    const ingestBodies = eventBodies(`cb${hex}i`, batches, 500, allListeners, tracks);
    const inStore0 = await pgStore.events.count();
    const hist0 = await metrics();
    await meter.before();
    const sent = await postAll(nodeUrls, pgKey, ingestBodies, o.ingestConcurrency);
    let polls = 0;
    const deadline = performance.now() + 600_000;
    while ((await pgStore.events.count()) < inStore0 + sent.accepted && performance.now() < deadline) {
      polls++;
      await sleep(100);
    }
    polls++;
    const storedMs = performance.now();
    // Acks come after the folds: wait for every event's fold too, so that the Redis commands of the folds count.
    while ((await metrics()).count - hist0.count < sent.accepted && performance.now() < deadline) await sleep(100);
    meter.after();
    const ingestCost = await meter.finish();
    const ingestSeconds = (storedMs - sent.firstMs) / 1000;
    const ingestRate = sent.accepted / ingestSeconds;
    const foldAll = histDiff(await metrics(), hist0);
    const per = perUnit(ingestCost, sent.accepted, idle);
    // Transactions of the bench database: the workers', this process' polls (one each), the background.
    const pgBg = ((idle.pg?.xacts ?? 0) / idle.seconds) * ingestCost.seconds;
    const xactsPerBatch = (ingestCost.pg!.xacts - polls - pgBg) / batches;
    const ingest = {
      events: sent.accepted, failedBatches: sent.failed, seconds: ingestSeconds, eventsPerSecond: ingestRate, acceptedPerSecond: sent.accepted / ((sent.lastAnswerMs - sent.firstMs) / 1000),
      pgStatStatements: ppc, pgXactsPerBatch: xactsPerBatch, pgRowsPerBatch: ingestCost.pg!.inserted / batches, polls,
      redisCommandsPerEvent: per.redisCommands!, cpuMsPer1000: Object.fromEntries(['nodes', 'workers', 'redis', 'nats', 'postgres'].map((g) => [g, per[`cpuMs.${g}`]! * 1000])) as Record<'nodes' | 'workers' | 'redis' | 'nats' | 'postgres', number>,
      foldP50Ms: quantile(foldAll, 0.5) * 1000, foldP99Ms: quantile(foldAll, 0.99) * 1000,
    };
    figures.ingest = ingest;
    console.log(`ingest: ${fmt(ingest.events)} events in batches of 500 (${o.ingestConcurrency} at a time, round robin over the nodes): all in PostgreSQL ${ingestSeconds.toFixed(2)} s after the first POST: ${fmt(ingestRate)} events/s (target >= ${fmt(TARGETS.ingest)}: ${verdict(ingestRate >= TARGETS.ingest)}); the nodes acknowledged them at ${fmt(ingest.acceptedPerSecond)} events/s; ${sent.failed} batches failed`);
    console.log(`  per batch of 500: PostgreSQL ${ppc ? '' : '(pg_stat_statements is not loaded on this server: transactions, not statements) '}${xactsPerBatch.toFixed(2)} transactions (pg_stat_database xact_commit, less ${polls} count polls and the idle background), ${fmt(ingest.pgRowsPerBatch)} rows inserted`);
      console.log(`  Redis commands per 1,000 events, by command: ${byCommand(Object.fromEntries(Object.entries(per).map(([k, v]) => [k, v * 1000])))}`);
  console.log(`  per event: Redis ${per.redisCommands!.toFixed(3)} commands, ${fmt(per.redisBytesIn!)} bytes in; CPU per 1,000 events: nodes ${ingest.cpuMsPer1000.nodes.toFixed(0)} ms, workers ${ingest.cpuMsPer1000.workers.toFixed(0)} ms, Redis ${ingest.cpuMsPer1000.redis.toFixed(0)} ms, NATS ${ingest.cpuMsPer1000.nats.toFixed(0)} ms, PostgreSQL ${ingest.cpuMsPer1000.postgres.toFixed(0)} ms; fold latency under this load: p50 ${ms(ingest.foldP50Ms / 1000)}, p99 ${ms(ingest.foldP99Ms / 1000)}`);

    // 4. Fold latency at a paced rate.
    const foldBodies = eventBodies(`cb${hex}f`, Math.round((o.foldRate * o.foldSeconds) / 500), 500, allListeners, tracks);
    const before = await metrics();
    const paced = await postPaced(nodeUrls, pgKey, foldBodies, o.foldRate / 500);
    const foldDeadline = performance.now() + 300_000;
    while ((await metrics()).count - before.count < paced.accepted && performance.now() < foldDeadline) await sleep(200);
    const run = histDiff(await metrics(), before);
    const offered = (foldBodies.length * 500) / ((paced.lastSentMs - paced.firstMs) / 1000 + 500 / o.foldRate);
    const fold = { events: paced.accepted, observed: run.count, offeredPerSecond: offered, maxBehindMs: paced.maxBehindMs, failedBatches: paced.failed, p50Ms: quantile(run, 0.5) * 1000, p99Ms: quantile(run, 0.99) * 1000, buckets: Object.fromEntries(run.buckets) };
    figures.fold = fold;
    console.log(`fold latency at ${fmt(offered)} events/s offered (${fmt(fold.events)} events over ${o.foldSeconds} s; the pacer fell at most ${fold.maxBehindMs.toFixed(0)} ms behind; ${fold.failedBatches} batches failed): p50 ${ms(fold.p50Ms / 1000)}, p99 ${ms(fold.p99Ms / 1000)} of ${fmt(run.count)} folds (target p99 <= ${TARGETS.foldP99Ms} ms: ${verdict(fold.p99Ms <= TARGETS.foldP99Ms)})`);
    await stop([...nodes, ...workers]);

    // 5. Redis memory per listener.
    const mem = await redisMemory(state, templates, redis, o.listeners, o.memoryBudget);
    figures.memory = mem;
    console.log(`Redis memory: ${fmt(mem.listeners)} listeners (copies of the ${fmt(mem.demoListeners)} demo listeners' encoded states, written in ${mem.seconds.toFixed(1)} s): used_memory +${fmt((mem.usedAfter - mem.usedBefore) / 2 ** 20)} MiB = ${fmt(mem.perListener)} bytes per listener (target <= ${TARGETS.bytesPerListener}: ${verdict(mem.perListener <= TARGETS.bytesPerListener)}); a demo listener's two values encode to ${fmt(mem.meanEncoded)} bytes on average (state ${fmt(mem.meanListenerKey)}, session ${fmt(mem.meanSessionKey)})${mem.note ? `; ${mem.note}` : ''}`);

    // 6. Each service's capacity alone, and the projection.
    const rb = await redisBenchmark(redis);
    const nats = await natsPublish(natsUrl, o.natsSeconds, 4, allListeners, tracks);
    const pgImp = await pgImport(admin, o.pgEvents);
    figures.capacity = { redis: rb, nats, postgres: pgImp };
    const busy = (c: Cores, server: string, client: string): string => `${server} ${c.server.toFixed(2)} cores, ${client} ${c.client.toFixed(2)}`;
    console.log('capacity of each service alone (and the cores it kept busy, in the service and in its one client):');
    console.log(`  Redis: ${fmt(rb.get)} GET/s, ${fmt(rb.set)} SET/s (redis-benchmark -q -t get,set -P 16 -n 200000; ${busy(rb.cores, 'redis-server', 'redis-benchmark')})`);
    console.log(`  JetStream: ${fmt(nats.rate)} messages/s stored (NatsBus.publishEvents, batches of 500, 4 at a time, ${nats.seconds.toFixed(1)} s; ${busy(nats.cores, 'nats-server', 'the publishing process')})`);
    console.log(`  PostgreSQL: ${fmt(pgImp.rate)} events/s (segue import of ${fmt(pgImp.events)} simulated events, ${fmt(pgImp.items)} lines with the catalog, ${pgImp.seconds.toFixed(1)} s; ${busy(pgImp.cores, 'postgres', 'segue import')})`);
    // A service that kept less than a core busy while its one client kept a core busy was not saturated: its figure is that client's.
    const clientBound = (c: Cores): boolean => c.server < 0.8 && c.client >= 0.9;
    const bounds: Record<string, boolean> = { Redis: clientBound(rb.cores), 'NATS JetStream': clientBound(nats.cores), PostgreSQL: clientBound(pgImp.cores) };
    for (const [svc, b] of Object.entries(bounds)) if (b) console.log(`  note: ${svc}'s figure is what one client process got (it was busy, the server was not): a floor of the server's capacity, not its ceiling`);
    const proj = project({
      sizes: [1, 4, 16, 64], measuredNodes: 2,
      radio: { rps: cluster.radio!.rps, redisPerRequest: cluster.radio!.redisCommands! }, autoplay: { rps: cluster.autoplay!.rps, redisPerRequest: cluster.autoplay!.redisCommands! },
      ingest: { eventsPerSecond: ingestRate, redisPerEvent: ingest.redisCommandsPerEvent },
      redisOps: Math.min(rb.get, rb.set), natsMessages: nats.rate, pgEvents: pgImp.rate,
    });
    figures.projection = proj;
    console.log('projection (each node adds what one of the 2 did here, until a service saturates):');
    console.log(`${'nodes'.padStart(6)} ${'radio req/s'.padStart(13)} ${'autoplay req/s'.padStart(15)} ${'events/s'.padStart(11)}  limited by (radio, autoplay, ingest)`);
    for (const r of proj.rows) console.log(`${String(r.nodes).padStart(6)} ${fmt(r.radio).padStart(13)} ${fmt(r.autoplay).padStart(15)} ${fmt(r.events).padStart(11)}  ${r.limits.join(', ')}`);
    console.log(`ceilings: ${proj.ceilings.map((c) => `${c.service} (${c.load}) ${fmt(c.value)} ${c.unit}`).join('; ')}`);
    console.log(`saturates first: ${proj.first.ceiling.service}, on ${proj.first.ceiling.load}, at about ${proj.first.nodes.toFixed(1)} nodes: shard it first${bounds[proj.first.ceiling.service] ? ` (but its ceiling was measured from one client, see the note above: measure it with several before sharding)` : ''}`);
    figures.clientBound = bounds;

    const ratios = { radio: cluster.radio!.ratio!, autoplay: cluster.autoplay!.ratio! };
    rec.ratio('radioClusterOverEmbeddedRps', cluster.radio!.rps, embedded.radio!.rps);
    rec.ratio('autoplayClusterOverEmbeddedRps', cluster.autoplay!.rps, embedded.autoplay!.rps);
    const targets = {
      radioRatio: rec.target(`radio cluster/embedded >= ${TARGETS.ratio}`, ratios.radio >= TARGETS.ratio),
      autoplayRatio: rec.target(`autoplay cluster/embedded >= ${TARGETS.ratio}`, ratios.autoplay >= TARGETS.ratio),
      ingest: rec.target(`ingest >= ${TARGETS.ingest} events/s`, ingestRate >= TARGETS.ingest),
      foldP99: rec.target(`fold p99 <= ${TARGETS.foldP99Ms} ms`, fold.p99Ms <= TARGETS.foldP99Ms),
      bytesPerListener: rec.target(`Redis <= ${TARGETS.bytesPerListener} bytes per listener`, mem.perListener <= TARGETS.bytesPerListener),
    };
    console.log(`targets: radio cluster/embedded ${ratios.radio.toFixed(2)} >= ${TARGETS.ratio} ${verdict(targets.radioRatio)}; autoplay ${ratios.autoplay.toFixed(2)} >= ${TARGETS.ratio} ${verdict(targets.autoplayRatio)}; ingest ${fmt(ingestRate)} >= ${fmt(TARGETS.ingest)} events/s ${verdict(targets.ingest)}; fold p99 ${ms(fold.p99Ms / 1000)} <= ${TARGETS.foldP99Ms} ms ${verdict(targets.foldP99)}; Redis ${fmt(mem.perListener)} <= ${TARGETS.bytesPerListener} bytes/listener ${verdict(targets.bytesPerListener)}`);
  } finally {
    await stop(procs);
    await state?.close();
    await pgStore?.close();
    for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
    psql(admin, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    const deleted = redisDeletePrefix(redis, statePrefix);
    const bus = await NatsBus.open(natsUrl, { prefix: busPrefix });
    await bus.destroy();
    await bus.close();
    process.stderr.write(`bench cluster: cleaned up (database ${dbName} dropped, ${deleted} Redis keys under ${statePrefix} deleted, streams of ${busPrefix} deleted)\n`);
  }
}
