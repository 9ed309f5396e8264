import { describe, it, expect } from 'vitest';
import type { PlayLog } from './dataset.js';
import { Rng } from '../math/index.js';
import { TransitionsModel } from './transitions.js';
import { SknnModel } from './sknn.js';
import { topK } from './topk.js';
import { popularity } from './popularity.js';

/** Sessions of 8 plays, each drawn from one of two disjoint clusters of 20 tracks (0-19, 20-39); cluster order is a cycle. */
function planted(sessions: number, seed = 1): { log: PlayLog; start: Int32Array } {
  const rng = new Rng(seed);
  const listener: number[] = [], track: number[] = [], ts: number[] = [];
  const start: number[] = [];
  for (let s = 0; s < sessions; s++) {
    start.push(track.length);
    const base = (s % 2) * 20;
    let t = rng.int(20);
    for (let p = 0; p < 8; p++) {
      listener.push(s % 5);
      track.push(base + t);
      ts.push(s * 3_600_000 + p * 200_000);
      t = (t + 1 + rng.int(2)) % 20; // next track: one or two steps ahead in the cycle
    }
  }
  start.push(track.length);
  const n = track.length;
  return {
    log: { trackIds: Array.from({ length: 40 }, (_, i) => `t${i}`), listenerIds: ['0', '1', '2', '3', '4'], listener: Int32Array.from(listener), track: Int32Array.from(track), ts: Float64Array.from(ts), skipped: new Int8Array(n), weight: new Float32Array(n).fill(1), length: n },
    start: Int32Array.from(start),
  };
}

describe('session models recover planted structure', () => {
  const { log, start } = planted(200);
  it('transitions: after a track, its cycle successors rank first', () => {
    const m = TransitionsModel.train(log, start, undefined, { window: 1, prefixTracks: 1 });
    const out = new Float64Array(40);
    m.scoreInto(Int32Array.of(25), out);
    expect(new Set(topK(out, 2).ix)).toEqual(new Set([26, 27]));
    // Exactness of the weights: links from 25 go only to 26 and 27, shrunk by (count + 2).
    expect(out.filter((x) => x > 0).length).toBe(2);
  });
  it('sknn: a prefix from one cluster scores only that cluster', () => {
    const m = SknnModel.train(log, start, undefined, { k: 20 });
    const out = new Float64Array(40);
    m.scoreInto(Int32Array.of(3, 4, 5), out);
    const top = topK(out, 10).ix;
    expect(Array.from(top).every((t) => t < 20)).toBe(true);
    expect(out.slice(20).every((x) => x === 0)).toBe(true);
    const none = new Float64Array(40);
    m.scoreInto(new Int32Array(0), none);
    expect(none.every((x) => x === 0)).toBe(true);
  });
  it('sknn: equals a direct reading of V-SKNN, also when the recent-session sample cuts through equal times', () => {
    // Session end times repeat (every 7th session shares one), so the sample's cut falls among ties.
    const rng = new Rng(11);
    const listener: number[] = [], track: number[] = [], ts: number[] = [], st: number[] = [];
    const sessions: number[][] = [];
    for (let s = 0; s < 300; s++) {
      st.push(track.length);
      const tracks = Array.from({ length: 3 + rng.int(6) }, () => rng.int(40));
      sessions.push(tracks);
      for (const t of tracks) {
        listener.push(0);
        track.push(t);
        ts.push(Math.floor(s / 7) * 1000);
      }
    }
    st.push(track.length);
    const log: PlayLog = { trackIds: Array.from({ length: 40 }, (_, i) => `t${i}`), listenerIds: ['0'], listener: Int32Array.from(listener), track: Int32Array.from(track), ts: Float64Array.from(ts), skipped: new Int8Array(track.length), weight: new Float32Array(track.length).fill(1), length: track.length };
    const cfg = { k: 10, sampleSize: 25, recencyWeighting: true };
    const m = SknnModel.train(log, Int32Array.from(st), undefined, cfg);
    const end = (s: number): number => Math.floor(s / 7) * 1000;
    for (const prefix of [[3], [1, 2, 3], [5, 9, 5, 30], [0, 39, 17, 22, 8]]) {
      // The definition, read directly: unique prefix tracks weighted by their last position.
      const L = prefix.length;
      const w = new Map<number, number>();
      prefix.forEach((t, p) => w.set(t, (p + 1) / L));
      const sharing = sessions.map((tr, s) => ({ s, set: new Set(tr) })).filter((x) => [...w.keys()].some((t) => x.set.has(t)));
      const pool = sharing.sort((a, b) => end(b.s) - end(a.s) || a.s - b.s).slice(0, cfg.sampleSize);
      const sims = pool.map((x) => [...w].reduce((acc, [t, wt]) => acc + (x.set.has(t) ? wt : 0), 0) / Math.sqrt(w.size * x.set.size));
      const order = sims.map((v, i) => i).sort((a, b) => Math.fround(sims[b]!) - Math.fround(sims[a]!) || a - b).slice(0, cfg.k);
      const want = new Float64Array(40);
      for (const i of order) for (const t of pool[i]!.set) want[t]! += Math.fround(sims[i]!);
      const got = new Float64Array(40);
      m.scoreInto(Int32Array.from(prefix), got);
      for (let t = 0; t < 40; t++) expect(got[t]).toBeCloseTo(want[t]!, 5);
    }
  });
  it('save/load round trips give identical answers', () => {
    const tr = TransitionsModel.train(log, start);
    const sk = SknnModel.train(log, start);
    const tr2 = TransitionsModel.load(tr.save({ trainedAt: 1 }));
    const sk2 = SknnModel.load(sk.save());
    for (const prefix of [Int32Array.of(3), Int32Array.of(25, 26, 28), Int32Array.of(1, 39)]) {
      const a = new Float64Array(40), b = new Float64Array(40), c = new Float64Array(40), d = new Float64Array(40);
      tr.scoreInto(prefix, a);
      tr2.scoreInto(prefix, b);
      sk.scoreInto(prefix, c);
      sk2.scoreInto(prefix, d);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(Array.from(d)).toEqual(Array.from(c));
    }
    expect(() => SknnModel.load(tr.save())).toThrow(/holds transitions version 1, expected sknn version 1/);
  });

  it('training rows restrict what is learned', () => {
    const rows = new Uint8Array(log.length);
    rows.fill(1, 0, start[100]!); // first 100 sessions only
    const pop = popularity(log, rows);
    expect(pop.reduce((a, b) => a + b, 0)).toBe(800);
  });
});
