import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { SegueEvent, Track } from '../domain/index.js';
import { openStore } from '../store/index.js';
import { simulate, writeToStore } from '../simulator/index.js';
import { trainModels } from '../models/index.js';
import { defaultPolicy } from '../sequencing/index.js';
import { createExperiment, startExperiment, stopExperiment } from '../experiments/index.js';
import { saveEvalReport } from '../evaluation/index.js';
import { buildServer } from './index.js';
import type { Serving } from './serving.js';

/**
 * The read routes of the web console against a small simulated world with trained models, plus
 * hand-made records whose answers are known by construction: the `read` scope, search, lookup,
 * a listener's history, saved policies, evaluation reports, the metrics summary and the daily
 * path of an experiment's sequential test. Jobs and the console's files: console-jobs.test.ts.
 */
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'segue-console-api-'));
const store = await openStore(join(dir, 'console.db'));
let app: FastifyInstance;
let serving: Serving;
const keys = { read: '', recommend: '', ingest: '', admin: '' };
let readMeta = { id: '', name: '', scopes: [] as string[] };
let listener = '';
const auth = (k: string) => ({ authorization: `Bearer ${k}` });
const get = (url: string, key = keys.read) => app.inject({ method: 'GET', url, headers: auth(key) });
const send = (method: 'POST' | 'PUT', url: string, body: unknown, key = keys.read) =>
  app.inject({ method, url, headers: { ...auth(key), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

// Hand-made catalog: titles for search, genres and artists for the history's tallies.
const track = (id: string, title: string, artist: string, genres: string[] = []): Track => ({ id, title, artists: [{ id: artist, name: `Name of ${artist}` }], durationMs: 200_000, genres });
const ZEPHYRS = [track('cx-a', 'Quiet Zephyr', 'cx-art1'), track('cx-b', 'ZEPHYR Dawn', 'cx-art1'), track('cx-c', 'zephyrine', 'cx-art2'), track('cx-d', 'Old Zephyr Road', 'cx-art2'), track('cx-e', 'Zephyr Coda', 'cx-art2')];
const GENRED = [track('cx-g1', 'Dub Ska One', 'cx-art1', ['dub', 'ska']), track('cx-g2', 'Ska Two', 'cx-art2', ['ska'])];

/** A listener's log, answers known by construction: its newest event at H, one old play 45 days before. */
const H = Math.floor((Date.now() - 5 * DAY) / 1000) * 1000;
const HOUR = 3_600_000;
const histEvents: SegueEvent[] = [
  { type: 'play_end', eventId: 'h0', listenerId: 'hist-1', trackId: 'cx-g1', ts: H - 45 * DAY, msPlayed: 200_000, skipped: false },
  { type: 'play_end', eventId: 'h1', listenerId: 'hist-1', trackId: 'cx-g1', ts: H - 2 * DAY, msPlayed: 200_000, skipped: false },
  { type: 'play_end', eventId: 'h2', listenerId: 'hist-1', trackId: 'cx-g1', ts: H - 2 * DAY + HOUR, msPlayed: 10_000, skipped: true },
  { type: 'skip', eventId: 'h3', listenerId: 'hist-1', trackId: 'cx-g1', ts: H - 3 * HOUR, msPlayed: 5_000 },
  // A play of unknown skip status (no flag, no end reason): a play, neither a skip nor a listen.
  { type: 'play_end', eventId: 'h4', listenerId: 'hist-1', trackId: 'cx-g2', ts: H - 2 * HOUR, msPlayed: 100_000 },
  { type: 'like', eventId: 'h5', listenerId: 'hist-1', trackId: 'cx-g2', ts: H - HOUR },
  { type: 'play_start', eventId: 'h6', listenerId: 'hist-1', trackId: 'cx-g2', ts: H - HOUR + 1000 },
  { type: 'play_end', eventId: 'h7', listenerId: 'hist-1', trackId: 'cx-g2', ts: H, msPlayed: 200_000, skipped: false },
].map((e) => ({ source: 'test', ...e }) as SegueEvent);

beforeAll(async () => {
  await writeToStore(simulate({ listeners: 60, tracks: 600, days: 3, seed: 5 }), store);
  await trainModels(store, ['transitions', 'popularity']);
  const r = await store.ingest({ tracks: [...ZEPHYRS, ...GENRED], listeners: [{ id: 'hist-1', country: 'SE' }], events: histEvents });
  expect(r.rejected).toEqual([]);
  ({ app, serving } = await buildServer(store, { reloadIntervalMs: 0 }));
  await serving.start(0);
  const reader = await store.keys.create({ scopes: ['read'], name: 'console-reader' });
  keys.read = reader.key;
  readMeta = { id: reader.meta.id, name: reader.meta.name, scopes: reader.meta.scopes };
  for (const s of ['recommend', 'ingest', 'admin'] as const) keys[s] = (await store.keys.create({ scopes: [s] })).key;
  listener = (await store.stats({ top: 1 })).mostActiveListeners[0]!.id;
}, 120_000);
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the read scope', () => {
  it('reads everything the console shows', async () => {
    await createExperiment(store, { name: 'read-x', surfaces: ['radio'], variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1 }] });
    for (const url of ['/v1/overview', '/v1/models', '/v1/experiments', '/v1/experiments/read-x/report', '/v1/policies', '/v1/search?q=zephyr&kind=track', `/v1/listeners/${listener}/history`, '/v1/evaluations', '/v1/metrics/summary']) {
      const r = await get(url);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
    }
    // Regression (0a868ee typed the report's reply, whose serializer throws on NaN): what cannot be estimated yet is null, not a 500.
    expect((await get('/v1/experiments/read-x/report')).json()).toMatchObject({ status: 'draft', srm: { chi2: null, pValue: null, ok: true }, metrics: [] });
    const overview = (await get('/v1/overview')).json() as { counts: Record<string, number>; serving: Record<string, number>; ready: boolean };
    const counts = await store.catalog.counts();
    expect(overview.counts).toEqual({ ...counts, events: await store.events.count() });
    expect(overview.serving).toEqual({ transitions: 1, popularity: 1 });
    expect(overview.ready).toBe(true);
    const experiments = (await get('/v1/experiments')).json() as Array<{ name: string; status: string }>;
    expect(experiments).toContainEqual(expect.objectContaining({ name: 'read-x', status: 'draft' }));
  });

  it('changes nothing: 403 naming the scope it lacks', async () => {
    const writes = [
      await send('PUT', '/v1/policies/mine', { objectives: { flow: 1 } }),
      await send('POST', '/v1/experiments', { name: 'by-reader', surfaces: ['radio'], variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }] }),
      await send('POST', '/v1/experiments/read-x/ship', { variant: 'treatment' }),
    ];
    for (const r of writes) {
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ error: 'forbidden', message: expect.stringMatching(/lacks the admin scope \(it has read\)/) });
    }
    const ev = await send('POST', '/v1/events', { events: [{ type: 'like', eventId: 'by-reader', listenerId: listener, trackId: 'cx-a', ts: Date.now() }] });
    expect(ev.statusCode).toBe(403);
    expect(ev.json().message).toMatch(/lacks the ingest scope/);
    expect(await store.policies.get('mine')).toBeUndefined();
    expect((await store.experiments.list()).map((x) => x.name)).not.toContain('by-reader');
  });

  it('whoami answers the key itself, for every scope; a recommend key searches but has no overview', async () => {
    expect((await get('/v1/whoami')).json()).toEqual({ id: readMeta.id, name: 'console-reader', scopes: ['read'] });
    for (const k of ['recommend', 'ingest'] as const) {
      const r = await get('/v1/whoami', keys[k]);
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ scopes: [k] });
    }
    expect((await get('/v1/search?q=zephyr&kind=track', keys.recommend)).statusCode).toBe(200);
    // Who listens is the service's to look at (read), not an app's.
    const listeners = await get('/v1/search?q=hist-&kind=listener', keys.recommend);
    expect(listeners.statusCode).toBe(403);
    expect(listeners.json().message).toMatch(/searching listeners needs the read scope/);
    const overview = await get('/v1/overview', keys.recommend);
    expect(overview.statusCode).toBe(403);
    expect(overview.json().message).toMatch(/lacks the read scope/);
    expect((await app.inject('/v1/whoami')).statusCode).toBe(401);
  });
});

