import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { segue } from './cli.js';
import { call, countRows, createTestDatabase, pgUp, segueJson, sleep, startServer, stats, tempDir, type TestDatabase, withClone } from './postgres.js';

/**
 * Every command on a PostgreSQL store: simulate straight into it, stats, train, eval and
 * recommend on it (these only read the shared world); keys, experiments, policies and the
 * HTTP server (one process and two), each in a copy of the world of its own.
 */
const dir = tempDir('segue-pg-commands-');
let world: TestDatabase | undefined;
let listener = '', seedTrack = '';
const topTracks: string[] = [];

interface Item { trackId: string; artistIds: string[] }
interface Rec { surface: string; items: Item[]; mixes?: Array<{ items: Item[] }> }

describe.runIf(pgUp)('segue commands on PostgreSQL', () => {
  beforeAll(async () => {
    world = await createTestDatabase();
    const sim = segueJson<{ output: string; format: string; events: number; plays: number; sessions: number; listeners: number; tracks: number; rejected: number }>(
      ['--store', world.url, 'simulate', '--listeners', '40', '--tracks', '800', '--days', '3', '--seed', '4']);
    expect(sim).toMatchObject({ output: world.url, format: 'store', listeners: 40, tracks: 800, rejected: 0 });
    expect(sim.events).toBeGreaterThan(1000);
    expect(await countRows(world.url, 'events')).toBe(sim.events);
    const s = stats(world.url) as { events: number; plays: number; sessions: number; tracks: number; mostActiveListeners: Array<{ id: string }>; topTracks: Array<{ id: string }> };
    // What simulate reported is what the store holds (tracks: music and podcast episodes).
    expect({ events: s.events, plays: s.plays, sessions: s.sessions }).toEqual({ events: sim.events, plays: sim.plays, sessions: sim.sessions });
    expect(s.tracks).toBeGreaterThanOrEqual(800);
    listener = s.mostActiveListeners[0]!.id;
    seedTrack = s.topTracks[0]!.id;
    topTracks.push(...s.topTracks.map((t) => t.id));

    const trained = segueJson<Array<{ model: string; version: number; bytes: number }>>(['--store', world.url, 'train']);
    expect(trained.map((m) => [m.model, m.version])).toEqual([['transitions', 1], ['sknn', 1], ['item2vec', 1], ['als', 1], ['content', 1], ['popularity', 1]]);
    for (const m of trained) expect(m.bytes, m.model).toBeGreaterThan(0);
    const ranker = segueJson<Array<{ model: string; version: number }>>(['--store', world.url, 'train', '--models', 'ranker']);
    expect(ranker.map((m) => [m.model, m.version])).toEqual([['ranker', 1]]);
    expect(await countRows(world.url, 'models')).toBe(7);
  }, 120_000);
  afterAll(async () => {
    await world?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('eval: next-track and skip report every model', () => {
    const next = segueJson<{ queries: number; models: string[]; results: Record<string, Record<string, number>> }>(['--store', world!.url, 'eval', '--task', 'next-track']);
    expect(next.queries).toBeGreaterThan(100);
    expect(next.models).toEqual(['popularity', 'markov', 'transitions', 'sknn', 'item2vec', 'blend']);
    expect(next.results.blend!['HR@10']).toBeGreaterThan(next.results.popularity!['HR@10']!);
    const skip = segueJson<{ queries: number; results: Record<string, Record<string, number>> }>(['--store', world!.url, 'eval', '--task', 'skip', '--models', 'majority,track-skip-rate']);
    expect(skip.queries).toBeGreaterThan(0);
    expect(Object.keys(skip.results)).toEqual(['majority', 'track-skip-rate']);
  });

  it('recommend: radio, autoplay, discovery, daily mixes and release radar answer from the store', () => {
    const rec = (...args: string[]): Rec => segueJson<Rec>(['--store', world!.url, 'recommend', ...args, '--no-log']);
    const radio = rec('radio', '--listener', listener, '--n', '20');
    expect(radio.items.length).toBe(20);
    expect(new Set(radio.items.map((x) => x.trackId)).size).toBe(20);
    expect(radio.items.every((x, k) => k === 0 || x.artistIds[0] !== radio.items[k - 1]!.artistIds[0])).toBe(true); // radio separates artists
    expect(rec('radio', '--listener', listener, '--n', '20').items).toEqual(radio.items); // the same request, the same answer
    const auto = rec('autoplay', '--listener', listener, '--seed-track', seedTrack, '--n', '10');
    expect(auto.items.length).toBe(10);
    expect(auto.items.map((x) => x.trackId)).not.toContain(seedTrack);
    expect(rec('discovery', '--listener', listener, '--n', '10').items.length).toBeGreaterThan(3);
    expect(rec('daily-mixes', '--listener', listener, '--n', '8').mixes!.length).toBeGreaterThan(0);
    expect(rec('release-radar', '--listener', listener, '--n', '5').surface).toBe('release-radar');
    expect(segue(['--store', world!.url, 'recommend', 'radio', '--listener', listener, '--seed-track', 'no-such-track']).stderr).toMatch(/^segue: .*no-such-track/);
  });

  it('keys: create, list without the secret, revoke; a logged recommendation is an exposure', async () => {
    await withClone(world!, async (db) => {
      const made = segueJson<{ id: string; key: string; scopes: string[] }>(['--store', db.url, 'keys', 'create', '--scopes', 'ingest,recommend', '--name', 'pg']);
      expect(made.scopes).toEqual(['ingest', 'recommend']);
      const list = segue(['--store', db.url, 'keys', 'list']);
      expect(list.status).toBe(0);
      expect(list.stdout).toContain(made.id);
      expect(list.stdout).not.toContain(made.key.slice(-20));
      expect(segue(['--store', db.url, 'keys', 'revoke', made.id]).status).toBe(0);
      expect(segue(['--store', db.url, 'keys', 'list']).stdout).toMatch(new RegExp(`${made.id}.*revoked`));
      const missing = segue(['--store', db.url, 'keys', 'revoke', 'ffffffffffffffff']);
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toMatch(/no key with id/);

      const r = segueJson<{ requestId: string }>(['--store', db.url, 'recommend', 'radio', '--listener', listener, '--n', '5']);
      expect(await countRows(db.url, `exposures WHERE request_id = '${r.requestId}'`)).toBe(1);
    });
  });

  it('experiment create, start, list, report, stop; policy save, list, show', async () => {
    await withClone(world!, async (db) => {
      const file = join(dir, 'exp.json');
      writeFileSync(file, JSON.stringify({ name: 'pg-exp', surfaces: ['radio'], holdout: 0.05,
        variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1, policy: { objectives: { emergingArtists: 0.4 } } }],
        metrics: { success: ['emergingShare'], guardrails: [{ metric: 'skipRate', margin: 0.03 }] } }));
      const c = segue(['--store', db.url, 'experiment', 'create', file]);
      expect(c.status, c.stderr).toBe(0);
      expect(c.stdout).toMatch(/created experiment pg-exp \(draft\)/);
      expect(segue(['--store', db.url, 'experiment', 'create', file]).stderr).toMatch(/^segue: an experiment named "pg-exp" exists already/);
      expect(segue(['--store', db.url, 'experiment', 'start', 'pg-exp']).stdout).toMatch(/pg-exp is running/);
      expect(segue(['--store', db.url, 'experiment', 'list']).stdout).toMatch(/pg-exp\s+running\s+radio/);
      // A running experiment assigns the listener a variant.
      const served = segueJson<{ policyId: string }>(['--store', db.url, 'recommend', 'radio', '--listener', listener, '--n', '5']);
      expect(served.policyId).toMatch(/^pg-exp:(control|treatment|holdout)$/);
      const r = segueJson<{ experiment: string; status: string; variants: Array<{ name: string }> }>(['--store', db.url, 'experiment', 'report', 'pg-exp']);
      expect(r).toMatchObject({ experiment: 'pg-exp', status: 'running', variants: [{ name: 'control' }, { name: 'treatment' }, { name: 'holdout' }] });
      expect(segue(['--store', db.url, 'experiment', 'stop', 'pg-exp']).stdout).toMatch(/is stopped/);
      expect(segue(['--store', db.url, 'experiment', 'stop', 'pg-exp']).stderr).toMatch(/only a running experiment can stop/);

      expect(segue(['--store', db.url, 'policy', 'save', 'fair', '{"objectives":{"emergingArtists":0.5}}']).stdout).toMatch(/saved policy fair version 1/);
      expect(segue(['--store', db.url, 'policy', 'save', 'fair', '{"objectives":{"emergingArtists":0.6}}']).stdout).toMatch(/saved policy fair version 2/);
      expect(segue(['--store', db.url, 'policy', 'save', 'broken', '{"objectives":{"flow":"x"}}']).stderr).toMatch(/objectives\.flow/);
      expect(segue(['--store', db.url, 'policy', 'list']).stdout).toMatch(/fair\s+2/);
      const shown = segueJson<{ name: string; version: number; policy: { objectives: Record<string, number> } }>(['--store', db.url, 'policy', 'show', 'fair']);
      expect(shown).toMatchObject({ name: 'fair', version: 2, policy: { objectives: { emergingArtists: 0.6 } } });
      expect(await countRows(db.url, 'policies')).toBe(2);
    });
  });

  /** A listener's radio over HTTP, then a ban of every track served; later answers hold none of them. */
  async function bansAreSeen(url: string, key: string, tag: string): Promise<void> {
    const radio = (): Promise<{ status: number; json: Record<string, unknown> }> => call(`${url}/v1/recommend/radio`, key, { listenerId: listener, n: 10, seed: 1 });
    const first = await radio();
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    const served = (first.json.items as Item[]).map((x) => x.trackId);
    expect(served.length).toBe(10);
    const now = Date.now();
    const ack = await call(`${url}/v1/events`, key, { events: served.map((trackId, k) => ({ type: 'ban', eventId: `${tag}-ban-${k}`, listenerId: listener, trackId, ts: now - 1000 + k })) });
    expect(ack.status, JSON.stringify(ack.json)).toBe(200);
    expect(ack.json).toMatchObject({ accepted: 10 });
    for (let i = 0; i < 4; i++) {
      const again = await radio();
      expect(again.status).toBe(200);
      expect((again.json.items as Item[]).filter((x) => served.includes(x.trackId))).toEqual([]);
    }
  }

  it('serve: ingests an event with a key from keys create, recommends over HTTP, stops on SIGTERM with exit 0', async () => {
    await withClone(world!, async (db) => {
      const { key } = segueJson<{ key: string }>(['--store', db.url, 'keys', 'create', '--scopes', 'ingest,recommend']);
      const server = await startServer(db.url);
      try {
        expect((await call(`${server.url}/readyz`, key)).json).toEqual({ status: 'ready' });
        const play = { type: 'play_end', eventId: 'pg-serve-1', listenerId: listener, trackId: topTracks[1], ts: Date.now() - 60_000, msPlayed: 120_000, endReason: 'trackdone' };
        const ack = await call(`${server.url}/v1/events`, key, { events: [play] });
        expect(ack.status, JSON.stringify(ack.json)).toBe(200);
        expect(ack.json).toMatchObject({ accepted: 1, duplicates: 0 });
        expect((await call(`${server.url}/v1/events`, key, { events: [play] })).json).toMatchObject({ accepted: 0, duplicates: 1 });
        expect(await countRows(db.url, "events WHERE event_id = 'pg-serve-1'")).toBe(1);
        expect((await call(`${server.url}/v1/recommend/radio`, 'sg_not_a_key', { listenerId: listener })).status).toBe(401);
        await bansAreSeen(server.url, key, 'one');
      } finally {
        server.proc.kill('SIGTERM');
      }
      expect(await server.exit).toEqual([0, null]);
    });
  }, 120_000);

  it('serve --workers 2: an event ingested through one process is seen by the next recommendation of either; SIGTERM stops both', async () => {
    await withClone(world!, async (db) => {
      const { key } = segueJson<{ key: string }>(['--store', db.url, 'keys', 'create', '--scopes', 'ingest,recommend']);
      const server = await startServer(db.url, ['--workers', '2']);
      let workers: number[] = [];
      try {
        workers = execFileSync('pgrep', ['-P', String(server.proc.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
        expect(workers).toHaveLength(2);
        expect((await call(`${server.url}/readyz`, key)).json).toEqual({ status: 'ready' });
        await bansAreSeen(server.url, key, 'two');
      } finally {
        server.proc.kill('SIGTERM');
      }
      expect(await server.exit).toEqual([0, null]);
      for (let i = 0; i < 100 && workers.some(alive); i++) await sleep(50);
      expect(workers.filter(alive)).toEqual([]);
    });
  }, 120_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
