import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../store/index.js';
import { simulate, writeToStore } from '../simulator/index.js';
import { trainModels } from '../models/index.js';
import { SURFACES } from '../sequencing/index.js';
import { buildServer } from './index.js';
import { AUTH_FAILURES_PER_MINUTE } from './app.js';
import type { Serving } from './serving.js';

/**
 * The HTTP API against a real embedded store holding a simulated world with trained models:
 * every route's contract, auth and scopes, rate limits, validation, garbage input, exposures,
 * radio feedback and station paging, and hot model reload.
 */
const dir = mkdtempSync(join(tmpdir(), 'segue-server-'));
const store = await openStore(join(dir, 'api.db'));
let app: FastifyInstance;
let serving: Serving;
const keys: Record<'ingest' | 'recommend' | 'admin' | 'both' | 'limited', string> = { ingest: '', recommend: '', admin: '', both: '', limited: '' };
let listener = '';
let tracks: string[] = [];
const auth = (k: string) => ({ authorization: `Bearer ${k}` });

beforeAll(async () => {
  const sim = simulate({ listeners: 120, tracks: 1500, days: 5, seed: 9 });
  await writeToStore(sim, store);
  await trainModels(store, ['transitions', 'popularity']);
  ({ app, serving } = await buildServer(store, { reloadIntervalMs: 100 }));
  await serving.start(100);
  for (const s of ['ingest', 'recommend', 'admin'] as const) keys[s] = (await store.keys.create({ scopes: [s] })).key;
  keys.both = (await store.keys.create({ scopes: ['ingest', 'recommend'] })).key;
  keys.limited = (await store.keys.create({ scopes: ['recommend'], rateLimit: 5 })).key;
  listener = (await store.stats({ top: 1 })).mostActiveListeners[0]!.id;
  tracks = (await store.stats({ top: 20 })).topTracks.map((t) => t.id);
}, 120_000);
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, body: unknown, key = keys.both) => app.inject({ method: 'POST', url, headers: { ...auth(key), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const get = (url: string, key = keys.admin) => app.inject({ method: 'GET', url, headers: auth(key) });

let seq = 0;
const T = Date.now() - 3_600_000;
const play = (l: string, trackId: string, extra: Record<string, unknown> = {}) => ({ type: 'play_end', eventId: `srv-${seq++}`, listenerId: l, trackId, ts: T + seq * 1000, msPlayed: 200_000, endReason: 'trackdone', ...extra });

describe('API contract', () => {
  it('answers health, readiness, metrics and the OpenAPI document without a key', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' });
    const doc = (await app.inject('/docs')).json() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/catalog', '/v1/evaluations', '/v1/events', '/v1/experiments', '/v1/experiments/{name}/report', '/v1/experiments/{name}/ship', '/v1/experiments/{name}/start', '/v1/experiments/{name}/stop',
      '/v1/exposures/{requestId}', '/v1/jobs', '/v1/jobs/tradeoff', '/v1/jobs/{id}', '/v1/jobs/{id}/cancel', '/v1/listeners/{id}', '/v1/listeners/{id}/history', '/v1/lookup', '/v1/metrics/summary', '/v1/models',
      '/v1/overview', '/v1/policies', '/v1/policies/{name}', '/v1/recommend/{surface}', '/v1/search', '/v1/surfaces/{surface}/policy', '/v1/whoami',
    ]);
    expect(Object.keys(doc.paths['/v1/recommend/{surface}']!.post!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '429', '503']));
    const m = await app.inject('/metrics');
    expect(m.headers['content-type']).toMatch(/text\/plain/);
    expect(m.body).toMatch(/segue_ready 1/);
    expect(m.body).toMatch(/segue_model_version\{model="transitions"\} 1/);
  });

  it('ingests a batch, commits it before answering, and folds it into the listener\'s profile', async () => {
    const before = await store.events.count();
    const batch = [play('api-new-listener', tracks[0]!), play('api-new-listener', tracks[1]!), { type: 'like', eventId: `srv-${seq++}`, listenerId: 'api-new-listener', trackId: tracks[1]!, ts: T + 999_000 }];
    const r = await post('/v1/events', { events: batch }, keys.ingest);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    expect(await store.events.count()).toBe(before + 3);
    // A retry of the same batch is safe.
    expect((await post('/v1/events', { events: batch }, keys.ingest)).json()).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
    const p = (await get('/v1/listeners/api-new-listener', keys.recommend)).json() as { known: boolean; topTracks: Array<{ id: string; likes: number }> };
    expect(p.known).toBe(true);
    expect(p.topTracks.map((x) => x.id)).toEqual(expect.arrayContaining([tracks[0], tracks[1]]));
    expect(p.topTracks.find((x) => x.id === tracks[1])!.likes).toBeGreaterThan(0);
    const unknown = (await get('/v1/listeners/nobody-at-all', keys.recommend)).json() as { known: boolean; topTracks: unknown[] };
    expect(unknown).toMatchObject({ known: false, topTracks: [] });
  });

  it('reports events the store refuses by index, and writes the rest', async () => {
    const r = await post('/v1/events', { events: [play(listener, tracks[2]!), play(listener, 'no-such-track')] }, keys.ingest);
    expect(r.statusCode).toBe(200);
    const body = r.json() as { accepted: number; rejected: Array<{ index: number; reason: string }> };
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([{ index: 1, reason: expect.stringMatching(/no-such-track/) }]);
  });

  it('upserts the catalog in one transaction', async () => {
    const r = await post('/v1/catalog', { tracks: [{ id: 'api-track-1', title: 'New', artists: [{ id: 'api-artist', name: 'New Artist' }], durationMs: 180_000 }], listeners: [{ id: 'api-listener', country: 'SE' }] }, keys.ingest);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ accepted: 2, rejected: [] });
    expect((await store.catalog.getTrack('api-track-1'))?.title).toBe('New');
    const bad = await post('/v1/catalog', { tracks: [{ id: 'x', title: 'T', artists: [], durationMs: -1 }] }, keys.ingest);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'bad_request', field: expect.stringMatching(/^\/tracks\/0\//) });
    expect(await store.catalog.getTrack('x')).toBeUndefined();
  });

  it('serves every surface, logs each response as an exposure and returns its request id', async () => {
    const seedTrack = (await store.stats({ top: 1 })).topTracks[0]!.id;
    const other = (await store.stats({ top: 3 })).mostActiveListeners[2]!.id;
    let playlist: Array<{ id: string }> | undefined;
    for await (const b of store.catalog.scanPlaylists()) {
      playlist = b;
      break;
    }
    for (const surface of SURFACES) {
      const body: Record<string, unknown> = { listenerId: listener, n: 10 };
      if (surface === 'autoplay') body.seedTrack = seedTrack;
      if (surface === 'blend') body.with = [other];
      if (surface === 'mood') body.mood = 'calm';
      if (surface === 'enhance') {
        if (!playlist?.[0]) continue;
        body.playlistId = playlist[0].id;
      }
      const r = await post(`/v1/recommend/${surface}`, body, keys.recommend);
      expect(r.statusCode, `${surface}: ${r.body}`).toBe(200);
      const res = r.json() as { requestId: string; surface: string; policyId: string; items: Array<{ trackId: string; position: number; score: number; propensity: number }>; mixes?: Array<{ items: unknown[] }> };
      expect(res.surface).toBe(surface);
      const items = res.mixes ? res.mixes.flatMap((m) => m.items) as typeof res.items : res.items;
      expect(items.length, surface).toBeGreaterThan(0);
      const x = (await get(`/v1/exposures/${res.requestId}`)).json() as { listenerId: string; surface: string; policyId: string; items: Array<{ trackId: string; position: number; propensity: number }> };
      expect(x).toMatchObject({ listenerId: listener, surface, policyId: res.policyId });
      expect(x.items.map((i) => i.trackId)).toEqual(items.map((i) => i.trackId));
      expect(x.items.every((i) => i.propensity > 0 && i.propensity <= 1)).toBe(true);
    }
  });

  it('applies policy overrides from the body and records them on the exposure', async () => {
    const r = await post('/v1/recommend/radio', { listenerId: listener, n: 20, policy: { constraints: { maxPerArtist: 1, maxPerAlbum: 1 }, objectives: { emergingArtists: 2 } } }, keys.recommend);
    expect(r.statusCode).toBe(200);
    const res = r.json() as { policyId: string; items: Array<{ artistIds: string[] }> };
    expect(res.policyId).toMatch(/^radio:[0-9a-f]{12}$/);
    const artists = res.items.map((i) => i.artistIds[0]);
    expect(new Set(artists).size).toBe(artists.length);
    const bad = await post('/v1/recommend/radio', { listenerId: listener, policy: { objectives: { flow: 'lots' } } }, keys.recommend);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'bad_request', field: '/policy', message: expect.stringMatching(/objectives\.flow/) });
    const wrong = await post('/v1/recommend/radio', { listenerId: listener, policy: { surface: 'blend' } }, keys.recommend);
    expect(wrong.json()).toMatchObject({ message: expect.stringMatching(/surface is "blend"/) });
    const none = await post('/v1/recommend/radio', { listenerId: listener, policy: { candidates: [{ source: 'fresh', k: 50 }] } }, keys.recommend);
    expect(none.statusCode).toBe(400);
    expect(none.json()).toMatchObject({ error: 'bad_request', field: '/policy', message: expect.stringMatching(/^policy\.candidates: radio retrieves from .* the policy names none of them \(fresh\)/) });
    // A request's cost grows with its candidates: a policy may not ask for more than 2,000.
    const huge = await post('/v1/recommend/radio', { listenerId: listener, policy: { candidates: [{ source: 'transitions', k: 1500 }, { source: 'popularity', k: 400 }, { source: 'transitions', k: 200 }] } }, keys.recommend);
    expect(huge.statusCode).toBe(400);
    expect(huge.json()).toMatchObject({ field: '/policy', message: 'policy.candidates: at most 2000 candidates from the retrieval sources in all, the policy asks for 2100' });
    const most = await post('/v1/recommend/radio', { listenerId: listener, n: 5, policy: { candidates: [{ source: 'transitions', k: 1500 }, { source: 'popularity', k: 500 }, { source: 'fresh', k: 500 }] } }, keys.recommend);
    expect(most.statusCode).toBe(200);
    // This store has transitions and popularity: a policy of untrained sources is refused, one of a trained source gets only its candidates.
    const untrained = await post('/v1/recommend/radio', { listenerId: listener, policy: { candidates: [{ source: 'sknn', k: 40 }, { source: 'als', k: 40 }] } }, keys.recommend);
    expect(untrained.statusCode).toBe(400);
    expect(untrained.json()).toMatchObject({ field: '/policy', message: expect.stringMatching(/no model of sknn, als is trained on this store \(trained: transitions, popularity/) });
    const one = (await post('/v1/recommend/radio', { listenerId: listener, n: 10, policy: { candidates: [{ source: 'transitions', k: 40 }] } }, keys.recommend)).json() as { items: Array<{ explanation: { sources: string[] } }> };
    expect(one.items.length).toBeGreaterThan(0);
    for (const it of one.items) expect(it.explanation.sources).toEqual(['transitions']);
  });

  it('pages a radio station without repeats and takes feedback: a disliked track and a twice-skipped artist stay out', async () => {
    const station = `st-${Date.now()}`;
    const first = (await post('/v1/recommend/radio', { listenerId: listener, stationId: station, n: 15 }, keys.recommend)).json() as { stationId: string; items: Array<{ trackId: string; artistIds: string[] }> };
    expect(first.stationId).toBe(station);
    const disliked = first.items[0]!.trackId;
    const skippedArtist = first.items[1]!.artistIds[0]!;
    const skippedTracks = first.items.filter((i) => i.artistIds[0] === skippedArtist).map((i) => i.trackId);
    const feedback = [{ trackId: disliked, signal: 'disliked' }, ...[...skippedTracks, ...skippedTracks].slice(0, 2).map((t, k) => ({ trackId: t, signal: 'skipped', ts: Date.now() - 10_000 + k }))];
    const second = (await post('/v1/recommend/radio', { listenerId: listener, stationId: station, n: 15, feedback }, keys.recommend)).json() as { items: Array<{ trackId: string; artistIds: string[] }> };
    const seen = new Set(first.items.map((i) => i.trackId));
    expect(second.items.length).toBe(15);
    expect(second.items.filter((i) => seen.has(i.trackId))).toEqual([]);
    expect(second.items.map((i) => i.artistIds[0])).not.toContain(skippedArtist);
    // The feedback became events, once even when the request is retried.
    const n = await store.events.count();
    await post('/v1/recommend/radio', { listenerId: listener, stationId: station, n: 5, feedback: feedback.slice(1) }, keys.recommend);
    expect(await store.events.count()).toBe(n);
  });

  it('lists trained models and the versions it serves', async () => {
    const m = (await get('/v1/models')).json() as { serving: Record<string, number>; models: Array<{ name: string; version: number }> };
    expect(m.serving).toMatchObject({ transitions: 1, popularity: 1 });
    expect(m.models.map((x) => x.name).sort()).toEqual(['popularity', 'transitions']);
  });
});

