import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { Library, sameRecord, trackOf } from './library.js';
import { FixtureUpstream, type FixtureSong } from './testing.js';
import { Upstream } from './upstream.js';

const song = (i: number, extra: Record<string, unknown> = {}): FixtureSong => ({
  id: `s${i}`, title: `Song ${i}`, artist: `Artist ${i % 3}`, artistId: `ar${i % 3}`, album: `Album ${i % 4}`, albumId: `al${i % 4}`, duration: 100 + i, year: 2000 + (i % 4), genre: i % 2 ? 'Jazz' : 'Rock', ...extra,
});

describe('trackOf: a Subsonic song as a Segue track', () => {
  it('reads the classic fields', () => {
    expect(trackOf(song(1))).toEqual({ id: 's1', title: 'Song 1', artists: [{ id: 'ar1', name: 'Artist 1' }], album: { id: 'al1', title: 'Album 1', releaseDate: '2001' }, durationMs: 101_000, releaseDate: '2001', genres: ['Jazz'] });
  });
  it('prefers OpenSubsonic\'s artists and genres, and keeps MusicBrainz ids', () => {
    const t = trackOf({ ...song(2), artists: [{ id: 'ar9', name: 'Nine' }, { id: 'ar8', name: 'Eight' }], genres: [{ name: 'Dub' }, { name: 'Dub' }, { name: 'Ska' }], musicBrainzId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }, new Map([['al2', '11111111-2222-4333-8444-555555555555']]));
    expect(t).toMatchObject({ artists: [{ id: 'ar9', name: 'Nine' }, { id: 'ar8', name: 'Eight' }], genres: ['Dub', 'Ska'], mbid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', album: { mbid: '11111111-2222-4333-8444-555555555555' } });
  });
  it('leaves out what is unknown or out of range (year 0, an id that is not a MusicBrainz id, numeric ids as strings)', () => {
    expect(trackOf({ id: '7', title: 'X', artistId: 3, artist: 'Y', year: 0, musicBrainzId: '', duration: -1 })).toEqual({ id: '7', title: 'X', artists: [{ id: '3', name: 'Y' }] });
  });
});

describe('sameRecord', () => {
  it('compares field by field whatever the key order, and sees a field gone or added', () => {
    expect(sameRecord({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true);
    expect(sameRecord({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameRecord({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameRecord({ a: 1 }, { a: 1, emergingDerived: true }, ['emergingDerived'])).toBe(true);
    expect(sameRecord({ a: 1 }, undefined)).toBe(false);
  });
});

describe('Library.sync: the upstream library into the catalog, incrementally', () => {
  let up: FixtureUpstream;
  let store: Store;
  const auth = new URLSearchParams({ u: 'ann', p: 'sesame' });
  beforeAll(async () => {
    up = await new FixtureUpstream({ ann: 'sesame' }).start();
    up.songs = Array.from({ length: 12 }, (_, i) => song(i));
    up.artists = [{ id: 'ar0', name: 'Artist 0', musicBrainzId: '22222222-3333-4444-8555-666666666666' }, { id: 'ar1', name: 'Artist 1' }, { id: 'ar2', name: 'Artist 2' }];
    store = await openStore(':memory:');
  });
  afterAll(async () => {
    await store.close();
    await up.close();
  });

  it('writes everything the first time, nothing the second, and only what changed after that', async () => {
    const lib = new Library(store, new Upstream(up.url));
    const first = await lib.sync(auth, 'ann');
    expect(first).toMatchObject({ tracks: 12, albums: 4, artists: 3, genres: 2, listeners: 2, written: { tracks: 12, artists: 3, listeners: 2 } });
    expect(await store.catalog.getArtist('ar0')).toMatchObject({ name: 'Artist 0', mbid: '22222222-3333-4444-8555-666666666666', genres: ['Jazz', 'Rock'] });
    expect(await store.catalog.getTrack('s5')).toMatchObject({ album: { id: 'al1', mbid: '3f8a5e5b-7c42-4d6e-8a1f-2b9c0d1e2f30' } });
    expect(lib.child('s5')).toEqual({ ...song(5) });
    expect(lib.albumTracks('al1')).toEqual(['s1', 's5', 's9']);
    expect(lib.artistsNamed('artist 2')).toEqual(['ar2']);
    expect((await lib.sync(auth, 'ann')).written).toEqual({ tracks: 0, artists: 0, listeners: 0 });
    up.songs[3] = song(3, { title: 'Renamed' });
    up.songs.push(song(12));
    up.users.push('cy');
    expect((await lib.sync(auth, 'ann')).written).toEqual({ tracks: 2, artists: 0, listeners: 1 });
    expect((await store.catalog.getTrack('s3'))!.title).toBe('Renamed');
  });

  it('pages getAlbumList2 until a short page', async () => {
    up.songs = Array.from({ length: 1_003 }, (_, i) => song(i, { albumId: `al${String(i).padStart(4, '0')}` }));
    const before = up.calls.get('getAlbumList2') ?? 0;
    const r = await new Library(store, new Upstream(up.url)).sync(auth, 'ann');
    expect(r.albums).toBe(1_003);
    expect(up.calls.get('getAlbumList2')! - before).toBe(3);
  });
});
