import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openStore } from '../../src/store/index.js';
import { segue, segueAsync } from './cli.js';

/**
 * `segue serve --workers 2`: two processes on one port and one store. What one process
 * learns, the next request to either sees: acknowledged events (the replica folds the log
 * first), rate-limit counts, experiments started, and /metrics adds up both. A dead worker
 * is replaced; SIGTERM stops both; a killed primary takes its workers with it.
 *
 * Every request here goes on a connection of its own (`connection: close`): the cluster
 * hands connections to the processes in turn, so consecutive requests reach both.
 */
type Proc = ReturnType<typeof segueAsync>;
const dir = mkdtempSync(join(tmpdir(), 'segue-workers-'));
const db = join(dir, 'workers.db');
const keys = { all: '', limited: '' };
let listeners: string[] = [];

beforeAll(async () => {
  const sim = segue(['--store', db, 'simulate', '--listeners', '60', '--tracks', '800', '--days', '3', '--seed', '4']);
  expect(sim.status, sim.stderr).toBe(0);
  const train = segue(['--store', db, 'train', '--models', 'transitions,popularity']);
  expect(train.status, train.stderr).toBe(0);
  const store = await openStore(db);
  keys.all = (await store.keys.create({ scopes: ['ingest', 'recommend', 'admin'] })).key;
  keys.limited = (await store.keys.create({ scopes: ['recommend'], rateLimit: 6 })).key;
  listeners = (await store.stats({ top: 10 })).mostActiveListeners.map((l) => l.id);
  await store.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(): Promise<{ proc: Proc; url: string; err: string[] }> {
  const proc = segueAsync(['--store', db, 'serve', '--port', '0', '--reload-interval', '0', '--workers', '2']);
  const err: string[] = [];
  proc.stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${buf} ${err.join('')}`)), 90_000);
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/\S+) .*2 processes/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${buf} ${err.join('')}`)));
  });
  return { proc, url, err };
}

