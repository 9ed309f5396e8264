import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SubsonicAPI } from 'subsonic-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { GENERATED, SubsonicProxy, type SyncReport } from '../../src/subsonic/index.js';
import { segue, segueAsync } from './cli.js';
import { freePort, makeLibrary, startSupysonic, supysonicOrSkip, type SongSpec, type Supysonic } from './supysonic.js';

/**
 * `segue subsonic` end to end: Debian's supysonic as the upstream, with a generated and tagged
 * library; the npm client `subsonic-api` and plain HTTP calls in JSON and XML as clients.
 *
 * supysonic 0.7.2 (Debian 12) knows only password logins (`p`), not tokens: the client is
 * given the password-sending "legacy authentication" that Subsonic clients offer for such
 * servers (DSub, Symfonium), as a fetch that puts `p=enc:<hex>` where it put `t` and `s`.
 * Token logins through the proxy are tested against a token-checking upstream in
 * src/subsonic/auth.test.ts.
 */
const run = supysonicOrSkip();

/** A parsed `subsonic-response` (from JSON or XML): its shape is what the assertions check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resp = Record<string, any>;

const ADMIN = { name: 'admin', password: 'secret', admin: true };
const BOB = { name: 'bob', password: 'bobs-pw' };
const xml = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false,
  isArray: (name, jpath) => ['song', 'sonicMatch', 'openSubsonicExtensions', 'versions'].includes(name) || ['subsonic-response.playlists.playlist', 'subsonic-response.playlist.entry'].includes(String(jpath)),
});

function legacyAuth(password: string): typeof fetch {
  return (input, init) => {
    const u = new URL(input instanceof Request ? input.url : String(input));
    u.searchParams.delete('t');
    u.searchParams.delete('s');
    u.searchParams.set('p', `enc:${Buffer.from(password).toString('hex')}`);
    return fetch(u, init);
  };
}

describe.runIf(run)('segue subsonic against supysonic', () => {
  let dir: string;
  let songs: SongSpec[];
  let up: Supysonic;
  let store: Store;
  let proxy: SubsonicProxy;
  let first: SyncReport;
  let api: SubsonicAPI;

  /** A call through the proxy as plain HTTP: the parsed `subsonic-response`, from JSON or XML. */
  async function call(method: string, params: Record<string, string | number> = {}, f: 'json' | 'xml' = 'json', who: { name: string; password: string } = ADMIN, base = proxy.url): Promise<Resp> {
    const q = new URLSearchParams({ u: who.name, p: who.password, c: 'e2e', v: '1.16.1', f, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
    const res = await fetch(`${base}/rest/${method}.view?${q}`);
    const text = await res.text();
    if (f === 'json') return (JSON.parse(text) as { 'subsonic-response': Resp })['subsonic-response'];
    expect(res.headers.get('content-type')).toMatch(/xml/);
    return (xml.parse(text) as { 'subsonic-response': Resp })['subsonic-response'];
  }
  /** The library's artists, read through the proxy by the real client. */
  const allArtists = async (): Promise<Array<{ id: string; name: string }>> => (await api.getArtists()).artists.index!.flatMap((i) => i.artist ?? []);
  const artistNamed = async (name: string): Promise<{ id: string; name: string }> => (await allArtists()).find((a) => a.name === name)!;
  const ids = (songs: Array<{ id: string }> | undefined): string[] => (songs ?? []).map((s) => s.id);
  const upstreamCall = (method: string, params: Record<string, string> = {}): Promise<Resp> => call(method, params, 'json', ADMIN, up.url);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segue-subsonic-'));
    songs = makeLibrary(join(dir, 'music'), { artists: 6, albums: 2, tracks: 4 });
    up = await startSupysonic(join(dir, 'supysonic'), join(dir, 'music'), [ADMIN, BOB]);
    store = await openStore(join(dir, 'segue.db'));
    proxy = await SubsonicProxy.start(store, { upstream: up.url, port: 0, host: '127.0.0.1', syncIntervalMs: 0, timeoutMs: 2_000, syncLogin: { username: ADMIN.name, password: ADMIN.password } });
    first = (await proxy.firstSync)!;
    api = new SubsonicAPI({ url: proxy.url, auth: { username: ADMIN.name, password: ADMIN.password }, fetch: legacyAuth(ADMIN.password) });
  });

  afterAll(async () => {
    await proxy?.close();
    await store?.close();
    await up?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('syncs the library: counts equal the upstream\'s, and a second sync writes nothing', async () => {
    const artists = (await upstreamCall('getArtists')).artists.index.flatMap((i: { artist: unknown[] }) => i.artist);
    const albums = (await upstreamCall('getAlbumList2', { type: 'alphabeticalByName', size: '500' })).albumList2.album as Array<{ id: string; songCount: number }>;
    expect(first).toMatchObject({ artists: artists.length, albums: albums.length, tracks: songs.length, genres: 4, listeners: 2 });
    expect(albums.reduce((a, x) => a + x.songCount, 0)).toBe(songs.length);
    expect(first.written).toEqual({ tracks: songs.length, artists: 6, listeners: 2 });
    expect(await store.catalog.counts()).toMatchObject({ tracks: songs.length, artists: 6, listeners: 2 });
    const albumId = albums[0]!.id;
    const song = (await upstreamCall('getAlbum', { id: albumId })).album.song[0];
    const track = (await store.catalog.getTrack(song.id))!;
    const spec = songs.find((s) => s.title === song.title)!;
    expect(track).toMatchObject({ title: spec.title, artists: [{ name: spec.artist }], album: { id: albumId, title: spec.album, releaseDate: String(spec.year) }, durationMs: spec.seconds * 1000, releaseDate: String(spec.year), genres: [spec.genre] });
    const second = await proxy.sync();
    expect(second.written).toEqual({ tracks: 0, artists: 0, listeners: 0 });
    expect(second.tracks).toBe(songs.length);
  });

  it('checks logins against the upstream: a good one passes, a bad one gets error 40 in the format asked', async () => {
    expect((await api.ping()).status).toBe('ok');
    const bad = { name: 'admin', password: 'wrong' };
    const j = await call('getRandomSongs', {}, 'json', bad);
    expect(j).toMatchObject({ status: 'failed', error: { code: 40 } });
    const x = await call('getRandomSongs', {}, 'xml', bad);
    expect(x).toMatchObject({ status: 'failed', error: { code: '40' } });
    // A call Segue only forwards: the server checks the login, and its error comes back as it sent it.
    expect(await call('getAlbumList2', { type: 'newest' }, 'json', bad)).toMatchObject({ status: 'failed', error: { code: 40 } });
    expect(await call('getAlbumList2', { type: 'newest' }, 'xml', bad)).toMatchObject({ status: 'failed', error: { code: '40' } });
    // The client's own token login: supysonic 0.7.2 cannot check tokens, so it is refused, with the fix in the message.
    const tokens = new SubsonicAPI({ url: proxy.url, auth: { username: ADMIN.name, password: ADMIN.password } });
    const r = (await tokens.ping()) as unknown as { status: string; error: { code: number; message: string } };
    expect(r).toMatchObject({ status: 'failed', error: { code: 40 } });
    expect(r.error.message).toMatch(/token authentication.*legacy authentication/);
    const key = await (await fetch(`${proxy.url}/rest/ping.view?apiKey=nope&f=json&c=e2e&v=1.16.1`)).json() as { 'subsonic-response': { error: { code: number } } };
    expect(key['subsonic-response'].error.code).toBe(44);
  });

  it('passes stream through byte-identical, Range included', async () => {
    const song = (await upstreamCall('search3', { query: 'Song 2.1.3', songCount: '1' })).searchResult3.song[0];
    const q = `id=${song.id}&u=admin&p=secret&c=e2e&v=1.16.1`;
    const via = Buffer.from(await (await fetch(`${proxy.url}/rest/stream.view?${q}`)).arrayBuffer());
    const direct = Buffer.from(await (await fetch(`${up.url}/rest/stream.view?${q}`)).arrayBuffer());
    const file = readFileSync(songs.find((s) => s.title === 'Song 2.1.3')!.file);
    expect(via.length).toBeGreaterThan(1_000);
    expect(createHash('sha256').update(via).digest('hex')).toBe(createHash('sha256').update(direct).digest('hex'));
    expect(via.equals(file)).toBe(true);
    const part = await fetch(`${proxy.url}/rest/stream.view?${q}`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(file.subarray(100, 200))).toBe(true);
  });

  it('answers getSimilarSongs2, getSimilarSongs, getRandomSongs, getSonicSimilarTracks and findSonicPath in JSON and XML, and logs each as an exposure', async () => {
    const a0 = await artistNamed('Artist 0');
    const before = (await store.exposures.forListener('admin')).length;
    // Radio from an artist, the same in JSON, XML and through the client (deterministic for the same state).
    const j = await call('getSimilarSongs2', { id: a0.id, count: 10 });
    const x = await call('getSimilarSongs2', { id: a0.id, count: 10 }, 'xml');
    expect(j.status).toBe('ok');
    expect(j.similarSongs2.song.length).toBe(10);
    // From the seed's genre first (content similarity on a fresh store), within radio's rules: no artist twice in a row, at most four per artist.
    const radio = j.similarSongs2.song as Array<{ artist: string; genre: string }>;
    expect(radio.slice(0, 8).every((s) => s.genre === 'Jazz')).toBe(true);
    expect(radio.some((s, i) => i > 0 && s.artist === radio[i - 1]!.artist)).toBe(false);
    expect(Math.max(...['Artist 0', 'Artist 4'].map((a) => radio.filter((s) => s.artist === a).length))).toBeLessThanOrEqual(4);
    expect(ids(x.similarSongs2.song)).toEqual(ids(j.similarSongs2.song));
    expect(x.similarSongs2.song[0]).toMatchObject({ id: j.similarSongs2.song[0].id, title: j.similarSongs2.song[0].title, duration: String(j.similarSongs2.song[0].duration) });
    const viaClient = await api.getSimilarSongs2({ id: a0.id, count: 10 });
    expect(viaClient.similarSongs2.song!.map((s) => s.id)).toEqual(ids(j.similarSongs2.song));
    // getSimilarSongs takes a song, an album or an artist id.
    const seed = j.similarSongs2.song[0];
    for (const id of [seed.id, seed.albumId, a0.id]) {
      for (const f of ['json', 'xml'] as const) {
        const r = await call('getSimilarSongs', { id, count: 5 }, f);
        expect(r.status).toBe('ok');
        expect(r.similarSongs.song.length).toBeGreaterThan(0);
      }
    }
    // Random songs: the shuffle surface over the library, filtered by genre and year, artists spread.
    for (const f of ['json', 'xml'] as const) {
      const r = await call('getRandomSongs', { size: 8, genre: 'Rock' }, f);
      expect(r.randomSongs.song.length).toBe(8);
      expect(new Set(r.randomSongs.song.map((s: { genre: string }) => s.genre))).toEqual(new Set(['Rock']));
      const artistsInRow = r.randomSongs.song.map((s: { artist: string }) => s.artist) as string[];
      expect(artistsInRow.some((a, i) => i > 0 && a === artistsInRow[i - 1])).toBe(false);
    }
    const years = await call('getRandomSongs', { size: 50, fromYear: 1990, toYear: 1991 });
    expect(years.randomSongs.song.every((s: { year: number }) => s.year >= 1990 && s.year <= 1991)).toBe(true);
    expect(years.randomSongs.song.length).toBe(8); // artist 0's two albums
    // Sonic similarity (content: the genre here, supysonic knows no audio features): same genre first, most similar first.
    for (const f of ['json', 'xml'] as const) {
      const r = await call('getSonicSimilarTracks', { id: seed.id, count: 6 }, f);
      expect(r.sonicMatch.length).toBe(6);
      const sims = r.sonicMatch.map((m: { similarity: number | string }) => Number(m.similarity));
      expect([...sims].sort((a, b) => b - a)).toEqual(sims);
      expect(r.sonicMatch[0].entry.genre).toBe(seed.genre);
      expect(sims[0]).toBeCloseTo(1, 3);
    }
    // A sonic path: from the start song to the end song, through the library by content similarity.
    const end = (await call('getRandomSongs', { size: 1, genre: 'Ambient' })).randomSongs.song[0];
    for (const f of ['json', 'xml'] as const) {
      const r = await call('findSonicPath', { startSongId: seed.id, endSongId: end.id, count: 5 }, f);
      const path = r.sonicMatch.map((m: { entry: { id: string } }) => m.entry.id) as string[];
      expect(path).toHaveLength(5);
      expect([path[0], path[4]]).toEqual([seed.id, end.id]);
      expect(new Set(path).size).toBe(5);
      expect(Number(r.sonicMatch[0].similarity)).toBeCloseTo(1, 3);
    }
    // Unknown ids: error 70, in both formats.
    for (const [m, p] of [['getSimilarSongs2', { id: 'nope' }], ['getSimilarSongs', { id: 'nope' }], ['getSonicSimilarTracks', { id: 'nope' }], ['findSonicPath', { startSongId: 'nope', endSongId: 'nope' }]] as const) {
      expect((await call(m, p)).error.code).toBe(70);
      expect((await call(m, p, 'xml')).error.code).toBe('70');
    }
    const logged = await store.exposures.forListener('admin');
    expect(logged.length - before).toBe(2 + 1 + 6 + 2 + 1 + 2 + 1 + 2);
    // The exposure holds the list exactly as the client got it.
    const sonic = (await call('getSonicSimilarTracks', { id: seed.id, count: 6 })).sonicMatch.map((m: { entry: { id: string } }) => m.entry.id);
    const last = (await store.exposures.forListener('admin')).at(-1)!;
    expect(last.surface).toBe('radio');
    expect(last.items.map((i) => i.trackId)).toEqual(sonic);
  });

  it('turns scrobble and reportPlayback into events, a short play into a skip, and skips move the next getSimilarSongs2', async () => {
    const a1 = await artistNamed('Artist 1');
    const first = (await call('getSimilarSongs2', { id: a1.id, count: 20 }, 'json', BOB)).similarSongs2.song as Array<{ id: string; artistId: string }>;
    expect(ids((await call('getSimilarSongs2', { id: a1.id, count: 20 }, 'json', BOB)).similarSongs2.song)).toEqual(ids(first));
    // An artist of the radio other than its seed, with two tracks in it: both get skipped.
    const other = first.map((s) => s.artistId).find((a, _, all) => a !== a1.id && all.filter((x) => x === a).length >= 2)!;
    const [y1, y2] = first.filter((s) => s.artistId === other).map((s) => s.id) as [string, string];
    const s1 = first.find((s) => s.artistId !== other)!.id;
    // Now playing y1, then s1 a moment later: y1 was left early (a skip); s1 submitted (a play that counted).
    const bobApi = new SubsonicAPI({ url: proxy.url, auth: { username: BOB.name, password: BOB.password }, fetch: legacyAuth(BOB.password) });
    expect((await bobApi.scrobble({ id: y1, submission: false })).status).toBe('ok');
    await new Promise((r) => setTimeout(r, 300));
    expect((await bobApi.scrobble({ id: s1, submission: false })).status).toBe('ok');
    expect((await bobApi.scrobble({ id: s1, submission: true })).status).toBe('ok');
    // reportPlayback (supysonic has no playbackReport: Segue answers it): y2 starts, stops at 500 ms: a skip.
    expect((await bobApi.reportPlayback({ mediaId: y2, mediaType: 'song', positionMs: 0, state: 'starting' })).status).toBe('ok');
    expect((await bobApi.reportPlayback({ mediaId: y2, mediaType: 'song', positionMs: 500, state: 'stopped' })).status).toBe('ok');
    const events = (await store.events.forListener('bob')).filter((e) => e.source === 'subsonic');
    expect(events.map((e) => [e.type, e.trackId, e.endReason, e.skipped])).toEqual([
      ['play_start', y1, undefined, undefined],
      ['play_end', y1, 'fwdbtn', true],
      ['play_start', s1, undefined, undefined],
      ['play_end', s1, 'trackdone', false],
      ['play_start', y2, undefined, undefined],
      ['play_end', y2, 'fwdbtn', true],
    ]);
    // Attributed to the answer that served them.
    expect(events[1]!.context).toMatchObject({ type: 'radio', surface: 'radio', position: first.findIndex((s) => s.id === y1) });
    expect(events[1]!.context!.requestId).toBeDefined();
    // The next answer: the artist skipped twice in this session is gone (not only the two tracks), though the library has more of it.
    const after = (await call('getSimilarSongs2', { id: a1.id, count: 20 }, 'json', BOB)).similarSongs2.song as Array<{ id: string; artistId: string }>;
    expect(proxy.library.songIdsOf(other).length).toBeGreaterThan(2);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => s.artistId === other)).toEqual([]);
    // A bad report is refused clearly.
    expect((await call('reportPlayback', { mediaId: y2, mediaType: 'song', positionMs: 1, state: 'rewinding' }, 'json', BOB)).error).toMatchObject({ code: 0, message: expect.stringMatching(/state must be one of starting, playing, paused, stopped/) });
  });

  it('turns star, unstar and setRating 1 into like, unlike and ban, still forwarded to the upstream', async () => {
    const list = ids((await call('getSimilarSongs2', { id: (await artistNamed('Artist 3')).id, count: 6 })).similarSongs2.song);
    expect((await api.star({ id: list[0]! })).status).toBe('ok');
    expect((await api.unstar({ id: list[0]! })).status).toBe('ok');
    expect((await api.setRating({ id: list[1]!, rating: 1 })).status).toBe('ok');
    const upstreamSong = (await upstreamCall('getSong', { id: list[1]! })).song;
    expect(upstreamSong.userRating).toBe(1);
    const types = (await store.events.forListener('admin')).filter((e) => e.source === 'subsonic').map((e) => [e.type, e.trackId]);
    expect(types).toEqual(expect.arrayContaining([['like', list[0]], ['unlike', list[0]], ['ban', list[1]]]));
    const a3 = await artistNamed('Artist 3');
    expect(ids((await call('getSimilarSongs2', { id: a3.id, count: 30 })).similarSongs2.song)).not.toContain(list[1]);
  });

  it('answers getTopSongs from the store\'s plays, by artist name or id, in JSON and XML', async () => {
    const a4 = await artistNamed('Artist 4');
    const tracks = ids((await upstreamCall('getAlbum', { id: (await upstreamCall('getArtist', { id: a4.id })).artist.album[0].id })).album.song);
    const now = Date.now();
    for (const [k, id] of [tracks[2], tracks[2], tracks[2], tracks[0], tracks[0], tracks[3]].entries()) await api.scrobble({ id: id!, submission: true, time: now - 60_000 * (10 - k) });
    for (const f of ['json', 'xml'] as const) {
      expect(ids((await call('getTopSongs', { artist: 'Artist 4', count: 3 }, f)).topSongs.song)).toEqual([tracks[2], tracks[0], tracks[3]]);
      expect(ids((await call('getTopSongs', { id: a4.id, count: 2 }, f)).topSongs.song)).toEqual([tracks[2], tracks[0]]);
    }
    const ex = (await store.exposures.forListener('admin')).at(-1)!;
    expect(ex).toMatchObject({ surface: 'top-songs', items: [{ trackId: tracks[2] }, { trackId: tracks[0] }] });
    // No plays of the artist in the store: the upstream's answer (supysonic has no getTopSongs: its error passes through).
    const played = new Set([...(await store.events.forListener('admin')), ...(await store.events.forListener('bob'))].map((e) => e.trackId));
    const unplayed = (await allArtists()).find((a) => !proxy.library.songIdsOf(a.id).some((t) => played.has(t)))!;
    expect(await call('getTopSongs', { artist: unplayed.name })).toMatchObject({ status: 'failed', error: { message: 'Unknown method' } });
  });

  it('generates Segue Radio, Segue Discovery and Segue Library Radio per listener, merged with the upstream\'s playlists, stable within the day', async () => {
    const mine = await api.createPlaylist({ name: 'my own', songId: [] as string[] }).catch(() => undefined);
    expect(mine?.status ?? 'ok').toBe('ok');
    // Bob's library radio: tracks he played often, three weeks ago, and not since (an artist he has not played lately).
    const bobPlayed = new Set((await store.events.forListener('bob')).map((e) => e.trackId));
    const quiet = (await allArtists()).find((a) => !proxy.library.songIdsOf(a.id).some((t) => bobPlayed.has(t)))!;
    const old = ids((await upstreamCall('getAlbum', { id: (await upstreamCall('getArtist', { id: quiet.id })).artist.album[0].id })).album.song);
    const threeWeeks = Date.now() - 21 * 86_400_000;
    for (const [k, id] of [...old, ...old].entries()) await call('scrobble', { id, submission: 'true', time: threeWeeks + k * 60_000 }, 'json', BOB);
    for (const f of ['json', 'xml'] as const) {
      const lists = (await call('getPlaylists', {}, f, BOB)).playlists.playlist as Array<Record<string, string>>;
      expect(lists.slice(0, 3).map((p) => p.name)).toEqual(GENERATED.map((g) => g.name));
      expect(lists.every((p) => p.owner === 'bob' || !GENERATED.some((g) => g.id === p.id))).toBe(true);
    }
    const adminLists = (await api.getPlaylists()).playlists.playlist!;
    expect(adminLists.map((p) => p.name)).toEqual(expect.arrayContaining(['Segue Radio', 'Segue Discovery', 'Segue Library Radio', 'my own']));
    for (const g of GENERATED) {
      const a = await call('getPlaylist', { id: g.id }, 'json', BOB);
      const b = await call('getPlaylist', { id: g.id }, 'xml', BOB);
      expect(a.playlist).toMatchObject({ id: g.id, name: g.name, owner: 'bob' });
      expect(ids(b.playlist.entry)).toEqual(ids(a.playlist.entry)); // the same list all day
      expect(Number(b.playlist.songCount)).toBe(a.playlist.entry?.length ?? 0);
    }
    const library = ids((await call('getPlaylist', { id: 'segue-library-radio' }, 'json', BOB)).playlist.entry);
    expect(new Set(library)).toEqual(new Set(old));
    const radio = ids((await call('getPlaylist', { id: 'segue-radio' }, 'json', BOB)).playlist.entry);
    expect(radio.length).toBeGreaterThan(10);
    const discovery = ids((await call('getPlaylist', { id: 'segue-discovery' }, 'json', BOB)).playlist.entry);
    const played = new Set((await store.events.forListener('bob')).map((e) => e.trackId));
    expect(discovery.length).toBeGreaterThan(0);
    expect(discovery.some((t) => played.has(t))).toBe(false);
    // Each generated list was logged once, when it was made.
    const exposures = (await store.exposures.forListener('bob')).filter((x) => x.surface === 'discovery');
    expect(exposures).toHaveLength(1);
    // The next day (UTC) brings new lists, made once and then kept all that day.
    const tomorrow = (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000 + 3_600_000; // 01:00 UTC tomorrow
    const made = (await store.exposures.forListener('bob')).length;
    const entries = async (at: number): Promise<string[]> => ids(((await proxy.playlists.playlist('bob', 'segue-library-radio', at)) as Resp).playlist.entry);
    const next = await entries(tomorrow);
    expect(new Set(next)).toEqual(new Set(old));
    expect((await store.exposures.forListener('bob')).length).toBe(made + 1);
    expect(await entries(tomorrow + 5 * 3_600_000)).toEqual(next);
    expect((await store.exposures.forListener('bob')).length).toBe(made + 1);
    // Segue's lists are read-only.
    expect((await call('deletePlaylist', { id: 'segue-radio' }, 'json', BOB)).error.code).toBe(50);
  });

  it('lists its extensions without a login, in JSON and XML', async () => {
    const j = await (await fetch(`${proxy.url}/rest/getOpenSubsonicExtensions.view?f=json`)).json() as { 'subsonic-response': Resp & { openSubsonicExtensions: Array<{ name: string; versions: number[] }> } };
    expect(j['subsonic-response'].openSubsonicExtensions.map((x) => x.name)).toEqual(['playbackReport', 'sonicSimilarity', 'topSongsByArtistId']);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(j['subsonic-response']).toMatchObject({ status: 'ok', version: '1.16.1', type: 'segue', serverVersion: pkg.version, openSubsonic: true });
    const x = xml.parse(await (await fetch(`${proxy.url}/rest/getOpenSubsonicExtensions.view`)).text())['subsonic-response'];
    expect(x.openSubsonicExtensions.map((e: { name: string; versions: string[] }) => [e.name, e.versions])).toEqual([['playbackReport', [1]], ['sonicSimilarity', [1]], ['topSongsByArtistId', [1]]]);
    expect((await api.getOpenSubsonicExtensions()).openSubsonicExtensions.length).toBe(3);
  });

  it('takes form POSTs (answered and forwarded) and answers JSONP', async () => {
    const a2 = await artistNamed('Artist 2');
    const form = (method: string, params: Record<string, string>): Promise<Response> => fetch(`${proxy.url}/rest/${method}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ u: ADMIN.name, p: ADMIN.password, c: 'e2e', v: '1.16.1', f: 'json', ...params }),
    });
    const posted = (await (await form('getSimilarSongs2', { id: a2.id, count: '4' })).json()) as { 'subsonic-response': Resp };
    expect(posted['subsonic-response'].similarSongs2.song).toHaveLength(4);
    const forwarded = (await (await form('getAlbumList2', { type: 'alphabeticalByName', size: '3' })).json()) as { 'subsonic-response': Resp };
    expect(forwarded['subsonic-response'].albumList2.album).toHaveLength(3);
    const p = await fetch(`${proxy.url}/rest/getSimilarSongs2.view?u=admin&p=secret&c=e2e&v=1.16.1&f=jsonp&callback=onSongs&id=${a2.id}&count=2`);
    expect(p.headers.get('content-type')).toMatch(/javascript/);
    const text = await p.text();
    expect(text).toMatch(/^onSongs\(\{"subsonic-response":\{"status":"ok"/);
    expect((JSON.parse(text.slice('onSongs('.length, -2)) as { 'subsonic-response': Resp })['subsonic-response'].similarSongs2.song).toHaveLength(2);
    // The empty answers Segue gives (ping after the login check; reportPlayback, which supysonic lacks) in both formats.
    const song = (await call('getRandomSongs', { size: 1 })).randomSongs.song[0];
    for (const f of ['json', 'xml'] as const) {
      expect(await call('ping', {}, f)).toMatchObject({ status: 'ok', version: '1.16.1', type: 'segue' });
      expect(await call('reportPlayback', { mediaId: song.id, mediaType: 'song', positionMs: 0, state: 'paused', ignoreScrobble: 'true' }, f)).toMatchObject({ status: 'ok', openSubsonic: f === 'json' ? true : 'true' });
    }
  });

  it('records the experiment and variant that served an answer on its exposure', async () => {
    const def = { name: 'subsonic-radio', surfaces: ['radio'], variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1, policy: { objectives: { flow: 1 } } }] };
    for (const args of [['experiment', 'create', JSON.stringify(def)], ['experiment', 'start', 'subsonic-radio']]) {
      const r = segue(['--store', join(dir, 'segue.db'), ...args]);
      expect(r.status, r.stderr).toBe(0);
    }
    await proxy.serving.reloadExperiments();
    const a2 = await artistNamed('Artist 2');
    const served = ids((await call('getSimilarSongs2', { id: a2.id, count: 5 })).similarSongs2.song);
    const ex = (await store.exposures.forListener('admin')).at(-1)!;
    expect(ex).toMatchObject({ surface: 'radio', experiment: 'subsonic-radio', variant: expect.stringMatching(/^(control|treatment)$/) });
    expect(ex.items.map((i) => i.trackId)).toEqual(served);
    expect(segue(['--store', join(dir, 'segue.db'), 'experiment', 'stop', 'subsonic-radio']).status).toBe(0);
    await proxy.serving.reloadExperiments();
  });

  it('runs as `segue subsonic` from the command line', async () => {
    expect(segue(['subsonic']).stderr).toMatch(/--upstream is required/);
    expect(segue(['subsonic', '--upstream', up.url, '--sync-interval', 'often']).stderr).toMatch(/--sync-interval must be a duration/);
    const port = await freePort();
    const proc = segueAsync(['--store', join(dir, 'cli.db'), 'subsonic', '--upstream', up.url, '--port', String(port)]);
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const waitFor = async (re: RegExp): Promise<void> => {
      for (const t = Date.now(); !re.test(err); await new Promise((r) => setTimeout(r, 50))) if (Date.now() - t > 30_000) throw new Error(`no ${re} in: ${err}`);
    };
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (/listening on http/.test(out)) resolve();
        });
        proc.on('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
      });
      // No sync login was given: the first accepted client login reads the library.
      await waitFor(/no sync login given .* the first client login reads the library/);
      expect(await call('ping', {}, 'json', ADMIN, `http://127.0.0.1:${port}`)).toMatchObject({ status: 'ok' });
      await waitFor(new RegExp(`library synced: ${songs.length} tracks, 12 albums, 6 artists, 4 genres, 2 listeners; wrote ${songs.length} tracks`));
      const radio = await call('getSimilarSongs2', { id: (await artistNamed('Artist 0')).id, count: 5 }, 'json', ADMIN, `http://127.0.0.1:${port}`);
      expect(radio.similarSongs2.song).toHaveLength(5);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    expect(proc.exitCode).toBe(0);
    expect(err).toMatch(/SIGTERM: stopping/);
  });

  it('answers Subsonic error 0 promptly when the upstream goes away, and recovers when it is back', async () => {
    await up.stop();
    const started = Date.now();
    for (const f of ['json', 'xml'] as const) {
      const fresh = { name: 'admin', password: 'secret-but-not-cached' };
      expect(await call('ping', {}, f, fresh)).toMatchObject({ status: 'failed', error: { code: f === 'json' ? 0 : '0', message: expect.stringMatching(/upstream Subsonic server .* is unreachable/) } });
      // A cached login: the forwarded call itself finds the upstream gone.
      expect(await call('getAlbumList2', { type: 'newest' }, f)).toMatchObject({ status: 'failed', error: { code: f === 'json' ? 0 : '0' } });
      expect(await call('getPlaylists', {}, f)).toMatchObject({ status: 'failed', error: { code: f === 'json' ? 0 : '0' } });
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    await up.restart();
    expect((await api.ping()).status).toBe('ok');
  });
});
