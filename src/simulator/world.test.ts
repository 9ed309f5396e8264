import { describe, expect, it } from 'vitest';
import { artistValidator, listenerValidator, playlistValidator, trackValidator } from '../domain/index.js';
import { buildWorld, worldParams } from './index.js';
import { artistRecord, catalogBatches, listenerRecord, playlistRecord, trackRecord } from './records.js';
import { GENRES } from './vocabulary.js';

const world = buildWorld({ tracks: 5000, listeners: 300 }, 42);

describe('buildWorld', () => {
  it('is deterministic for a seed, and a listener is the same listener in a bigger world', () => {
    const again = buildWorld({ tracks: 5000, listeners: 300 }, 42);
    expect(again.trackLatent).toEqual(world.trackLatent);
    expect(again.trackWeight).toEqual(world.trackWeight);
    expect(again.listeners.genrePref).toEqual(world.listeners.genrePref);
    const other = buildWorld({ tracks: 5000, listeners: 300 }, 43);
    expect(other.trackWeight).not.toEqual(world.trackWeight);
    const bigger = buildWorld({ tracks: 5000, listeners: 600 }, 42);
    expect(bigger.listeners.latent.subarray(0, 300 * world.dims)).toEqual(world.listeners.latent);
    expect(bigger.listeners.activity.subarray(0, 300)).toEqual(world.listeners.activity);
  });

  it('lays tracks out artist by artist, album by album', () => {
    expect(world.tracks).toBe(5000);
    expect(world.musicTracks).toBeLessThan(5000);
    expect(world.albumStart[0]).toBe(0);
    expect(world.albumStart[world.albums]).toBe(world.tracks);
    expect(world.artistAlbumStart[world.artists]).toBe(world.albums);
    for (let al = 0; al < world.albums; al++) {
      expect(world.albumStart[al + 1]).toBeGreaterThan(world.albumStart[al]!);
      for (let t = world.albumStart[al]!; t < world.albumStart[al + 1]!; t++) {
        expect(world.trackAlbum[t]).toBe(al);
        expect(world.trackArtist[t]).toBe(world.albumArtist[al]);
      }
      expect(world.albumReleaseMs[al]).toBeLessThan(world.params.startMs);
    }
    for (let a = 0; a < world.artists; a++) expect(world.artistAlbumStart[a + 1]).toBeGreaterThan(world.artistAlbumStart[a]!);
  });

  it('has a few podcast shows with long episodes, apart from the music', () => {
    const episodes = world.tracks - world.musicTracks;
    expect(episodes).toBe(Math.round(5000 * 0.03));
    expect(world.shows).toBeGreaterThan(0);
    for (let t = 0; t < world.tracks; t++) {
      const isPodcast = t >= world.musicTracks;
      expect(world.podcast[t]).toBe(isPodcast ? 1 : 0);
      expect(world.trackArtist[t]! >= world.musicArtists).toBe(isPodcast);
      if (isPodcast) {
        expect(world.trackGenre[t]).toBe(world.musicGenres);
        expect(world.durationMs[t]).toBeGreaterThanOrEqual(5 * 60_000);
      } else {
        expect(world.trackGenre[t]).toBeLessThan(world.musicGenres);
        expect(world.durationMs[t]).toBeLessThanOrEqual(15 * 60_000);
      }
    }
  });

  it('draws audio features around each genre centroid', () => {
    const G = world.musicGenres;
    const sum = new Float64Array(G);
    const n = new Float64Array(G);
    for (let t = 0; t < world.musicTracks; t++) {
      for (const f of [world.energy, world.valence, world.danceability, world.acousticness, world.instrumentalness, world.speechiness, world.liveness]) {
        expect(f[t]).toBeGreaterThanOrEqual(0);
        expect(f[t]).toBeLessThanOrEqual(1);
      }
      expect(world.tempo[t]).toBeGreaterThanOrEqual(50);
      expect(world.tempo[t]).toBeLessThanOrEqual(220);
      sum[world.trackGenre[t]!]! += world.energy[t]!;
      n[world.trackGenre[t]!]!++;
    }
    const classical = GENRES.findIndex((g) => g.name === 'classical');
    const metal = GENRES.findIndex((g) => g.name === 'metal');
    expect(sum[metal]! / n[metal]!).toBeGreaterThan(0.7);
    expect(sum[classical]! / n[classical]!).toBeLessThan(0.35);
  });

  it('gives artists power-law popularity and emerging artists a recent debut and low reach', () => {
    const w = Float64Array.from(world.artistWeight.subarray(0, world.musicArtists)).sort().reverse();
    const top = w.subarray(0, Math.ceil(w.length / 100)).reduce((a, b) => a + b, 0);
    const all = w.reduce((a, b) => a + b, 0);
    expect(top / all).toBeGreaterThan(0.1); // top 1% of artists hold > 10x their share
    let emerging = 0;
    for (let a = 0; a < world.musicArtists; a++) {
      if (world.artistEmerging[a] !== 1) continue;
      emerging++;
      expect(world.params.startMs - world.artistDebutMs[a]!).toBeLessThanOrEqual(731 * 86_400_000);
    }
    expect(emerging / world.musicArtists).toBeGreaterThan(0.08);
    expect(emerging / world.musicArtists).toBeLessThan(0.25);
    let pop = 0;
    for (let t = 0; t < world.tracks; t++) pop += world.popularity[t]!;
    expect(pop / world.tracks).toBeGreaterThan(30);
    expect(pop / world.tracks).toBeLessThan(50);
  });

  it('gives listeners genre preferences on the simplex, unit latent tastes, and traits in range', () => {
    const { listeners: L, musicGenres: G, dims: D } = world;
    for (let l = 0; l < L.count; l++) {
      let s = 0;
      for (let g = 0; g < G; g++) s += L.genrePref[l * G + g]!;
      expect(s).toBeCloseTo(1, 5);
      let norm = 0;
      for (let d = 0; d < D; d++) norm += L.latent[l * D + d]! ** 2;
      expect(norm).toBeCloseTo(1, 4);
      expect(L.activity[l]).toBeGreaterThan(0);
      expect(L.openness[l]).toBeGreaterThanOrEqual(0);
      expect(L.openness[l]).toBeLessThanOrEqual(1);
    }
  });

  it('builds editorial playlists of distinct tracks of their genre', () => {
    expect(world.playlists).toBe(16 * 3);
    for (let p = 0; p < world.playlists; p++) {
      const ids = world.playlistTracks.subarray(world.playlistStart[p]!, world.playlistStart[p + 1]!);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      for (const t of ids) expect(world.trackGenre[t]).toBe(world.playlistGenre[p]);
    }
  });

  it('turns every entity into a valid Segue record', () => {
    let n = 0;
    for (const b of catalogBatches(world, 1000)) {
      for (const a of b.artists ?? []) expect(artistValidator.check(a)).toMatchObject({ ok: true });
      for (const t of b.tracks ?? []) expect(trackValidator.check(t)).toMatchObject({ ok: true });
      for (const l of b.listeners ?? []) expect(listenerValidator.check(l)).toMatchObject({ ok: true });
      for (const p of b.playlists ?? []) expect(playlistValidator.check(p)).toMatchObject({ ok: true });
      n += (b.artists?.length ?? 0) + (b.tracks?.length ?? 0) + (b.listeners?.length ?? 0) + (b.playlists?.length ?? 0);
    }
    expect(n).toBe(world.artists + world.tracks + world.listeners.count + world.playlists);
    const promoted = world.promoted.findIndex((x) => x === 1);
    expect(trackRecord(world, promoted).promoted).toBeDefined();
    expect(trackRecord(world, world.tracks - 1)).toMatchObject({ contentType: 'podcast', genres: ['podcast'] });
    expect(trackRecord(world, world.tracks - 1).audio).toBeUndefined();
    expect(artistRecord(world, 0).name).toBe(artistRecord(world, 0).name);
    expect(listenerRecord(world, 0).id).toBe('lis0');
    expect(playlistRecord(world, 0).name).toBe('Pop Essentials');
  });

  it('checks its parameters', () => {
    expect(() => worldParams({ tracks: 5 })).toThrow(/world.tracks must be an integer from 10/);
    expect(() => worldParams({ genres: 17 })).toThrow(/world.genres/);
    expect(() => worldParams({ emergingShare: 2 })).toThrow(/world.emergingShare/);
    expect(() => buildWorld({ tracks: 10, listeners: 1, podcastShare: 0 }, 1)).not.toThrow();
  });

  it('scales to 200k tracks and 100k listeners', () => {
    const t0 = performance.now();
    const big = buildWorld({ tracks: 200_000, listeners: 100_000 }, 7);
    const seconds = (performance.now() - t0) / 1000;
    expect(big.tracks).toBe(200_000);
    expect(big.listeners.count).toBe(100_000);
    expect(seconds).toBeLessThan(30); // a few seconds on a laptop; generous for CI
  }, 120_000);
});