describe('search and lookup', () => {
  it('takes q, kind and limit from the query string (limit as text), ignoring case, prefixes first', async () => {
    const names = async (url: string) => ((await get(url)).json() as { results: Array<{ id: string; name: string }> }).results;
    // Prefix matches (any case) first, then by id; the limit arrives as the text '3'.
    expect(await names('/v1/search?q=zephyr&kind=track&limit=3')).toEqual([
      { id: 'cx-b', name: 'ZEPHYR Dawn' }, { id: 'cx-c', name: 'zephyrine' }, { id: 'cx-e', name: 'Zephyr Coda' },
    ]);
    expect((await names('/v1/search?q=ZePhYr&kind=track')).map((x) => x.id)).toEqual(['cx-b', 'cx-c', 'cx-e', 'cx-a', 'cx-d']);
    expect(await names('/v1/search?q=name%20of%20cx-art&kind=artist')).toEqual([{ id: 'cx-art1', name: 'Name of cx-art1' }, { id: 'cx-art2', name: 'Name of cx-art2' }]);
    expect(await names('/v1/search?q=hist-&kind=listener')).toEqual([{ id: 'hist-1', name: 'hist-1' }]);
    const bad = await get('/v1/search?q=zephyr&kind=album');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'bad_request', field: '/kind', message: expect.stringMatching(/^kind/) });
    const limit = await get('/v1/search?q=zephyr&kind=track&limit=many');
    expect(limit.statusCode).toBe(400);
    expect(limit.json()).toMatchObject({ field: '/limit' });
  });

  it('looks up known tracks and artists by id and leaves unknown ids out', async () => {
    const r = await send('POST', '/v1/lookup', { tracks: ['cx-a', 'no-such-track', 'cx-g1', 'cx-a'], artists: ['cx-art2', 'no-such-artist'] });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { tracks: Record<string, Track>; artists: Record<string, { id: string; name: string }> };
    expect(Object.keys(body.tracks).sort()).toEqual(['cx-a', 'cx-g1']);
    expect(body.tracks['cx-a']).toMatchObject({ title: 'Quiet Zephyr', artists: [{ id: 'cx-art1', name: 'Name of cx-art1' }] });
    expect(body.tracks['cx-g1']!.genres).toEqual(['dub', 'ska']);
    expect(body.artists).toEqual({ 'cx-art2': expect.objectContaining({ id: 'cx-art2', name: 'Name of cx-art2' }) });
    const many = await send('POST', '/v1/lookup', { tracks: Array.from({ length: 1001 }, (_, i) => `t${i}`) });
    expect(many.statusCode).toBe(400);
    expect(many.json()).toMatchObject({ error: 'bad_request', field: '/tracks' });
    expect((await send('POST', '/v1/lookup', { tracks: [] }, keys.ingest)).statusCode).toBe(403);
  });
});

