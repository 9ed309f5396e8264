import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../store/index.js';
import { simulate, writeToStore } from '../simulator/index.js';
import { trainModels } from '../models/index.js';
import { buildServer } from '../server/index.js';
import { clientTypes, TYPES_FILE } from './generate.js';
import { SegueApiError, SegueClient, type IngestEvent } from './index.js';

/** The typed client against a real server on loopback, and its types against the served OpenAPI document. */
const dir = mkdtempSync(join(tmpdir(), 'segue-client-'));
const store = await openStore(join(dir, 'c.db'));
let app: FastifyInstance;
let segue: SegueClient;
let baseUrl = '';
let listener = '';
let track = '';

beforeAll(async () => {
  await writeToStore(simulate({ listeners: 60, tracks: 800, days: 3, seed: 5 }), store);
  await trainModels(store, ['transitions', 'popularity']);
  const s = await buildServer(store, { reloadIntervalMs: 0 });
  await s.serving.start(0);
  app = s.app;
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  segue = new SegueClient({ baseUrl, apiKey: (await store.keys.create({ scopes: ['ingest', 'recommend', 'admin'] })).key });
  const stats = await store.stats({ top: 1 });
  listener = stats.mostActiveListeners[0]!.id;
  track = stats.topTracks[0]!.id;
}, 60_000);
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SegueClient', () => {
  it('has types generated from the current OpenAPI document (run `npm run client:generate` after changing the API)', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(await clientTypes());
  });

  it('recommends, ingests feedback attributed to the exposure, and reads it back', async () => {
    const radio = await segue.recommend('radio', { listenerId: listener, stationId: 'client-st', n: 8 });
    expect(radio.items).toHaveLength(8);
    const first = radio.items[0]!;
    const skip: IngestEvent = { type: 'skip', eventId: 'client-skip-1', listenerId: listener, trackId: first.trackId, ts: Date.now(), context: { type: 'radio', id: 'client-st', requestId: radio.requestId, position: 0 } };
    expect(await segue.ingest([skip])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const x = await segue.exposure(radio.requestId);
    expect(x.items.map((i) => i.trackId)).toEqual(radio.items.map((i) => i.trackId));
    const profile = await segue.profile(listener);
    expect(profile.session?.recent.at(-1)).toMatchObject({ trackId: first.trackId, outcome: -1 });
    expect((await segue.models()).serving).toMatchObject({ transitions: 1, popularity: 1 });
    const autoplay = await segue.recommend('autoplay', { listenerId: listener, seedTrack: track, n: 5 });
    expect(autoplay.items.map((i) => i.trackId)).not.toContain(track);
  });

  it('throws SegueApiError with the status, code and field', async () => {
    const bad = await segue.recommend('radio', { listenerId: listener, n: 0 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(SegueApiError);
    expect(bad).toMatchObject({ status: 400, code: 'bad_request', field: '/n' });
    const notFound = await segue.recommend('autoplay', { listenerId: listener, seedTrack: 'nope' }).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ status: 404, code: 'not_found' });
    const anon = new SegueClient({ baseUrl, apiKey: 'sg_0000000000000000_' + 'A'.repeat(43) });
    await expect(anon.models()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
