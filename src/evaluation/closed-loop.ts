import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.js';
import { Rng, deriveSeed } from '../math/index.js';
import { simulate, writeToStore, startSession, respond, Ctx, Responses } from '../simulator/index.js';
import { trainModels, loadModel, DEFAULT_SOURCES } from '../models/index.js';
import { trainRanker, DEFAULT_RANKER } from '../ranking/index.js';
import { Surfaces, retrieval, toSeqItems } from '../surfaces/index.js';
import { Assigner } from '../experiments/index.js';
import { defaultPolicy, parsePolicy, staticFilter, type Policy } from '../sequencing/index.js';

export interface ClosedLoopOptions {
  listeners?: number;
  tracks?: number;
  days?: number;
  seed?: number;
  /** Listeners whose sessions are served, one per surface and arm. */
  sessions?: number;
  /** Tracks served per session. */
  length?: number;
  surfaces?: Array<'radio' | 'autoplay'>;
  /** Override the sequencer's policy per surface (for trade-off sweeps). */
  policy?: (surface: 'radio' | 'autoplay') => Policy;
  onProgress?: (msg: string) => void;
}

export interface ArmMetrics {
  /** Share of played tracks listened through. */
  listenThrough: number;
  /** Minutes listened per session. */
  minutes: number;
  /** Share of plays that went to emerging artists. */
  emergingShare: number;
  plays: number;
}

export interface ClosedLoopReport {
  protocol: string;
  sessions: number;
  results: Record<string, Record<'popularity' | 'ranker-sorted' | 'sequencer', ArmMetrics>>;
}

/**
 * Closed-loop quality in the simulator: a world is simulated into a store, the models and
 * the ranker are trained on it, and then each sampled listener, at the end of the simulated
 * period, is served one session per surface by each arm: (a) popularity, (b) the same
 * candidates through the same filters sorted by predicted satisfaction, without sequencing,
 * (c) the sequencer with the surface's policy. The
 * simulator's listener behaviour model plays each list (from an identical copy of the
 * listener's state and the same random numbers for every arm) and says what was listened
 * through, skipped, and when the session ended.
 */
export async function runClosedLoop(opts: ClosedLoopOptions = {}): Promise<ClosedLoopReport> {
  const world = await ClosedLoopWorld.build(opts);
  try {
    const results: ClosedLoopReport['results'] = {};
    for (const surface of opts.surfaces ?? ['radio', 'autoplay']) {
      opts.onProgress?.(`serving ${surface}`);
      const policy = opts.policy ? opts.policy(surface) : defaultPolicy(surface);
      results[surface] = (await world.serve(surface, policy, ['popularity', 'ranker-sorted', 'sequencer'])) as ClosedLoopReport['results'][string];
    }
    return { protocol: world.protocol, sessions: world.sessions, results };
  } finally {
    await world.close();
  }
}

export type Arm = 'popularity' | 'ranker-sorted' | 'sequencer';

/** A simulated world in a temporary store with trained models: serve arms to its listeners as often as needed. */
export class ClosedLoopWorld {
  private constructor(
    private readonly dir: string,
    private readonly store: Store,
    private readonly sim: ReturnType<typeof simulate>,
    private readonly surfaces: Surfaces,
    private readonly pop: Awaited<ReturnType<typeof loadModel>>,
    readonly sessions: number,
    readonly length: number,
    readonly seed: number,
  ) {}

