import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ImportError } from '../errors.js';
import { importHarness } from './testing.js';
import { catalogCsv } from './catalog-csv.js';
import { dataset, present } from '../../../test/datasets.js';

const FIXTURE = 'test/fixtures/catalog-csv/tidytuesday.csv';
const CUSTOM = 'test/fixtures/catalog-csv/custom/songs.csv';
const REAL = dataset('spotify-songs-audio-features-tidytuesday2020');

const h = importHarness(catalogCsv);
const { importPath } = h;

describe('catalog-csv fixture (TidyTuesday columns)', () => {
  it('imports tracks with features, rejects bad rows naming line and column', async () => {
    const s = await importPath(FIXTURE);
    // 13 rows: 5 tracks, a repeat of track A from another playlist (it adds a genre to A, so
    // it is accepted: the store unions genres), an exact repeat of track E, and 6 bad rows.
    expect(s).toMatchObject({ read: 13, accepted: 6, duplicates: 1, rejected: 6 });
    expect(h.rejects().map((r) => [r.line, r.reason])).toEqual([
      [7, 'energy: expected a number from 0 to 1, got "abc"'],
      [8, 'track_album_release_date (releaseDate): expected a date YYYY-MM-DD, YYYY-MM or YYYY, got "14/06/2019"'],
      [9, 'track_popularity (popularity): expected a number from 0 to 100, got "101"'],
      [10, 'track_id (id): empty; every track needs an id'],
      [12, 'mode: expected an integer from 0 to 1, got "2"'],
      [15, 'expected 23 fields, got 3 (a truncated line, or an unquoted delimiter in a value?)'],
    ]);
    expect(h.rejects()[5]!.raw).toBe('2dWTYWQPzhiNPCvVFa3f8Q,Underwater,Alok');

    expect(await h.store.catalog.getTrack('6f807x0ima9a1j3VPbc7VN')).toEqual({
      id: '6f807x0ima9a1j3VPbc7VN',
      title: "I Don't Care (with Justin Bieber) - Loud Luxury Remix",
      artists: [
        { id: 'name:ed sheeran', name: 'Ed Sheeran' },
        { id: 'name:justin bieber', name: 'Justin Bieber' },
      ],
      album: { id: '2oCs0DGTsRO98Gh5ZSl2Cx', title: "I Don't Care (with Justin Bieber) [Loud Luxury Remix]", releaseDate: '2019-06-14' },
      releaseDate: '2019-06-14',
      genres: ['pop', 'dance pop', 'rock', 'hard rock'],
      popularity: 66,
      durationMs: 194754,
      audio: { tempo: 122.036, energy: 0.916, valence: 0.518, danceability: 0.748, acousticness: 0.102, instrumentalness: 0, speechiness: 0.0583, liveness: 0.0653, loudness: -2.634, key: 6, mode: 1 },
    });
    expect(await h.store.catalog.getTrack('0r7CVbZTWZgbTCYdfa2P31')).toMatchObject({ title: 'Memories, Dillon Francis Remix', releaseDate: '2019-12' });
    expect((await h.store.catalog.getTrack('1z1Hg7Vb0AhHDiEmnDE79l'))?.album?.title).toMatch(/^All the Time\r?\n\(Don Diablo Remix\)$/);
    expect((await h.store.catalog.getTrack('75FpbthrwQmzHlBJLuGdC7'))?.audio?.key).toBe(-1);
    const e = await h.store.catalog.getTrack('5xHCd5vRWGdOZVwo6Ia9Bx');
    expect(e?.audio).not.toHaveProperty('tempo'); // NA
    expect(e?.audio).not.toHaveProperty('danceability'); // empty
    expect(e?.audio?.energy).toBe(0.77);
    expect(await h.store.catalog.getTrack('1e8PAfcKUYoKkxPhrHqw4x')).toBeUndefined();

    const st = await h.store.stats();
    expect(st).toMatchObject({ tracks: 5, artists: 6, events: 0 });
  });

  it('adds nothing when the same file is imported again', async () => {
    await importPath(FIXTURE);
    const again = await importPath(FIXTURE);
    expect(again).toMatchObject({ read: 13, accepted: 0, duplicates: 7, rejected: 6 });
    expect((await h.store.catalog.counts()).tracks).toBe(5);
  });

  it('maps other column names with options', async () => {
    const options = {
      delimiter: ';',
      'map.id': 'Song ID',
      'map.title': 'Song',
      'map.artists': 'Performer',
      'map.tempo': 'BPM',
      'map.explicit': 'Explicit Lyrics',
      'map.genres': 'Style',
      artistSeparator: ' & ',
      genreSeparator: '|',
    };
    const s = await importPath(CUSTOM, options);
    expect(s).toMatchObject({ read: 3, accepted: 2, duplicates: 0, rejected: 1 });
    expect(h.rejects().map((r) => [r.line, r.reason])).toEqual([[4, 'Explicit Lyrics (explicit): expected true or false (or 1, 0, yes, no), got "maybe"']]);
    expect(await h.store.catalog.getTrack('s-002')).toEqual({
      id: 's-002',
      title: 'Under Pressure',
      artists: [
        { id: 'name:queen', name: 'Queen' },
        { id: 'name:david bowie', name: 'David Bowie' },
      ],
      releaseDate: '1981', // the Year column, recognised by name
      genres: ['rock', 'glam rock'],
      explicit: false,
      audio: { tempo: 113.3 },
    });
  });

  it('keeps reading after a stray quote, and rejects a quote never closed', async () => {
    const s = await importPath('test/fixtures/catalog-csv/quotes');
    expect(s).toMatchObject({ read: 5, accepted: 4, duplicates: 0, rejected: 1 });
    expect(h.rejects().map((r) => [r.line, r.reason])).toEqual([[6, 'invalid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 6']]);
    // Quotes not doubled inside a quoted value: the value is kept as written, quotes and all.
    expect((await h.store.catalog.getTrack('2'))?.title).toBe('"Say "Hi" Now"');
    expect((await h.store.catalog.getTrack('4'))?.title).toBe('d');
  });

  it('names the columns found when id or title has none, and refuses unknown options', async () => {
    const err = await importPath(CUSTOM, { delimiter: ';' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toMatch(/no column for the track id \(tried track_id, id, uri, spotify_id; .*\); columns found: "Song ID", "Song", "Performer"/);
    await expect(importPath(CUSTOM, { delimiter: ';', 'map.id': 'Song ID', 'map.title': 'Name' })).rejects.toThrow(/map\.title: no column "Name"/);
    await expect(importPath(FIXTURE, { 'map.colour': 'x' })).rejects.toThrow(/unknown field "colour"/);
    await expect(importPath(FIXTURE, { seperator: ',' })).rejects.toThrow(/unknown option "seperator"/);
  });
});

describe.skipIf(!present(REAL))('catalog-csv on the real TidyTuesday 2020 songs', () => {
  it('imports every row of the PROVENANCE.md counts', async () => {
    const s = await importPath(join(REAL, 'spotify_songs.csv'));
    expect(s).toMatchObject({ read: 26229, accepted: 26229, duplicates: 0, rejected: 0 });
    const st = await h.store.stats();
    // PROVENANCE.md counts 10,692 distinct artist_name strings; artist ids fold case
    // (artistIdFromName), which joins 7 pairs such as "Cream"/"CREAM": 10,685 artists.
    expect(st).toMatchObject({ tracks: 26229, artists: 10685 });
    expect(await h.store.catalog.getTrack('track_000000')).toEqual({
      id: 'track_000000',
      title: "I Don't Care (with Justin Bieber) - Loud Luxury Remix",
      artists: [{ id: 'name:ed sheeran', name: 'Ed Sheeran' }],
      genres: ['pop'],
      popularity: 66,
      durationMs: 194754,
      audio: { tempo: 122.036, energy: 0.916, valence: 0.518, danceability: 0.748, acousticness: 0.102, instrumentalness: 0, speechiness: 0.0583, liveness: 0.0653, loudness: -2.634 },
    });
  }, 30_000);
});
if (!existsSync(REAL)) console.log(`catalog-csv: real-data test skipped, ${REAL} not found`);
