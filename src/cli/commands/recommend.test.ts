import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../sequencing/index.js';
import { openStore } from '../../store/index.js';
import type { Track } from '../../domain/index.js';
import type { SurfaceResponse } from '../../surfaces/index.js';
import { CliError } from '../errors.js';
import { runSegue } from '../testing.js';

/**
 * `segue recommend` on a small simulated world (two quick models): the table names tracks,
 * artists and albums (ids only with --ids, always in --json), and --policy follows the one
 * rule of every policy: a partial policy over the surface's default.
 */
const dir = mkdtempSync(join(tmpdir(), 'segue-recommend-cli-'));
const db = join(dir, 'world.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let listener = '';
const catalog = new Map<string, Track>();
const radio = (...more: string[]): string[] => ['--store', db, 'recommend', 'radio', '--listener', listener, '--n', '8', '--no-log', ...more];
const json = async (args: string[]): Promise<SurfaceResponse> => JSON.parse(await runSegue(['--json', ...args])) as SurfaceResponse;

beforeAll(async () => {
  await runSegue(['--store', db, 'simulate', '--listeners', '60', '--tracks', '600', '--days', '4', '--seed', '2']);
  await runSegue(['--store', db, 'train', '--models', 'popularity,transitions']);
  listener = (JSON.parse(await runSegue(['--store', db, '--json', 'stats', '--top', '1'])) as { mostActiveListeners: Array<{ id: string }> }).mostActiveListeners[0]!.id;
  const store = await openStore(db);
  for await (const page of store.catalog.scanTracks()) for (const t of page) catalog.set(t.id, t);
  await store.close();
});

describe('segue recommend: tables with names', () => {
  it('shows titles, artists and albums and no ids; --ids adds the ids; --json keeps the served ids', async () => {
    const res = await json(radio());
    expect(res.items.length).toBe(8);
    const text = await runSegue(radio());
    const [, header, ...rows] = text.trimEnd().split('\n');
    expect(header).toMatch(/^#\s+track\s+artist\s+album\s+score\s+from/);
    expect(rows.length).toBe(8);
    res.items.forEach((x, k) => {
      const t = catalog.get(x.trackId)!;
      expect(rows[k]).toContain(t.title);
      expect(rows[k]).toContain(t.artists[0]!.name);
      expect(rows[k]).toContain(t.album!.title);
    });
    // No id of a track or an artist (the simulator's trk<n>, art<n>) anywhere in the table.
    expect(text).not.toMatch(/\b(trk|art)\d+\b/);

    const withIds = (await runSegue(radio('--ids'))).trimEnd().split('\n');
    expect(withIds[1]).toMatch(/^#\s+track\s+artist\s+album\s+track id\s+artist id\s+score/);
    res.items.forEach((x, k) => {
      expect(withIds[k + 2]).toContain(catalog.get(x.trackId)!.title);
      expect(withIds[k + 2]).toMatch(new RegExp(`\\b${x.trackId}\\b.*\\b${x.artistIds[0]}\\b`));
    });

    // --json: the served response, ids and all (the same fields as the API's).
    for (const x of res.items) {
      expect(x.trackId).toMatch(/^trk\d+$/);
      expect(x.artistIds[0]).toMatch(/^art\d+$/);
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['position', 'trackId', 'artistIds', 'score', 'propensity', 'explanation']));
    }
  });

  it('heads each daily mix with its artists\' names', async () => {
    const res = await json(['--store', db, 'recommend', 'daily-mixes', '--listener', listener, '--n', '4', '--no-log']);
    expect(res.mixes!.length).toBeGreaterThan(0);
    const text = await runSegue(['--store', db, 'recommend', 'daily-mixes', '--listener', listener, '--n', '4', '--no-log']);
    for (const m of res.mixes!) {
      expect(m.name).toMatch(new RegExp(`^${m.genre} mix: art\\d+`)); // the surface names a mix by artist ids
      const names = m.name.slice(`${m.genre} mix: `.length).split(', ').map((id) => m.items.map((x) => catalog.get(x.trackId)!.artists.find((a) => a.id === id)).find(Boolean)!.name);
      expect(text).toContain(`${m.genre} mix: ${names.join(', ')}\n`);
    }
    expect(text).not.toMatch(/\b(trk|art)\d+\b/);
  });
});

describe('segue recommend --policy: a partial policy over the surface\'s default', () => {
  it('one objective weight gives the same answer as the whole default policy with that weight changed', async () => {
    const whole = defaultPolicy('radio');
    whole.objectives.emergingArtists = 3;
    const file = join(dir, 'whole.json');
    writeFileSync(file, JSON.stringify(whole));
    const partial = await json(radio('--policy', '{"objectives":{"emergingArtists":3}}'));
    const full = await json(radio('--policy', file));
    expect(partial.items).toEqual(full.items);
    expect(partial.policyId).toBe(full.policyId); // the same policy, by its hash
    // And the weight did change the answer: the default's differs.
    const byDefault = await json(radio());
    expect(byDefault.items.map((x) => x.trackId)).not.toEqual(partial.items.map((x) => x.trackId));
    expect((await json(radio('--policy', 'default'))).items).toEqual(byDefault.items);
  });

  it('takes a saved policy by name, as experiments and off-policy evaluation do', async () => {
    await runSegue(['--store', db, 'policy', 'save', 'emerging', '{"objectives":{"emergingArtists":3}}']);
    const saved = await json(radio('--policy', 'emerging'));
    expect(saved.items).toEqual((await json(radio('--policy', '{"objectives":{"emergingArtists":3}}'))).items);
  });

  it('refuses a field a policy does not have, or a bad value, in one line naming it', async () => {
    const bad: Array<[string, RegExp]> = [
      ['{"weights":{"flow":1}}', /^--policy: weights: unexpected property/],
      ['{"objectives":{"flw":1}}', /^--policy: objectives\.flw: unexpected property/],
      ['{"objectives":{"flow":"x"}}', /^--policy: objectives\.flow: expected number/],
      ['{"surface":"autoplay"}', /^--policy: surface is "autoplay", but the request is for radio/],
      ['[1,2]', /^--policy: expected a JSON object/],
      ['{"objectives":', /^--policy: neither a file nor valid JSON/],
      ['nosuch', /^--policy: no policy named "nosuch"/],
    ];
    for (const [policy, message] of bad) {
      const p = runSegue(radio('--policy', policy));
      await expect(p).rejects.toThrow(message);
      await expect(p).rejects.toBeInstanceOf(CliError);
    }
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ length: 0 }));
    await expect(runSegue(radio('--policy', file))).rejects.toThrow(`--policy ${file}: length: expected integer to be greater or equal to 1`);
  });
});