describe('auth and scopes', () => {
  it('401 without a key, with a wrong one, or a revoked one; 403 without the scope; admin may do anything', async () => {
    const none = await app.inject({ method: 'POST', url: '/v1/recommend/radio', payload: { listenerId: listener } });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.json()).toMatchObject({ error: 'unauthorized' });
    expect((await post('/v1/recommend/radio', { listenerId: listener }, keys.recommend.slice(0, -1) + (keys.recommend.endsWith('A') ? 'B' : 'A'))).statusCode).toBe(401);
    expect((await post('/v1/recommend/radio', { listenerId: listener }, 'not-a-key')).statusCode).toBe(401);
    const ingestOnly = await post('/v1/recommend/radio', { listenerId: listener }, keys.ingest);
    expect(ingestOnly.statusCode).toBe(403);
    expect(ingestOnly.json().message).toMatch(/lacks the recommend scope/);
    expect((await post('/v1/events', { events: [play(listener, tracks[3]!)] }, keys.recommend)).statusCode).toBe(403);
    expect((await get('/v1/models', keys.both)).statusCode).toBe(403);
    expect((await post('/v1/recommend/radio', { listenerId: listener, n: 3 }, keys.admin)).statusCode).toBe(200);
    // X-API-Key works too.
    expect((await app.inject({ method: 'GET', url: '/v1/models', headers: { 'x-api-key': keys.admin } })).statusCode).toBe(200);
    const temp = await store.keys.create({ scopes: ['recommend'] });
    expect((await post('/v1/recommend/radio', { listenerId: listener, n: 3 }, temp.key)).statusCode).toBe(200);
    await store.keys.revoke(temp.meta.id);
    expect((await post('/v1/recommend/radio', { listenerId: listener, n: 3 }, temp.key)).statusCode).toBe(401);
  });

  it('limits each key to its rate: 429 with Retry-After, other keys unaffected', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await get(`/v1/listeners/${listener}`, keys.limited)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const r = await get(`/v1/listeners/${listener}`, keys.limited);
    expect(r.headers['retry-after']).toBeDefined();
    expect(r.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/5 requests per minute/) });
    expect((await get(`/v1/listeners/${listener}`, keys.recommend)).statusCode).toBe(200);
  });

  it('refuses an address that keeps guessing keys, without locking out good keys from elsewhere', async () => {
    const guess = (k: string, ip: string) => app.inject({ method: 'GET', url: '/v1/models', headers: auth(k), remoteAddress: ip });
    const codes: number[] = [];
    for (let i = 0; i < AUTH_FAILURES_PER_MINUTE + 2; i++) codes.push((await guess(`sg_${'0'.repeat(16)}_${String(i).padStart(43, 'x')}`, '10.9.9.9')).statusCode);
    expect(codes.slice(0, AUTH_FAILURES_PER_MINUTE)).toEqual(new Array(AUTH_FAILURES_PER_MINUTE).fill(401));
    expect(codes.slice(AUTH_FAILURES_PER_MINUTE)).toEqual([429, 429]);
    // Even a good key from that address waits; another address is unaffected.
    expect((await guess(keys.admin, '10.9.9.9')).statusCode).toBe(429);
    expect((await guess(keys.admin, '10.9.9.10')).statusCode).toBe(200);
  });

  it('sends no CORS headers by default', async () => {
    const r = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('bad input', () => {
  it('names the field and the reason; writes nothing of an invalid batch', async () => {
    const before = await store.events.count();
    const r = await post('/v1/events', { events: [play(listener, tracks[4]!), play(listener, tracks[5]!, { msPlayed: -4 })] });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'bad_request', field: '/events/1', message: expect.stringMatching(/events\[1\]: msPlayed: .*got -4/) });
    expect(await store.events.count()).toBe(before);
    const n0 = await post('/v1/recommend/radio', { listenerId: listener, n: 0 }, keys.recommend);
    expect(n0.json()).toMatchObject({ field: '/n', message: expect.stringMatching(/^n: .*got 0/) });
    const extra = await post('/v1/recommend/radio', { listenerId: listener, color: 'red' }, keys.recommend);
    expect(extra.statusCode).toBe(400);
    expect((await post('/v1/recommend/nowhere', { listenerId: listener }, keys.recommend)).statusCode).toBe(400);
    expect((await post('/v1/recommend/autoplay', { listenerId: listener, seedTrack: 'no-such-track' }, keys.recommend)).statusCode).toBe(404);
    expect((await get('/v1/exposures/no-such-request')).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v2/nothing' })).statusCode).toBe(404);
  });

  it('413 for a body over the limit, 415 for a body that is not JSON, 400 for broken JSON', async () => {
    const big = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...auth(keys.ingest), 'content-type': 'application/json' }, payload: `{"events":[${'1,'.repeat(2_500_000)}1]}` });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'payload_too_large' });
    const text = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...auth(keys.ingest), 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    const broken = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...auth(keys.ingest), 'content-type': 'application/json' }, payload: '{"events":[' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: 'bad_request' });
  });

  it('random JSON and random bytes on every route yield only 4xx, never a crash, and leave the store intact', async () => {
    const before = await store.events.count();
    const routes = ['/v1/events', '/v1/catalog', '/v1/recommend/radio', '/v1/recommend/blend', '/v1/recommend/autoplay', '/v1/experiments', '/v1/experiments/x/ship'];
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          fc.json().map((s) => ({ type: 'application/json', body: s })),
          fc.jsonValue().map((v) => ({ type: 'application/json', body: JSON.stringify(typeof v === 'object' && v !== null && !Array.isArray(v) ? { events: [v], listenerId: v, ...v } : v) })),
          fc.uint8Array({ maxLength: 300 }).map((b) => ({ type: 'application/json', body: Buffer.from(b).toString('latin1') })),
          fc.uint8Array({ maxLength: 300 }).map((b) => ({ type: 'application/octet-stream', body: Buffer.from(b).toString('latin1') })),
        ),
        async (url, { type, body }) => {
          const r = await app.inject({ method: 'POST', url, headers: { ...auth(keys.admin), 'content-type': type }, payload: body });
          if (r.statusCode < 400 || r.statusCode >= 500 || /\bat .*\.js:\d+/.test(r.body) || !(JSON.parse(r.body) as { error?: string }).error) problems.push(`${url} ${r.statusCode} ${body.slice(0, 80)} -> ${r.body.slice(0, 200)}`);
        },
      ),
      { numRuns: 400, seed: 7 },
    );
    expect(problems).toEqual([]);
    expect(await store.events.count()).toBe(before);
    // The file itself, through a second connection: every committed page intact.
    const file = new Database(join(dir, 'api.db'), { readonly: true });
    expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
    file.close();
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });
});

