import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_CODE } from '../domain/index.js';
import { buildWorld, Ctx, eventsNdjson, simulate, summarize, type EventBatch, type Simulation } from './index.js';
import { EventBuffer } from './events.js';

function digest(sim: Simulation): string {
  const h = createHash('sha256');
  for (const b of sim) h.update(eventsNdjson(b));
  return h.digest('hex');
}

describe('simulate: determinism', () => {
  const opts = { listeners: 60, tracks: 2000, days: 3 };
  it('gives byte-identical events for the same seed and different events for another', () => {
    const a = digest(simulate({ ...opts, seed: 7 }));
    expect(digest(simulate({ ...opts, seed: 7 }))).toBe(a);
    expect(digest(simulate({ ...opts, seed: 8 }))).not.toBe(a);
    // The same with a prebuilt world, and with other batch sizes.
    expect(digest(simulate({ world: buildWorld({ listeners: 60, tracks: 2000 }, 7), days: 3, seed: 7, batchSize: 333 }))).toBe(a);
  });

  it('a listener behaves the same whoever else is in the world', () => {
    const events = (listeners: number): string[] => {
      const out: string[] = [];
      for (const b of simulate({ listeners, tracks: 2000, days: 2, seed: 3 })) {
        const text = new TextDecoder().decode(eventsNdjson(b)).split('\n');
        // Event ids are serials over the whole simulation, so they differ; the rest must not.
        for (let i = 0; i < b.length; i++) if (b.listener[i] === 4) out.push(text[i]!.replace(/"eventId":"sim:\d{12}"/, ''));
      }
      return out;
    };
    const small = events(10);
    expect(small.length).toBeGreaterThan(0);
    expect(events(40)).toEqual(small);
  });
});

