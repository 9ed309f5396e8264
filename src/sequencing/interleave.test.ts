import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultPolicy, parsePolicy, sequence, teamDraft } from './index.js';
import { NOW, ctxArb, itemsArb, policyArb, violations } from './testing.js';

describe('team-draft interleaving', () => {
  it('keeps both policies\' rules on the merged list, places each track once, and drafts each team in its own order', () => {
    fc.assert(
      fc.property(itemsArb.chain((items) => fc.tuple(fc.constant(items), policyArb, policyArb, ctxArb(items), fc.nat())), ([items, pa, pbRaw, ctx, seed]) => {
        // Two policies of one surface and length, differing in objectives, solver and rules.
        const pb = parsePolicy({ ...pbRaw, surface: pa.surface, length: pa.length });
        const c = { ...ctx, seed };
        const a = sequence(items, pa, c), b = sequence(items, pb, c);
        const merged = teamDraft(items, a, b, pa, pb, c);
        expect(violations(merged, items, pa, c)).toEqual([]);
        expect(violations(merged, items, pb, c)).toEqual([]);
        expect(merged.items.length).toBeLessThanOrEqual(pa.length);
        expect(merged.items.map((x) => x.position)).toEqual(merged.items.map((_, k) => k));
        expect(merged.picks.a + merged.picks.b).toBe(merged.items.length);
        // A team's tracks appear in the order of its own list.
        for (const [t, list] of [['a', a], ['b', b]] as const) {
          const rank = new Map(list.items.map((x, k) => [x.trackId, k]));
          const mine = merged.items.filter((x) => x.team === t).map((x) => rank.get(x.trackId));
          expect(mine.every((r) => r !== undefined)).toBe(true);
          expect(mine).toEqual([...mine].sort((x, y) => x! - y!));
        }
      }),
      { numRuns: 600, seed: 7 },
    );
  });

  it('serves the very list of two identical policies, whichever team drafts first; the coin is fair and seeded', () => {
    fc.assert(
      fc.property(itemsArb.chain((items) => fc.tuple(fc.constant(items), policyArb, ctxArb(items))), ([items, p, ctx]) => {
        const s = sequence(items, p, ctx);
        const merged = teamDraft(items, s, s, p, p, ctx);
        expect(merged.items.map((x) => x.trackId)).toEqual(s.items.map((x) => x.trackId));
      }),
      { numRuns: 300, seed: 8 },
    );
    // Over many requests, each team drafts first in about half of the rounds; the same seed, the same teams.
    const items = Array.from({ length: 80 }, (_, k) => ({
      trackId: `t${k}`, artistId: `ar${k}`, satisfaction: 1 - k / 100, sources: ['x'], tempo: 120, energy: 0.5, key: 1, mode: 1,
      emerging: false, promoted: false, costTier: 0, explicit: false, podcast: false, isNew: false, durationMs: 200_000,
    }));
    const p = parsePolicy({ ...defaultPolicy('radio'), length: 20 });
    let firstA = 0;
    const runs = 2000;
    for (let seed = 0; seed < runs; seed++) {
      const s = sequence(items, p, { now: NOW, seed });
      const m = teamDraft(items, s, s, p, p, { now: NOW, seed });
      if (m.items[0]!.team === 'a') firstA++;
      if (seed < 5) expect(teamDraft(items, s, s, p, p, { now: NOW, seed }).items.map((x) => x.team)).toEqual(m.items.map((x) => x.team));
    }
    // Binomial(2000, 0.5): 4.5 standard deviations is about +-100.
    expect(Math.abs(firstA - runs / 2)).toBeLessThan(100);
  });

  it('refuses a team track that is not among the candidates', () => {
    const p = parsePolicy({ ...defaultPolicy('radio'), length: 5 });
    const items = [{ trackId: 't1', artistId: 'a', satisfaction: 1, sources: [], tempo: 120, energy: 0.5, key: 1, mode: 1, emerging: false, promoted: false, costTier: 0, explicit: false, podcast: false, isNew: false, durationMs: 1000 }];
    const s = sequence(items, p, { now: NOW });
    const ghost = { ...s, items: [{ ...s.items[0]!, trackId: 'ghost' }] };
    expect(() => teamDraft(items, s, ghost, p, p, { now: NOW })).toThrow("team b's track ghost is not among the candidates");
  });
});
