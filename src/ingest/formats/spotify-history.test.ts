import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ImportError } from '../errors.js';
import { importHarness } from './testing.js';
import { spotifyHistory } from './spotify-history.js';
import { dataset, present } from '../../../test/datasets.js';

const FIXTURE = 'test/fixtures/spotify-history';
const REAL = dataset('spotify-extended-streaming-history-user-a');
const AUDIO = join(FIXTURE, 'Streaming_History_Audio_2023.json');
const OLD = join(FIXTURE, 'endsong_0.json');

const h = importHarness(spotifyHistory);
const { importPath } = h;

describe('spotify-history fixture', () => {
  it('imports plays and episodes, rejects bad elements with their index and reason', async () => {
    const s = await importPath(FIXTURE);
    // Streaming_History_Audio_2023.json: 11 elements (4 new, 1 exact repeat, 6 bad);
    // endsong_0.json: 3 elements (2 good, 1 truncated). The Video file is not a play history.
    expect(s).toMatchObject({ read: 14, accepted: 6, duplicates: 1, rejected: 7 });
    expect(h.rejects().map((r) => [r.file.split('/').pop(), r.line, r.reason])).toEqual([
      ['Streaming_History_Audio_2023.json', 4, 'ms_played: expected a non-negative integer, got "abc"'],
      ['Streaming_History_Audio_2023.json', 5, 'spotify_track_uri and spotify_episode_uri: both null; an audiobook (spotify:episode:0aBcDeFgHiJkLmNoPqRsTu), which Segue does not import'],
      ['Streaming_History_Audio_2023.json', 6, 'spotify_track_uri and spotify_episode_uri: both null; an item no longer on Spotify, or neither a track nor an episode'],
      ['Streaming_History_Audio_2023.json', 9, 'ts: expected an ISO-8601 time string, got missing'],
      ['Streaming_History_Audio_2023.json', 10, 'skipped: expected true, false or null, got "yes"'],
      ['Streaming_History_Audio_2023.json', 11, 'element: expected a JSON object, got 42'],
      ['endsong_0.json', 3, expect.stringMatching(/^invalid JSON after element 2: .*the rest of this file is skipped$/)],
    ]);

    expect(await h.store.catalog.getTrack('spotify:track:1fEGtTZjrjJW8GN9BYKs4y')).toEqual({
      id: 'spotify:track:1fEGtTZjrjJW8GN9BYKs4y',
      title: 'Feeling Good',
      artists: [{ id: 'name:nina simone', name: 'Nina Simone' }],
      album: { id: 'name:nina simone|album:i put a spell on you', title: 'I Put a Spell on You' },
      contentType: 'music',
    });
    expect(await h.store.catalog.getTrack('spotify:episode:2Vv1bJtx0Yd7L1M7tTq1yq')).toEqual({
      id: 'spotify:episode:2Vv1bJtx0Yd7L1M7tTq1yq',
      title: 'Monday, March 1',
      artists: [{ id: 'name:the daily', name: 'The Daily' }],
      contentType: 'podcast',
    });

    const events = await h.store.events.forListener('spotify-listener');
    expect(events.map((e) => [e.trackId, e.msPlayed, e.startReason, e.endReason, e.shuffle, e.skipped])).toEqual([
      ['spotify:track:1fEGtTZjrjJW8GN9BYKs4y', 210000, 'clickrow', 'trackdone', true, false],
      ['spotify:track:4c4pNmYxq6cFA3cN1ZxjD8', 25000, 'trackdone', 'fwdbtn', true, true],
      // skipped null: derived from the end reason by the domain
      ['spotify:episode:2Vv1bJtx0Yd7L1M7tTq1yq', 1500000, 'playbtn', 'endplay', false, false],
      // 'trackerror' is not a Segue end reason
      ['spotify:track:1fEGtTZjrjJW8GN9BYKs4y', 3000, 'trackdone', 'unknown', false, false],
    ]);
    expect(events[0]).toMatchObject({ type: 'play_end', source: 'spotify', ts: Date.parse('2023-03-01T10:03:30Z'), platform: 'android' });
    expect(events.map((e) => e.sessionId)).toEqual([events[0]!.sessionId, events[0]!.sessionId, events[2]!.sessionId, events[2]!.sessionId]);
    expect(events[2]!.sessionId).not.toBe(events[0]!.sessionId); // 36 minutes apart

    // The old format names its listener; null skipped and null reason_end leave the skip unknown.
    const old = await h.store.events.forListener('olduser');
    expect(old.map((e) => [e.trackId, e.endReason, e.skipped, e.shuffle, e.platform])).toEqual([
      ['spotify:track:4vLYewWIvqHfKtJDk8c8tq', 'fwdbtn', true, undefined, 'Android OS 9 API 28 (samsung, SM-G960F)'],
      ['spotify:track:1fEGtTZjrjJW8GN9BYKs4y', undefined, undefined, undefined, 'Partner sonos_ppc Sonos Play:1 - SONOS Play:1 (sonos_ppc) with a'],
    ]);

    const st = await h.store.stats();
    expect(st).toMatchObject({ events: 6, plays: 6, skips: 2, tracks: 4, artists: 3, listeners: 2, sessions: 3 });
    expect(st.skipRate).toBeCloseTo(2 / 5);
  });

  it('adds nothing when the same export is imported again', async () => {
    await importPath(FIXTURE);
    const again = await importPath(FIXTURE);
    expect(again).toMatchObject({ read: 14, accepted: 0, duplicates: 7, rejected: 7 });
    expect(await h.store.events.count()).toBe(6);
  });

  it('reads a single file and names the listener from the option', async () => {
    const s = await importPath(OLD, { listener: 'alice' });
    expect(s).toMatchObject({ read: 3, accepted: 2, duplicates: 0, rejected: 1 });
    expect((await h.store.events.forListener('alice')).length).toBe(2);
    expect(await h.store.events.forListener('olduser')).toEqual([]);
  });

  it('keeps two listeners apart when one export is imported for each (regression: ids once ignored the listener)', async () => {
    expect(await importPath(OLD, { listener: 'alice' })).toMatchObject({ accepted: 2 });
    expect(await importPath(OLD, { listener: 'bob' })).toMatchObject({ accepted: 2, duplicates: 0 });
    expect((await h.store.events.forListener('bob')).length).toBe(2);
  });

  it('refuses unknown options and missing paths', async () => {
    await expect(importPath(AUDIO, { listner: 'alice' })).rejects.toThrow(ImportError);
    await expect(importPath(join(FIXTURE, 'nope.json'))).rejects.toThrow(/no such file or folder/);
  });
});

describe.skipIf(!present(REAL))('spotify-history on the real export (user A)', () => {
  it('imports every play of the PROVENANCE.md counts', async () => {
    const s = await importPath(REAL);
    // 6,978 elements: 6,929 music plays and 49 podcast episode plays (PROVENANCE.md's "podcasts or
    // other items" are all episodes), all imported. One element repeats another in every field
    // the event id hashes (2022-12-14T07:45:20Z, 0 ms), so it is a duplicate; the other 3 of the
    // 4 repeated (ts, uri) pairs differ in ms_played and stay separate plays.
    expect(s).toMatchObject({ read: 6978, accepted: 6977, duplicates: 1, rejected: 0 });
    const st = await h.store.stats();
    // 1,207 tracks + 32 episodes; 638 artists + 13 shows.
    expect(st).toMatchObject({ events: 6977, tracks: 1239, artists: 651, listeners: 1, sessions: 883, skips: 2217 });
    const music = await h.store.catalog.counts();
    expect(music.tracks).toBe(1239);
  }, 30_000);
});
if (!existsSync(REAL)) console.log(`spotify-history: real-data test skipped, ${REAL} not found`);
