import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SegueEvent } from '../domain/index.js';
import { openStore, parseStoreLocation, type Store } from '../store/index.js';
import { Rng, deriveSeed } from '../math/index.js';
import { simulate, writeToStore, startSession, respond, Ctx, Responses, END_CODES } from '../simulator/index.js';
import { trainModels, DEFAULT_SOURCES } from '../models/index.js';
import { trainRanker, DEFAULT_RANKER } from '../ranking/index.js';
import { Surfaces, replayInputs } from '../surfaces/index.js';
import { overridePolicy, sequence, type Surface } from '../sequencing/index.js';
import { Assigner, createExperiment, startExperiment, stopExperiment } from './assign.js';
import { experimentReport, type ExperimentReport } from './report.js';
import { getExperiment } from './assign.js';
import { interleavingReport, readInterleavingLog, type InterleavingLog, type InterleavingReport } from './interleaving.js';
import { parseExperiment, type ExperimentDef } from './types.js';

const DAY = 86_400_000;

export interface SimulatedAbOptions {
  /** Partial policies (objects merge over the surface's defaults). */
  control: Record<string, unknown>;
  treatment: Record<string, unknown>;
  listeners: number;
  days: number;
  seed: number;
  surface?: 'radio' | 'autoplay';
  /** Catalog size of the simulated world (default 12,000 tracks). */
  tracks?: number;
  /** Days of simulated history before the experiment (model training and CUPED's pre-period; default 14). */
  historyDays?: number;
  /** Pages of a station a session may go through (default 3). */
  maxPages?: number;
  metrics?: ExperimentDef['metrics'];
  /** A planned sample size (listeners): the sequential test becomes group-sequential. */
  plannedListeners?: number;
  onProgress?: (msg: string) => void;
  /** Keep the world in this store instead of a temporary one. */
  storePath?: string;
}

export interface SimulatedAbResult {
  report: ExperimentReport;
  sessions: number;
  protocol: string;
}

export interface SimulatedInterleavingResult {
  report: InterleavingReport;
  /** What the report was computed from (for re-analysis, e.g. re-drawn coins under A/A). */
  log: InterleavingLog;
  sessions: number;
  protocol: string;
}

/**
 * A simulated A/B test in the closed loop: a world is simulated, Segue's models are trained on
 * its history, and an experiment is run on it day by day. Every listener is assigned by the
 * same hashing as in production; on each day each listener starts sessions (as often as their
 * simulated activity says), each served by `segue`'s surface under their variant's policy (one
 * exposure per page), and the simulator's behaviour model plays the pages: listens, skips,
 * likes, bans and when the session ends, with context.requestId pointing back at the
 * exposure. The events go into the store and Segue's online state as they happen, and the
 * listener's simulated state (fatigue, likes, bans) carries over to the next day. The report is
 * the same as for a real experiment.
 */
export async function simulateAb(o: SimulatedAbOptions): Promise<SimulatedAbResult> {
  const experiment = simulatedExperiment(o, o.metrics ? { metrics: o.metrics } : {});
  return closedLoop(o, { experiment }, 'A/B', 'hash-assigned 50/50', async (store, until) => ({ report: await experimentReport(store, SIMULATED, { now: until }) }));
}

/**
 * The same closed loop with an interleaving experiment: every listener's pages are team-draft
 * interleaved from the control (team a) and the treatment (team b), and the report credits
 * each team's tracks (see interleavingReport).
 */
export async function simulateInterleaving(o: SimulatedAbOptions): Promise<SimulatedInterleavingResult> {
  const experiment = simulatedExperiment(o, { design: 'interleave' });
  return closedLoop(o, { experiment }, 'interleaving', 'every page team-draft interleaved from control (a) and treatment (b)', async (store, until) => ({
    report: await interleavingReport(store, SIMULATED, { now: until }),
    log: await readInterleavingLog(store, await getExperiment(store, SIMULATED), until),
  }));
}

export interface ServedWorldOptions extends Omit<SimulatedAbOptions, 'control' | 'treatment' | 'metrics' | 'plannedListeners' | 'surface'> {
  /** A partial policy over each surface's default; its logging.candidatesShare says how many exposures log their candidates (default 5%). */
  policy?: Record<string, unknown>;
  /** The surfaces served (default radio and autoplay, a session each at random). */
  surfaces?: Array<'radio' | 'autoplay'>;
  /** Where the world goes (required: the store is the result). */
  storePath: string;
  /**
   * Policies (partial) whose true value is measured at every request that logged its
   * candidates: the yardstick of off-policy estimates from the store.
   */
  truthFor?: Record<string, Record<string, unknown>>;
}

