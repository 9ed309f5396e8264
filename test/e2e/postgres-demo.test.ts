import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { countRows, pgUp, segueJson, tempDir, withDatabase } from './postgres.js';

/**
 * `segue demo --store postgres://…`: the 200,000-track demo world built into an empty
 * database (the slowest PostgreSQL test, 30-60 s: run once), and reopened by a second run.
 */
const dir = tempDir('segue-pg-demo-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Demo { store: string; built: boolean; trained: string[]; key: string; keyFile: string; stats: { listeners: number; tracks: number; events: number; skipRate: number } }

describe.runIf(pgUp)('segue demo on PostgreSQL', () => {
  it('builds the demo world and its models into an empty database once; a second run reopens it', async () => {
    await withDatabase(async (db) => {
      const first = segueJson<Demo>(['demo', '--store', db.url, '--no-serve'], { cwd: dir });
      expect(first.store).toBe(db.url);
      expect(first.built).toBe(true);
      expect(first.trained).toEqual(['transitions', 'sknn', 'popularity', 'ranker']);
      expect(first.stats).toMatchObject({ listeners: 1500, tracks: 200_000 });
      expect(first.stats.events).toBeGreaterThan(300_000);
      expect(first.stats.skipRate).toBeGreaterThan(0.15);
      expect(first.stats.skipRate).toBeLessThan(0.5);
      // What it reports is in the database.
      expect(await countRows(db.url, 'events')).toBe(first.stats.events);
      expect(await countRows(db.url, 'tracks')).toBe(200_000);
      expect(await countRows(db.url, 'models')).toBe(4);
      expect(await countRows(db.url, 'api_keys')).toBe(1);
      // The key is kept beside, readable by its owner only.
      expect(first.key).toMatch(/^sg_/);
      expect(first.keyFile).toBe(join(dir, `segue-demo-${db.name}.key`));
      expect(readFileSync(first.keyFile, 'utf8').trim()).toBe(first.key);
      expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
      expect(existsSync(join(dir, 'segue-demo.db'))).toBe(false); // nothing built in the default SQLite file

      const again = segueJson<Demo>(['demo', '--store', db.url, '--no-serve'], { cwd: dir });
      expect(again.built).toBe(false);
      expect(again.trained).toEqual([]);
      expect(again.key).toBe(first.key);
      expect(again.stats).toEqual(first.stats);
      expect(segueJson(['--store', db.url, 'stats', '--top', '5'])).toEqual(first.stats); // the demo shows the top 5
      expect(await countRows(db.url, 'models')).toBe(4);
      expect(await countRows(db.url, 'api_keys')).toBe(1);
    });
  }, 240_000);
});