describe('simulate: a small world over a week', () => {
  const sim = simulate({ listeners: 300, tracks: 5000, days: 7, seed: 42 });
  const batches: EventBatch[] = [];
  for (const b of sim) batches.push(b);
  const s = summarize(sim.stats);
  const world = sim.world;

  it('streams batches of the requested size and counts every event', () => {
    let n = 0;
    for (let i = 0; i < batches.length; i++) {
      if (i < batches.length - 1) expect(batches[i]!.length).toBe(5000);
      n += batches[i]!.length;
    }
    expect(n).toBe(sim.stats.events);
    expect(sim.stats.days).toBe(7);
    expect(() => sim[Symbol.iterator]()).toThrow(/once/);
  });

  it('has a realistic skip rate (real Spotify history ~0.32, MSSD ~0.5)', () => {
    expect(s.skipRate).toBeGreaterThan(0.2);
    expect(s.skipRate).toBeLessThan(0.5);
    // The model's probabilities are calibrated against what happened.
    expect(Math.abs(sim.stats.expectedSkips - sim.stats.skips) / s.plays).toBeLessThan(0.01);
  });

  it('has plausible session lengths', () => {
    expect(s.sessionMedian).toBeGreaterThanOrEqual(3);
    expect(s.sessionMedian).toBeLessThanOrEqual(30);
    expect(s.sessionP90).toBeGreaterThan(s.sessionMedian * 2); // a long tail
    expect(s.minutesPerSession).toBeGreaterThan(10);
    expect(s.minutesPerSession).toBeLessThan(120);
  });

  it('has power-law popularity', () => {
    // The top 1% of tracks get many times their share of plays.
    expect(s.top1PercentShare).toBeGreaterThan(0.08);
    // Zipf-like over the head: the log-log rank-frequency slope over the top 10% of tracks.
    expect(s.popularitySlope).toBeLessThan(-0.4);
    expect(s.popularitySlope).toBeGreaterThan(-1.6);
    expect(s.coverage).toBeGreaterThan(0.3);
  });

  it('gives emerging artists a minority of plays, podcasts a little, and has repeats', () => {
    expect(s.emergingShare).toBeGreaterThan(0.01);
    expect(s.emergingShare).toBeLessThan(0.3);
    expect(s.podcastShare).toBeGreaterThan(0);
    expect(s.podcastShare).toBeLessThan(0.15);
    expect(s.repeatShare).toBeGreaterThan(0.2);
    expect(s.repeatShare).toBeLessThan(0.9);
    expect(s.likesPerPlay).toBeGreaterThan(0.005);
    expect(s.likesPerPlay).toBeLessThan(0.08);
    expect(sim.stats.bans).toBeGreaterThan(0);
    expect(sim.stats.saves).toBeGreaterThan(0);
    expect(sim.stats.addsToPlaylist).toBeGreaterThan(0);
  });

  it('uses every kind of context', () => {
    for (const c of [Ctx.album, Ctx.playlist, Ctx.radio, Ctx.autoplay, Ctx.search, Ctx.other]) expect(sim.stats.contextPlays[c]).toBeGreaterThan(0);
  });

  it('writes events that hang together per listener and session', () => {
    const lastTs = new Map<number, number>();
    const lastNo = new Map<number, number>();
    const sessionOf = new Map<number, number>();
    let plays = 0;
    for (const b of batches) {
      for (let i = 0; i < b.length; i++) {
        const l = b.listener[i]!;
        expect(l).toBeGreaterThanOrEqual(0);
        expect(l).toBeLessThan(world.listeners.count);
        // Event numbers count up per listener: unique ids.
        expect(b.eventNo[i]).toBe((lastNo.get(l) ?? -1) + 1);
        lastNo.set(l, b.eventNo[i]!);
        // Time moves forward per listener; sessions too.
        expect(b.ts[i]).toBeGreaterThanOrEqual(lastTs.get(l) ?? 0);
        lastTs.set(l, b.ts[i]!);
        expect(b.session[i]).toBeGreaterThanOrEqual(sessionOf.get(l) ?? 1);
        sessionOf.set(l, b.session[i]!);
        if (b.type[i] === EVENT_TYPE_CODE.play_end) {
          plays++;
          const t = b.track[i]!;
          expect(b.msPlayed[i]).toBeGreaterThan(0);
          expect(b.msPlayed[i]).toBeLessThanOrEqual(world.durationMs[t]!);
          if (b.skipped[i]) expect(b.endReason[i]).toBe(1);
          if (world.listeners.allowExplicit[l] === 0) expect(world.explicit[t]).toBe(0);
        } else if (b.type[i] === EVENT_TYPE_CODE.ban) {
          expect((b.track[i]! >= 0) !== (b.artist[i]! >= 0)).toBe(true);
        } else {
          expect(b.track[i]).toBeGreaterThanOrEqual(0);
        }
      }
    }
    expect(plays).toBe(sim.stats.plays);
    // Events stay within the simulated days, give or take time zones.
    const first = sim.startMs - 14 * 3600_000;
    const last = sim.startMs + 8 * 86_400_000 + 14 * 3600_000;
    for (const b of batches) for (let i = 0; i < b.length; i++) expect(b.ts[i]! > first && b.ts[i]! < last).toBe(true);
  });

  it('albums play in order; sessions keep a gap above the sessionization gap', () => {
    let prev = -1;
    let prevEnd = -Infinity;
    let prevKey = '';
    for (const b of batches) {
      for (let i = 0; i < b.length; i++) {
        if (b.type[i] !== EVENT_TYPE_CODE.play_end) continue;
        const key = `${b.listener[i]}:${b.session[i]}`;
        const start = b.ts[i]! - b.msPlayed[i]!;
        if (key === prevKey && b.contextType[i] === Ctx.album && world.podcast[b.track[i]!] === 0 && b.position[i]! > 0 && prev >= 0) {
          expect(b.track[i]).toBeGreaterThan(prev);
        }
        if (key !== prevKey && prevKey.split(':')[0] === String(b.listener[i])) expect(start - prevEnd).toBeGreaterThan(30 * 60_000);
        prev = b.track[i]!;
        prevEnd = b.ts[i]!;
        prevKey = key;
      }
    }
  });

  it('checks its options', () => {
    expect(() => simulate({ listeners: 5, tracks: 100, days: -1 })).toThrow(/days/);
    expect(() => simulate({ listeners: 5, tracks: 100, startDate: '2025-13-45' })).toThrow(/startDate/);
    expect(() => simulate({ listeners: 5, tracks: 100, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => simulate({ listeners: 5, tracks: 100, sessions: { chunk: 0 } })).toThrow(/chunk/);
    let n = 0;
    for (const b of simulate({ listeners: 5, tracks: 100, days: 0 })) n += b.length;
    expect(n).toBe(0);
  });
});

describe('EventBuffer', () => {
  it('grows and takes batches off the front in order', () => {
    const buf = new EventBuffer(4);
    for (let i = 0; i < 11; i++) {
      const e = buf.add();
      buf.columns.eventNo[e] = i;
      buf.columns.ts[e] = 1000 + i;
    }
    expect(buf.length).toBe(11);
    const a = buf.take(5);
    expect(Array.from(a.eventNo)).toEqual([0, 1, 2, 3, 4]);
    expect(a.track[0]).toBe(-1);
    const b = buf.take(5);
    expect(Array.from(b.ts)).toEqual([1005, 1006, 1007, 1008, 1009]);
    const c = buf.take(5);
    expect(c.length).toBe(1);
    expect(c.eventNo[0]).toBe(10);
    expect(buf.length).toBe(0);
  });
});
