import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/index.js';
import type { Artist, Track } from '../../domain/index.js';
import type { StoreStats } from '../../store/index.js';
import { runSegue } from '../testing.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-stats-cli-'));
const db = join(dir, 'world.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stats: StoreStats;
const tracks = new Map<string, Track>();
const artists = new Map<string, Artist>();

beforeAll(async () => {
  await runSegue(['--store', db, 'simulate', '--listeners', '30', '--tracks', '300', '--days', '2', '--seed', '5']);
  stats = JSON.parse(await runSegue(['--store', db, '--json', 'stats', '--top', '4'])) as StoreStats;
  const store = await openStore(db);
  for (const r of stats.topTracks) tracks.set(r.id, (await store.catalog.getTrack(r.id))!);
  for (const r of stats.topArtists) artists.set(r.id, (await store.catalog.getArtist(r.id))!);
  await store.close();
});

/** Text as a regular expression that matches it literally. */
const lit = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const n = (x: number): string => x.toLocaleString('en-US');

/** The rows of one leader table of the text: after its title and header, up to the blank line. */
const section = (text: string, title: string): string[] => {
  const lines = text.split('\n');
  const at = lines.indexOf(title);
  expect(at, `no "${title}" in\n${text}`).toBeGreaterThan(0);
  const end = lines.indexOf('', at);
  return lines.slice(at + 1, end < 0 ? undefined : end);
};

describe('segue stats: tables with names', () => {
  it('names the top tracks (title, artist, album) and artists, without ids', async () => {
    expect(stats.topTracks.length).toBe(4);
    const text = await runSegue(['--store', db, 'stats', '--top', '4']);
    const [head, ...rows] = section(text, 'top tracks');
    expect(head).toMatch(/^#\s+track\s+artist\s+album\s+plays$/);
    stats.topTracks.forEach((r, k) => {
      const t = tracks.get(r.id)!;
      expect(rows[k]).toMatch(new RegExp(`^${k + 1}\\s+${lit(t.title)}\\s+${lit(t.artists[0]!.name)}\\s+${lit(t.album!.title)}\\s+${n(r.plays)}$`));
    });
    const [ahead, ...arows] = section(text, 'top artists');
    expect(ahead).toMatch(/^#\s+artist\s+plays$/);
    stats.topArtists.forEach((r, k) => expect(arows[k]).toMatch(new RegExp(`^${k + 1}\\s+${lit(artists.get(r.id)!.name)}\\s+${n(r.plays)}$`)));
    expect(text).not.toMatch(/\b(trk|art)\d+\b/);
  });

  it('adds the ids with --ids; --json keeps every field', async () => {
    const text = await runSegue(['--store', db, 'stats', '--top', '4', '--ids']);
    const [head, ...rows] = section(text, 'top tracks');
    expect(head).toMatch(/^#\s+track\s+artist\s+album\s+id\s+plays$/);
    stats.topTracks.forEach((r, k) => expect(rows[k]).toMatch(new RegExp(`${lit(tracks.get(r.id)!.title)}.*\\b${r.id}\\s+${n(r.plays)}$`)));
    const [ahead, ...arows] = section(text, 'top artists');
    expect(ahead).toMatch(/^#\s+artist\s+id\s+plays$/);
    stats.topArtists.forEach((r, k) => expect(arows[k]).toMatch(new RegExp(`${lit(artists.get(r.id)!.name)}\\s+${r.id}\\s`)));
    expect(stats.topTracks[0]).toEqual({ id: expect.stringMatching(/^trk\d+$/), name: tracks.get(stats.topTracks[0]!.id)!.title, plays: expect.any(Number) });
    expect(Object.keys(stats).sort()).toEqual(['artists', 'events', 'eventsByType', 'firstTs', 'lastTs', 'listeners', 'mostActiveListeners', 'playlists', 'plays', 'sessions', 'skipRate', 'skips', 'topArtists', 'topGenres', 'topTracks', 'tracks']);
  });
});