describe('hot model reload', () => {
  it('serves a newly trained model version without a restart', async () => {
    const before = (await get('/v1/models')).json() as { serving: Record<string, number>; loadedAt: number };
    await trainModels(store, ['popularity']);
    let now = before;
    for (let i = 0; i < 100 && now.serving.popularity === before.serving.popularity; i++) {
      await new Promise((r) => setTimeout(r, 50));
      now = (await get('/v1/models')).json() as typeof before;
    }
    expect(now.serving.popularity).toBe(before.serving.popularity! + 1);
    expect(now.loadedAt).toBeGreaterThan(before.loadedAt);
    expect((await post('/v1/recommend/radio', { listenerId: listener, n: 5 }, keys.recommend)).statusCode).toBe(200);
    expect((await app.inject('/metrics')).body).toMatch(new RegExp(`segue_model_version\\{model="popularity"\\} ${now.serving.popularity}`));
  });

  it('makes tracks upserted through the API recommendable after the next refresh', async () => {
    // api-track-1 was added by the catalog test: the refresh reopened on the grown catalog.
    expect(serving.surfaces!.reco.table.indexOf('api-track-1')).toBeGreaterThanOrEqual(0);
  });
});

describe('experiments over the API', () => {
  it('creates, starts and reports an experiment; recommendations carry the listener\'s variant onto the exposure', async () => {
    const defn = { name: 'api-exp', surfaces: ['autoplay'], variants: [{ name: 'control', weight: 1 }, { name: 'fewer', weight: 1, policy: { constraints: { maxPerArtist: 1, maxPerAlbum: 1 } } }] };
    const created = await post('/v1/experiments', defn, keys.admin);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ status: 'draft', def: { name: 'api-exp' } });
    expect((await post('/v1/experiments', defn, keys.admin)).statusCode).toBe(409);
    expect((await post('/v1/experiments', { ...defn, name: 'bad', control: 'nope' }, keys.admin)).json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/control "nope"/) });
    expect((await post('/v1/experiments', defn, keys.recommend)).statusCode).toBe(403);
    expect((await post('/v1/experiments/api-exp/start', {}, keys.admin)).json()).toMatchObject({ status: 'running' });
    expect((await post('/v1/experiments/nope/start', {}, keys.admin)).statusCode).toBe(404);
    const seedTrack = tracks[0]!;
    const seen = new Map<string, string>();
    for (const l of ['lis1', 'lis2', 'lis3', 'lis4', 'lis5', 'lis6', 'lis7', 'lis8']) {
      const r = (await post('/v1/recommend/autoplay', { listenerId: l, seedTrack, n: 10 }, keys.recommend)).json() as { requestId: string; policyId: string; items: Array<{ artistIds: string[] }> };
      const x = (await get(`/v1/exposures/${r.requestId}`)).json() as { experiment: string; variant: string; policyId: string };
      expect(x.experiment).toBe('api-exp');
      expect(['control', 'fewer']).toContain(x.variant);
      expect(r.policyId).toBe(`api-exp:${x.variant}`);
      if (x.variant === 'fewer') expect(new Set(r.items.map((i) => i.artistIds[0])).size).toBe(r.items.length);
      // Sticky: the same listener, the same variant.
      const again = (await post('/v1/recommend/autoplay', { listenerId: l, seedTrack, n: 5 }, keys.recommend)).json() as { policyId: string };
      expect(again.policyId).toBe(r.policyId);
      seen.set(l, x.variant);
    }
    expect(new Set(seen.values()).size).toBe(2);
    // A request with its own policy is outside the experiment.
    const own = (await post('/v1/recommend/autoplay', { listenerId: 'lis1', seedTrack, n: 5, policy: { objectives: { flow: 2 } } }, keys.recommend)).json() as { policyId: string };
    expect(own.policyId).not.toMatch(/api-exp/);
    const rep = await get('/v1/experiments/api-exp/report');
    expect(rep.statusCode).toBe(200);
    expect(rep.json()).toMatchObject({ experiment: 'api-exp', status: 'running', variants: [{ name: 'control' }, { name: 'fewer' }], decision: { action: expect.any(String) } });
    expect((rep.json() as { variants: Array<{ listeners: number }> }).variants.reduce((a, v) => a + v.listeners, 0)).toBe(8);
    expect((await post('/v1/experiments/api-exp/stop', {}, keys.admin)).json()).toMatchObject({ status: 'stopped' });
    const after = (await post('/v1/recommend/autoplay', { listenerId: 'lis1', seedTrack, n: 5 }, keys.recommend)).json() as { policyId: string };
    expect(after.policyId).toBe('autoplay:default');
    expect(((await get('/v1/experiments')).json() as Array<{ name: string; status: string }>).find((x) => x.name === 'api-exp')!.status).toBe('stopped');
  });
});

