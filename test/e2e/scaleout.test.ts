import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { segue } from './cli.js';
import { background, call, countRows, createTestDatabase, pgUp, segueJson, sleep, startServer, tempDir, type TestDatabase } from './postgres.js';
import { requireRedis, testPrefix, testRedisUrl } from '../../src/features/testing.js';
import { requireNats, testBusPrefix, testNatsUrl } from '../../src/bus/testing.js';
import { NatsBus } from '../../src/bus/index.js';

/**
 * The scale-out path through the CLI, on this machine's PostgreSQL, Redis and NATS: a
 * simulated world in PostgreSQL, `segue state rebuild`, two `segue serve` nodes and a
 * `segue worker` with --state and --bus; an event accepted by one node shows in the other's
 * next answer once folded, the store holds it once, and `segue state check` finds no
 * difference. A database, key prefix and streams of its own, removed afterwards.
 */
const up = pgUp && (await requireRedis()) && (await requireNats());
const dir = tempDir('segue-scaleout-');

describe.runIf(up)('scale-out: stateless nodes, a worker, Redis and NATS (the CLI)', () => {
  let db: TestDatabase | undefined;
  const redis = testPrefix();
  const busPrefix = testBusPrefix();
  let flags: string[] = [];
  const procs: Array<{ proc: { kill(s: NodeJS.Signals): boolean } }> = [];
  let key = '', listener = '', track = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    flags = ['--store', db.url, '--state', testRedisUrl(), '--state-prefix', redis.prefix, '--bus', testNatsUrl(), '--bus-prefix', busPrefix, '--bus-partitions', '4'];
    segueJson(['--store', db.url, 'simulate', '--listeners', '30', '--tracks', '600', '--days', '3', '--seed', '9']);
    segueJson(['--store', db.url, 'train', '--models', 'transitions,popularity']);
    key = segueJson<{ key: string }>(['--store', db.url, 'keys', 'create', '--name', 'e2e', '--scopes', 'ingest,recommend']).key;
    const s = segueJson<{ mostActiveListeners: Array<{ id: string }>; topTracks: Array<{ id: string }> }>(['--store', db.url, 'stats']);
    listener = s.mostActiveListeners[0]!.id;
    track = s.topTracks[3]!.id;
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) p.proc.kill('SIGKILL');
    await sleep(200);
    await redis.drop();
    const bus = await NatsBus.open(testNatsUrl(), { prefix: busPrefix, partitions: 4 });
    await bus.destroy();
    await bus.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuild, then an event through node A is in the store once and in node B’s answers once folded; state check clean', async () => {
    // Before a rebuild the state is not ready: check says so and exits 1.
    const check0 = segue([...flags, '--json', 'state', 'check']);
    expect(check0.status).toBe(1);
    expect((JSON.parse(check0.stdout) as { differences: string[] }).differences).toContain('the state has no ready mark (flushed, or never rebuilt): run segue state rebuild');
    const rebuilt = segueJson<{ events: number; listeners: number }>([...flags, 'state', 'rebuild']);
    expect(rebuilt.events).toBe(await countRows(db!.url, 'events'));
    const worker = background([...flags, 'worker', '--metrics-port', '0']);
    procs.push(worker);
    const a = await startServer(db!.url, flags.slice(2));
    procs.push(a);
    const b = await startServer(db!.url, flags.slice(2));
    procs.push(b);
    const radio = async (url: string) => call(`${url}/v1/recommend/radio`, key, { listenerId: listener, seedTrack: track, n: 10, log: false });
    const before = await radio(b.url);
    expect(before.status).toBe(200);
    expect(before.json.degraded).toBeUndefined();
    const listened = (before.json.items as Array<{ trackId: string }>)[0]!.trackId;
    // The listener hears the first track through: node A takes the event.
    const ev = { type: 'play_end', eventId: 'e2e-1', listenerId: listener, trackId: listened, ts: Date.now(), msPlayed: 200_000, endReason: 'trackdone' };
    expect(await call(`${a.url}/v1/events`, key, { events: [ev] })).toMatchObject({ status: 200, json: { accepted: 1, duplicates: 0 } });
    expect((await call(`${a.url}/v1/events`, key, { events: [ev] })).json).toMatchObject({ accepted: 0, duplicates: 1 });
    // Node B's next answer leaves out what was just played (the no-repeat window), once folded.
    let after: string[] = [];
    for (let i = 0; i < 100; i++) {
      after = ((await radio(b.url)).json.items as Array<{ trackId: string }>).map((x) => x.trackId);
      if (!after.includes(listened)) break;
      await sleep(50);
    }
    expect(after).not.toContain(listened);
    expect(await countRows(db!.url, 'event_keys')).toBe(rebuilt.events + 1);
    // Any node's /metrics shows the cluster's fold latency, which the workers keep in Redis.
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(Number(/^segue_fold_latency_seconds_count (\d+)$/m.exec(metrics)?.[1])).toBe(1);
    expect(metrics).toMatch(/^segue_fold_latency_seconds_bucket\{le="10"\} 1$/m);
    // A new model version is announced on the bus: node B (which does not poll: --reload-interval 0) serves it within 5 s.
    const version = async () => Number(/^segue_model_version\{model="transitions"\} (\d+)$/m.exec(await (await fetch(`${b.url}/metrics`)).text())?.[1]);
    expect(await version()).toBe(1);
    segueJson([...flags, 'train', '--models', 'transitions']);
    for (let i = 0; i < 50 && (await version()) !== 2; i++) await sleep(100);
    expect(await version()).toBe(2);
    const check = segueJson<{ differences: string[]; events: number }>([...flags, 'state', 'check']);
    expect(check).toMatchObject({ differences: [], events: rebuilt.events + 1 });
    // An unknown track is refused by the node, as the store would.
    const bad = await call(`${a.url}/v1/events`, key, { events: [{ ...ev, eventId: 'e2e-2', trackId: 'no-such-track' }] });
    expect(bad.json).toMatchObject({ accepted: 0, rejected: [{ index: 0, reason: 'trackId: unknown track "no-such-track" (import the catalog first)' }] });
    // Nodes and workers stop on SIGTERM, exit 0 (their Redis and NATS connections closed).
    for (const p of [a, worker]) {
      p.proc.kill('SIGTERM');
      expect((await p.exit)[0]).toBe(0);
    }
  }, 120_000);

  it('cluster up: nodes and workers behind one port, round robin; a node killed costs no client a failure; Ctrl-C stops all', async () => {
    const up = background([...flags, 'cluster', 'up', '--nodes', '2', '--workers', '1', '--port', '0', '--json']);
    procs.push(up);
    const info = await new Promise<{ url: string; nodes: string[]; workers: string[]; pids: { nodes: number[] } }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`cluster up did not start: ${up.err.join('')}`)), 90_000);
      up.proc.stdout.on('data', () => {
        const line = up.out.join('').split('\n').find((l) => l.startsWith('{'));
        if (line) {
          clearTimeout(t);
          resolve(JSON.parse(line) as { url: string; nodes: string[]; workers: string[]; pids: { nodes: number[] } });
        }
      });
    });
    expect(info.nodes).toHaveLength(2);
    expect(info.workers).toHaveLength(1);
    const ask = () => call(`${info.url}/v1/recommend/radio`, key, { listenerId: listener, seedTrack: track, n: 5, log: false });
    for (let i = 0; i < 4; i++) expect((await ask()).status).toBe(200);
    // One node dies: the proxy tries the other.
    process.kill(info.pids.nodes[0]!, 'SIGKILL');
    for (let i = 0; i < 6; i++) expect((await ask()).status).toBe(200);
    up.proc.kill('SIGINT');
    expect((await up.exit)[0]).toBe(0);
    // Everything it started is gone.
    await sleep(300);
    expect(await fetch(`${info.nodes[1]}/healthz`).then(() => 'up', () => 'down')).toBe('down');
  }, 150_000);

  it('refuses a worker without --state and --bus, and a --state that is not redis://, in one line', () => {
    const r = segue(['--store', db!.url, 'worker']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('segue: worker: needs --state redis://… and --bus nats://… (or SEGUE_STATE and SEGUE_BUS), besides --store');
    const s = segue(['--store', db!.url, '--state', 'http://x', 'state', 'check']);
    expect(s.stderr.trim()).toBe('segue: --state must be a redis:// URL, got "http://x"');
  });
});
