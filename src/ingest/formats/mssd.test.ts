import { describe, it, expect } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImportError } from '../errors.js';
import { importHarness } from './testing.js';
import { mssd } from './mssd.js';

// Fixture: test/fixtures/mssd, written from the MSSD paper (Brost et al., WWW 2019) and the
// WSDM Cup 2019 challenge's data description; see its README.md for what each line holds.
const FIXTURE = 'test/fixtures/mssd';
const TF = join(FIXTURE, 'track_features/tf_mini.csv');
const LOG = join(FIXTURE, 'training_set/log_mini.csv');
const S1 = '0_0a1b2c3d-1111-4000-8000-00000000000a';
const S2 = '0_0a1b2c3d-2222-4000-8000-00000000000b';
const t = (n: number): string => `t_5e1f0c2a-0000-4000-8000-${String(n).padStart(12, '0')}`;

const h = importHarness(mssd);
const { importPath } = h;

describe('mssd', () => {
  it('imports the folder: features first, then sessions; rejects bad rows with line and reason', async () => {
    const s = await importPath(FIXTURE);
    // tf: 7 rows, 3 good; log: 9 rows, 6 good.
    expect(s).toMatchObject({ read: 16, accepted: 9, duplicates: 0, rejected: 7 });
    expect(h.rejectRows()).toEqual([
      ['tf_mini.csv', 5, 'mode: expected major or minor, got "dorian"'],
      ['tf_mini.csv', 6, 'tempo: expected a number, got "fast"'],
      ['tf_mini.csv', 7, 'expected 30 fields as in the header, got 29'],
      ['tf_mini.csv', 8, 'audio.tempo: expected number to be less or equal to 300, got 412'],
      ['log_mini.csv', 7, 'skip_2: expected true or false, got "maybe"'],
      ['log_mini.csv', 9, 'date: expected YYYY-MM-DD, got "2018-13-01"'],
      ['log_mini.csv', 10, 'expected 21 fields as in the header, got 4'],
    ]);

    expect(await h.store.catalog.getTrack(t(1))).toEqual({
      id: t(1), title: t(1), artists: [], durationMs: 109707, releaseDate: '1950', popularity: 99.975414,
      audio: { tempo: 166.211, energy: 0.817709, valence: 0.935512, danceability: 0.399767, acousticness: 0.45804,
        instrumentalness: 0, speechiness: 0.054299, liveness: 0.141053, loudness: -11.543, key: 4, mode: 1 },
    });
    const t2 = await h.store.catalog.getTrack(t(2));
    expect(t2?.popularity).toBe(100); // 100.2 clamped
    expect(t2?.audio?.mode).toBe(0);
    // A track played but absent from the features: a stub, so that its play imports.
    expect(await h.store.catalog.getTrack(t(99))).toEqual({ id: t(99), title: t(99), artists: [] });
    expect(await h.store.catalog.getTrack(t(4))).toBeUndefined();

    const start = Date.UTC(2018, 6, 15, 16);
    const events = await h.store.events.forListener(`mssd:${S1}`);
    expect(events.map((e) => ({ ...e, seq: 0 }))).toEqual([
      { trackId: t(1), skipped: false, startReason: 'trackdone', endReason: 'trackdone' },
      { trackId: t(2), skipped: true, startReason: 'trackdone', endReason: 'fwdbtn' },
      { trackId: t(3), skipped: false, startReason: 'fwdbtn', endReason: 'trackdone' },
      { trackId: t(99), skipped: true, startReason: 'trackdone', endReason: 'endplay' },
    ].map((e, i) => ({
      seq: 0, type: 'play_end', source: 'mssd', eventId: `${S1}:${i + 1}`, listenerId: `mssd:${S1}`,
      ts: start + i * 60_000, sessionId: S1, shuffle: true, context: { type: 'playlist', position: i }, ...e,
    })));
    const second = await h.store.events.forListener(`mssd:${S2}`);
    expect(second.map((e) => [e.eventId, e.ts, e.context, e.skipped, e.endReason, e.shuffle])).toEqual([
      [`${S2}:1`, Date.UTC(2018, 6, 16, 9), { type: 'album', position: 0 }, false, 'trackdone', false],
      [`${S2}:3`, Date.UTC(2018, 6, 16, 9, 2), { type: 'radio', position: 2 }, true, 'error', false],
    ]);
    expect(await h.store.catalog.getListener(`mssd:${S1}`)).toEqual({ id: `mssd:${S1}`, premium: true });
    expect(await h.store.catalog.getListener(`mssd:${S2}`)).toEqual({ id: `mssd:${S2}`, premium: false });

    const stats = await h.store.stats();
    expect(stats).toMatchObject({ events: 6, plays: 6, skips: 3, skipRate: 0.5, sessions: 2, listeners: 2, tracks: 4, artists: 0 });
  });

  it('imports the same folder again as duplicates only', async () => {
    await importPath(FIXTURE);
    const again = await importPath(FIXTURE);
    expect(again).toMatchObject({ read: 16, accepted: 0, duplicates: 9, rejected: 7 });
    expect(await h.store.events.count()).toBe(6);
    expect((await h.store.stats()).sessions).toBe(2);
  });

  it('reads a single file by its header; logs before features leave stubs the features fill in', async () => {
    expect(await importPath(LOG)).toMatchObject({ read: 9, accepted: 6, rejected: 3 });
    expect(await h.store.catalog.getTrack(t(1))).toEqual({ id: t(1), title: t(1), artists: [] });
    expect(await importPath(TF)).toMatchObject({ read: 7, accepted: 3, rejected: 4 });
    expect((await h.store.catalog.getTrack(t(1)))?.audio?.key).toBe(4);
    expect(await h.store.events.count()).toBe(6);
  });

  it('takes another skip label with option skip', async () => {
    // skip_3 is true at S1 positions 2 to 4 and S2 position 3; line 7 (skip_2 "maybe") now imports.
    expect(await importPath(LOG, { skip: 'skip_3' })).toMatchObject({ read: 9, accepted: 7, rejected: 2 });
    expect((await h.store.stats()).skipRate).toBeCloseTo(4 / 7);
  });

  it('inverts not_skipped when it is the skip label', async () => {
    // not_skipped is false wherever any skip flag is true: the same 4 skips of 7.
    expect(await importPath(LOG, { skip: 'not_skipped' })).toMatchObject({ accepted: 7, rejected: 2 });
    expect((await h.store.events.forListener(`mssd:${S1}`)).map((e) => e.skipped)).toEqual([false, true, true, true]);
  });

  it('refuses unknown options, bad skip labels and files that are not MSSD', async () => {
    await expect(importPath(FIXTURE, { listener: 'x' })).rejects.toThrow(ImportError);
    await expect(importPath(FIXTURE, { skip: 'skip_9' })).rejects.toThrow(/skip must be one of/);
    const other = join(h.dir, 'other.csv');
    writeFileSync(other, 'a,b\n1,2\n');
    await expect(importPath(other)).rejects.toThrow(/not an MSSD file/);
    expect(existsSync(join(h.dir, 'rejects.ndjson'))).toBe(false);
  });
});