describe('an interleaving experiment over the API', () => {
  it('merges both teams\' lists for every listener, marks each item\'s team on the response and the exposure, and reports the preference', async () => {
    const defn = {
      name: 'api-inter', design: 'interleave', surfaces: ['autoplay'],
      variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1, policy: { objectives: { satisfaction: 0.2, flow: 1 } } }],
    };
    expect((await post('/v1/experiments', { ...defn, name: 'inter-bad', surfaces: ['daily-mixes'] }, keys.admin)).json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/interleaving runs on radio, autoplay, discovery, mood/) });
    expect((await post('/v1/experiments', { ...defn, name: 'inter-three', variants: [...defn.variants, { name: 'c', weight: 1 }] }, keys.admin)).json()).toMatchObject({ message: expect.stringMatching(/exactly two variants/) });
    expect((await post('/v1/experiments', defn, keys.admin)).statusCode).toBe(201);
    expect((await post('/v1/experiments/api-inter/start', {}, keys.admin)).json()).toMatchObject({ status: 'running' });
    const seedTrack = tracks[0]!;
    const teams = { a: 0, b: 0 };
    for (const l of ['lis1', 'lis2', 'lis3', 'lis4']) {
      const r = (await post('/v1/recommend/autoplay', { listenerId: l, seedTrack, n: 10 }, keys.recommend)).json() as { requestId: string; policyId: string; items: Array<{ trackId: string; team?: 'a' | 'b' }> };
      expect(r.policyId).toBe('api-inter:interleaved');
      expect(r.items.length).toBe(10);
      expect(new Set(r.items.map((i) => i.trackId)).size).toBe(10);
      for (const i of r.items) teams[i.team!]++;
      const x = (await get(`/v1/exposures/${r.requestId}`)).json() as { variant: string; items: Array<{ trackId: string; team?: string }> };
      expect(x.variant).toBe('interleaved');
      expect(x.items.map((i) => i.team)).toEqual(r.items.map((i) => i.team));
    }
    // Every round places one track of each team.
    expect(teams).toEqual({ a: 20, b: 20 });
    const rep = await get('/v1/experiments/api-inter/report');
    expect(rep.statusCode).toBe(200);
    expect(rep.json()).toMatchObject({ experiment: 'api-inter', design: 'interleave', listeners: 4, exposures: 4, teams: [{ team: 'a', variant: 'a', picks: 20 }, { team: 'b', variant: 'b', picks: 20 }], sequential: { method: 'mixture-sprt' }, decision: { action: 'continue' } });
    expect((await post('/v1/experiments/api-inter/stop', {}, keys.admin)).json()).toMatchObject({ status: 'stopped' });
  });
});