const exited = (p: Proc) => new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.on('exit', (c) => r(c))));
const children = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('segue serve --workers 2', () => {
  let server: { proc: Proc; url: string; err: string[] };
  const call = async (path: string, body?: unknown, key = keys.all): Promise<{ status: number; json: Record<string, unknown> | undefined; text: string }> => {
    const r = await fetch(`${server.url}${path}`, {
      signal: AbortSignal.timeout(30_000),
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, connection: 'close', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, json: r.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
  };
  const radio = (listenerId: string, extra: Record<string, unknown> = {}) => call('/v1/recommend/radio', { listenerId, n: 15, seed: 1, ...extra });

  beforeAll(async () => {
    server = await start();
  }, 120_000);
  afterAll(async () => {
    if (server.proc.exitCode === null && server.proc.signalCode === null) {
      server.proc.kill('SIGTERM');
      await exited(server.proc);
    }
  });

  it('runs two worker processes behind one URL', async () => {
    expect(children(server.proc.pid!)).toHaveLength(2);
    expect((await call('/readyz')).json).toEqual({ status: 'ready' });
  });

  it('serves an event acknowledged by one process in the next recommendation of either', async () => {
    const l = listeners[0]!;
    const first = await radio(l);
    expect(first.status).toBe(200);
    const served = (first.json!.items as Array<{ trackId: string }>).map((x) => x.trackId);
    expect(served.length).toBe(15);
    // The listener bans every track just served; the ban is acknowledged by one process...
    const now = Date.now();
    const ack = await call('/v1/events', { events: served.map((trackId, k) => ({ type: 'ban', eventId: `wk-ban-${k}`, listenerId: l, trackId, ts: now - 1000 + k })) });
    expect(ack.json).toMatchObject({ accepted: 15 });
    // ...and no later answer, from either process, holds a banned track.
    for (let i = 0; i < 4; i++) {
      const again = await radio(l);
      expect(again.status).toBe(200);
      const ids = (again.json!.items as Array<{ trackId: string }>).map((x) => x.trackId);
      expect(ids.filter((id) => served.includes(id))).toEqual([]);
    }
  });

  it('keeps every page of a station that both processes served at the same time', async () => {
    const station = `wk-st-${Date.now()}`;
    const served: string[] = [];
    for (let round = 0; round < 3; round++) {
      const pages = await Promise.all([1, 2].map((k) => radio(listeners[5]!, { stationId: station, n: 8, seed: round * 2 + k, log: false })));
      for (const p of pages) {
        expect(p.status).toBe(200);
        served.push(...(p.json!.items as Array<{ trackId: string }>).map((x) => x.trackId));
      }
    }
    // One process writing its page's history over the other's would lose tracks here.
    const store = await openStore(db);
    const stored = JSON.parse(new TextDecoder().decode((await store.listenerState.get(listeners[5]!, `station:${station}`))!)) as Array<{ trackId: string }>;
    await store.close();
    expect(stored.map((p) => p.trackId).sort()).toEqual([...served].sort());
  });

  it('counts a key\'s rate limit across both processes', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 9; i++) codes.push((await call('/v1/recommend/radio', { listenerId: listeners[1], n: 5, log: false }, keys.limited)).status);
    // Six a minute in all: counted per process, each would let about four through of the nine.
    expect(codes).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);
  });

  it('starts an experiment on every process at once', async () => {
    const defn = { name: 'wk-exp', surfaces: ['radio'], variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1, policy: { constraints: { maxPerArtist: 1, maxPerAlbum: 1 } } }] };
    const made = await call('/v1/experiments', defn);
    expect(made.status, made.text).toBe(201);
    expect((await call('/v1/experiments/wk-exp/start', {})).json).toMatchObject({ status: 'running' });
    // The server never reloads on a timer here (--reload-interval 0): only the announcement can tell the other process.
    for (let i = 0; i < 4; i++) expect((await radio(listeners[i]!, { log: false })).json!.policyId).toMatch(/^wk-exp:[ab]$/);
  });

  it('adds up both processes\' metrics, whichever answers /metrics', async () => {
    const count = async (): Promise<number> => Number(/segue_recommendations_total\{surface="autoplay"\} (\d+)/.exec((await call('/metrics')).text)?.[1] ?? 0);
    const before = await count();
    const seedTrack = ((await radio(listeners[2]!, { log: false })).json!.items as Array<{ trackId: string }>)[0]!.trackId;
    for (let i = 0; i < 6; i++) expect((await call('/v1/recommend/autoplay', { listenerId: listeners[i]!, seedTrack, log: false })).status).toBe(200);
    // Each process served three; either one's own count would be 3.
    for (let i = 0; i < 2; i++) expect(await count()).toBe(before + 6);
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim] = children(server.proc.pid!);
    process.kill(victim!, 'SIGKILL');
    // Once the primary has seen the death (a connection handed over in that instant is lost,
    // as with any crashed server: clients retry), every request is answered.
    const seen = Date.now() + 30_000;
    while (!/worker \d exited \(signal SIGKILL\); starting a new one/.test(server.err.join('')) && Date.now() < seen) await new Promise((r) => setTimeout(r, 20));
    expect(server.err.join('')).toMatch(/worker \d exited \(signal SIGKILL\); starting a new one/);
    for (let i = 0; i < 6; i++) expect((await radio(listeners[3]!, { log: false })).status).toBe(200);
    // Metrics come from the processes that are up: the one starting is not waited for.
    const t = Date.now();
    expect((await call('/metrics')).status).toBe(200);
    expect(Date.now() - t).toBeLessThan(2_500);
    const deadline = Date.now() + 60_000;
    const replaced = () => {
      const now = children(server.proc.pid!);
      return now.length === 2 && !now.includes(victim!);
    };
    while (!replaced() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(replaced()).toBe(true);
    // The new worker serves too: its first requests come once it listens; every one succeeds.
    for (let i = 0; i < 6; i++) expect((await radio(listeners[4]!, { log: false })).status).toBe(200);
  }, 90_000);

  it('restarts the workers when all die at once', async () => {
    const before = children(server.proc.pid!);
    for (const pid of before) process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    const restarted = () => {
      const now = children(server.proc.pid!);
      return now.length === 2 && now.every((p) => !before.includes(p));
    };
    while (!restarted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(restarted()).toBe(true);
    expect(server.proc.exitCode).toBeNull();
    // Both listen again: requests on fresh connections reach each and succeed.
    const ready = Date.now() + 60_000;
    let ok = 0;
    while (ok < 4 && Date.now() < ready) {
      const r = await call('/readyz').catch(() => undefined);
      ok = r?.status === 200 ? ok + 1 : 0;
      if (ok < 4) await new Promise((res) => setTimeout(res, 100));
    }
    expect(ok).toBe(4);
  }, 120_000);

  it('stops every process on SIGTERM, exiting 0', async () => {
    const pids = children(server.proc.pid!);
    server.proc.kill('SIGTERM');
    expect(await exited(server.proc)).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 60_000);
});

describe('segue serve --workers 2, failures', () => {
  it('stops with exit code 1 and says why when the workers cannot start (port in use)', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const proc = segueAsync(['--store', db, 'serve', '--port', String(port), '--reload-interval', '0', '--workers', '2']);
      let err = '';
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      expect(await exited(proc)).toBe(1);
      expect(err).toMatch(new RegExp(`port ${port} on 127.0.0.1 is in use`));
      expect(err).toMatch(/worker \d failed to start \(code 1\); stopping/);
    } finally {
      taken.close();
    }
  }, 120_000);

  it('refuses an absurd --workers', () => {
    const r = segue(['--store', db, 'serve', '--workers', '500']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--workers must be at most 64/);
    const bad = segue(['--store', db, 'serve', '--workers', 'many']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--workers must be a whole number of processes \(1 or more\) or auto, got "many"/);
  });

  it('a killed primary takes its workers with it (Node\'s cluster ends them at once), freeing the port and the store', async () => {
    const s = await start();
    const pids = children(s.proc.pid!);
    expect(pids).toHaveLength(2);
    s.proc.kill('SIGKILL');
    await exited(s.proc);
    const deadline = Date.now() + 30_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
  }, 120_000);
});
