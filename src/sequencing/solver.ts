import { Rng } from '../math/index.js';
import type { Policy } from './policy.js';
import { Rules, staticFilter } from './constraints.js';
import { Objectives, type PathStats, type Terms } from './objectives.js';
import type { Explanation, Sequence, SeqContext, SeqItem, SequencedItem } from './types.js';

interface State {
  seq: number[];
  value: number;
  /** Probability of each pick under the exploration distribution. */
  props: number[];
  placed: number;
  newOnes: number;
  perArtist: Map<string, number>;
}

const extend = (s: State, i: number, it: SeqItem, v: number, p: number): State => {
  const perArtist = new Map(s.perArtist);
  perArtist.set(it.artistId, (perArtist.get(it.artistId) ?? 0) + 1);
  return { seq: [...s.seq, i], value: s.value + v, props: [...s.props, p], placed: s.placed + 1, newOnes: s.newOnes + (it.isNew ? 1 : 0), perArtist };
};

/**
 * Build a sequence position by position. Beam search keeps the `beamWidth` best partial
 * sequences by total value and extends each with its `branching` best feasible candidates
 * (by the place-independent part of their value); width 1 is the greedy fast path. Every
 * candidate is checked against the rules before it is placed, so no returned sequence
 * breaks one; a sequence ends early only when nothing feasible is left.
 *
 * Deterministic: ties break by candidate order. With `exploration.epsilon` > 0 the greedy
 * path, at each position, samples from the explicit distribution (1 - epsilon) on the best
 * plus epsilon spread by a softmax over the feasible candidates' values, seeded by
 * `ctx.seed`, and records each pick's probability as its propensity.
 */
export function sequence(items: readonly SeqItem[], policy: Policy, ctx: SeqContext): Sequence {
  const { pool, filtered } = staticFilter(items, policy, ctx);
  const obj = new Objectives(policy);
  const rules = new Rules(items, policy, ctx);
  const base = pool.map((i) => obj.base(items[i]!));
  // Candidates by base value, best first (ties: earlier candidate first).
  const order = pool.map((i, k) => ({ i, b: base[k]! })).sort((a, b) => b.b - a.b || a.i - b.i).map((x) => x.i);
  const explore = policy.exploration && policy.exploration.epsilon > 0 ? policy.exploration : undefined;
  const width = explore ? 1 : (policy.solver?.beamWidth ?? 1);
  const branching = Math.max(1, policy.solver?.branching ?? 24);
  const rng = new Rng(ctx.seed ?? 1);
  const L = policy.length;

  let beam: State[] = [{ seq: [], value: 0, props: [], placed: 0, newOnes: 0, perArtist: new Map() }];
  const finished: State[] = [];
  for (let pos = 0; pos < L && beam.length > 0; pos++) {
    const next: State[] = [];
    for (const s of beam) {
      const prev = s.seq.length > 0 ? items[s.seq[s.seq.length - 1]!] : undefined;
      const stats: PathStats = s;
      const options: Array<{ i: number; v: number }> = [];
      for (const i of order) {
        if (options.length >= branching) break;
        if (rules.broken(s.seq, i) !== undefined) continue;
        options.push({ i, v: obj.value(items[i]!, prev, stats) });
      }
      if (options.length === 0) {
        finished.push(s);
        continue;
      }
      options.sort((a, b) => b.v - a.v || order.indexOf(a.i) - order.indexOf(b.i));
      if (explore) {
        const pick = sample(options, explore.epsilon, explore.temperature, rng);
        next.push(extend(s, options[pick.k]!.i, items[options[pick.k]!.i]!, options[pick.k]!.v, pick.p));
      } else {
        for (const o of options.slice(0, width)) next.push(extend(s, o.i, items[o.i]!, o.v, 1));
      }
    }
    next.sort((a, b) => b.value - a.value || compareSeq(a.seq, b.seq));
    beam = next.slice(0, width);
  }
  finished.push(...beam);
  // The longest sequence wins (a shorter one only means candidates ran out), then the most valuable.
  finished.sort((a, b) => b.seq.length - a.seq.length || b.value - a.value || compareSeq(a.seq, b.seq));
  const best = finished[0]!;
  return { items: explain(best, items, order, obj, rules), value: best.value, filtered };
}

function compareSeq(a: number[], b: number[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
  return a.length - b.length;
}

/** Index into options picked, and its probability: (1 - eps) on the best plus eps * softmax. */
function sample(options: Array<{ v: number }>, eps: number, temperature: number, rng: Rng): { k: number; p: number } {
  const max = options[0]!.v;
  const w = options.map((o) => Math.exp((o.v - max) / temperature));
  const z = w.reduce((a, b) => a + b, 0);
  const probs = w.map((x, k) => eps * (x / z) + (k === 0 ? 1 - eps : 0));
  let u = rng.next();
  for (let k = 0; k < probs.length; k++) {
    u -= probs[k]!;
    if (u < 0) return { k, p: probs[k]! };
  }
  return { k: probs.length - 1, p: probs[probs.length - 1]! };
}

/**
 * Explanations along the chosen path: each item's terms, and what changed its place. A
 * candidate that ranked above the pick at some position but broke a rule there was held
 * back by that rule; a target's multiplier that added value to an item raised it.
 */
function explain(best: State, items: readonly SeqItem[], order: number[], obj: Objectives, rules: Rules): SequencedItem[] {
  const heldBack = new Map<number, Set<string>>();
  const out: SequencedItem[] = [];
  const s: State = { seq: [], value: 0, props: [], placed: 0, newOnes: 0, perArtist: new Map() };
  let cur = s;
  best.seq.forEach((i, pos) => {
    // Candidates ahead of the pick in base order that a rule kept out of this position.
    for (const j of order) {
      if (j === i) break;
      const why = rules.broken(cur.seq, j);
      if (why !== undefined && why !== 'duplicate') {
        let set = heldBack.get(j);
        if (!set) heldBack.set(j, (set = new Set()));
        set.add(why);
      }
    }
    const it = items[i]!;
    const terms = {} as Terms;
    const prev = cur.seq.length > 0 ? items[cur.seq[cur.seq.length - 1]!] : undefined;
    const v = obj.value(it, prev, cur, terms);
    const changedBy = [...(heldBack.get(i) ?? [])].map((r) => `constraint ${r} held it back`);
    for (const t of ['target:discoveryShare', 'target:emergingArtistShare'] as const) if (terms[t] > 0) changedBy.push(`${t} raised it by ${terms[t].toFixed(3)}`);
    const values: Record<string, number> = {};
    for (const [k, x] of Object.entries(terms)) if (x !== 0) values[k] = Number(x.toFixed(4));
    const explanation: Explanation = { sources: it.sources, values, changedBy };
    out.push({ trackId: it.trackId, artistId: it.artistId, ...(it.albumId !== undefined ? { albumId: it.albumId } : {}), position: pos, value: Number(v.toFixed(6)), propensity: Number(best.props[pos]!.toFixed(6)), explanation });
    cur = extend(cur, i, it, v, best.props[pos]!);
  });
  return out;
}
