/**
 * Capacity of the services behind the cluster (bench/cluster.ts), each measured alone in the
 * same run: Redis (redis-benchmark), JetStream (a publish loop), PostgreSQL (`segue import`),
 * the Redis memory a listener takes, and the projection to more nodes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NatsBus } from '../src/bus/index.js';
import type { SegueEvent } from '../src/domain/index.js';
import type { RedisOnlineState } from '../src/features/index.js';
import { cores, cpuSeconds, fmt, memAvailable, ownCpuSeconds, pidsNamed, psql, redisCli, redisInfo, segue, withDb, type RedisAt } from './cluster-procs.js';

/** Cores a capacity measurement kept busy: in the service's processes, and in its client (this process, or the tool it ran). */
export interface Cores { server: number; client: number }

/** `redis-benchmark -q -t get,set -P 16 -n 200000`: requests/s of each. */
export async function redisBenchmark(r: RedisAt): Promise<{ get: number; set: number; cores: Cores }> {
  // It writes the key `key:__rand_int__` (db 0): removed afterwards unless it was there before.
  const had = redisCli({ ...r, db: 0 }, 'EXISTS', 'key:__rand_int__').trim() === '1';
  const run = await cores(() => pidsNamed('redis-server'), () => execFileSync('redis-benchmark', ['-h', r.host, '-p', String(r.port), '-q', '-t', 'get,set', '-P', '16', '-n', '200000'], { encoding: 'utf8', maxBuffer: 1 << 22 }));
  const out = run.value;
  if (!had) redisCli({ ...r, db: 0 }, 'DEL', 'key:__rand_int__');
  const rate = (name: string): number => {
    const all = [...out.replace(/\r/g, '\n').matchAll(new RegExp(`^${name}: ([\\d.]+) requests per second`, 'gm'))];
    if (all.length === 0) throw new Error(`redis-benchmark printed no ${name} rate: ${out.slice(-300)}`);
    return Number(all[all.length - 1]![1]);
  };
  return { get: rate('GET'), set: rate('SET'), cores: { server: run.server, client: run.client } };
}

