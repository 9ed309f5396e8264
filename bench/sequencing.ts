/**
 * Sequencing benchmark (issue 5): 50 tracks out of 1,000 ranked candidates with beam width
 * 8 (and the greedy path, width 1, as the baseline in the same run), radio's default rules
 * (artist separation 3, at most 2 per album, the webcasting window across a station's
 * history of 20 plays, promoted cap), on one core.
 *
 *   npm run bench -- sequencing [--requests 500] [--candidates 1000] [--length 50] [--branching 24]
 */
import { Rng } from '../src/math/index.js';
import { defaultPolicy, parsePolicy, sequence, type PastPlay, type SeqItem } from '../src/sequencing/index.js';
import { machineLine } from './machine.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

function candidates(rng: Rng, n: number, r: number): SeqItem[] {
  return Array.from({ length: n }, (_, k) => {
    const artist = rng.int(Math.max(10, Math.floor(n / 4)));
    return {
      trackId: `r${r}t${k}`, artistId: `a${artist}`, albumId: `a${artist}-${rng.int(3)}`, satisfaction: Math.pow(rng.next(), 2), sources: ['transitions'],
      tempo: 70 + rng.next() * 100, energy: rng.next(), key: rng.int(12), mode: rng.int(2), genre: `g${rng.int(12)}`,
      emerging: rng.next() < 0.1, promoted: rng.next() < 0.03, costTier: rng.int(4), explicit: rng.next() < 0.1, podcast: false, isNew: rng.next() < 0.3, durationMs: 150_000 + rng.int(150_000),
    };
  });
}

export async function sequencingBench(args: string[]): Promise<void> {
  const requests = Number(arg(args, '--requests', '500'));
  const n = Number(arg(args, '--candidates', '1000'));
  const length = Number(arg(args, '--length', '50'));
  const branching = Number(arg(args, '--branching', String(defaultPolicy('radio').solver?.branching ?? 24)));
  console.log(machineLine());
  // Candidate sets are made per request (outside the timing), so the heap holds one at a time, as a server would.
  const setFor = (r: number): SeqItem[] => candidates(new Rng(7 + r), n, r);
  const rng = new Rng(7);
  const now = Date.UTC(2027, 0, 4, 12);
  const history: PastPlay[] = Array.from({ length: 20 }, (_, k) => ({ trackId: `h${k}`, artistId: `a${rng.int(250)}`, ts: now - (20 - k) * 200_000 }));
  console.log(`${requests} requests, ${n} ranked candidates each, ${length} tracks per list, ${branching} candidates tried per partial sequence, radio's default rules and a 20-play station history`);
  for (const beamWidth of [1, 8]) {
    const policy = parsePolicy({ ...defaultPolicy('radio'), length, solver: { beamWidth, branching } });
    for (let i = 0; i < 150; i++) sequence(setFor(requests + i), policy, { now, history }); // warm up: past JIT tiering
    const ms: number[] = [];
    let value = 0;
    for (let r = 0; r < requests; r++) {
      const set = setFor(r);
      const t = performance.now();
      const out = sequence(set, policy, { now, history, seed: r });
      ms.push(performance.now() - t);
      value += out.value / requests;
    }
    ms.sort((a, b) => a - b);
    const q = (p: number): number => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
    console.log(`  beam width ${beamWidth}${beamWidth === 1 ? ' (greedy, baseline)' : ''}: p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms, mean sequence value ${value.toFixed(3)}${beamWidth === 8 ? `; target p99 < 3 ms: ${q(0.99) < 3 ? 'met' : 'NOT met'}` : ''}`);
  }
}
