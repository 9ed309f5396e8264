import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { openStore, type Store } from '../store/index.js';
import { defaultPolicy } from '../sequencing/index.js';
import { buildServer } from './index.js';
import { registerConsole } from './routes/console.js';
import { JobRunner } from './jobs.js';
import { parseSweep } from '../evaluation/index.js';

/**
 * The console's background jobs (a trade-off frontier traced in a worker thread, which runs
 * the compiled code in dist/: `npm run build` first) and its static files. The jobs build
 * their own simulated world, so the store here is empty. The read routes: console-api.test.ts.
 */
let store: Store;
let app: FastifyInstance;
let key = '';
const auth = () => ({ authorization: `Bearer ${key}` });
const get = (url: string) => app.inject({ method: 'GET', url, headers: auth() });
const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, headers: { ...auth(), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

beforeAll(async () => {
  store = await openStore(':memory:');
  ({ app } = await buildServer(store, { reloadIntervalMs: 0 }));
  key = (await store.keys.create({ scopes: ['read'] })).key;
});
afterAll(async () => {
  await app.close();
  await store.close();
});

interface Arm { listenThrough: number; minutes: number; emergingShare: number; plays: number }
interface Job {
  id: string; status: string; progress: number; message: string; finishedAt: number | null; params: Record<string, unknown>;
  result?: { surface: string; objective: string; points: Array<Arm & { weight: number }>; baseline: Arm; current?: Arm & { weight: number } };
  error?: string;
}

describe('trade-off jobs', () => {
  // The smallest world the route accepts: a run takes a few seconds.
  const tiny = { surface: 'radio', objective: 'emergingArtists', from: 0, to: 0.5, step: 0.5, listeners: 50, tracks: 500, days: 2, sessions: 10, length: 5, policy: {} };

  it('runs one job at a time in a worker thread and reports its progress and frontier', async () => {
    const started = await post('/v1/jobs/tradeoff', tiny);
    expect(started.statusCode, started.body).toBe(202);
    const job = started.json() as Job;
    expect(job).toMatchObject({ id: expect.any(String), status: 'running', progress: 0, finishedAt: null, params: { surface: 'radio', objective: 'emergingArtists', values: [0, 0.5], listeners: 50, current: true } });
    // A second while the first runs: 409 naming the running one. Validation comes first: a too-wide sweep is 400 even now.
    const second = await post('/v1/jobs/tradeoff', tiny);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: 'conflict', message: expect.stringContaining(job.id) });
    const wide = await post('/v1/jobs/tradeoff', { ...tiny, from: 0, to: 2.2, step: 0.1 });
    expect(wide.statusCode).toBe(400);
    expect(wide.json()).toMatchObject({ error: 'bad_request', field: '/step', message: expect.stringMatching(/at most 21 points .* makes 23/) });
    expect((await get('/v1/jobs/no-such-job')).statusCode).toBe(404);

    const t0 = Date.now();
    let now = job;
    const progress: number[] = [];
    while (now.status === 'running' && Date.now() - t0 < 100_000) {
      await new Promise((r) => setTimeout(r, 200));
      now = (await get(`/v1/jobs/${job.id}`)).json() as Job;
      progress.push(now.progress);
    }
    expect(now.error).toBeUndefined();
    expect(now).toMatchObject({ status: 'done', progress: 1, message: 'done', finishedAt: expect.any(Number) });
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const result = now.result!;
    expect(result).toMatchObject({ surface: 'radio', objective: 'emergingArtists' });
    expect(result.points.map((p) => p.weight)).toEqual([0, 0.5]);
    for (const arm of [...result.points, result.baseline, result.current!]) {
      expect(arm.listenThrough).toBeGreaterThanOrEqual(0);
      expect(arm.listenThrough).toBeLessThanOrEqual(1);
      expect(arm.plays).toBeGreaterThan(0);
    }
    // policy {} is the surface's default: the current point sits at its weight of the swept objective.
    expect(result.current!.weight).toBe(defaultPolicy('radio').objectives.emergingArtists ?? 0);
    // Recent jobs are listed without their results.
    const list = (await get('/v1/jobs')).json() as Job[];
    expect(list[0]).toMatchObject({ id: job.id, status: 'done' });
    expect(list[0]!.result).toBeUndefined();

    // Done: the next one starts, and can be stopped.
    const next = await post('/v1/jobs/tradeoff', tiny);
    expect(next.statusCode).toBe(202);
    const id = (next.json() as Job).id;
    const cancelled = await post(`/v1/jobs/${id}/cancel`, {});
    expect(cancelled.json()).toMatchObject({ id, status: 'cancelled' });
    expect((await post(`/v1/jobs/${id}/cancel`, {})).statusCode).toBe(409);
  }, 120_000);

  it('refuses a bad sweep or world before starting anything', async () => {
    const backwards = await post('/v1/jobs/tradeoff', { ...tiny, from: 1, to: 0.5 });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ field: '/step', message: expect.stringMatching(/^sweep: /) });
    const small = await post('/v1/jobs/tradeoff', { ...tiny, listeners: 10 });
    expect(small.json()).toMatchObject({ error: 'bad_request', field: '/listeners' });
    const policy = await post('/v1/jobs/tradeoff', { ...tiny, policy: { objectives: { flow: 'x' } } });
    expect(policy.statusCode).toBe(400);
    expect(policy.json().message).toMatch(/objectives\.flow/);
    expect(((await get('/v1/jobs')).json() as Job[]).every((j) => j.status !== 'running')).toBe(true);
  });
});

describe('the job runner', () => {
  it('keeps the 20 newest jobs however they end, and a stopped job stays as it was stopped', async () => {
    const runner = new JobRunner();
    const sweep = parseSweep('emergingArtists=0:0.5:0.5');
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const job = runner.tradeoff('radio', sweep, { listeners: 50, tracks: 500, days: 2, sessions: 10, length: 5, seed: 3 })!;
      ids.push(job.id);
      expect(await runner.cancel(job.id)).toBe(true);
      // Start times differ, so that "newest" is well defined.
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(runner.busy).toBeUndefined();
    expect(runner.list().map((j) => j.id)).toEqual(ids.slice(-20).reverse());
    await new Promise((r) => setTimeout(r, 300));
    for (const j of runner.list()) expect(j).toMatchObject({ status: 'cancelled', message: 'cancelled', progress: 0 });
  }, 60_000);
});

describe('the console\'s files', () => {
  it('redirects /console to /console/ and serves the built page with a content security policy', async () => {
    const bare = await app.inject('/console');
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');
    const page = await app.inject('/console/');
    expect(page.statusCode, 'dist/console is missing: run npm run build').toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('<div id="app">');
    // Its script, by content hash: cached for good.
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    const asset = await app.inject(script);
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
  });

  it('says to build it when there is no bundle', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'segue-no-console-'));
    const bare = Fastify();
    try {
      await registerConsole(bare, empty);
      for (const url of ['/console/', '/console/assets/x.js']) {
        const r = await bare.inject(url);
        expect(r.statusCode).toBe(503);
        expect(r.body).toMatch(/not built: run `npm run build`/);
      }
      expect((await bare.inject('/console')).headers.location).toBe('/console/');
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
