/**
 * Test support for the sequencer (not part of the build): candidate sets, policies and
 * contexts where the rules bind, and a check of every rule on a returned sequence.
 */
import fc from 'fast-check';
import type { Policy, SeqContext, SeqItem, Sequence } from './index.js';
import { parsePolicy, defaultPolicy } from './index.js';

const HOUR = 3_600_000;
export const NOW = Date.UTC(2027, 0, 4, 12);

/** Candidate sets where the rules bind: few artists and albums, some promoted, podcasts, explicit and regional tracks. */
export const itemArb = (k: number): fc.Arbitrary<SeqItem> =>
  fc.record({
    artist: fc.integer({ min: 0, max: 7 }),
    album: fc.integer({ min: 0, max: 2 }),
    satisfaction: fc.double({ min: 0, max: 1, noNaN: true }),
    tempo: fc.oneof(fc.constant(NaN), fc.double({ min: 60, max: 180, noNaN: true })),
    energy: fc.double({ min: 0, max: 1, noNaN: true }),
    key: fc.integer({ min: -1, max: 11 }),
    mode: fc.integer({ min: 0, max: 1 }),
    genre: fc.constantFrom('pop', 'rock', 'jazz'),
    emerging: fc.boolean(),
    promoted: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.2),
    costTier: fc.integer({ min: 0, max: 3 }),
    explicit: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.2),
    market: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => (x < 0.1 ? ['FR'] : x < 0.2 ? ['US', 'FR'] : undefined)),
    podcast: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.1),
    isNew: fc.boolean(),
    minutes: fc.integer({ min: 2, max: 8 }),
  }).map((r) => ({
    trackId: `t${k}`, artistId: `a${r.artist}`, albumId: `a${r.artist}-al${r.album}`, satisfaction: r.satisfaction, sources: ['test'],
    tempo: r.tempo, energy: r.energy, key: r.key, mode: r.mode, genre: r.genre, emerging: r.emerging, promoted: r.promoted,
    costTier: r.costTier, explicit: r.explicit, ...(r.market ? { markets: r.market } : {}), podcast: r.podcast, isNew: r.isNew, durationMs: r.minutes * 60_000,
  }));
export const itemsArb = fc.integer({ min: 5, max: 60 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => itemArb(k))));

export const policyArb: fc.Arbitrary<Policy> = fc.record({
  surface: fc.constantFrom('radio', 'autoplay', 'discovery', 'mood'),
  length: fc.integer({ min: 1, max: 25 }),
  sep: fc.integer({ min: 0, max: 4 }),
  maxPerAlbum: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  maxPerArtist: fc.option(fc.integer({ min: 3, max: 6 }), { nil: undefined }),
  explicit: fc.constantFrom('allow', 'block'),
  market: fc.option(fc.constantFrom('US', 'FR'), { nil: undefined }),
  promoted: fc.option(fc.double({ min: 0, max: 0.5, noNaN: true }), { nil: undefined }),
  window: fc.option(fc.record({ hours: fc.constantFrom(0.5, 1, 3), perAlbum: fc.integer({ min: 1, max: 3 }), albumInARow: fc.integer({ min: 1, max: 2 }), perArtist: fc.integer({ min: 1, max: 4 }), artistInARow: fc.integer({ min: 1, max: 3 }) }), { nil: undefined }),
  podcasts: fc.integer({ min: 0, max: 2 }),
  beam: fc.constantFrom(1, 2, 8),
  w: fc.tuple(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
}).map((r) => {
  const base = defaultPolicy(r.surface as 'radio');
  const c: Policy['constraints'] = {
    artistSeparation: r.sep, explicit: r.explicit as 'allow' | 'block', noRepeatHours: 24, maxPodcasts: r.podcasts,
    ...(r.maxPerAlbum !== undefined ? { maxPerAlbum: Math.min(r.maxPerAlbum, r.maxPerArtist ?? 9) } : {}),
    ...(r.maxPerArtist !== undefined ? { maxPerArtist: r.maxPerArtist } : {}),
    ...(r.market ? { market: r.market } : {}),
    ...(r.promoted !== undefined ? { promotedShare: { max: r.promoted } } : {}),
    ...(r.window ? { window: r.window } : {}),
  };
  return parsePolicy({
    ...base, length: r.length, constraints: c, solver: { beamWidth: r.beam, branching: 12 },
    objectives: { satisfaction: r.w[0], flow: r.w[1], discovery: r.w[2], emergingArtists: r.w[3], variety: 0.1, fairness: 0.05, cost: 0.1 },
    targets: undefined, multipliers: { emergingArtistShare: r.w[3] / 2 },
  });
});

export const ctxArb = (items: readonly SeqItem[]): fc.Arbitrary<SeqContext> =>
  fc.record({
    history: fc.array(fc.record({ artist: fc.integer({ min: 0, max: 7 }), album: fc.integer({ min: 0, max: 2 }), ago: fc.integer({ min: 1, max: 300 }) }), { maxLength: 8 }),
    played: fc.array(fc.tuple(fc.integer({ min: 0, max: items.length - 1 }), fc.integer({ min: 0, max: 48 })), { maxLength: 5 }),
    banned: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 1 }),
    seed: fc.integer(),
  }).map((r) => ({
    now: NOW,
    history: r.history.sort((a, b) => b.ago - a.ago).map((h, k) => ({ trackId: `h${k}`, artistId: `a${h.artist}`, albumId: `a${h.artist}-al${h.album}`, ts: NOW - h.ago * 60_000 })),
    played: new Map(r.played.map(([i, h]) => [items[i]!.trackId, NOW - h * HOUR])),
    bannedArtists: new Set(r.banned.map((a) => `a${a}`)),
    seed: r.seed,
  }));