/**
 * A store built as a running service builds one (`segue simulate --served`): the world's
 * organic history (`historyDays`), models and ranker trained on it, then `days` of the
 * listeners' radio and autoplay sessions served by Segue's own surfaces under `policy`, every
 * page logged as an exposure (a sampled share with its candidates) and the behaviour model's
 * plays written as events attributed to it. Off-policy evaluation reads it as it would a
 * live store (`segue eval --task off-policy --target P`).
 */
/** A policy's true value over the logged requests, measured in the loop (see ServedWorldOptions.truthFor). */
export interface ServedTruth {
  /** Listened-through tracks per list (what off-policy evaluation estimates), its standard error, and the lists. */
  value: number;
  se: number;
  lists: number;
  /** Minutes played per list and its standard error; skips per play; plays of emerging artists per play (segue policy tune's metrics). */
  minutes: number;
  minutesSe: number;
  skipRate: number;
  emergingShare: number;
}

export async function simulateServed(o: ServedWorldOptions): Promise<{ sessions: number; protocol: string; exposures: number; logged: number; explored: number; until: number; truth: Record<string, ServedTruth> }> {
  const served: Served = { ...(o.policy ? { policy: o.policy } : {}), surfaces: o.surfaces ?? ['radio', 'autoplay'], ...(o.truthFor ? { truthFor: o.truthFor, truth: {} } : {}) };
  return closedLoop(o, { served }, 'service', o.policy ? 'a given policy' : 'the default policies', async (store, until) => {
    let exposures = 0, logged = 0, explored = 0;
    for await (const batch of store.exposures.scan({ since: 0, until: until + 1 })) {
      for (const x of batch) {
        exposures++;
        if (x.candidates) logged++;
        if (x.weights) explored++;
      }
    }
    const truth: Record<string, ServedTruth> = {};
    const se = (sum: number, sq: number, n: number): number => Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2) / n);
    for (const [name, t] of Object.entries(served.truth ?? {})) {
      truth[name] = {
        value: t.sum / t.lists, se: se(t.sum, t.sq, t.lists), lists: t.lists,
        minutes: t.minutes / t.lists, minutesSe: se(t.minutes, t.minutesSq, t.lists), skipRate: t.skips / t.plays, emergingShare: t.emerging / t.plays,
      };
    }
    return { exposures, logged, explored, until, truth };
  });
}

/** The experiment's name in a simulated world. */
const SIMULATED = 'simulated-ab';

/** A closed loop without an experiment: every session served under one policy (`segue simulate --served`). */
interface Served {
  /** A partial policy over each surface's default (undefined: the defaults, with their candidate logging). */
  policy?: Record<string, unknown>;
  /** The surfaces sessions take turns on (each session one, at random). */
  surfaces: Surface[];
  /** Policies whose true value is measured on every logged request (see ServedWorldOptions.truthFor), and where it goes. */
  truthFor?: Record<string, Record<string, unknown>>;
  truth?: Record<string, TruthTally>;
}

interface TruthTally { sum: number; sq: number; lists: number; minutes: number; minutesSq: number; plays: number; skips: number; emerging: number }

/** The simulated experiment (checked before anything is simulated: a bad policy fails at once): control and treatment, 50/50. */
function simulatedExperiment(o: SimulatedAbOptions, extra: Record<string, unknown>): ExperimentDef {
  return parseExperiment({
    name: SIMULATED, surfaces: [o.surface ?? 'radio'], salt: `sim-${o.seed}`,
    variants: [{ name: 'control', weight: 1, policy: o.control }, { name: 'treatment', weight: 1, policy: o.treatment }],
    ...(o.plannedListeners ? { plannedListeners: o.plannedListeners } : {}), ...extra,
  });
}

/** What the closed loop needs of every run: the world, the days, the store. */
type LoopOptions = Omit<SimulatedAbOptions, 'control' | 'treatment' | 'metrics' | 'plannedListeners'>;

