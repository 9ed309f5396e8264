import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { ImportError } from '../errors.js';
import { importHarness } from './testing.js';
import { countryCode, lastfm1k } from './lastfm-1k.js';
import { trackIdFromNames } from '../ids.js';

// Fixture: test/fixtures/lastfm-1k, written from the Last.fm 1K dataset's README (Celma
// 2010); see its README.md for what each line holds.
const FIXTURE = 'test/fixtures/lastfm-1k';
const PLAYS = join(FIXTURE, 'userid-timestamp-artid-artname-traid-traname.tsv');
const ARTIST_A = 'mbid:3f1c9a52-7d4e-4b8a-9e21-5a0c6d8b1f01';
const TRACK_A = 'mbid:c41d7e88-2b5a-4f19-8c3e-6d0a9b7f4e11';

const h = importHarness(lastfm1k);
const { importPath } = h;

describe('lastfm-1k', () => {
  it('imports profiles then plays; rejects bad lines with line and reason', async () => {
    const s = await importPath(FIXTURE);
    // profiles: 6 users, 2 bad; plays: 12 lines, 5 bad, 1 exact repeat.
    expect(s).toMatchObject({ read: 18, accepted: 10, duplicates: 1, rejected: 7 });
    expect(h.rejectRows()).toEqual([
      ['userid-profile.tsv', 4, 'age: expected a whole number of years, got "x"'],
      ['userid-profile.tsv', 7, 'registered: expected a date like "Oct 30, 2005", got "Feb 30, 2006"'],
      ['userid-timestamp-artid-artname-traid-traname.tsv', 7, 'timestamp: must be ISO-8601 or epoch milliseconds, got "yesterday"'],
      ['userid-timestamp-artid-artname-traid-traname.tsv', 8, 'track name: empty'],
      ['userid-timestamp-artid-artname-traid-traname.tsv', 9, 'expected 6 tab-separated fields (user id, timestamp, artist MBID, artist name, track MBID, track name), got 5'],
      ['userid-timestamp-artid-artname-traid-traname.tsv', 10, 'track MBID: expected a UUID or nothing, got "not-a-uuid"'],
      ['userid-timestamp-artid-artname-traid-traname.tsv', 12, 'expected 6 tab-separated fields (user id, timestamp, artist MBID, artist name, track MBID, track name), got 2'],
    ]);

    expect(await h.store.catalog.getListener('user_000001')).toEqual({ id: 'user_000001', country: 'JP', createdAt: '2006-08-13T00:00:00Z' });
    expect(await h.store.catalog.getListener('user_000002')).toEqual({ id: 'user_000002', country: 'RU', birthYear: 1987, createdAt: '2006-02-24T00:00:00Z' });
    expect(await h.store.catalog.getListener('user_000005')).toEqual({ id: 'user_000005', birthYear: 1990, createdAt: '2006-06-29T00:00:00Z' });
    // Known only from plays.
    expect(await h.store.catalog.getListener('user_000003')).toEqual({ id: 'user_000003' });

    expect(await h.store.catalog.getTrack(TRACK_A)).toEqual({ id: TRACK_A, title: 'Harbour Lights', artists: [{ id: ARTIST_A, name: 'The Paper Lanterns' }] });
    const glass = 'name:mira sol|track:glass rooms';
    expect(await h.store.catalog.getTrack(glass)).toEqual({ id: glass, title: 'Glass Rooms', artists: [{ id: 'name:mira sol', name: 'Mira Sol' }] });
    expect(await h.store.catalog.getTrack('name:the paper lanterns|track:glass rooms')).toMatchObject({ artists: [{ id: ARTIST_A }] });

    const plays = await h.store.events.forListener('user_000001');
    expect(plays.map((e) => [e.ts, e.trackId, e.type, e.source])).toEqual([
      [Date.parse('2009-05-04T10:00:00Z'), TRACK_A, 'play_end', 'lastfm-1k'],
      [Date.parse('2009-05-04T13:52:04Z'), glass, 'play_end', 'lastfm-1k'],
      [Date.parse('2009-05-04T13:54:10Z'), 'name:the paper lanterns|track:glass rooms', 'play_end', 'lastfm-1k'],
      [Date.parse('2009-05-04T23:08:57Z'), TRACK_A, 'play_end', 'lastfm-1k'],
    ]);
    // Scrobbles: no time played, no end reason, no skip flag.
    for (const e of plays) expect(e.msPlayed === undefined && e.endReason === undefined && e.skipped === undefined).toBe(true);
    expect((await h.store.events.forListener('user_000003')).map((e) => e.trackId)).toEqual([glass]);

    // Sessions cut at 30 minutes: user 1 has 3, users 2 and 3 one each.
    expect(await h.store.stats()).toMatchObject({ events: 6, plays: 6, skipRate: null, sessions: 5, listeners: 5, tracks: 4, artists: 3 });
  });

  it('imports the same folder again as duplicates only', async () => {
    await importPath(FIXTURE);
    expect(await importPath(FIXTURE)).toMatchObject({ read: 18, accepted: 0, duplicates: 11, rejected: 7 });
    expect(await h.store.events.count()).toBe(6);
    expect((await h.store.stats()).sessions).toBe(5);
  });

  it('reads the plays file alone', async () => {
    expect(await importPath(PLAYS)).toMatchObject({ read: 12, accepted: 6, duplicates: 1, rejected: 5 });
    expect(await h.store.catalog.getListener('user_000002')).toEqual({ id: 'user_000002' });
  });

  it('refuses options', async () => {
    await expect(importPath(FIXTURE, { listener: 'x' })).rejects.toThrow(ImportError);
  });
});

describe('countryCode', () => {
  it.each([
    ['United States', 'US'], ['United Kingdom', 'GB'], ['Russian Federation', 'RU'], ['Korea, Republic of', 'KR'],
    ['Viet Nam', 'VN'], ["Cote D'Ivoire", 'CI'], ['Bosnia and Herzegovina', 'BA'], ['Myanmar', 'MM'], ['germany', 'DE'],
  ])('%s is %s', (name, code) => expect(countryCode(name)).toBe(code));

  it('knows no code for a name that is not a country', () => {
    expect(countryCode('Atlantis')).toBeUndefined();
    expect(countryCode('European Union')).toBeUndefined();
  });
});

describe('trackIdFromNames', () => {
  it('ignores case and spacing, and hashes ids that would be too long', () => {
    expect(trackIdFromNames(' Mira  Sol', 'GLASS rooms ')).toBe('name:mira sol|track:glass rooms');
    expect(trackIdFromNames('A', 'x'.repeat(300))).toMatch(/^h:[0-9a-f]{24}$/);
  });
});
