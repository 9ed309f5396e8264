import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { simulate, writeToStore } from '../simulator/index.js';
import { loadPlays } from './dataset.js';
import { trainConfig, trainModels, TRAINABLE } from './train.js';
import { csrFromCoo } from './csr.js';
import { trainAls } from './als/index.js';
import { AlsCandidates, type CandidateModel, type ModelName } from './candidate.js';
import { loadModel, modelFromArtifact } from './load.js';

/**
 * Every candidate model, trained through `trainModels` on a small simulated world in a real
 * store: the one model shape (neighbours, recommend, fold-in, save/load), exclusions, and
 * planted structure (the simulator's listeners follow genres, so a track's neighbours should
 * share its main genre far more often than chance).
 */
const dir = mkdtempSync(join(tmpdir(), 'segue-candidates-'));
const store = await openStore(join(dir, 'sim.db'));
const models = new Map<ModelName, CandidateModel>();
const genreOf = new Map<string, string>();

beforeAll(async () => {
  await writeToStore(simulate({ listeners: 120, tracks: 3000, days: 6, seed: 7 }), store);
  const cfg = trainConfig({ item2vec: { epochs: 20, dims: 16 }, als: { epochs: 6, dims: 16, threads: 1 } });
  await trainModels(store, TRAINABLE, cfg);
  for (const name of TRAINABLE) models.set(name, await loadModel(store, name));
  for await (const b of store.catalog.scanTracks()) for (const t of b) if (t.genres?.[0]) genreOf.set(t.id, t.genres[0]);
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Tracks with at least `min` plays in the log: seeds with enough evidence. */
async function playedTracks(min: number): Promise<string[]> {
  const log = await loadPlays(store);
  const n = new Map<string, number>();
  for (let i = 0; i < log.length; i++) n.set(log.trackIds[log.track[i]!]!, (n.get(log.trackIds[log.track[i]!]!) ?? 0) + 1);
  return [...n].filter(([, c]) => c >= min).map(([t]) => t).sort();
}

describe('candidate models: one shape', () => {
  it('loads every trained model with its version and vocabulary', () => {
    for (const name of TRAINABLE) {
      const m = models.get(name)!;
      expect(m.name).toBe(name);
      expect((m as CandidateModel & { version: number }).version).toBe(1);
      expect(m.trackIds.length).toBeGreaterThan(100);
      expect(m.trackIndex(m.trackIds[5]!)).toBe(5);
      expect(m.trackIndex('no-such-track')).toBe(-1);
    }
  });

  it('neighbours share the seed track\'s genre far more often than chance (planted structure)', async () => {
    const seeds = (await playedTracks(8)).slice(0, 60);
    expect(seeds.length).toBeGreaterThan(20);
    const counts = new Map<string, number>();
    for (const g of genreOf.values()) counts.set(g, (counts.get(g) ?? 0) + 1);
    let chance = 0;
    for (const c of counts.values()) chance += (c / genreOf.size) ** 2;
    for (const name of ['transitions', 'sknn', 'item2vec', 'als', 'content'] as const) {
      const m = models.get(name)!;
      let same = 0, total = 0;
      for (const s of seeds) {
        const ix = m.trackIndex(s);
        const nb = m.neighbours(ix, 10);
        expect(Array.from(nb.ix)).not.toContain(ix);
        for (const j of nb.ix) {
          total++;
          if (genreOf.get(m.trackIds[j]!) === genreOf.get(s)) same++;
        }
      }
      expect(total, name).toBeGreaterThan(seeds.length * 5);
      expect(same / total, `${name}: share of neighbours in the seed's genre vs chance ${chance.toFixed(3)}`).toBeGreaterThan(Math.max(3 * chance, 0.3));
    }
  });

  it('save/load round trips give identical answers', () => {
    for (const name of TRAINABLE) {
      const m = models.get(name)!;
      const again = modelFromArtifact(m.save());
      const h = { tracks: Int32Array.of(3, 8, 13, 21) };
      expect(again.recommend(h, 20), name).toEqual(m.recommend(h, 20));
      expect(again.neighbours(8, 20), name).toEqual(m.neighbours(8, 20));
      const a = new Float64Array(m.trackIds.length), b = new Float64Array(m.trackIds.length);
      m.scoreInto(h, a);
      again.scoreInto(h, b);
      expect(b, name).toEqual(a);
    }
  });

  it('honours exclusions: never an excluded track, and otherwise the same order', () => {
    for (const name of TRAINABLE) {
      const m = models.get(name)!;
      const h = { tracks: Int32Array.of(3, 8, 13, 21) };
      const full = m.recommend(h, 30);
      expect(full.ix.length, name).toBeGreaterThan(10);
      const ex = new Set([full.ix[0]!, full.ix[2]!, full.ix[5]!]);
      const cut = m.recommend(h, 20, ex);
      for (const t of cut.ix) expect(ex.has(t), name).toBe(false);
      expect(Array.from(cut.ix), name).toEqual(Array.from(full.ix).filter((t) => !ex.has(t)).slice(0, 20));
      const nb = m.neighbours(8, 15, ex);
      for (const t of nb.ix) expect(ex.has(t) || t === 8, name).toBe(false);
    }
  });

  it('scores come out best first, and recommend agrees with scoreInto', () => {
    for (const name of ['transitions', 'sknn', 'content', 'popularity'] as const) {
      const m = models.get(name)!;
      const h = { tracks: Int32Array.of(40, 41, 42) };
      const r = m.recommend(h, 25);
      for (let i = 1; i < r.scores.length; i++) expect(r.scores[i]!).toBeLessThanOrEqual(r.scores[i - 1]!);
      const s = new Float64Array(m.trackIds.length);
      m.scoreInto(h, s);
      r.ix.forEach((t, i) => expect(r.scores[i]!).toBeCloseTo(s[t]!, 4));
    }
  });

  it('folds in an unknown session or listener; unknown tracks are ignored', () => {
    for (const name of ['transitions', 'sknn', 'item2vec', 'als', 'content'] as const) {
      const m = models.get(name)!;
      const a = m.recommend({ tracks: Int32Array.of(3, 8) }, 10);
      const b = m.recommend({ tracks: Int32Array.of(-1, 3, 8, m.trackIds.length + 5) }, 10);
      expect(b, name).toEqual(a);
      expect(m.recommend({ tracks: new Int32Array(0) }, 10).ix.length, `${name}: an empty history has no evidence`).toBe(0);
    }
    expect(() => models.get('als')!.neighbours(-3, 5)).toThrow(/track ix -3 is outside/);
    expect(() => models.get('item2vec')!.recommend({ tracks: Int32Array.of(1) }, 1.5)).toThrow(/k must be an integer/);
  });

  it('popularity serves popular, trending and new-release lists', () => {
    const pop = models.get('popularity')! as import('./candidate.js').PopularityCandidates;
    expect(pop.tables.popular.some((x) => x > 0)).toBe(true);
    expect(pop.tables.trending.some((x) => x > 0)).toBe(true);
    const t = pop.serving('trending').recommend({ tracks: new Int32Array(0) }, 10);
    expect(t.ix.length).toBe(10);
    const p = pop.recommend({ tracks: new Int32Array(0) }, 10);
    expect(p.scores[0]).toBe(Math.max(...pop.tables.popular));
  });

  it('refuses an artifact of an unknown model or version', async () => {
    expect(() => modelFromArtifact(new Uint8Array(4))).toThrow(/too short/);
    const loadMissing = loadModel(await openStore(join(dir, 'empty.db')), 'als');
    return expect(loadMissing).rejects.toThrow(/no trained als model in the store; run `segue train --models als`/);
  });
});

describe('ALS fold-in matches a retrain', () => {
  it('a listener left out of training, folded in, gets nearly the recommendations a retrain with them gives', async () => {
    // Two taste groups over 40 tracks; listener 0 is held out of one training run.
    const r: number[] = [], c: number[] = [], v: number[] = [];
    let seed = 11;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let u = 0; u < 80; u++) for (let k = 0; k < 10; k++) {
      r.push(u);
      c.push((u % 2) * 20 + rand(20));
      v.push(1 + rand(3));
    }
    const full = csrFromCoo(80, 40, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v));
    const keep = r.map((u) => u !== 0);
    const without = csrFromCoo(80, 40, Int32Array.from(r.filter((_, i) => keep[i])), Int32Array.from(c.filter((_, i) => keep[i])), Float32Array.from(v.filter((_, i) => keep[i])));
    const cfg = { dims: 8, epochs: 30, threads: 1, regularization: 0.1, cgSteps: 8 };
    const ids = Array.from({ length: 40 }, (_, i) => `t${i}`), users = Array.from({ length: 80 }, (_, i) => `u${i}`);
    const withU = await trainAls(full, cfg);
    const withoutU = await trainAls(without, cfg);
    const a = AlsCandidates.build(withU.userFactors, withU.itemFactors, 8, users, ids, { ...(await import('./als/index.js')).alsConfig(cfg) });
    const b = AlsCandidates.build(withoutU.userFactors, withoutU.itemFactors, 8, users.map((u) => (u === 'u0' ? 'gone' : u)), ids, { ...(await import('./als/index.js')).alsConfig(cfg) });
    const history = { tracks: full.indices.subarray(full.indptr[0]!, full.indptr[1]!), weights: full.data.subarray(full.indptr[0]!, full.indptr[1]!) };
    const retrained = a.recommend({ ...history, listener: 'u0' }, 10);
    const folded = b.recommend({ ...history, listener: 'u0' }, 10); // 'u0' is unknown to b: folded in
    const overlap = Array.from(folded.ix).filter((t) => retrained.ix.includes(t)).length;
    expect(overlap).toBeGreaterThanOrEqual(8);
    // Every track's score within 0.05 of the retrain's (scores of played tracks are ~1).
    const sa = new Float64Array(40), sb = new Float64Array(40);
    a.scoreInto({ ...history, listener: 'u0' }, sa);
    b.scoreInto({ ...history, listener: 'u0' }, sb);
    for (let t = 0; t < 40; t++) expect(Math.abs(sa[t]! - sb[t]!)).toBeLessThan(0.05);
  });
});
