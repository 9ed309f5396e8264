import { Rng } from '../math/index.js';
import type { Policy } from './policy.js';
import { Rules, staticFilter, type PathNode } from './constraints.js';
import type { SeqContext, SeqItem, Sequence, SequencedItem } from './types.js';

/** Which policy of an interleaving experiment placed an item. */
export type Team = 'a' | 'b';

/** One interleaved list: the items with their team, and how many each team placed. */
export interface Interleaved extends Sequence {
  items: Array<SequencedItem & { team: Team }>;
  picks: Record<Team, number>;
}

/**
 * Team-draft interleaving (Radlinski, Kurup and Joachims, CIKM 2008) of two policies'
 * sequences over the same request. Each round a fair coin (seeded by `ctx.seed`) says which
 * team drafts first; each team then places its best track not yet placed. The merged list
 * must keep both policies' hard rules (their filters: bans, explicit, market, no-repeat; and
 * the order's: separation, per-artist and per-album caps, windows, podcasts, promoted share): a team whose next track would break one at this position takes
 * its next track instead, and a track passed over stays available for later rounds. A team
 * with nothing placeable left sits out; the list ends when neither can place or at `length`
 * (the shorter policy's). Each item keeps its team's value and explanation, and its
 * propensity is its team's (the coin flips are logged through the teams).
 *
 * `items` holds every candidate of either sequence; `a` and `b` are the two sequences.
 *
 * @example const merged = teamDraft(items, seqA, seqB, policyA, policyB, ctx);
 */
export function teamDraft(items: readonly SeqItem[], a: Sequence, b: Sequence, policyA: Policy, policyB: Policy, ctx: SeqContext): Interleaved {
  const ixOf = new Map<string, number>();
  items.forEach((it, i) => {
    if (!ixOf.has(it.trackId)) ixOf.set(it.trackId, i);
  });
  const lists: Record<Team, SequencedItem[]> = { a: a.items, b: b.items };
  for (const t of ['a', 'b'] as const) {
    for (const x of lists[t]) if (!ixOf.has(x.trackId)) throw new Error(`teamDraft: team ${t}'s track ${x.trackId} is not among the candidates`);
  }
  // Both policies' filters and rules, on one path.
  const poolA = new Set(staticFilter(items, policyA, ctx).pool);
  const eligible = new Uint8Array(items.length);
  for (const i of staticFilter(items, policyB, ctx).pool) if (poolA.has(i)) eligible[i] = 1;
  const rules = [new Rules(items, policyA, ctx), new Rules(items, policyB, ctx)];
  const length = Math.min(policyA.length, policyB.length);
  const placed = new Set<string>();
  const rng = new Rng(ctx.seed ?? 1);
  const out: Interleaved['items'] = [];
  const picks: Record<Team, number> = { a: 0, b: 0 };
  const done: Record<Team, boolean> = { a: false, b: false };
  let path: PathNode | null = null;
  const allowed = (i: number): boolean => eligible[i] === 1 && rules[0]!.check(path, i) === 0 && rules[1]!.check(path, i) === 0;
  /** The team's first track that is not placed and keeps every rule here, or undefined. */
  const next = (t: Team): SequencedItem | undefined => {
    for (const x of lists[t]) if (!placed.has(x.trackId) && allowed(ixOf.get(x.trackId)!)) return x;
    return undefined;
  };
  while (out.length < length && !(done.a && done.b)) {
    const order: Team[] = rng.next() < 0.5 ? ['a', 'b'] : ['b', 'a'];
    for (const t of order) {
      if (out.length >= length || done[t]) continue;
      const x = next(t);
      if (x === undefined) {
        done[t] = true;
        continue;
      }
      const i = ixOf.get(x.trackId)!;
      out.push({ ...x, position: out.length, team: t });
      placed.add(x.trackId);
      picks[t]++;
      path = rules[0]!.extend(path, i);
    }
  }
  const filtered: Record<string, number> = { ...a.filtered };
  for (const [k, v] of Object.entries(b.filtered)) filtered[k] = Math.max(filtered[k] ?? 0, v);
  return { items: out, value: out.reduce((s, x) => s + x.value, 0), filtered, picks };
}