describe('candidate logging', () => {
  it('logs the candidate set on a sampled share of exposures: the filtered pool in rank order, its scores and new flags; never in the answer', async () => {
    type Logged = { items: Array<{ trackId: string; propensity: number }>; candidates?: { trackIds: string[]; scores: number[]; isNew: string; seed: number } };
    const ask = async (body: Record<string, unknown>): Promise<{ answer: Record<string, unknown>; x: Logged }> => {
      const answer = (await post('/v1/recommend/radio', { seedTrack: tracks[0]!, n: 10, ...body }, keys.recommend)).json() as Record<string, unknown>;
      return { answer, x: (await get(`/v1/exposures/${answer.requestId as string}`)).json() as Logged };
    };
    const all = await ask({ listenerId: 'lis3', policy: { logging: { candidatesShare: 1 } } });
    expect(all.answer).not.toHaveProperty('candidates');
    const c = all.x.candidates!;
    expect(c.trackIds.length).toBeGreaterThan(all.x.items.length);
    expect(c.scores).toHaveLength(c.trackIds.length);
    expect(c.isNew).toMatch(new RegExp(`^[01]{${c.trackIds.length}}$`));
    expect(new Set(c.trackIds).size).toBe(c.trackIds.length);
    for (const it of all.x.items) expect(c.trackIds).toContain(it.trackId);
    for (const v of c.scores) expect(v).toBeGreaterThanOrEqual(0);
    // Storage: the candidates' share of the logged exposure.
    const bytes = JSON.stringify(all.x).length, without = JSON.stringify({ ...all.x, candidates: undefined }).length;
    expect((bytes - without) / c.trackIds.length).toBeLessThan(40);
    expect((await ask({ listenerId: 'lis3', policy: { logging: { candidatesShare: 0 } } })).x.candidates).toBeUndefined();
    // Only the surfaces that serve one ranked list log (and explore): daily mixes are served as ever.
    const mixes = (await post('/v1/recommend/daily-mixes', { listenerId: 'lis3', policy: { logging: { candidatesShare: 1 } } }, keys.recommend)).json() as { requestId: string };
    const mx = (await get(`/v1/exposures/${mixes.requestId}`)).json() as { items: Array<{ propensity: number }>; candidates?: unknown };
    expect(mx.candidates).toBeUndefined();
    expect(mx.items.length).toBeGreaterThan(0);
    expect(mx.items.every((i) => i.propensity === 1)).toBe(true);
    // A sampled radio request explores: some pick of its list was not certain.
    expect(all.x.items.some((i) => i.propensity < 1)).toBe(true);
    // The default share (5%): some of 300 requests (15 expected; none has odds of 2e-7), far from all.
    let logged = 0;
    for (let i = 0; i < 300; i++) if ((await ask({ listenerId: `lis${i % 8}` })).x.candidates) logged++;
    expect(logged).toBeGreaterThan(0);
    expect(logged).toBeLessThan(40);
  });
});