/** Messages/s JetStream stores: NatsBus.publishEvents of batches of 500, `concurrency` at a time, for `seconds`, on a scratch prefix (deleted after). */
export async function natsPublish(url: string, seconds: number, concurrency: number, listeners: string[], tracks: string[]): Promise<{ messages: number; seconds: number; rate: number; cores: Cores }> {
  const prefix = `bench-cap-${randomBytes(4).toString('hex')}`;
  const bus = await NatsBus.open(url, { prefix });
  try {
    let sent = 0, batch = 0;
    const now = Date.now();
    const started = performance.now();
    const end = started + seconds * 1000;
    const s0 = cpuSeconds(pidsNamed('nats-server')), c0 = ownCpuSeconds();
    const lane = async (): Promise<void> => {
      while (performance.now() < end) {
        const b = batch++;
        const events: SegueEvent[] = Array.from({ length: 500 }, (_, k) => ({
          type: 'play_end', source: 'bench', eventId: `${prefix}-${b}-${k}`, listenerId: listeners[(b * 500 + k) % listeners.length]!,
          trackId: tracks[(b * 31 + k) % tracks.length]!, ts: now - 60_000 + k, msPlayed: 150_000, endReason: 'trackdone',
        }));
        await bus.publishEvents(events);
        sent += events.length;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    const s = (performance.now() - started) / 1000;
    return { messages: sent, seconds: s, rate: sent / s, cores: { server: (cpuSeconds(pidsNamed('nats-server')) - s0) / s, client: (ownCpuSeconds() - c0) / s } };
  } finally {
    await bus.destroy();
    await bus.close();
  }
}

/**
 * PostgreSQL's bulk ingest: `segue import` of a simulated NDJSON of about `events` events
 * into a scratch database (dropped after). Events/s over the import's own seconds.
 */
export async function pgImport(admin: string, events: number): Promise<{ events: number; items: number; seconds: number; rate: number; cores: Cores }> {
  const dir = mkdtempSync(join(tmpdir(), 'segue-bench-cluster-'));
  const db = `segue_bench_cluster_imp_${randomBytes(4).toString('hex')}`;
  try {
    const file = join(dir, 'sim.ndjson');
    const listeners = Math.max(100, Math.round(events / 14 / 17.75));
    const generated = (JSON.parse(segue(['--json', 'simulate', '--listeners', String(listeners), '--tracks', '50000', '--days', '14', '--seed', '7', '--ndjson', file])) as { events: number }).events;
    psql(admin, `CREATE DATABASE ${db}`);
    const run = await cores(() => pidsNamed('postgres'), () => segue(['--store', withDb(admin, db), '--json', 'import', 'ndjson', file, '--no-state', '--rejects', join(dir, 'rejects.ndjson')]));
    const s = JSON.parse(run.value) as { read: number; accepted: number; seconds: number };
    return { events: generated, items: s.read, seconds: s.seconds, rate: generated / s.seconds, cores: { server: run.server, client: run.client } };
  } finally {
    try {
      psql(admin, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

export interface MemoryResult { listeners: number; asked: number; demoListeners: number; meanEncoded: number; meanListenerKey: number; meanSessionKey: number; usedBefore: number; usedAfter: number; perListener: number; seconds: number; note: string }

export interface Template { l: Buffer; s: Buffer | null }

/** The encoded state and session of every listener of a Redis state (`<prefix>l:*`, `<prefix>s:*`). */
export async function readTemplates(state: RedisOnlineState): Promise<Template[]> {
  const redis = state.redis;
  const ids: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${state.prefix}l:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) ids.push(k.slice(`${state.prefix}l:`.length));
  } while (cursor !== '0');
  const templates: Template[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const values = await redis.mgetBuffer(...chunk.flatMap((id) => [state.key('l', id), state.key('s', id)]));
    chunk.forEach((_, j) => {
      const l = values[2 * j];
      if (l) templates.push({ l, s: values[2 * j + 1] ?? null });
    });
  }
  if (templates.length === 0) throw new Error(`no listener state under ${state.prefix}l:*`);
  return templates;
}

/**
 * Redis memory per listener: `count` copies of real encoded states (`templates`) under new
 * listener ids and another prefix, written with pipelined SETs (sessions with their 24 h
 * TTL); used_memory before and after. When the copies would not fit in `budget` of the
 * machine's available memory, fewer are written (and the result says so). The copies are
 * deleted after (UNLINK).
 */
export async function redisMemory(state: RedisOnlineState, templates: Template[], r: RedisAt, count: number, budget: number, batch = 5000): Promise<MemoryResult> {
  const redis = state.redis;
  const meanListenerKey = templates.reduce((n, t) => n + t.l.length, 0) / templates.length;
  const meanSessionKey = templates.reduce((n, t) => n + (t.s?.length ?? 0), 0) / templates.length;
  const meanEncoded = meanListenerKey + meanSessionKey;
  // Room for the copies: the encoded bytes, Redis' own per-key overhead and the allocator's rounding.
  const estimate = meanEncoded * 1.15 + 200;
  const room = budget * memAvailable();
  let listeners = count, note = '';
  if (count * estimate > room) {
    listeners = Math.max(10_000, Math.floor(room / estimate / 10_000) * 10_000);
    note = `${fmt(listeners)} listeners, not ${fmt(count)}: ${fmt(count)} copies would take about ${(count * estimate / 2 ** 30).toFixed(1)} GiB, over --memory-budget ${budget} of the ${(memAvailable() / 2 ** 30).toFixed(1)} GiB available`;
  }
  const prefix = `bench-mem-${randomBytes(4).toString('hex')}:`;
  const keys = (i: number): [string, string] => [`${prefix}l:m${i}`, `${prefix}s:m${i}`];
  const usedBefore = redisInfo(r, 'memory').used_memory!;
  const started = performance.now();
  try {
    for (let i = 0; i < listeners; i += batch) {
      const p = redis.pipeline();
      for (let j = i; j < Math.min(listeners, i + batch); j++) {
        const t = templates[j % templates.length]!;
        const [lk, sk] = keys(j);
        p.set(lk, t.l);
        if (t.s) p.set(sk, t.s, 'PX', 86_400_000);
      }
      const results = (await p.exec()) ?? [];
      const failed = results.find(([err]) => err !== null);
      if (failed) throw failed[0]!;
    }
    const seconds = (performance.now() - started) / 1000;
    const usedAfter = redisInfo(r, 'memory').used_memory!;
    return { listeners, asked: count, demoListeners: templates.length, meanEncoded, meanListenerKey, meanSessionKey, usedBefore, usedAfter, perListener: (usedAfter - usedBefore) / listeners, seconds, note };
  } finally {
    for (let i = 0; i < listeners; i += batch) {
      const p = redis.pipeline();
      for (let j = i; j < Math.min(listeners, i + batch); j += 1000) {
        const group: string[] = [];
        for (let k = j; k < Math.min(listeners, i + batch, j + 1000); k++) group.push(...keys(k));
        p.unlink(...group);
      }
      await p.exec();
    }
  }
}

export interface Ceiling { service: string; load: string; value: number; unit: string }

export interface Projection {
  rows: Array<{ nodes: number; radio: number; autoplay: number; events: number; limits: string[] }>;
  ceilings: Ceiling[];
  first: { ceiling: Ceiling; nodes: number };
}

/**
 * Requests/s and events/s for `sizes` nodes (and as many workers): each node adds what one
 * node did here (the cluster's figure over its 2 nodes) until a service saturates: Redis for
 * requests (its ops/s over the commands a request takes), JetStream, PostgreSQL or Redis for
 * events.
 */
export function project(o: {
  sizes: number[]; measuredNodes: number;
  radio: { rps: number; redisPerRequest: number }; autoplay: { rps: number; redisPerRequest: number };
  ingest: { eventsPerSecond: number; redisPerEvent: number };
  redisOps: number; natsMessages: number; pgEvents: number;
}): Projection {
  const ceilings: Ceiling[] = [
    { service: 'Redis', load: 'radio', value: o.redisOps / o.radio.redisPerRequest, unit: 'req/s' },
    { service: 'Redis', load: 'autoplay', value: o.redisOps / o.autoplay.redisPerRequest, unit: 'req/s' },
    { service: 'NATS JetStream', load: 'ingest', value: o.natsMessages, unit: 'events/s' },
    { service: 'PostgreSQL', load: 'ingest', value: o.pgEvents, unit: 'events/s' },
    { service: 'Redis', load: 'ingest', value: o.redisOps / o.ingest.redisPerEvent, unit: 'events/s' },
  ];
  const perNode = { radio: o.radio.rps / o.measuredNodes, autoplay: o.autoplay.rps / o.measuredNodes, ingest: o.ingest.eventsPerSecond / o.measuredNodes };
  const capped = (load: 'radio' | 'autoplay' | 'ingest', n: number): { value: number; limit: string } => {
    let value = n * perNode[load], limit = 'nodes';
    for (const c of ceilings) {
      if (c.load !== load || c.value >= value) continue;
      value = c.value;
      limit = c.service;
    }
    return { value, limit };
  };
  const rows = o.sizes.map((n) => {
    const r = capped('radio', n), a = capped('autoplay', n), e = capped('ingest', n);
    return { nodes: n, radio: r.value, autoplay: a.value, events: e.value, limits: [r.limit, a.limit, e.limit] };
  });
  const at = ceilings.map((c) => ({ ceiling: c, nodes: c.value / perNode[c.load as 'radio' | 'autoplay' | 'ingest'] }));
  at.sort((a, b) => a.nodes - b.nodes);
  return { rows, ceilings, first: at[0]! };
}
