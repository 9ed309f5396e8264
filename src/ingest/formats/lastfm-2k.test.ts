import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ImportError } from '../errors.js';
import { importHarness } from './testing.js';
import { lastfm2k } from './lastfm-2k.js';
import { dataset, present } from '../../../test/datasets.js';

const FIXTURE = 'test/fixtures/lastfm-2k';
const REAL = dataset('hetrec2011-lastfm-2k');
const RELEASE = Date.parse('2011-05-01T00:00:00Z');

const h = importHarness(lastfm2k);
const { importPath } = h;

describe('lastfm-2k fixture', () => {
  it('imports artists with top tags and play counts, rejects bad lines', async () => {
    const s = await importPath(FIXTURE);
    // Items: 10 artists.dat lines (6 new, "СЛОТ" the same artist as "Слот", 3 bad) and
    // 12 user_artists.dat lines (6 good, 6 bad), plus the one bad line of each side input.
    expect(s).toMatchObject({ read: 24, accepted: 12, duplicates: 1, rejected: 11 });
    expect(h.rejectRows()).toEqual([
      ['tags.dat', 12, 'tagID: expected a positive integer, got "bad"'],
      ['user_taggedartists.dat', 7, 'tagID: expected a positive integer, got "x"'],
      ['artists.dat', 8, 'id: expected a positive integer, got "seven"'],
      ['artists.dat', 9, 'id: artist 2 is already on line 3'],
      ['artists.dat', 11, 'expected 4 tab-separated fields (id, name, url, pictureURL), got 3'],
      ['user_artists.dat', 7, 'weight: expected a positive integer, got "0"'],
      ['user_artists.dat', 8, 'artistID: unknown artist 404 (not in artists.dat, or rejected there)'],
      ['user_artists.dat', 9, 'artistID: unknown artist 7 (not in artists.dat, or rejected there)'],
      ['user_artists.dat', 10, 'weight: expected a positive integer, got "abc"'],
      ['user_artists.dat', 12, 'artistID: unknown artist 8 (not in artists.dat, or rejected there)'],
      ['user_artists.dat', 13, 'expected 3 tab-separated fields (userID, artistID, weight), got 2'],
    ]);

    // Top 5 tags by assignments; ties (darkwave 2 ... metal, alternative metal, black metal 1) by lower tag id.
    expect(await h.store.catalog.getArtist('name:malice mizer')).toMatchObject({
      name: 'MALICE MIZER',
      genres: ['j-rock', 'visual kei', 'darkwave', 'metal', 'alternative metal'],
    });
    // Both spellings' tags; tags.dat is Latin-1.
    expect(await h.store.catalog.getArtist('name:слот')).toMatchObject({ name: 'Слот', genres: ['russian rock', 'rock français'] });
    expect(await h.store.catalog.getArtist('name:björk')).toMatchObject({ genres: ['electronic', 'icelandic'] });
    expect(await h.store.catalog.getArtist('name:madonna')).not.toHaveProperty('genres');

    const plays = await h.store.events.forListener('lastfm2k:2');
    expect(plays.map((e) => [e.type, e.eventId, e.artistId, e.count, e.ts])).toEqual([
      ['play_count', '2:1', 'name:malice mizer', 13883, RELEASE],
      ['play_count', '2:2', 'name:diary of dreams', 11690, RELEASE],
      ['play_count', '2:4', 'name:слот', 100, RELEASE],
      ['play_count', '2:5', 'name:слот', 50, RELEASE],
    ]);
    const st = await h.store.stats();
    expect(st).toMatchObject({ artists: 6, events: 6, listeners: 3, plays: 13883 + 11690 + 100 + 50 + 2 + 77 });
    expect(st.topArtists[0]).toEqual({ id: 'name:malice mizer', name: 'MALICE MIZER', plays: 13883 });
  });

  it('adds nothing when the same folder is imported again', async () => {
    await importPath(FIXTURE);
    const again = await importPath(FIXTURE);
    expect(again).toMatchObject({ read: 24, accepted: 0, duplicates: 13, rejected: 11 });
    expect(await h.store.events.count()).toBe(6);
  });

  it('takes the time of the counts and the number of tags from options', async () => {
    await importPath(FIXTURE, { asOf: '2020-01-01T00:00:00Z', topTags: '1' });
    expect((await h.store.events.forListener('lastfm2k:3'))[0]?.ts).toBe(Date.parse('2020-01-01T00:00:00Z'));
    expect((await h.store.catalog.getArtist('name:malice mizer'))?.genres).toEqual(['j-rock']);
  });

  it('needs the folder, all four files and valid options', async () => {
    await expect(importPath(join(FIXTURE, 'artists.dat'))).rejects.toThrow(/needs the dataset's folder/);
    await expect(importPath('test/fixtures/spotify-history')).rejects.toThrow(/missing artists\.dat, tags\.dat, user_taggedartists\.dat, user_artists\.dat/);
    await expect(importPath(FIXTURE, { asOf: 'May 2011' })).rejects.toThrow(ImportError);
    await expect(importPath(FIXTURE, { topTags: '100' })).rejects.toThrow(/topTags must be an integer from 0 to 64/);
    await expect(importPath(FIXTURE, { friends: 'yes' })).rejects.toThrow(/unknown option "friends"/);
  });
});

describe.skipIf(!present(REAL))('lastfm-2k on the real HetRec 2011 dataset', () => {
  it('imports every artist and play count of the readme', async () => {
    const s = await importPath(REAL);
    // 17,632 artists.dat lines + 92,834 user_artists.dat lines. 13 artists.dat lines repeat a
    // name of another line up to case ("Слот"/"СЛОТ"): 17,619 Segue artists and 13 duplicates.
    expect(s).toMatchObject({ read: 110_466, accepted: 17_619 + 92_834, duplicates: 13, rejected: 0 });
    const st = await h.store.stats();
    expect(st).toMatchObject({ artists: 17_619, events: 92_834, listeners: 1_892, plays: 69_183_975 });
    // Top tags computed independently (Python over the same files).
    expect(await h.store.catalog.getArtist('name:metallica')).toMatchObject({ name: 'Metallica', genres: ['metal', 'thrash metal', 'heavy metal', 'hard rock', 'rock'] });
    // Three spellings of one band: the first name, the tags of all three.
    expect(await h.store.catalog.getArtist('name:гости из будущего')).toMatchObject({ name: 'Гости Из Будущего', genres: ['pop', 'ballad', 'sexy', 'love', 'soul'] });
  }, 30_000);
});
if (!existsSync(REAL)) console.log(`lastfm-2k: real-data test skipped, ${REAL} not found`);
