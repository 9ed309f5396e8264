/**
 * Retrieval depth and beam width (docs/sequencing.md, "Retrieval depth and beam width"): what each
 * costs and buys. For each setting of the policy's candidates per source and beam width,
 * (1) quality in the simulator's closed loop (listen-through, minutes per session,
 * emerging-artist share of the sequencer arm, every setting served to the same listeners
 * with the same random numbers), and (2) CPU per request in process on the demo world
 * (200,000 tracks; `Surfaces.serve` without HTTP, radio and autoplay). The default policy
 * is the first row: the baseline of the same run.
 *
 *   npm run bench -- depth [--store .bench-tmp/serve-demo.db] [--requests 600] [--sessions 1500] [--seed 3] [--skip quality,speed] [--json]
 *
 * With --json (bench/report.ts): figures.quality.<surface>.<setting> (listenThrough, minutes,
 * emergingShare, plays) and figures.speed.<surface>.<setting> (meanMs, p50Ms, p99Ms) for
 * every setting but the default, which is under baseline.quality.<surface> and
 * baseline.speed.<surface>; ratios.<part>.<surface>.<setting> each over the default. Settings
 * are named by candidates per source and beam: `k100beam8`, `k300-200-100beam8`.
 */
import { DEFAULT_SOURCES } from '../src/models/index.js';
import { ClosedLoopWorld } from '../src/evaluation/index.js';
import { defaultPolicy, overridePolicy, type Policy } from '../src/sequencing/index.js';
import { openStore } from '../src/store/index.js';
import { Surfaces } from '../src/surfaces/index.js';
import { Assigner } from '../src/experiments/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';
import { ensureDemoWorld } from './demo-world.js';

const SOURCES = DEFAULT_SOURCES;

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** Candidates from each of the demo's sources (one number each), and the beam width. */
const SETTINGS: Array<{ k: [number, number, number]; beam: number }> = [
  { k: [100, 100, 100], beam: 8 },
  { k: [30, 30, 30], beam: 1 },
  { k: [50, 50, 50], beam: 1 },
  { k: [50, 50, 50], beam: 2 },
  { k: [50, 50, 50], beam: 8 },
  { k: [100, 100, 100], beam: 2 },
  { k: [300, 200, 100], beam: 8 },
  { k: [200, 200, 200], beam: 8 },
];
/** The setting's key in the JSON document. */
const key = (s: (typeof SETTINGS)[number]): string => `k${s.k.every((x) => x === s.k[0]) ? s.k[0] : s.k.join('-')}beam${s.beam}`;
const label = (s: (typeof SETTINGS)[number]): string => `${s.k.every((x) => x === s.k[0]) ? s.k[0] : s.k.join('/')} per source, beam ${s.beam}`;

function policyOf(surface: 'radio' | 'autoplay', s: (typeof SETTINGS)[number]): Policy {
  return { ...overridePolicy(surface, { solver: { beamWidth: s.beam, branching: 24 } }), candidates: SOURCES.map((source, j) => ({ source, k: s.k[j]! })) };
}

