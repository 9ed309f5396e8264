import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImportError } from '../errors.js';
import { importHarness } from './testing.js';
import { mpd } from './mpd.js';

// Fixture: test/fixtures/mpd, written from the Million Playlist Dataset README's detailed
// description of a slice; see its README.md for what each playlist holds.
const FIXTURE = 'test/fixtures/mpd';
const track = (n: number): string => `spotify:track:0Fx${String(n).padStart(19, '0')}`;
const artist = (n: number): string => `spotify:artist:0Ar${String(n).padStart(19, '0')}`;

const h = importHarness(mpd);
const { importPath } = h;

describe('mpd', () => {
  it('imports each playlist with its tracks; rejects bad playlists by index and reason', async () => {
    const s = await importPath(FIXTURE);
    // slice 0-4: 5 playlists, 2 bad; slice 5-7: 2 whole playlists, then the truncation.
    expect(s).toMatchObject({ read: 8, accepted: 5, duplicates: 0, rejected: 3 });
    expect(h.rejectRows()).toEqual([
      ['mpd.slice.0-4.json', 3, 'tracks[1].track_uri: expected a non-empty string, got missing'],
      ['mpd.slice.0-4.json', 4, 'pid: expected a whole number, got "3"'],
      ['mpd.slice.5-7.json', 3, expect.stringMatching(/^invalid JSON after playlist 2: .*\(truncated file\?\)$/)],
    ]);

    // Tracks in pos order, whatever their order in the file.
    expect(await h.store.catalog.getPlaylist('mpd:0')).toEqual({
      id: 'mpd:0', name: 'Throwbacks', trackIds: [track(2), track(1), track(3)], followers: 1, modifiedAt: 1493424000000,
    });
    expect((await h.store.catalog.getPlaylist('mpd:1'))?.trackIds).toEqual([track(2), track(4), track(2)]);
    expect(await h.store.catalog.getPlaylist('mpd:4')).toEqual({
      id: 'mpd:4', name: 'roadtrip', trackIds: [track(8), track(1)], followers: 12, modifiedAt: 1509494400000,
    });
    expect(await h.store.catalog.getPlaylist('mpd:2')).toBeUndefined();
    expect((await h.store.catalog.getPlaylist('mpd:6'))?.trackIds).toEqual([track(11), track(3)]);

    expect(await h.store.catalog.getTrack(track(1))).toEqual({
      id: track(1), title: 'Harbour Lights', artists: [{ id: artist(1), name: 'The Paper Lanterns' }],
      album: { id: 'spotify:album:0Al0000000000000000001', title: 'Night Ferry' }, durationMs: 226863,
    });
    // The tracks of a rejected playlist are not written.
    expect(await h.store.catalog.getTrack(track(6))).toBeUndefined();
    expect(await h.store.catalog.getArtist(artist(2))).toMatchObject({ id: artist(2), name: 'Artist 2' });
    expect(await h.store.stats()).toMatchObject({ playlists: 5, tracks: 8, artists: 6, events: 0, listeners: 0 });
  });

  it('imports the same slices again as duplicates only', async () => {
    await importPath(FIXTURE);
    expect(await importPath(FIXTURE)).toMatchObject({ read: 8, accepted: 0, duplicates: 5, rejected: 3 });
    expect(await h.store.stats()).toMatchObject({ playlists: 5, tracks: 8 });
  });

  it('reads one slice, in batches smaller than a slice', async () => {
    const s = await importPath(join(FIXTURE, 'mpd.slice.0-4.json'), {}, { rejectsFile: join(h.dir, 'r.ndjson'), batchSize: 2 });
    expect(s).toMatchObject({ read: 5, accepted: 3, rejected: 2 });
    expect((await h.store.catalog.getPlaylist('mpd:4'))?.trackIds).toEqual([track(8), track(1)]);
  });

  it('refuses options and JSON that is not a slice', async () => {
    await expect(importPath(FIXTURE, { listener: 'x' })).rejects.toThrow(ImportError);
    const other = join(h.dir, 'other.json');
    writeFileSync(other, '{"info": {}, "items": [1, 2]}');
    await expect(importPath(other)).rejects.toThrow(/no "playlists" array/);
  });
});
