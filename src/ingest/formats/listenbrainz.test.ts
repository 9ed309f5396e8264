import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { ImportError } from '../errors.js';
import { importHarness } from './testing.js';
import { listenbrainz } from './listenbrainz.js';

// Fixture: test/fixtures/listenbrainz, written from the ListenBrainz docs ("JSON
// Documentation" and "User history exports"); see its README.md for what each line holds.
const FIXTURE = 'test/fixtures/listenbrainz';
const EXPORT = join(FIXTURE, 'export');
const mbid = (id: string): string => `mbid:${id}`;
const R1 = '5b1f2e3a-4c5d-4e6f-8a7b-9c0d1e2f3a01';
const A1 = '7d3b4a5c-6e7f-4081-ac9d-1e2f3a4b5c03';
const A3 = 'b17f8e90-a2b3-44c5-e0d1-5c6d7e8f9007';
const msid = (n: string): string => `f3a1c2d4-0000-4000-8000-0000000000${n}`;

const h = importHarness(listenbrainz);
const { importPath } = h;

describe('listenbrainz', () => {
  it('imports an unpacked export; rejects bad lines with line and reason', async () => {
    const s = await importPath(EXPORT);
    // 4.jsonl: 7 lines, 3 bad, 1 repeat; 10.jsonl: 4 lines, the last truncated. feedback.jsonl is skipped.
    expect(s).toMatchObject({ read: 11, accepted: 6, duplicates: 1, rejected: 4 });
    expect(h.rejectRows(2)).toEqual([
      ['2021/4.jsonl', 4, 'track_metadata.track_name: expected a non-empty string, got missing'],
      ['2021/4.jsonl', 5, 'listened_at: expected epoch seconds, got "yesterday"'],
      ['2021/4.jsonl', 6, expect.stringMatching(/^invalid JSON: /)],
      ['2021/10.jsonl', 4, expect.stringMatching(/^invalid JSON: /)],
    ]);

    // The listener comes from user.json.
    const listens = await h.store.events.forListener('rob');
    expect(listens.map((e) => [e.eventId, e.ts, e.trackId])).toEqual([
      [`1618500200:rob:${msid('a1')}`, 1618500200000, mbid(R1)],
      [`1618503800:rob:${msid('a2')}`, 1618503800000, mbid('8e4c5b6d-7f80-4192-bdae-2f3a4b5c6d04')],
      [`1618504010:rob:${msid('a3')}`, 1618504010000, `msid:${msid('a3')}`],
      [`1634000000:rob:${msid('b1')}`, 1634000000000, mbid('a06e7d8f-91a2-43b4-dfc0-4b5c6d7e8f06')],
      [`1634000300:rob:${msid('b2')}`, 1634000300000, `msid:${msid('b2')}`],
      ['1634000600:rob:name:mira sol|track:salt lines', 1634000600000, 'name:mira sol|track:salt lines'],
    ]);
    expect(listens[0]).toMatchObject({ type: 'play_end', source: 'listenbrainz', platform: 'BrainzPlayer' });
    for (const e of listens) expect(e.msPlayed === undefined && e.endReason === undefined && e.skipped === undefined).toBe(true);

    expect(await h.store.catalog.getTrack(mbid(R1))).toEqual({
      id: mbid(R1), title: 'Northbound', artists: [{ id: mbid(A1), name: 'Kite Engine' }],
      album: { id: mbid('6c2a3f4b-5d6e-4f70-9b8c-0d1e2f3a4b02'), title: 'Weather Maps' }, durationMs: 215000,
    });
    expect(await h.store.catalog.getTrack(mbid('8e4c5b6d-7f80-4192-bdae-2f3a4b5c6d04'))).toEqual({
      id: mbid('8e4c5b6d-7f80-4192-bdae-2f3a4b5c6d04'), title: 'Glass Rooms',
      artists: [{ id: mbid('9f5d6c7e-8091-42a3-cebf-3a4b5c6d7e05'), name: 'Mira Sol' }], durationMs: 200000,
    });
    expect(await h.store.catalog.getTrack(`msid:${msid('a3')}`)).toEqual({
      id: `msid:${msid('a3')}`, title: 'Harbour Lights', artists: [{ id: 'name:the paper lanterns', name: 'The Paper Lanterns' }],
      album: { id: 'name:the paper lanterns|album:night ferry', title: 'Night Ferry' },
    });
    // The mapping credits two artists; without it, one credit string with two MBIDs is kept by name.
    expect((await h.store.catalog.getTrack(mbid('a06e7d8f-91a2-43b4-dfc0-4b5c6d7e8f06')))?.artists).toEqual([
      { id: mbid(A1), name: 'Kite Engine' }, { id: mbid(A3), name: 'Mira Sol' },
    ]);
    expect((await h.store.catalog.getTrack(`msid:${msid('b2')}`))?.artists).toEqual([{ id: 'name:kite engine & mira sol', name: 'Kite Engine & Mira Sol' }]);

    // Sessions: 1618500200; 1618503800 and 1618504010 (an hour later); October's three.
    expect(await h.store.stats()).toMatchObject({ events: 6, listeners: 1, sessions: 3, tracks: 6, artists: 6, skipRate: null });
  });

  it('imports the same export again as duplicates only', async () => {
    await importPath(EXPORT);
    expect(await importPath(EXPORT)).toMatchObject({ read: 11, accepted: 0, duplicates: 7, rejected: 4 });
    expect(await h.store.events.count()).toBe(6);
  });

  it('needs a listener when listens have no user_name', async () => {
    const single = join(FIXTURE, 'single/listens.jsonl');
    await expect(importPath(single)).rejects.toThrow(ImportError);
    expect(await importPath(single, { listener: 'carol' })).toMatchObject({ read: 1, accepted: 1 });
    const [e] = await h.store.events.forListener('carol');
    expect(e).toMatchObject({ eventId: `1443521965:carol:${msid('c1')}`, trackId: mbid('e4a2b3c3-d5e6-47f8-b304-8f90a1b2c310') });
    expect(await h.store.catalog.getTrack(e!.trackId!)).toMatchObject({
      artists: [{ id: mbid('d391a2b2-c4d5-46e7-a2f3-7e8f90a1b209'), name: 'The Paper Lanterns' }],
      album: { id: mbid('c28091a1-b3c4-45d6-f1e2-6d7e8f90a108'), title: 'Night Ferry' }, durationMs: 222000,
    });
  });

  it('reads the older export, one JSON array with user_name, by element index', async () => {
    expect(await importPath(join(FIXTURE, 'array'))).toMatchObject({ read: 3, accepted: 1, rejected: 2 });
    expect(h.rejectRows(2)).toEqual([
      ['array/alice_lb-2020-04-28.json', 2, 'track_metadata.additional_info.recording_mbid: expected a MusicBrainz id (UUID), got "not-an-mbid"'],
      ['array/alice_lb-2020-04-28.json', 3, 'track_metadata.artist_name: expected a non-empty string, got missing'],
    ]);
    expect((await h.store.events.forListener('alice')).map((e) => e.trackId)).toEqual([mbid(R1)]);
  });

  it('refuses unknown options', async () => {
    await expect(importPath(EXPORT, { user: 'x' })).rejects.toThrow(/unknown option "user"/);
  });
});