export async function depthBench(args: string[], rec: Results): Promise<void> {
  const skip = new Set(arg(args, '--skip', '').split(',').filter(Boolean));
  for (const s of skip) if (s !== 'quality' && s !== 'speed') throw new Error(`--skip: unknown part ${JSON.stringify(s)} (known: quality, speed)`);
  console.log(machineLine());
  // The first setting must be the default policy's retrieval and beam: it is the baseline.
  const d = defaultPolicy('radio');
  if (d.solver?.beamWidth !== SETTINGS[0]!.beam || !d.candidates.every((c) => c.k === SETTINGS[0]!.k[0])) throw new Error('depth bench: the first setting is no longer the default policy; update SETTINGS');

  if (!skip.has('quality')) {
    const sessions = Number(arg(args, '--sessions', '1500'));
    const seed = Number(arg(args, '--seed', '3'));
    const t = performance.now();
    const world = await ClosedLoopWorld.build({ listeners: 1500, tracks: 12_000, days: 14, seed, sessions, length: 30, onProgress: (m) => console.log(`  ${m} (${((performance.now() - t) / 1000).toFixed(0)} s)`) });
    try {
      console.log(world.protocol);
      rec.part('quality').figures.protocol = world.protocol;
      console.log(`${'surface'.padEnd(9)} ${'setting'.padEnd(30)} ${'listen-through'.padStart(14)} ${'min/session'.padStart(11)} ${'emerging'.padStart(8)} ${'vs default'.padStart(24)}`);
      for (const surface of ['radio', 'autoplay'] as const) {
        let base: { listenThrough: number; minutes: number; emergingShare: number } | undefined;
        for (const s of SETTINGS) {
          const m = (await world.serve(surface, policyOf(surface, s), ['sequencer'])).sequencer!;
          base ??= m;
          const vs = s === SETTINGS[0] ? 'baseline' : `${((m.listenThrough - base.listenThrough) * 100).toFixed(1)} pt, emerging ${((m.emergingShare / base.emergingShare - 1) * 100).toFixed(0)}%`;
          console.log(`${surface.padEnd(9)} ${label(s).padEnd(30)} ${m.listenThrough.toFixed(3).padStart(14)} ${m.minutes.toFixed(1).padStart(11)} ${m.emergingShare.toFixed(3).padStart(8)} ${vs.padStart(24)}`);
          const q = rec.part('quality').part(surface);
          if (s === SETTINGS[0]) q.baseline[key(s)] = m;
          else {
            q.figures[key(s)] = m;
            const r = q.part(key(s));
            r.ratio('listenThrough', m.listenThrough, base.listenThrough);
            r.ratio('minutes', m.minutes, base.minutes);
            r.ratio('emergingShare', m.emergingShare, base.emergingShare);
          }
        }
      }
    } finally {
      await world.close();
    }
  }

  if (!skip.has('speed')) {
    const db = arg(args, '--store', '.bench-tmp/serve-demo.db');
    const n = Number(arg(args, '--requests', '600'));
    ensureDemoWorld(db);
    const store = await openStore(db, { readonly: true });
    try {
      const stats = await store.stats({ top: 200 });
      const listeners = stats.mostActiveListeners.map((l) => l.id);
      const seeds = stats.topTracks.map((x) => x.id);
      // Read-only: a replica folds what the state lacks in memory and writes nothing.
      const surfaces = await Surfaces.open(store, { assigner: Assigner.load, replica: true });
      const now = Date.now();
      console.log(`demo world: ${stats.tracks.toLocaleString('en-US')} tracks; ${n} requests per setting and surface, the settings taking turns, after ${listeners.length} of warm-up each (every listener's state loaded); in process, one core`);
      // Settings take turns, a slice of requests each per round, so that drift over the run
      // (the machine, the heap) falls on every setting alike.
      const rounds = 6, per = Math.max(1, Math.round(n / rounds));
      rec.part('speed').figures.setup = { tracks: stats.tracks, requestsPerSetting: rounds * per, warmUpPerSetting: listeners.length };
      for (const surface of ['radio', 'autoplay'] as const) {
        const reqs = SETTINGS.map((s) => {
          const policy = policyOf(surface, s);
          return (i: number) => ({ surface, listenerId: listeners[i % listeners.length]!, now, log: false, policy, ...(surface === 'radio' ? { n: 50 } : { seedTrack: seeds[(i * 7) % seeds.length]! }) });
        });
        for (const req of reqs) for (let i = 0; i < listeners.length; i++) await surfaces.serve(req(i));
        const times = SETTINGS.map(() => new Float64Array(rounds * per));
        for (let r = 0; r < rounds; r++) {
          for (let k = 0; k < SETTINGS.length; k++) {
            for (let j = 0; j < per; j++) {
              const i = r * per + j;
              const t0 = performance.now();
              await surfaces.serve(reqs[k]!(i));
              times[k]![i] = performance.now() - t0;
            }
          }
        }
        let base = 0;
        SETTINGS.forEach((s, k) => {
          const t = times[k]!;
          const mean = t.reduce((a, b) => a + b, 0) / t.length;
          t.sort();
          base ||= mean;
          console.log(`${surface.padEnd(9)} ${label(s).padEnd(30)} mean ${mean.toFixed(2)} ms, p50 ${t[Math.floor(t.length / 2)]!.toFixed(2)} ms, p99 ${t[Math.floor(t.length * 0.99)]!.toFixed(2)} ms${k === 0 ? ' (baseline)' : `, x${(mean / base).toFixed(2)} of the default`}`);
          const row = { meanMs: mean, p50Ms: t[Math.floor(t.length / 2)]!, p99Ms: t[Math.floor(t.length * 0.99)]! };
          const sp = rec.part('speed').part(surface);
          if (k === 0) sp.baseline[key(s)] = row;
          else {
            sp.figures[key(s)] = row;
            sp.part(key(s)).ratio('meanMs', mean, base);
          }
        });
      }
    } finally {
      await store.close();
    }
  }
}