  static async build(opts: ClosedLoopOptions = {}): Promise<ClosedLoopWorld> {
    const log = opts.onProgress ?? (() => {});
    const dir = mkdtempSync(join(tmpdir(), 'segue-closed-loop-'));
    const store = await openStore(join(dir, 'world.db'));
    try {
      const sim = simulate({ listeners: opts.listeners ?? 1500, tracks: opts.tracks ?? 12_000, days: opts.days ?? 14, seed: opts.seed ?? 3 });
      log('simulating');
      await writeToStore(sim, store);
      log('training');
      await trainModels(store, DEFAULT_SOURCES); // the default serving set: what the ranker ranks
      await trainRanker(store, { ...DEFAULT_RANKER, maxTrainQueries: 6000, maxTestQueries: 1000 });
      const surfaces = await Surfaces.open(store, { assigner: Assigner.load });
      const pop = await loadModel(store, 'popularity');
      const n = Math.min(opts.sessions ?? 300, sim.world.listeners.count);
      return new ClosedLoopWorld(dir, store, sim, surfaces, pop, n, opts.length ?? 30, opts.seed ?? 3);
    } catch (err) {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  get protocol(): string {
    const w = this.sim.world;
    return `simulated world (${w.listeners.count} listeners, ${w.trackArtist.length} tracks, ${this.sim.days} days, seed ${this.seed}); `
      + `${this.sessions} listeners each served one session of ${this.length} tracks per surface and arm at the end of the period, seeded by their most played track; `
      + 'each arm played by the behaviour model from the same copy of the listener\'s state with the same random numbers';
  }

  /** Serve each arm to every sampled listener once and measure what the behaviour model did. */
  async serve(surface: 'radio' | 'autoplay', basePolicy: Policy, arms: readonly Arm[]): Promise<Partial<Record<Arm, ArmMetrics>>> {
    const { sim, surfaces, pop } = this;
    const world = sim.world;
    const policy = parsePolicy({ ...basePolicy, length: this.length });
    const end = sim.startMs + sim.days * 86_400_000;
    const length = this.length;
    const stride = world.listeners.count / this.sessions;
    const resp = new Responses(length);
    const ixOf = (id: string): number => Number(id.slice(3)); // simulator ids: trk<ix>
    const acc = Object.fromEntries(arms.map((a) => [a, zero()])) as Record<Arm, ReturnType<typeof zero>>;
    let served = 0;
    for (let k = 0; k < this.sessions; k++) {
      const l = Math.floor(k * stride);
      const listenerId = `lis${l}`;
      const view = await surfaces.reco.state.view(listenerId);
      const seedTrack = view.top('track', end, 1)[0]?.key;
      if (seedTrack === undefined) continue;
      const now = end + k * 60_000;
      served++;
      for (const arm of arms) {
        const list = arm === 'popularity'
          ? Int32Array.from(pop.recommend({ tracks: Int32Array.of(pop.trackIndex(seedTrack)) }, length + 1, new Set([pop.trackIndex(seedTrack)])).ix.subarray(0, length), (i) => ixOf(pop.trackIds[i]!))
          : arm === 'ranker-sorted'
            ? await sortedByRanker(surfaces, policy, listenerId, seedTrack, now, surface, length, ixOf)
            : Int32Array.from((await surfaces.serve({ surface, listenerId, seedTrack, now, policy, log: false })).items, (x) => ixOf(x.trackId));
        // The same listener state and the same random numbers for every arm.
        const rng = new Rng(deriveSeed(this.seed, 'closed-loop', surface, l));
        const state = sim.state(l).clone();
        const ctx = startSession(world, l, now, surface === 'radio' ? Ctx.radio : Ctx.autoplay, rng);
        const r = respond(world, state, list, ctx, rng, sim.behaviour, resp);
        const a = acc[arm];
        for (let i = 0; i < r.n; i++) {
          if (!r.played[i]) continue;
          a.plays++;
          if (!r.skipped[i]) a.listened++;
          a.ms += r.msPlayed[i]!;
          if (world.artistEmerging[world.trackArtist[list[i]!]!]) a.emerging++;
        }
      }
    }
    return Object.fromEntries(Object.entries(acc).map(([arm, a]) => [arm, {
      listenThrough: round(a.plays ? a.listened / a.plays : 0), minutes: round(served ? a.ms / 60_000 / served : 0),
      emergingShare: round(a.plays ? a.emerging / a.plays : 0), plays: a.plays,
    }]));
  }

  async close(): Promise<void> {
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Arm (b): the sequencer's own candidates, through the same filters (bans, explicit,
 * market, podcasts, no-repeat), in the order of their predicted satisfaction: everything
 * but the sequencing.
 */
async function sortedByRanker(surfaces: Surfaces, policy: Policy, listenerId: string, seedTrack: string, now: number, surface: 'radio' | 'autoplay', length: number, ixOf: (id: string) => number): Promise<Int32Array> {
  const reco = surfaces.reco;
  const view = await reco.state.view(listenerId);
  const items = toSeqItems(await reco.rank({ listenerId, seedTrack, now, surface, perSource: retrieval(policy) }), reco.table, view, now, policy.candidates.reduce((a, c) => a + c.k, 0));
  const played = view.touchedSince(now - (policy.constraints.noRepeatHours ?? 0) * 3_600_000);
  const { pool } = staticFilter(items, policy, { now, played });
  pool.sort((a, b) => items[b]!.satisfaction - items[a]!.satisfaction || a - b);
  return Int32Array.from(pool.slice(0, length), (i) => ixOf(items[i]!.trackId));
}

const zero = (): { plays: number; listened: number; ms: number; emerging: number } => ({ plays: 0, listened: 0, ms: 0, emerging: 0 });
const round = (x: number): number => Number(x.toFixed(4));