describe('a store without models', () => {
  it('is live but not ready, answers 503 to recommend with what to do, and ingests', async () => {
    const empty = await openStore(join(dir, 'empty.db'));
    const s = await buildServer(empty, { reloadIntervalMs: 0 });
    await s.serving.start(0);
    const k = (await empty.keys.create({ scopes: ['admin'] })).key;
    expect((await s.app.inject('/healthz')).statusCode).toBe(200);
    expect((await s.app.inject('/readyz')).statusCode).toBe(503);
    const r = await s.app.inject({ method: 'POST', url: '/v1/recommend/radio', headers: auth(k), payload: { listenerId: 'u' } });
    expect(r.statusCode).toBe(503);
    expect(r.json().message).toMatch(/segue train/);
    const cat = await s.app.inject({ method: 'POST', url: '/v1/catalog', headers: auth(k), payload: { tracks: [{ id: 't', title: 'T', artists: [{ id: 'a', name: 'A' }], durationMs: 1000 }] } });
    expect(cat.statusCode).toBe(200);
    const ev = await s.app.inject({ method: 'POST', url: '/v1/events', headers: auth(k), payload: { events: [play('u', 't')] } });
    expect(ev.json()).toMatchObject({ accepted: 1 });
    await s.app.close();
    await empty.close();
  });

  it('becomes ready without a restart when the first model is trained', async () => {
    const fresh = await openStore(join(dir, 'later.db'));
    await writeToStore(simulate({ listeners: 30, tracks: 300, days: 2, seed: 4 }), fresh);
    const s = await buildServer(fresh, { reloadIntervalMs: 50 });
    await s.serving.start(50);
    expect((await s.app.inject('/readyz')).statusCode).toBe(503);
    await trainModels(fresh, ['popularity']);
    let code = 503;
    for (let i = 0; i < 100 && code !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      code = (await s.app.inject('/readyz')).statusCode;
    }
    expect(code).toBe(200);
    const k = (await fresh.keys.create({ scopes: ['recommend'] })).key;
    const r = await s.app.inject({ method: 'POST', url: '/v1/recommend/radio', headers: auth(k), payload: { listenerId: 'lis1', n: 5 } });
    expect(r.statusCode).toBe(200);
    await s.app.close();
    await fresh.close();
  });
});