interface Row { id: string; name?: string; plays: number; skips: number; listens: number; likes: number; skipRate: number | null }
interface History { since: number; until: number; total: number; sessions: number; events: Array<{ ts: number; type: string; trackId?: string; skipped?: boolean }>; genres: Row[]; artists: Row[] }

describe('a listener\'s history', () => {
  const history = async (query = '', id = 'hist-1') => {
    const r = await get(`/v1/listeners/${id}/history${query}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as History;
  };

  it('tallies plays, skips, listens and likes per genre and artist; the default window ends at the newest event', async () => {
    const h = await history();
    expect(h.until).toBe(H);
    expect(h.since).toBe(H - 30 * DAY);
    // The play 45 days back is outside; the rest, play_start included, is in.
    expect(h.events.map((e) => e.ts)).toEqual(histEvents.slice(1).map((e) => e.ts));
    expect(h.total).toBe(7);
    // cx-g1 (dub, ska; cx-art1): a listen and two skips; cx-g2 (ska; cx-art2): one play of unknown status, a listen and a like.
    expect(h.genres).toEqual([
      { id: 'ska', plays: 5, skips: 2, listens: 2, likes: 1, skipRate: 0.5 },
      { id: 'dub', plays: 3, skips: 2, listens: 1, likes: 0, skipRate: 0.6667 },
    ]);
    expect(h.artists).toEqual([
      { id: 'cx-art1', name: 'Name of cx-art1', plays: 3, skips: 2, listens: 1, likes: 0, skipRate: 0.6667 },
      { id: 'cx-art2', name: 'Name of cx-art2', plays: 2, skips: 0, listens: 1, likes: 1, skipRate: 0 },
    ]);
  });

  it('respects until and days (given as text)', async () => {
    const lastDay = await history(`?until=${H}&days=1`);
    expect([lastDay.since, lastDay.until]).toEqual([H - DAY, H]);
    expect(lastDay.events.map((e) => e.type)).toEqual(['skip', 'play_end', 'like', 'play_start', 'play_end']);
    expect(lastDay.artists.find((a) => a.id === 'cx-art1')).toMatchObject({ plays: 1, skips: 1, listens: 0, skipRate: 1 });
    const old = await history(`?until=${H - 40 * DAY}&days=10`);
    expect(old.events.map((e) => e.ts)).toEqual([H - 45 * DAY]);
    expect(old.genres.map((g) => [g.id, g.plays, g.listens])).toEqual([['dub', 1, 1], ['ska', 1, 1]]);
    const bad = await get('/v1/listeners/hist-1/history?days=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: '/days' });
  });

  it('reads only the newest `limit` events of the window from the store, and counts the rest', async () => {
    // A listener with a million events must not be loaded whole: every read of the log is limited.
    const reads = vi.spyOn(store.events, 'forListener');
    try {
      const h = await history('?limit=2');
      expect(h.events.map((e) => e.ts)).toEqual([H - HOUR + 1000, H]);
      expect(h.total).toBe(7);
      expect(h.artists).toEqual([{ id: 'cx-art2', name: 'Name of cx-art2', plays: 1, skips: 0, listens: 1, likes: 0, skipRate: 0 }]);
      expect(reads.mock.calls.length).toBeGreaterThan(0);
      for (const [, opts] of reads.mock.calls) expect(opts).toMatchObject({ limit: expect.any(Number), newest: true });
      expect(reads.mock.calls.every(([, opts]) => opts!.limit! <= 2)).toBe(true);
    } finally {
      reads.mockRestore();
    }
  });

  it('adds up for a simulated listener: each artist\'s plays are the returned plays of its tracks', async () => {
    const h = await history('', listener);
    expect(h.events.length).toBeGreaterThan(20);
    expect(h.until).toBe(h.events.at(-1)!.ts);
    const ids = [...new Set(h.events.flatMap((e) => (e.trackId ? [e.trackId] : [])))];
    const { tracks } = (await send('POST', '/v1/lookup', { tracks: ids })).json() as { tracks: Record<string, Track> };
    for (const a of h.artists) {
      const plays = h.events.filter((e) => (e.type === 'play_end' || e.type === 'skip') && tracks[e.trackId!]?.artists[0]?.id === a.id);
      const skips = plays.filter((e) => e.type === 'skip' || e.skipped === true).length;
      const listens = plays.filter((e) => e.type === 'play_end' && e.skipped === false).length;
      expect({ id: a.id, plays: a.plays, skips: a.skips, listens: a.listens }).toEqual({ id: a.id, plays: plays.length, skips, listens });
      expect(a.plays).toBeGreaterThanOrEqual(a.skips + a.listens);
      expect(a.skipRate).toBe(a.skips + a.listens > 0 ? Number((a.skips / (a.skips + a.listens)).toPrecision(4)) : null);
    }
    // Most played first.
    expect(h.artists.map((a) => a.plays)).toEqual([...h.artists.map((a) => a.plays)].sort((x, y) => y - x));
  });
});

describe('policies', () => {
  it('serves each surface\'s default whole', async () => {
    const r = await get('/v1/surfaces/radio/policy');
    expect(r.json()).toEqual(JSON.parse(JSON.stringify(defaultPolicy('radio'))));
    expect((await get('/v1/surfaces/nowhere/policy')).statusCode).toBe(400);
  });

  it('saves partials as new versions, refuses an invalid one naming the field, and a bad name', async () => {
    const first = await send('PUT', '/v1/policies/calm-radio', { objectives: { flow: 2 } }, keys.admin);
    expect(first.json()).toEqual({ name: 'calm-radio', version: 1 });
    const second = await send('PUT', '/v1/policies/calm-radio', { objectives: { flow: 3 }, constraints: { maxPerArtist: 1, maxPerAlbum: 1 } }, keys.admin);
    expect(second.json()).toEqual({ name: 'calm-radio', version: 2 });
    expect((await get('/v1/policies/calm-radio')).json()).toMatchObject({ name: 'calm-radio', version: 2, policy: { objectives: { flow: 3 }, constraints: { maxPerArtist: 1, maxPerAlbum: 1 } } });
    expect((await get('/v1/policies')).json()).toContainEqual(expect.objectContaining({ name: 'calm-radio', version: 2 }));
    expect((await get('/v1/policies/nothing-saved')).statusCode).toBe(404);

    const notNumber = await send('PUT', '/v1/policies/calm-radio', { objectives: { flow: 'x' } }, keys.admin);
    expect(notNumber.statusCode).toBe(400);
    expect(notNumber.json()).toMatchObject({ error: 'bad_request', field: '/policy', message: expect.stringMatching(/objectives\.flow/) });
    const unknown = await send('PUT', '/v1/policies/calm-radio', { colour: 'blue' }, keys.admin);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/colour/);
    const badName = await send('PUT', '/v1/policies/Calm%20Radio', { objectives: { flow: 2 } }, keys.admin);
    expect(badName.statusCode).toBe(400);
    expect(badName.json().message).toMatch(/policy name must be lowercase/);
    // None of the refused ones was saved.
    expect((await get('/v1/policies/calm-radio')).json()).toMatchObject({ version: 2 });
  });
});

describe('evaluation reports', () => {
  it('lists saved reports; they are neither models nor a reason to reload', async () => {
    const before = { versions: { ...serving.surfaces!.reco.versions }, loadedAt: serving.loadedAt };
    await saveEvalReport(store, 'next-track', { task: 'next-track', k: 10, metrics: { hitRate: 0.25 } });
    await saveEvalReport(store, 'next-track', { task: 'next-track', k: 10, metrics: { hitRate: 0.3 } });
    const evals = (await get('/v1/evaluations')).json() as Array<{ task: string; version: number; report: Record<string, unknown> }>;
    expect(evals).toEqual([{ task: 'next-track', version: 2, createdAt: expect.any(Number), report: { task: 'next-track', k: 10, metrics: { hitRate: 0.3 } } }]);
    const models = (await get('/v1/models')).json() as { serving: Record<string, number>; models: Array<{ name: string }> };
    expect(models.models.map((m) => m.name).sort()).toEqual(['popularity', 'transitions']);
    // A refresh sees nothing new: no reopen, the same versions.
    expect(await serving.refresh()).toBe(false);
    expect(serving.surfaces!.reco.versions).toEqual(before.versions);
    expect(serving.loadedAt).toBe(before.loadedAt);
    expect(models.serving).toEqual(before.versions);
  });
});

interface Summary { requests: number; surfaces: Record<string, { count: number; sum: number; buckets: Array<{ le: number; count: number }> }> }

describe('metrics summary', () => {
  it('counts the recommendations answered per surface in a cumulative latency histogram', async () => {
    const summary = async () => (await get('/v1/metrics/summary')).json() as Summary;
    const before = await summary();
    const radioBefore = before.surfaces['radio']?.count ?? 0;
    for (let i = 0; i < 4; i++) expect((await send('POST', '/v1/recommend/radio', { listenerId: listener, n: 5 }, keys.recommend)).statusCode).toBe(200);
    // Refused requests are not in the surface's histogram.
    expect((await send('POST', '/v1/recommend/radio', { listenerId: listener, n: 0 }, keys.recommend)).statusCode).toBe(400);
    const after = await summary();
    const radio = after.surfaces['radio']!;
    expect(radio.count).toBe(radioBefore + 4);
    expect(radio.sum).toBeGreaterThan(0);
    expect(radio.buckets.map((b) => b.le)).toEqual([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
    for (let i = 1; i < radio.buckets.length; i++) expect(radio.buckets[i]!.count).toBeGreaterThanOrEqual(radio.buckets[i - 1]!.count);
    expect(radio.buckets.at(-1)!.count).toBeLessThanOrEqual(radio.count);
    // Every request answered in between: 5 recommends and the first summary.
    expect(after.requests - before.requests).toBe(6);
  });
});

describe('an experiment\'s report', () => {
  it('has one look of the sequential test per day, each an mSPRT p-value that never rises', async () => {
    // 40 listeners over 3 days, half each way; every play names its exposure. Skips differ per listener and day.
    const start = Math.floor((Date.now() - 20 * DAY) / DAY) * DAY;
    await createExperiment(store, { name: 'seq-path', surfaces: ['radio'], variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1 }] }, start);
    await startExperiment(store, 'seq-path', start);
    const trackIds = ZEPHYRS.map((t) => t.id);
    const events: SegueEvent[] = [];
    for (let u = 0; u < 40; u++) {
      const variant = u % 2 ? 'treatment' : 'control';
      await store.exposures.append({ requestId: `sp-r${u}`, listenerId: `sp-${u}`, surface: 'radio', ts: start + u * 1000, experiment: 'seq-path', variant, items: trackIds.map((trackId, position) => ({ trackId, position, score: 1, propensity: 1 })) });
      for (let d = 0; d < 3; d++) {
        for (let k = 0; k < 4; k++) {
          const skipped = (u * 7 + d * 3 + k) % (variant === 'treatment' ? 3 : 5) === 0;
          events.push({ type: 'play_end', source: 'test', eventId: `sp-${u}-${d}-${k}`, listenerId: `sp-${u}`, trackId: trackIds[k]!, ts: start + d * DAY + HOUR + u * 60_000 + k * 1000, msPlayed: skipped ? 10_000 : 200_000, skipped, context: { type: 'radio', surface: 'radio', requestId: `sp-r${u}`, position: k } });
        }
      }
    }
    expect((await store.ingest({ events })).rejected).toEqual([]);
    await stopExperiment(store, 'seq-path', start + 3 * DAY);
    const r = await get('/v1/experiments/seq-path/report');
    expect(r.statusCode).toBe(200);
    const rep = r.json() as { variants: Array<{ name: string; listeners: number }>; metrics: Array<{ metric: string; role: string; sequential: { method: string; pValue: number; looks: number; path: Array<{ day: number; pValue: number; z: number }> } | null }> };
    expect(rep.variants.map((v) => [v.name, v.listeners])).toEqual([['control', 20], ['treatment', 20]]);
    const ltr = rep.metrics.find((m) => m.metric === 'listenThroughRate')!;
    expect(ltr.role).toBe('success');
    const seq = ltr.sequential!;
    expect(seq.method).toBe('msprt');
    expect(seq.looks).toBe(3);
    expect(seq.path.map((l) => l.day)).toEqual([0, 1, 2]);
    for (const look of seq.path) {
      expect(look.pValue).toBeGreaterThan(0);
      expect(look.pValue).toBeLessThanOrEqual(1);
    }
    for (let i = 1; i < 3; i++) expect(seq.path[i]!.pValue).toBeLessThanOrEqual(seq.path[i - 1]!.pValue);
    expect(seq.pValue).toBe(seq.path.at(-1)!.pValue);
    // The treatment skips more (every third play against every fifth): z is negative for listen-through.
    expect(seq.path.at(-1)!.z).toBeLessThan(0);
  });
});