/** An independent check of every rule on a returned sequence (not the solver's own Rules). */
export function violations(out: Sequence, items: readonly SeqItem[], p: Policy, ctx: SeqContext): string[] {
  const bad: string[] = [];
  const c = p.constraints;
  const byId = new Map(items.map((it) => [it.trackId, it]));
  const seq = out.items.map((x) => byId.get(x.trackId)!);
  if (seq.length > p.length) bad.push('too long');
  if (new Set(seq.map((s) => s.trackId)).size !== seq.length) bad.push('duplicate');
  const hist = ctx.history ?? [];
  let t = ctx.now;
  const timeline: Array<{ artistId: string; albumId?: string; ts: number }> = hist.map((h) => ({ artistId: h.artistId, ...(h.albumId ? { albumId: h.albumId } : {}), ts: h.ts }));
  seq.forEach((s, k) => {
    if (ctx.bannedArtists?.has(s.artistId)) bad.push(`banned at ${k}`);
    if (c.explicit === 'block' && s.explicit) bad.push(`explicit at ${k}`);
    if (c.market && s.markets && !s.markets.includes(c.market)) bad.push(`market at ${k}`);
    const last = ctx.played?.get(s.trackId);
    if (last !== undefined && ctx.now - last < (c.noRepeatHours ?? 0) * HOUR) bad.push(`repeat at ${k}`);
    const before = timeline.slice();
    for (let d = 1; d <= (c.artistSeparation ?? 0); d++) if (before[before.length - d]?.artistId === s.artistId) bad.push(`separation at ${k}`);
    const w = c.window;
    if (w) {
      const inWindow = before.filter((x) => x.ts >= t - w.hours * HOUR);
      if (inWindow.filter((x) => x.artistId === s.artistId).length + 1 > w.perArtist) bad.push(`window artist at ${k}`);
      if (inWindow.filter((x) => x.albumId === s.albumId).length + 1 > w.perAlbum) bad.push(`window album at ${k}`);
      let run = 0;
      while (run < before.length && before[before.length - 1 - run]!.artistId === s.artistId) run++;
      if (run + 1 > w.artistInARow) bad.push(`artist run at ${k}`);
      run = 0;
      while (run < before.length && before[before.length - 1 - run]!.albumId === s.albumId) run++;
      if (run + 1 > w.albumInARow) bad.push(`album run at ${k}`);
    }
    if (s.podcast && k > 0 && seq[k - 1]!.podcast) bad.push(`podcasts in a row at ${k}`);
    timeline.push({ artistId: s.artistId, ...(s.albumId ? { albumId: s.albumId } : {}), ts: t });
    t += s.durationMs;
  });
  const count = (f: (s: SeqItem) => string | undefined): Map<string, number> => {
    const m = new Map<string, number>();
    for (const s of seq) { const key = f(s); if (key !== undefined) m.set(key, (m.get(key) ?? 0) + 1); }
    return m;
  };
  if (c.maxPerArtist !== undefined && [...count((s) => s.artistId).values()].some((n) => n > c.maxPerArtist!)) bad.push('maxPerArtist');
  if (c.maxPerAlbum !== undefined && [...count((s) => s.albumId).values()].some((n) => n > c.maxPerAlbum!)) bad.push('maxPerAlbum');
  if (c.promotedShare && seq.filter((s) => s.promoted).length > Math.floor(c.promotedShare.max * p.length + 1e-9)) bad.push('promotedShare');
  if (seq.filter((s) => s.podcast).length > (c.maxPodcasts ?? 0)) bad.push('maxPodcasts');
  return bad;
}
