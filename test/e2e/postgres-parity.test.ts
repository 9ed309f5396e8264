import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { segue } from './cli.js';
import { countRows, counts, type ImportSummary, pgUp, segueJson, sql, stats, tempDir, withDatabase } from './postgres.js';

/**
 * The same data on SQLite and PostgreSQL gives the same store: imported from one NDJSON file
 * into both, trained, evaluated and served, the figures and the lists are equal; and
 * `segue store copy` from the SQLite file gives PostgreSQL the same rows and statistics.
 */
const dir = tempDir('segue-pg-parity-');
const lite = join(dir, 'world.db');
const file = join(dir, 'world.ndjson');
let listener = '';
let liteImport: ImportSummary;

/** The default serving set (models' DEFAULT_SOURCES): deterministic to train (item2vec's two threads are not). */
const SOURCES = 'transitions,sknn,popularity';

interface EvalReport { task: string; queries: number; results: Record<string, Record<string, number>>; seconds: number }
interface Rec { requestId: string; items: Array<{ trackId: string }> }
const countRowsOf = async (url: string): Promise<{ events: number; tracks: number }> => ({ events: await countRows(url, 'events'), tracks: await countRows(url, 'tracks') });
const withoutTime = ({ seconds: _, ...rest }: EvalReport): Omit<EvalReport, 'seconds'> => rest;
const withoutId = ({ requestId: _, ...rest }: Rec): Omit<Rec, 'requestId'> => rest;
const trainOn = (store: string): Array<[string, number]> =>
  segueJson<Array<{ model: string; version: number }>>(['--store', store, 'train', '--models', SOURCES]).map((m) => [m.model, m.version]);
/** Radio for the most active listener, not logged (the tests leave the SQLite file as it is). */
// One moment for both stores: counters decay with the request's time, so answers seconds apart differ in the sixth digit.
const AT = String(Date.now());
const radio = (store: string): Rec => segueJson<Rec>(['--store', store, 'recommend', 'radio', '--listener', listener, '--no-log', '--now', AT]);

describe.runIf(pgUp)('SQLite and PostgreSQL: the same data, the same answers', () => {
  // The SQLite side, which the tests only read: imported, trained, a key, a policy, an
  // experiment and an exposure (so that every table has rows for the copy).
  beforeAll(() => {
    const sim = segue(['simulate', '--listeners', '60', '--tracks', '1500', '--days', '5', '--seed', '7', '--ndjson', file]);
    expect(sim.status, sim.stderr).toBe(0);
    liteImport = segueJson<ImportSummary>(['--store', lite, 'import', 'ndjson', file]);
    expect(liteImport.accepted).toBeGreaterThan(5000);
    expect(liteImport.rejected).toBe(0);
    expect(trainOn(lite)).toEqual([['transitions', 1], ['sknn', 1], ['popularity', 1]]);
    listener = (stats(lite).mostActiveListeners as Array<{ id: string }>)[0]!.id;
    expect(segue(['--store', lite, 'recommend', 'radio', '--listener', listener]).status).toBe(0);
    expect(segue(['--store', lite, 'keys', 'create', '--scopes', 'ingest']).status).toBe(0);
    expect(segue(['--store', lite, 'policy', 'save', 'calm', '{"objectives":{"emergingArtists":0.2}}']).status).toBe(0);
    expect(segue(['--store', lite, 'experiment', 'create', JSON.stringify({ name: 'x', surfaces: ['radio'], variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }] })]).status).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports, trains, evaluates and recommends the same as SQLite', async () => {
    await withDatabase(async (db) => {
      const b = segueJson<ImportSummary>(['--store', db.url, 'import', 'ndjson', file]);
      expect(counts(b)).toEqual(counts(liteImport));
      expect(b.stateEvents).toBe(liteImport.stateEvents);
      expect(stats(db.url)).toEqual(stats(lite)); // every count, leader and id
      expect(trainOn(db.url)).toEqual([['transitions', 1], ['sknn', 1], ['popularity', 1]]);

      const evalOn = (store: string): EvalReport => segueJson<EvalReport>(['--store', store, 'eval', '--task', 'next-track']);
      const ea = evalOn(lite), eb = evalOn(db.url);
      expect(ea.queries).toBeGreaterThan(500);
      expect(Object.keys(ea.results)).toEqual(['popularity', 'markov', 'transitions', 'sknn', 'item2vec', 'blend']);
      expect(withoutTime(eb)).toEqual(withoutTime(ea)); // every metric of every model

      const ra = radio(lite), rb = radio(db.url);
      expect(ra.items.length).toBeGreaterThan(10);
      expect(withoutId(rb)).toEqual(withoutId(ra)); // the same tracks in the same order, scores and explanations
    });
  }, 60_000);

  it('store copy: SQLite to PostgreSQL gives equal tables and statistics; a rerun copies nothing', async () => {
    await withDatabase(async (to) => {
      interface Copy { complete: boolean; tables: Array<{ table: string; from: number; to: number; copied: number }> }
      const c = segueJson<Copy>(['store', 'copy', '--from', lite, '--to', to.url]);
      expect(c.complete).toBe(true);
      expect(c.tables.length).toBe(15);
      for (const t of c.tables) {
        expect(t.to, t.table).toBe(t.from);
        expect(t.copied, t.table).toBe(t.from);
      }
      const rows = Object.fromEntries(c.tables.map((t) => [t.table, t.from]));
      for (const t of ['events', 'tracks', 'listeners', 'listener_state', 'exposures', 'models', 'api_keys', 'experiments', 'policies']) expect(rows[t], t).toBeGreaterThan(0);
      // What the destination holds, counted by PostgreSQL itself.
      for (const t of ['events', 'event_keys', 'tracks', 'listener_state', 'exposures', 'models', 'api_keys', 'experiments', 'policies']) {
        const [r] = await sql<{ n: string }>(to.url, `SELECT count(*) AS n FROM ${t}`);
        expect(Number(r!.n), t).toBe(rows[t === 'event_keys' ? 'events' : t]);
      }
      expect(stats(to.url)).toEqual(stats(lite));
      // The copy serves as the original does: the same models and state.
      expect(withoutId(radio(to.url))).toEqual(withoutId(radio(lite)));

      const again = segueJson<Copy>(['store', 'copy', '--from', lite, '--to', to.url]);
      expect(again.complete).toBe(true);
      expect(again.tables.map((t) => [t.table, t.copied])).toEqual(c.tables.map((t) => [t.table, 0]));
      expect(again.tables.map((t) => t.to)).toEqual(c.tables.map((t) => t.to));
    });
  }, 60_000);

  it('store copy into another store (not a copy of the source) is refused before anything is written', async () => {
    await withDatabase(async (other) => {
      const fixture = join(import.meta.dirname, '../fixtures/ndjson/small.ndjson');
      expect(segueJson<ImportSummary>(['--store', other.url, 'import', 'ndjson', fixture, '--rejects', join(dir, 'small.rejects')]).accepted).toBe(11);
      const before = stats(other.url);
      const r = segue(['store', 'copy', '--from', lite, '--to', other.url]);
      expect(r.status).toBe(1);
      const last = r.stderr.trim().split('\n').at(-1)!;
      expect(last).toMatch(/^segue: store copy: the destination's sources has "ndjson" at key 1, the source "simulator": it is not \(a copy of\) this store; copy into an empty store$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // Nothing of the source was merged into it (the copy used to write every table before the first it could tell apart).
      expect(stats(other.url)).toEqual(before);
      expect(await countRowsOf(other.url)).toEqual({ events: 6, tracks: before.tracks });
    });
  });
});
