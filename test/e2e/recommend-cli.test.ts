import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segue } from './cli.js';
import { openStore } from '../../src/store/index.js';

/**
 * `segue recommend <surface>` end to end on a simulated world with trained models and the
 * ranker: every surface answers, in order, with track, artist and album ids and an
 * explanation; the policy's rules hold; the same request gives the same answer; a station's
 * pages never repeat.
 */
const dir = mkdtempSync(join(tmpdir(), 'segue-recommend-'));
const db = join(dir, 'sim.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Item { position: number; trackId: string; artistIds: string[]; albumId?: string; score: number; propensity: number; explanation: { sources: string[]; values: Record<string, number>; changedBy: string[] }; inserted?: boolean }
interface Res { requestId: string; surface: string; items: Item[]; mixes?: Array<{ name: string; genre: string; items: Item[] }>; tasteMatch?: number; memberShares?: Record<string, number>; stationId?: string }
const rec = (...args: string[]): Res => {
  const r = segue(['--store', db, 'recommend', ...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Res;
};
let listener = '', other = '', seedTrack = '', genre = '', playlist = '';

beforeAll(async () => {
  expect(segue(['--store', db, 'simulate', '--listeners', '200', '--tracks', '3000', '--days', '10', '--seed', '4']).status).toBe(0);
  const t = segue(['--store', db, 'train', '--models', 'transitions,sknn,popularity,ranker']);
  expect(t.status, t.stderr).toBe(0);
  const store = await openStore(db);
  const ids: string[] = [];
  for await (const b of store.events.scan({ batchSize: 5000, types: ['play_end'] })) {
    for (const e of b) if (!ids.includes(e.listenerId)) ids.push(e.listenerId);
    if (ids.length > 3) break;
  }
  listener = ids[0]!;
  other = ids[1]!;
  const events = await store.events.forListener(listener, { limit: 50 });
  seedTrack = events.find((e) => e.trackId)!.trackId!;
  genre = (await store.catalog.getTrack(seedTrack))!.genres![0]!;
  for await (const b of store.catalog.scanPlaylists()) if (!playlist) playlist = b.find((p) => p.trackIds.length >= 9)?.id ?? '';
  await store.close();
}, 240_000);

const checkShape = (r: Res, surface: string): void => {
  expect(r.surface).toBe(surface);
  expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
  r.items.forEach((x, k) => {
    expect(x.position).toBe(k);
    expect(x.trackId).toMatch(/\S/);
    expect(x.artistIds.length).toBeGreaterThan(0);
    expect(x.explanation.sources.length).toBeGreaterThan(0);
    expect(x.propensity).toBeGreaterThan(0);
  });
  expect(new Set(r.items.map((x) => x.trackId)).size).toBe(r.items.length);
};
const separated = (items: Item[], n: number): boolean => items.every((x, k) => items.slice(Math.max(0, k - n), k).every((y) => y.artistIds[0] !== x.artistIds[0]));

describe('segue recommend', () => {
  it('radio: a full page, artists separated, explanations, the same answer to the same request', () => {
    // One time for both requests: a request is sampled for candidate logging (and explores) by its seed, listener and time.
    const now = String(Date.now());
    const a = rec('radio', '--listener', listener, '--seed-track', seedTrack, '--n', '30', '--now', now);
    checkShape(a, 'radio');
    expect(a.items.length).toBe(30);
    expect(separated(a.items, 1)).toBe(true); // radio's default: no artist back to back
    expect(a.items.map((x) => x.trackId)).not.toContain(seedTrack);
    expect(a.items.every((x) => x.explanation.values['satisfaction'] !== undefined)).toBe(true);
    // Logging an exposure does not change the answer to an identical new request.
    const b = rec('radio', '--listener', listener, '--seed-track', seedTrack, '--n', '30', '--now', now);
    expect(b.items.map((x) => x.trackId)).toEqual(a.items.map((x) => x.trackId));
    expect(b.requestId).not.toBe(a.requestId);
    // Seeded by a genre or an artist too.
    expect(rec('radio', '--listener', listener, '--seed-genre', genre, '--n', '10').items.length).toBe(10);
    expect(rec('radio', '--listener', listener, '--seed-artist', a.items[0]!.artistIds[0]!, '--n', '10').items.length).toBe(10);
  });

  it('radio stations page on without repeats, keeping separation and the 3-hour window across pages', () => {
    const pages = [1, 2, 3].map(() => rec('radio', '--listener', listener, '--seed-track', seedTrack, '--station', 'st1', '--n', '20'));
    const all = pages.flatMap((p) => p.items);
    expect(pages.every((p) => p.stationId === 'st1')).toBe(true);
    expect(new Set(all.map((x) => x.trackId)).size).toBe(all.length);
    expect(separated(all, 1)).toBe(true);
    // Webcasting: at most 4 tracks by one artist in any 3 hours; 30 consecutive tracks fit in 3 hours here.
    for (let k = 0; k + 30 <= all.length; k++) {
      const counts = new Map<string, number>();
      for (const x of all.slice(k, k + 30)) counts.set(x.artistIds[0]!, (counts.get(x.artistIds[0]!) ?? 0) + 1);
      expect(Math.max(...counts.values())).toBeLessThanOrEqual(4);
    }
  });

  it('discovery has only tracks new to the listener; autoplay continues an album; mood and release radar answer', () => {
    const d = rec('discovery', '--listener', listener, '--n', '15');
    checkShape(d, 'discovery');
    expect(d.items.length).toBeGreaterThan(5);
    expect(new Set(d.items.map((x) => x.artistIds[0])).size).toBe(d.items.length); // one per artist
    const a = rec('autoplay', '--listener', listener, '--seed-track', seedTrack, '--n', '10');
    checkShape(a, 'autoplay');
    expect(a.items.length).toBe(10);
    const m = rec('mood', '--listener', listener, '--mood', 'calm', '--n', '10');
    checkShape(m, 'mood');
    const r = rec('release-radar', '--listener', listener, '--n', '10');
    checkShape(r, 'release-radar');
    expect(r.items.length).toBeGreaterThan(0);
    expect(r.items.every((x) => x.explanation.sources[0]!.startsWith('release-radar'))).toBe(true);
  });

  it('daily mixes are named from their genre and artists; blend reports a taste match and keeps every member above the floor', () => {
    const d = rec('daily-mixes', '--listener', listener, '--n', '12');
    expect(d.mixes!.length).toBeGreaterThan(0);
    expect(d.mixes!.length).toBeLessThanOrEqual(6);
    for (const mix of d.mixes!) {
      expect(mix.name.startsWith(`${mix.genre} mix: `)).toBe(true);
      expect(mix.items.length).toBeGreaterThan(0);
    }
    const b = rec('blend', '--listener', listener, '--with', other, '--n', '20');
    checkShape(b, 'blend');
    expect(b.tasteMatch).toBeGreaterThanOrEqual(0);
    expect(b.tasteMatch).toBeLessThanOrEqual(1);
    expect(Object.keys(b.memberShares!)).toEqual([listener, other]);
    for (const share of Object.values(b.memberShares!)) expect(share).toBeGreaterThanOrEqual(0.5);
  });

  it('enhance puts one recommendation after every three playlist tracks; shuffle spreads artists', () => {
    expect(playlist).not.toBe('');
    const e = rec('enhance', '--listener', listener, '--playlist', playlist);
    checkShape(e, 'enhance');
    e.items.forEach((x, k) => expect(Boolean(x.inserted)).toBe(k % 4 === 3));
    const s = rec('shuffle', '--listener', listener, '--n', '25');
    checkShape(s, 'shuffle');
    expect(separated(s.items, 3)).toBe(true);
    expect(rec('shuffle', '--listener', listener, '--n', '25', '--seed', '1').items.map((x) => x.trackId)).not.toEqual(s.items.map((x) => x.trackId));
  });

  it('takes a policy file, and refuses bad requests in one line', () => {
    const p = join(dir, 'policy.json');
    writeFileSync(p, JSON.stringify({ surface: 'radio', length: 12, candidates: [{ source: 'transitions', k: 200 }], objectives: { satisfaction: 1 }, constraints: { artistSeparation: 6 } }));
    const r = rec('radio', '--listener', listener, '--seed-track', seedTrack, '--policy', p);
    expect(r.items.length).toBe(12);
    expect(separated(r.items, 6)).toBe(true);
    writeFileSync(p, JSON.stringify({ surface: 'radio', length: 0, candidates: [], objectives: {}, constraints: {} }));
    expect(segue(['--store', db, 'recommend', 'radio', '--listener', listener, '--policy', p]).stderr.trim()).toMatch(/^segue: .*policy\.json: /);
    expect(segue(['--store', db, 'recommend', 'tv', '--listener', listener]).stderr.trim()).toMatch(/^segue: <surface> must be one of autoplay, radio/);
    expect(segue(['--store', db, 'recommend', 'radio', '--listener', listener, '--seed-track', 'nope']).stderr.trim()).toBe('segue: unknown track "nope"');
    expect(segue(['--store', db, 'recommend', 'mood', '--listener', listener, '--mood', 'grumpy']).stderr.trim()).toMatch(/^segue: mood must be one of energetic/);
    expect(segue(['--store', db, 'recommend', 'blend', '--listener', listener]).stderr.trim()).toMatch(/blend needs two or more listeners/);
  });
});

describe('segue tradeoff', () => {
  it('traces listen-through against emerging-artist share in the closed loop, as JSON and SVG', () => {
    const out = join(dir, 'tradeoff.json'), svg = join(dir, 'tradeoff.svg');
    const r = segue(['tradeoff', '--surface', 'radio', '--sweep', 'emergingArtists=0:2:1', '--listeners', '300', '--tracks', '3000', '--days', '5', '--sessions', '60', '--length', '20', '--out', out, '--svg', svg, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { objective: string; points: Array<{ weight: number; listenThrough: number; emergingShare: number }>; baseline: { listenThrough: number } };
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expect(report.objective).toBe('emergingArtists');
    expect(report.points.map((p) => p.weight)).toEqual([0, 1, 2]);
    // A larger weight on emerging artists gives them a larger share of plays.
    expect(report.points[2]!.emergingShare).toBeGreaterThan(report.points[0]!.emergingShare);
    const plot = readFileSync(svg, 'utf8');
    expect(plot.startsWith('<svg')).toBe(true);
    expect((plot.match(/<circle /g) ?? []).length).toBe(3);
    expect(segue(['tradeoff', '--surface', 'radio', '--sweep', 'vibes=0:1:0.1']).stderr.trim()).toMatch(/^segue: --sweep: unknown objective "vibes"/);
    expect(segue(['tradeoff', '--surface', 'radio', '--sweep', 'flow=1:0:0.1']).stderr.trim()).toMatch(/must be ascending/);
  }, 180_000);
});
