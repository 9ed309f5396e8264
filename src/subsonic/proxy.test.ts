import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { SubsonicProxy } from './proxy.js';
import { FixtureUpstream } from './testing.js';

describe('SubsonicProxy: passthrough and a server that does not answer', () => {
  let up: FixtureUpstream;
  let store: Store;
  let proxy: SubsonicProxy;
  const q = 'u=ann&p=sesame&c=test&v=1.16.1';
  beforeAll(async () => {
    up = await new FixtureUpstream({ ann: 'sesame' }).start();
    up.songs = Array.from({ length: 8 }, (_, i) => ({ id: `s${i}`, title: `S${i}`, artist: `A${i % 2}`, artistId: `ar${i % 2}`, album: `B${i % 2}`, albumId: `al${i % 2}`, duration: 100, genre: 'Jazz' }));
    store = await openStore(':memory:');
    proxy = await SubsonicProxy.start(store, { upstream: up.url, port: 0, host: '127.0.0.1', syncIntervalMs: 0, timeoutMs: 500, syncLogin: { username: 'ann', password: 'sesame' } });
    await proxy.firstSync;
  });
  afterAll(async () => {
    await proxy.close();
    await store.close();
    await up.close();
  });

  it('streams: the client has the first bytes before the server has sent the last', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    up.handlers.set('stream', (req, res) => {
      res.writeHead(200, { 'content-type': 'audio/flac', 'content-length': '2000' });
      res.write(Buffer.alloc(1000, 1));
      void finished.then(() => res.end(Buffer.alloc(1000, 2)));
    });
    const res = await fetch(`${proxy.url}/rest/stream.view?id=s1&${q}`);
    expect(res.headers.get('content-length')).toBe('2000');
    const reader = res.body!.getReader();
    let got = 0;
    while (got < 1000) got += (await reader.read()).value!.length;
    expect(got).toBe(1000); // the first half, while the server still holds the second
    finish();
    for (let r = await reader.read(); !r.done; r = await reader.read()) got += r.value.length;
    expect(got).toBe(2000);
  });

  it('answers error 0 within the timeout when the server accepts but never answers, forwarded or not', async () => {
    const radio = async (): Promise<{ 'subsonic-response': { similarSongs2: { song: unknown[] } } }> => (await fetch(`${proxy.url}/rest/getSimilarSongs2.view?id=ar0&count=3&${q}&f=json`)).json() as never;
    expect((await radio())['subsonic-response'].similarSongs2.song).toHaveLength(3); // the login is checked (and kept for a minute)
    up.handlers.set('getAlbumList2', () => undefined);
    up.handlers.set('ping', () => undefined);
    up.handlers.set('getPlaylists', () => undefined);
    for (const [path, f] of [['getAlbumList2.view?type=newest', 'json'], ['ping.view', 'json'], ['getPlaylists.view', 'xml']] as const) {
      const t = Date.now();
      const res = await fetch(`${proxy.url}/rest/${path}${path.includes('?') ? '&' : '?'}${q.replace('sesame', path.startsWith('ping') ? 'not-cached' : 'sesame')}&f=${f}`);
      const text = await res.text();
      expect(Date.now() - t).toBeLessThan(2_000);
      expect(text).toMatch(f === 'json' ? /"status":"failed".*"code":0,"message":"the upstream Subsonic server at http:\/\/127\.0\.0\.1:\d+ is unreachable \(no answer within 500 ms\)/ : /status="failed".*<error code="0" message="the upstream Subsonic server at .* is unreachable/);
    }
    // Segue's own answers need no server: they still work with a login seen lately.
    expect((await radio())['subsonic-response'].similarSongs2.song).toHaveLength(3);
  });
});

describe('SubsonicProxy: a server away at start', () => {
  it('tries the sync again until the server answers, with the login given at start', async () => {
    const up = await new FixtureUpstream({ ann: 'sesame' }).start();
    up.songs = [{ id: 's1', title: 'S1', artist: 'A', artistId: 'ar0', album: 'B', albumId: 'al0', duration: 100 }];
    up.handlers.set('ping', (_req, res) => res.destroy()); // the server is not itself yet
    const store = await openStore(':memory:');
    const logs: string[] = [];
    const proxy = await SubsonicProxy.start(store, { upstream: up.url, port: 0, host: '127.0.0.1', syncIntervalMs: 0, retryMs: 100, timeoutMs: 500, syncLogin: { username: 'ann', password: 'sesame' }, log: (m) => logs.push(m) });
    try {
      await expect(proxy.firstSync).rejects.toMatchObject({ code: 0 });
      const early = await (await fetch(`${proxy.url}/rest/getRandomSongs?u=ann&p=sesame&f=json`)).json() as { 'subsonic-response': { error: { message: string } } };
      expect(early['subsonic-response'].error.message).toMatch(/^the upstream Subsonic server .* is unreachable/);
      up.handlers.delete('ping');
      for (const t = Date.now(); !proxy.library.synced; await new Promise((r) => setTimeout(r, 50))) if (Date.now() - t > 5_000) throw new Error(`no sync: ${logs.join('; ')}`);
      expect(await store.catalog.counts()).toMatchObject({ tracks: 1, listeners: 2 });
      expect(logs.some((m) => /library synced: 1 tracks/.test(m))).toBe(true);
    } finally {
      await proxy.close();
      await store.close();
      await up.close();
    }
  });
});

