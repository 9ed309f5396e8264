import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { simulate, writeToStore } from '../src/simulator/index.js';
import { trainModels } from '../src/models/index.js';
import { acceptEvents, openOnlineState, type OnlineState } from '../src/features/index.js';
import type { SegueEvent } from '../src/domain/index.js';
import { Recommender, trainRanker, DEFAULT_RANKER, type Recommendation } from '../src/ranking/index.js';
import { Surfaces } from '../src/surfaces/index.js';
import { PolicyError, RETRIEVING_SURFACES, defaultPolicy, overridePolicy } from '../src/sequencing/index.js';
import { Assigner, createExperiment, startExperiment, stopExperiment } from '../src/experiments/index.js';

/**
 * Real time (issue 4, item 6): after an event is accepted, the next recommendation for that
 * listener and session reflects it. A simulated world, real models, the ranker, the store's
 * event log and the embedded online state; events go in through `acceptEvents`. It checks
 * ranking, surfaces and experiments together, so it lives in test/, not in one stage's folder.
 */
const dir = mkdtempSync(join(tmpdir(), 'segue-realtime-'));
const store = await openStore(join(dir, 'sim.db'));
let reco: Recommender;
let T = Date.UTC(2027, 0, 4, 18);
let seq = 0;

beforeAll(async () => {
  await writeToStore(simulate({ listeners: 150, tracks: 2500, days: 7, seed: 21 }), store);
  await trainModels(store, ['transitions', 'sknn', 'popularity']);
  await trainRanker(store, { ...DEFAULT_RANKER, maxTrainQueries: 2000, maxTestQueries: 500, trees: 60 });
  reco = await Recommender.open(store);
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const play = (listenerId: string, trackId: string, skipped: boolean): SegueEvent =>
  ({ type: 'play_end', source: 'realtime-test', eventId: `rt${seq++}`, listenerId, trackId, ts: (T += 60_000), skipped, msPlayed: skipped ? 5_000 : 180_000 });
const like = (listenerId: string, trackId: string): SegueEvent =>
  ({ type: 'like', source: 'realtime-test', eventId: `rt${seq++}`, listenerId, trackId, ts: (T += 1_000) });

describe('real-time recommendations', () => {
  it('uses the ranker and retrieves from every trained source', async () => {
    expect(reco.ranker).toBeDefined();
    expect([...reco.sources.keys()].sort()).toEqual(['popularity', 'sknn', 'transitions']);
  });

  it('drops an artist whose every track the session skips, and keeps it out', async () => {
    const listener = 'radio-listener-1';
    const seed = reco.table.ids[10]!;
    const first = await reco.next({ listenerId: listener, seedTrack: seed, now: T, surface: 'radio' });
    expect(first.length).toBe(20);
    // The most frequent artist of the first page (other than the seed's) is the one the listener dislikes.
    const counts = new Map<string, number>();
    for (const r of first) counts.set(r.artistId, (counts.get(r.artistId) ?? 0) + 1);
    const artist = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    let page: Recommendation[] = first;
    let skipped = 0;
    for (let round = 0; round < 6 && page.some((r) => r.artistId === artist); round++) {
      // The listener plays the page's top 5, skipping every track by that artist.
      const events: SegueEvent[] = [];
      for (const r of page.filter((x) => x.artistId === artist)) events.push(play(listener, r.trackId, true));
      for (const r of page.filter((x) => x.artistId !== artist).slice(0, 3)) events.push(play(listener, r.trackId, false));
      skipped += events.filter((e) => e.skipped).length;
      const res = await acceptEvents(store, reco.state, events);
      expect(res.accepted).toBe(events.length);
      page = await reco.next({ listenerId: listener, seedTrack: seed, now: T, surface: 'radio' });
    }
    expect(skipped).toBeGreaterThanOrEqual(1);
    expect(page.length).toBe(20);
    expect(page.filter((r) => r.artistId === artist)).toEqual([]);
    // Nothing played in the session comes back.
    const view = await reco.state.view(listener);
    const played = new Set(view.session(T)!.recent.map((p) => p.trackId));
    expect(page.filter((r) => played.has(r.trackId))).toEqual([]);
    // A second listener's radio on the same seed still plays that artist: the state is per listener.
    const other = await reco.next({ listenerId: 'radio-listener-2', seedTrack: seed, now: T, surface: 'radio' });
    expect(other.map((r) => r.trackId)).toEqual(first.map((r) => r.trackId));
  });

  it('raises a genre the listener likes', async () => {
    const listener = 'radio-listener-3';
    const seed = reco.table.ids[200]!;
    const before = await reco.next({ listenerId: listener, seedTrack: seed, now: T, n: 30 });
    const genreOf = (id: string): string => reco.table.genresOf(id)[0] ?? '';
    const seedGenre = genreOf(seed);
    // A genre other than the seed's, present in the catalog: the listener likes three of its tracks.
    const shares = new Map<string, number>();
    for (const id of reco.table.ids) shares.set(genreOf(id), (shares.get(genreOf(id)) ?? 0) + 1);
    const genre = [...shares.keys()].filter((g) => g && g !== seedGenre).sort((a, b) => shares.get(b)! - shares.get(a)!)[0]!;
    const liked = reco.table.ids.filter((id) => genreOf(id) === genre).slice(0, 3);
    const share = (page: Recommendation[]): number => page.filter((r) => genreOf(r.trackId) === genre).length / page.length;
    const events = liked.flatMap((id) => [play(listener, id, false), like(listener, id)]);
    await acceptEvents(store, reco.state, events);
    const after = await reco.next({ listenerId: listener, seedTrack: seed, now: T, n: 30 });
    expect(share(after)).toBeGreaterThan(share(before) + 0.1);
  });

  it('ignores a duplicate event (same id): the state moves once', async () => {
    const listener = 'radio-listener-4';
    const e = play(listener, reco.table.ids[5]!, true);
    await acceptEvents(store, reco.state, [e]);
    const again = await acceptEvents(store, reco.state, [{ ...e }]);
    expect(again.duplicates).toBe(1);
    const sess = (await reco.state.view(listener)).session(T)!;
    expect(sess.skips).toBe(1);
  });

  it('retrieves from the sources a request names, as many as it says from each', async () => {
    // A seed that every source has neighbours for (an often played track).
    let q = { listenerId: 'per-source-listener', seedTrack: '', now: T, surface: 'radio' };
    for (let ix = 0; ix < reco.table.size; ix++) {
      q = { ...q, seedTrack: reco.table.ids[ix]! };
      const all = await reco.rank(q);
      if (new Set(all.sources.flat()).size === 3) break;
    }
    expect([...new Set((await reco.rank(q)).sources.flat())].sort()).toEqual(['popularity', 'sknn', 'transitions']);
    const only = await reco.rank({ ...q, perSource: { sknn: 30 } });
    expect(only.ix.length).toBeGreaterThan(0);
    expect(only.ix.length).toBeLessThanOrEqual(30);
    for (const s of only.sources) expect(s).toEqual(['sknn']);
    const two = await reco.rank({ ...q, perSource: { transitions: 10, popularity: 5 } });
    expect(two.ix.length).toBeLessThanOrEqual(15);
    for (const s of two.sources) for (const x of s) expect(['transitions', 'popularity']).toContain(x);
    // More from each source: at least as many candidates (the first 30 of a source are among its first 100).
    const more = await reco.rank({ ...q, perSource: { sknn: 100 } });
    expect(more.ix.length).toBeGreaterThan(only.ix.length);
    expect(new Set(more.ix)).toEqual(new Set([...more.ix, ...only.ix]));
  });

  it('a surface retrieves as its policy\'s candidates say, and refuses a policy that names no retrieval source', async () => {
    const surfaces = new Surfaces(store, reco);
    const listenerId = 'policy-sources-listener';
    const seedTrack = reco.table.ids[30]!;
    const r = await surfaces.serve({ surface: 'radio', listenerId, seedTrack, now: T, log: false, n: 10, policy: overridePolicy('radio', { candidates: [{ source: 'transitions', k: 60 }] }) });
    expect(r.items.length).toBe(10);
    for (const it of r.items) expect(it.explanation.sources).toEqual(['transitions']);
    const both = await surfaces.serve({ surface: 'radio', listenerId, seedTrack, now: T, log: false, n: 10 });
    expect(new Set(both.items.flatMap((it) => it.explanation.sources)).size).toBeGreaterThan(1);
    // The policy's own rules (any store): a retrieving surface names a retrieval source, and asks for 2,000 candidates at most.
    expect(() => overridePolicy('radio', { candidates: [{ source: 'fresh', k: 100 }] })).toThrow(PolicyError);
    expect(() => overridePolicy('autoplay', { candidates: [{ source: 'trending', k: 100 }] }))
      .toThrow(/^policy\.candidates: autoplay retrieves from transitions, sknn, item2vec, als, content, popularity; the policy names none of them \(trending\)$/);
    expect(() => overridePolicy('mood', { candidates: [{ source: 'sknn', k: 1500 }, { source: 'als', k: 501 }] }, 'variants.b.policy'))
      .toThrow('variants.b.policy.candidates: at most 2000 candidates from the retrieval sources in all, the policy asks for 2001');
    expect(overridePolicy('release-radar', { candidates: [{ source: 'fresh', k: 3000 }] }).candidates).toEqual([{ source: 'fresh', k: 3000 }]);
    // The store's: a policy of untrained sources only.
    await expect(surfaces.serve({ surface: 'radio', listenerId, seedTrack, now: T, log: false, policy: overridePolicy('radio', { candidates: [{ source: 'item2vec', k: 100 }] }) }))
      .rejects.toThrow(/no model of item2vec is trained on this store \(trained: /);
  });

  it('every retrieving surface reads how many candidates its policy asks of each source', async () => {
    // The default asks what the engine always retrieved: 100 from each source.
    for (const surface of RETRIEVING_SURFACES) expect(defaultPolicy(surface).candidates).toEqual(['transitions', 'sknn', 'item2vec', 'als', 'content', 'popularity'].map((source) => ({ source, k: 100 })));
    const surfaces = new Surfaces(store, reco);
    const only = (k: number) => overridePolicy('radio', { candidates: [{ source: 'transitions', k }] });
    const listenerId = 'lis1';
    // k through a surface: at most k distinct tracks can come back.
    const few = await surfaces.serve({ surface: 'radio', listenerId, now: T, log: false, n: 20, policy: only(4) });
    expect(few.items.length).toBeGreaterThan(0);
    expect(few.items.length).toBeLessThanOrEqual(4);
    expect((await surfaces.serve({ surface: 'radio', listenerId, now: T, log: false, n: 20, policy: only(60) })).items.length).toBeGreaterThan(4);
    // Each source gives its own k, whatever the others give: 3 from transitions among 200 from popularity.
    const mixed = (t: number) => surfaces.serve({ surface: 'radio', listenerId, now: T, log: false, n: 40, policy: overridePolicy('radio', { candidates: [{ source: 'transitions', k: t }, { source: 'popularity', k: 200 }] }) });
    const fromTransitions = async (t: number) => (await mixed(t)).items.filter((it) => it.explanation.sources.includes('transitions')).length;
    expect(await fromTransitions(3)).toBeLessThanOrEqual(3);
    expect(await fromTransitions(100)).toBeGreaterThan(3);
    // Daily mixes, blend and enhance retrieve through the policy too (their own tracks aside).
    const mixes = await surfaces.serve({ surface: 'daily-mixes', listenerId, now: T, log: false, policy: overridePolicy('daily-mixes', { candidates: [{ source: 'popularity', k: 80 }] }) });
    const fromMixes = mixes.items.filter((it) => !it.explanation.sources.includes('familiar'));
    expect(fromMixes.length).toBeGreaterThan(0);
    for (const it of fromMixes) expect(it.explanation.sources).toEqual(['popularity']);
    const blend = await surfaces.serve({ surface: 'blend', listenerId, with: ['lis2'], now: T, log: false, n: 15, policy: overridePolicy('blend', { candidates: [{ source: 'popularity', k: 80 }] }) });
    expect(blend.items.length).toBe(15);
    for (const it of blend.items) for (const x of it.explanation.sources) expect(x).toMatch(/^popularity \(lis[12]\)$/);
    const enhanced = await surfaces.serve({ surface: 'enhance', listenerId, playlistId: 'pls0', now: T, log: false, policy: overridePolicy('enhance', { candidates: [{ source: 'popularity', k: 80 }] }) });
    const inserted = enhanced.items.filter((it) => it.inserted);
    expect(inserted.length).toBeGreaterThan(0);
    for (const it of inserted) expect(it.explanation.sources).toEqual(['popularity']);
  });

  it('an experiment stored before the retrieval rules still loads, serves and stops; a new one like it is refused', async () => {
    const legacy = {
      name: 'legacy-candidates', surfaces: ['radio'],
      variants: [
        { name: 'control', weight: 1 },
        { name: 'deep', weight: 1, policy: { candidates: [{ source: 'transitions', k: 1500 }, { source: 'sknn', k: 1000 }] } },
        { name: 'recipe', weight: 1, policy: { candidates: [{ source: 'fresh', k: 100 }] } },
      ],
    };
    await expect(createExperiment(store, legacy)).rejects.toThrow(/variants\.deep\.policy\.candidates: at most 2000/);
    // As an older version stored it.
    expect(await store.experiments.create({ name: legacy.name, def: legacy, status: 'draft', createdAt: T, startedAt: null, stoppedAt: null, offset: 0, shippedVariant: null })).toBe(true);
    await startExperiment(store, legacy.name, T);
    const surfaces = new Surfaces(store, reco, await Assigner.load(store));
    const seen = new Set<string>();
    for (let l = 0; l < 60 && seen.size < 3; l++) {
      const r = await surfaces.serve({ surface: 'radio', listenerId: `lis${l}`, now: T + 1, log: false, n: 10 });
      expect(r.items.length).toBe(10);
      seen.add(r.policyId);
    }
    expect([...seen].sort()).toEqual(['legacy-candidates:control', 'legacy-candidates:deep', 'legacy-candidates:recipe']);
    await stopExperiment(store, legacy.name, T + 2);
  });
});

describe('the online state is an interface', () => {
  it('serves from the state it is given, and accepts events through the interface alone', async () => {
    const table = reco.table;
    const { state: inner } = await openOnlineState(store, table);
    const viewed: string[] = [];
    let caughtUp = 0;
    // A state known only by its interface (no class behind it that serving could test for).
    const state: OnlineState = {
      apply: (e) => inner.apply(e),
      view: (id) => (viewed.push(id), inner.view(id)),
      flush: () => inner.flush(),
      catchUp: async (o) => (caughtUp++, inner.catchUp(o)),
      behind: () => inner.behind(),
    };
    const given = await Recommender.open(store, { online: { state, table } });
    expect(given.state).toBe(state);
    await given.next({ listenerId: 'iface-listener', seedTrack: table.ids[5]!, now: T, surface: 'radio' });
    expect(viewed).toContain('iface-listener');
    const r = await acceptEvents(store, state, [play('iface-listener', table.ids[5]!, true)]);
    expect(r.accepted).toBe(1);
    expect(caughtUp).toBe(1);
    expect(await state.behind()).toBe(false);
    expect((await inner.view('iface-listener')).session(T)?.skips).toBe(1);
  });
});