async function closedLoop<R>(o: LoopOptions, design: { experiment: ExperimentDef } | { served: Served }, kind: string, how: string, finish: (store: Store, until: number) => Promise<R>): Promise<R & { sessions: number; protocol: string }> {
  const log = o.onProgress ?? (() => {});
  const served = 'served' in design ? design.served : undefined;
  const sessionSurfaces: Surface[] = served ? served.surfaces : [o.surface ?? 'radio'];
  const name = SIMULATED;
  const dir = o.storePath ? undefined : mkdtempSync(join(tmpdir(), 'segue-ab-'));
  const historyDays = o.historyDays ?? 14;
  const sim = simulate({ listeners: o.listeners, tracks: o.tracks ?? 12_000, days: historyDays, seed: o.seed });
  log(`simulating ${o.listeners} listeners' history (${historyDays} days)`);
  const store = await openWorld(o.storePath ?? join(dir!, 'ab.db'), `${o.listeners}/${o.tracks ?? 12_000}/${historyDays}/${o.seed}`,
    (s) => buildWorld(s, sim, () => log('training the models and the ranker on the history')),
    // A copy of a world built before: the history is played again all the same (not written), for the listeners' simulated state.
    () => {
      for (const _ of sim) continue;
    });
  try {
    const start = sim.startMs + historyDays * DAY;
    if ('experiment' in design) {
      await createExperiment(store, design.experiment, start);
      await startExperiment(store, name, start);
    }
    const policies = new Map(sessionSurfaces.map((s) => [s, served?.policy ? overridePolicy(s, served.policy, 'policy') : undefined]));
    const surfaces = await Surfaces.open(store, { assigner: Assigner.load });
    const world = sim.world;
    const resp = new Responses(200), truthResp = new Responses(200);
    const ixOf = (id: string): number => Number(id.slice(3)); // simulator ids: trk<ix>
    let sessions = 0, seq = 0;
    for (let day = 0; day < o.days; day++) {
      log(`day ${day + 1} of ${o.days}: serving ${sessionSurfaces.join(' and ')}`);
      for (let l = 0; l < o.listeners; l++) {
        const rng = new Rng(deriveSeed(o.seed, 'ab', day, l));
        const k = Math.min(3, poisson(rng, world.listeners.activity[l]!));
        for (let s = 0; s < k; s++) {
          const listenerId = `lis${l}`;
          const sessionId = `ab-${day}-${l}-${s}`;
          const surface = sessionSurfaces.length === 1 ? sessionSurfaces[0]! : sessionSurfaces[rng.int(sessionSurfaces.length)]!;
          const policy = policies.get(surface);
          const t0 = start + day * DAY + Math.floor(rng.next() * 0.9 * DAY);
          const ctx = startSession(world, l, t0, surface === 'radio' ? Ctx.radio : Ctx.autoplay, rng);
          const state = sim.state(l);
          const stationId = `ab-${l}-${day}-${s}`;
          let seedTrack: string | undefined;
          if (surface === 'autoplay') {
            seedTrack = (await surfaces.reco.state.view(listenerId)).top('track', t0, 1)[0]?.key;
            if (seedTrack === undefined) continue;
          }
          sessions++;
          for (let page = 0; page < (o.maxPages ?? 3) && !ctx.ended; page++) {
            const res = await surfaces.serve({ surface, listenerId, now: ctx.clockMs, n: 20, seed: seq++, sessionId, ...(policy ? { policy } : {}), ...(surface === 'radio' ? { stationId } : { seedTrack: seedTrack! }) });
            // Every policy's list played with the same draws (common random numbers): differences between policies are theirs, not the dice's.
            if (served?.truthFor) await measureTruth(store, surfaces, served, res.requestId, surface, (list) => respond(world, state.clone(), list, { ...ctx }, new Rng(deriveSeed(o.seed, 'truth', seq)), sim.behaviour, truthResp));
            const list = Int32Array.from(res.items, (x) => ixOf(x.trackId));
            const r = respond(world, state, list, ctx, rng, sim.behaviour, resp);
            const events: SegueEvent[] = [];
            for (let i = 0; i < r.n; i++) {
              if (!r.played[i]) continue;
              const trackId = res.items[i]!.trackId;
              const context = { type: surface, id: stationId, surface, requestId: res.requestId, position: i } as const;
              const base = { source: 'simulated-ab', listenerId, trackId, sessionId, context };
              events.push({ ...base, type: 'play_end', eventId: `${res.requestId}/${i}`, ts: r.startMs[i]! + r.msPlayed[i]!, msPlayed: r.msPlayed[i]!, endReason: END_CODES[r.endReason[i]!]!, skipped: r.skipped[i] === 1 });
              if (r.liked[i]) events.push({ ...base, type: 'like', eventId: `${res.requestId}/${i}/like`, ts: r.startMs[i]! + r.msPlayed[i]! });
              if (r.banned[i] === 1) events.push({ ...base, type: 'ban', eventId: `${res.requestId}/${i}/ban`, ts: r.startMs[i]! + r.msPlayed[i]! });
            }
            // The real-time path (features' acceptEvents) but for the durable flush of the state, which waits for the end of the loop.
            if (events.length > 0) {
              await store.ingest({ events });
              await surfaces.reco.state.catchUp({ flush: false });
            }
          }
        }
      }
    }
    await surfaces.reco.state.catchUp();
    const until = start + o.days * DAY;
    if (!served) await stopExperiment(store, name, until);
    log('reporting');
    const result = await finish(store, until);
    const protocol = `simulated ${kind} on ${sessionSurfaces.join(' and ')}: ${o.listeners} listeners (${how}), ${o.tracks ?? 12_000} tracks, ${historyDays} days of history then ${o.days} days ${served ? 'served' : 'of experiment'}, seed ${o.seed}; `
      + `${sessions} sessions of up to ${o.maxPages ?? 3} pages of 20 tracks, each played by the simulator's behaviour model; listener state carries over between days`;
    return { ...result, sessions, protocol };
  } finally {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The true value of each `truthFor` policy at a logged request: its own list on the same
 * candidates and context (sequencing replayed from the exposure), played from copies of the
 * listener's and the session's state, so that the served world goes on unchanged. The value
 * is listened-through tracks per list, as off-policy evaluation counts it.
 */
async function measureTruth(store: Store, surfaces: Surfaces, served: Served, requestId: string, surface: Surface, play: (list: Int32Array) => Responses): Promise<void> {
  const x = await store.exposures.get(requestId);
  if (!x?.candidates) return;
  const inputs = replayInputs(x, surfaces.reco.table);
  if (typeof inputs === 'string') return;
  for (const [name, partial] of Object.entries(served.truthFor!)) {
    const p = overridePolicy(surface, { ...partial, length: x.items.length }, `truth policy ${name}`);
    const tracks = sequence(inputs.items, p, inputs.ctx).items.map((it) => it.trackId);
    const r = play(Int32Array.from(tracks, (id) => Number(id.slice(3))));
    const table = surfaces.reco.table;
    const t = (served.truth![name] ??= { sum: 0, sq: 0, lists: 0, minutes: 0, minutesSq: 0, plays: 0, skips: 0, emerging: 0 });
    let v = 0, ms = 0;
    for (let i = 0; i < r.n; i++) {
      if (!r.played[i]) continue;
      t.plays++;
      ms += r.msPlayed[i]!;
      if (r.skipped[i]) t.skips++;
      else v++;
      if (table.emerging[table.indexOf(tracks[i]!)] === 1) t.emerging++;
    }
    t.sum += v;
    t.sq += v * v;
    t.minutes += ms / 60_000;
    t.minutesSq += (ms / 60_000) ** 2;
    t.lists++;
  }
}

/** The history and the models trained on it: what every closed loop starts from. */
async function buildWorld(store: Store, sim: ReturnType<typeof simulate>, training: () => void): Promise<void> {
  await writeToStore(sim, store);
  training();
  await trainModels(store, DEFAULT_SOURCES); // the default serving set: what the ranker ranks
  await trainRanker(store, { ...DEFAULT_RANKER, maxTrainQueries: 4000, maxTestQueries: 1000, trees: 120 });
}

/** A simulated world's store: its commits need not survive a power cut (the simulation runs again). */
const SIMULATION = { synchronous: 'normal' } as const;

/** Built worlds of this process by their parameters: a closed loop on the same world again starts from a copy. */
const builtWorlds = new Map<string, string>();
let worldsDir: string | undefined;

/**
 * Open `location` holding the world of `key`, built by `build`. A SQLite file gets a copy of the
 * same world built earlier in this process when there is one (a simulation and its
 * comparison, or a run and its check, pay for the history and the training once), and
 * `replay` plays the history without writing it (the listeners' simulated state is the
 * simulation's, not the store's); the world is deterministic in its key, so the copy is what
 * building would write.
 */
async function openWorld(location: string, key: string, build: (store: Store) => Promise<void>, replay: () => void): Promise<Store> {
  const at = parseStoreLocation(location);
  if (at.kind !== 'sqlite' || at.path === ':memory:' || existsSync(at.path)) {
    const store = await openStore(location, SIMULATION);
    try {
      await build(store);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  let built = builtWorlds.get(key);
  if (built !== undefined) replay();
  else {
    if (worldsDir === undefined) {
      const d = (worldsDir = mkdtempSync(join(tmpdir(), 'segue-worlds-')));
      process.once('exit', () => rmSync(d, { recursive: true, force: true }));
    }
    built = join(worldsDir, `${builtWorlds.size}.db`);
    const s = await openStore(built, SIMULATION);
    try {
      await build(s);
    } finally {
      await s.close();
    }
    builtWorlds.set(key, built);
  }
  copyFileSync(built, at.path);
  return openStore(location, SIMULATION);
}

function poisson(rng: Rng, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0, p = 1;
  do {
    k++;
    p *= rng.next();
  } while (p > l && k < 50);
  return k - 1;
}
