import { describe, it, expect, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataset, present } from '../datasets.js';
import { counts, type ImportSummary, pgUp, segueJson, stats, tempDir, withDatabase } from './postgres.js';

/**
 * `segue import` into PostgreSQL: the real Spotify history twice (the second adds nothing),
 * and every format's fixture, with the same counts and statistics as on SQLite.
 */
const dir = tempDir('segue-pg-import-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FIXTURES = join(import.meta.dirname, '../fixtures');
const SPOTIFY = dataset('spotify-extended-streaming-history-user-a');

const importInto = (store: string, format: string, path: string, rejects: string): ImportSummary =>
  segueJson<ImportSummary>(['--store', store, 'import', format, path, '--rejects', join(dir, rejects)]);

describe.runIf(pgUp)('segue import into PostgreSQL', () => {
  it.runIf(present(SPOTIFY))('imports the shared Spotify history; a second import accepts nothing and changes no statistic', async () => {
    await withDatabase(async (db) => {
      const first = importInto(db.url, 'spotify-history', SPOTIFY, 'spotify.rejects');
      expect(first.read).toBeGreaterThan(6000);
      expect(first.rejected).toBe(0);
      expect(first.accepted + first.duplicates).toBe(first.read);
      expect(first.stateEvents).toBe(first.accepted); // folded into the online state
      const before = stats(db.url);
      expect(before).toMatchObject({ events: first.accepted, plays: first.accepted, listeners: 1 });
      expect(before.sessions as number).toBeGreaterThan(500);

      const again = importInto(db.url, 'spotify-history', SPOTIFY, 'spotify.rejects');
      expect(again).toMatchObject({ format: 'spotify-history', read: first.read, accepted: 0, duplicates: first.read, rejected: 0, stateEvents: 0 });
      expect(stats(db.url)).toEqual(before);
    });
  }, 60_000);

  it('imports all eight formats with the counts and statistics of SQLite; a re-import accepts nothing', async () => {
    // Each fixture and what importing it alone gives (as in src/ingest/formats/*.test.ts).
    const fixtures: Array<[format: string, path: string, read: number, accepted: number, duplicates: number, rejected: number]> = [
      ['ndjson', 'ndjson/small.ndjson', 15, 11, 0, 4],
      ['spotify-history', 'spotify-history', 14, 6, 1, 7],
      ['catalog-csv', 'catalog-csv/tidytuesday.csv', 13, 6, 1, 6],
      ['mssd', 'mssd', 16, 9, 0, 7],
      ['mpd', 'mpd', 8, 5, 0, 3],
      ['lastfm-1k', 'lastfm-1k', 18, 10, 1, 7],
      ['listenbrainz', 'listenbrainz/export', 11, 6, 1, 4],
      ['lastfm-2k', 'lastfm-2k', 24, 12, 1, 11],
    ];
    const { FORMATS } = await import('../../src/ingest/index.js');
    expect(fixtures.map((f) => f[0]).sort()).toEqual([...FORMATS.keys()].sort()); // every format the CLI knows
    const lite = join(dir, 'formats.db');
    await withDatabase(async (db) => {
      for (const [format, path, read, accepted, duplicates, rejected] of fixtures) {
        const onPg = importInto(db.url, format, join(FIXTURES, path), `${format}.pg.rejects`);
        const onLite = importInto(lite, format, join(FIXTURES, path), `${format}.lite.rejects`);
        expect(counts(onPg), format).toEqual({ read, accepted, duplicates, rejected });
        expect(counts(onPg), format).toEqual(counts(onLite));
      }
      const s = stats(db.url);
      expect(s).toEqual(stats(lite));
      expect(s.events as number).toBeGreaterThan(30);
      expect(s.playlists as number).toBeGreaterThan(0); // mpd

      for (const [format, path, read, accepted, duplicates, rejected] of fixtures) {
        const again = importInto(db.url, format, join(FIXTURES, path), `${format}.pg.rejects`);
        expect(counts(again), format).toEqual({ read, accepted: 0, duplicates: accepted + duplicates, rejected });
      }
      expect(stats(db.url)).toEqual(s);
    });
  }, 90_000);
});
