/**
 * Served-list fingerprints: a hash of full served responses (items, scores, propensities,
 * explanations) per surface on the demo world, at a fixed `now`. A refactor that must not
 * change answers prints the same hashes before and after.
 *
 *   npm run bench -- fingerprint [--store .bench-tmp/fingerprint-demo.db] [--fresh] [--requests 300] [--json]
 *
 * The demo world is simulated and trained by `segue demo --no-serve` (seeded), so the
 * fingerprint covers simulation, training, retrieval, ranking and sequencing alike;
 * `--fresh` rebuilds it (do that when comparing two versions of training code).
 *
 * With --json (bench/report.ts): figures.fingerprints.<surface> (hash and request count),
 * figures.store and figures.now; no baseline (the hashes of another build are the
 * comparison: run this suite on both).
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { openStore } from '../src/store/index.js';
import { Surfaces, type SurfaceRequest } from '../src/surfaces/index.js';
import { Assigner } from '../src/experiments/index.js';
import { machineLine } from './machine.js';
import type { Results } from './report.js';
import { ensureDemoWorld } from './demo-world.js';


function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

export async function fingerprintBench(args: string[], rec: Results): Promise<void> {
  const db = arg(args, '--store', '.bench-tmp/fingerprint-demo.db');
  const n = Number(arg(args, '--requests', '300'));
  console.log(machineLine());
  if (args.includes('--fresh')) for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.key`]) rmSync(f, { force: true });
  ensureDemoWorld(db);
  const store = await openStore(db, { readonly: true });
  try {
    const stats = await store.stats({ top: 100 });
    const listeners = stats.mostActiveListeners.map((l) => l.id);
    const tracks = stats.topTracks.map((t) => t.id);
    const artists = stats.topArtists.map((a) => a.id);
    const genres = stats.topGenres.map((g) => g.id);
    const now = stats.lastTs! + 3_600_000;
    const surfaces = await Surfaces.open(store, { assigner: Assigner.load, replica: true });
    const requests: Record<string, (i: number) => SurfaceRequest> = {
      radio: (i) => ({ surface: 'radio', listenerId: listeners[i % listeners.length]!, n: 30, ...(i % 3 === 0 ? { seedTrack: tracks[i % tracks.length]! } : i % 3 === 1 ? { seedArtist: artists[i % artists.length]! } : {}) }),
      autoplay: (i) => ({ surface: 'autoplay', listenerId: listeners[i % listeners.length]!, seedTrack: tracks[(i * 7) % tracks.length]! }),
      discovery: (i) => ({ surface: 'discovery', listenerId: listeners[i % listeners.length]! }),
      mood: (i) => ({ surface: 'mood', listenerId: listeners[i % listeners.length]!, mood: ['energetic', 'calm', 'happy', 'sad', 'focus', 'party'][i % 6]! }),
      'daily-mixes': (i) => ({ surface: 'daily-mixes', listenerId: listeners[i % listeners.length]! }),
      'release-radar': (i) => ({ surface: 'release-radar', listenerId: listeners[i % listeners.length]! }),
      blend: (i) => ({ surface: 'blend', listenerId: listeners[i % listeners.length]!, with: [listeners[(i + 1) % listeners.length]!] }),
      genre: (i) => ({ surface: 'radio', listenerId: listeners[i % listeners.length]!, seedGenre: genres[i % genres.length]!, n: 20 }),
    };
    const out: Record<string, string> = {};
    const hashes: Record<string, { hash: string; requests: number }> = {};
    for (const [name, req] of Object.entries(requests)) {
      const h = createHash('sha256');
      const count = name === 'radio' || name === 'autoplay' ? n : Math.max(1, Math.round(n / 6));
      for (let i = 0; i < count; i++) {
        const r = await surfaces.serve({ ...req(i), now, log: false });
        // The request id is random per response; everything else is a function of the inputs.
        h.update(JSON.stringify({ ...r, requestId: '' }));
      }
      hashes[name] = { hash: h.digest('hex').slice(0, 16), requests: count };
      out[name] = `${hashes[name].hash} (${count})`;
    }
    for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(14)} ${v}`);
    rec.figures.store = db;
    rec.figures.now = now;
    rec.figures.fingerprints = hashes;
  } finally {
    await store.close();
  }
}
