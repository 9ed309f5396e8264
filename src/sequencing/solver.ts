import { Rng } from '../math/index.js';
import type { Policy } from './policy.js';
import { Rules, staticFilter, type PathNode } from './constraints.js';
import { Objectives, type Terms } from './objectives.js';
import type { Explanation, Sequence, SeqContext, SeqItem, SequencedItem } from './types.js';

/** A partial sequence: its path (with each pick's probability), total value and new tracks. */
interface State {
  path: PathNode | null;
  value: number;
  newOnes: number;
  /** The first `skip` candidates in base order are all on the path: a walk starts after them. */
  skip: number;
  /** Rank of the path among the beam's paths in item-index order (the tie-break of equal values). */
  lex: number;
}

/** Item indexes of a path, in order. */
function seqOf(path: PathNode | null): number[] {
  const out: number[] = [];
  for (let n = path; n !== null; n = n.parent) out.push(n.i);
  return out.reverse();
}

/** Compare paths by their item indexes, for deterministic ties. */
function comparePaths(a: PathNode | null, b: PathNode | null): number {
  const x = seqOf(a), y = seqOf(b);
  for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k]! - y[k]!;
  return x.length - y.length;
}

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
/** What a walk over the candidates needs: the filtered pool by base value (best first; ties: earlier candidate first), each one's rank there, the objectives and the rules. */
function prepareWalk(items: readonly SeqItem[], policy: Policy, ctx: SeqContext) {
  const { pool, filtered } = staticFilter(items, policy, ctx);
  const obj = new Objectives(policy);
  const rules = new Rules(items, policy, ctx);
  obj.prepare(items, rules.artist);
  const bases = new Float64Array(items.length);
  for (const i of pool) bases[i] = obj.base(items[i]!);
  const order = Array.from(Int32Array.from(pool).sort((a, b) => bases[b]! - bases[a]! || a - b));
  const rankOf = new Int32Array(items.length);
  order.forEach((i, r) => (rankOf[i] = r));
  const explore = policy.exploration && policy.exploration.epsilon > 0 ? policy.exploration : undefined;
  return { filtered, obj, rules, order, rankOf, bases, explore, branching: Math.max(1, policy.solver?.branching ?? 24) };
}

export function sequence(items: readonly SeqItem[], policy: Policy, ctx: SeqContext): Sequence {
  const { filtered, obj, rules, order, rankOf, bases, explore, branching } = prepareWalk(items, policy, ctx);
  // A walk stops once even the best value a candidate could have at this place (its base plus
  // the objectives' headroom) cannot make the position's children: the candidates come in
  // base order, so none after it could either. The margin keeps float rounding on the safe side.
  const headroom = obj.headroom, MARGIN = 1e-9;
  const width = explore ? 1 : (policy.solver?.beamWidth ?? 1);
  const rng = new Rng(ctx.seed ?? 1);
  const L = policy.length;

  let beam: State[] = [{ path: null, value: 0, newOnes: 0, skip: 0, lex: 0 }];
  const finished: State[] = [];
  // Scratch reused at every position (typed: no reallocation, no boxed values).
  const optI = new Int32Array(branching), optV = new Float64Array(branching), top = new Int32Array(width);
  // The position's best `width` children, best first: parent, item, total value, the parent's walk start.
  const cB = new Int32Array(width), cI = new Int32Array(width), cV = new Float64Array(width), cS = new Int32Array(width);
  const lexOrder = new Int32Array(width);
  for (let pos = 0; pos < L && beam.length > 0; pos++) {
    const next: State[] = [];
    let nC = 0;
    for (let b = 0; b < beam.length; b++) {
      const s = beam[b]!;
      const prev = s.path ? s.path.i : -1;
      const placed = s.path?.len ?? 0;
      let nOpt = 0;
      rules.prepare(s.path);
      // Candidates ahead of `lead` are all on this path, and so on every child's.
      let lead = s.skip, leading = true, pruned = false;
      for (let r = s.skip; r < order.length && nOpt < branching; r++) {
        const i = order[r]!;
        if (nC === width && !leading && !explore && s.value + bases[i]! + headroom < cV[width - 1]! - MARGIN) {
          pruned = true;
          break;
        }
        const code = rules.allowed(i);
        if (code !== 0) {
          if (leading) {
            if (code === 1) lead = r + 1;
            else leading = false;
          }
          continue;
        }
        leading = false;
        optI[nOpt] = i;
        obj.valueInto(optV, nOpt++, i, prev, placed, s.newOnes, rules.artistCount);
      }
      if (nOpt === 0) {
        // Nothing feasible: the path ends here. (A pruned walk had options, none good enough: the path just drops out.)
        if (!pruned) finished.push(s);
        continue;
      }
      if (explore) {
        const ks = Array.from({ length: nOpt }, (_, k) => k).sort((a, b) => optV[b]! - optV[a]! || rankOf[optI[a]!]! - rankOf[optI[b]!]!);
        const pick = sample(ks.map((k) => optV[k]!), explore.epsilon, explore.temperature, rng);
        const k = ks[pick.k]!, i = optI[k]!;
        next.push({ path: rules.extend(s.path, i, pick.p), value: s.value + optV[k]!, newOnes: s.newOnes + (items[i]!.isNew ? 1 : 0), skip: lead, lex: 0 });
        continue;
      }
      // This parent's `width` best options (value, then base rank): a partial insertion, not a full sort.
      // (Base ranks are read only to break a tie: most comparisons are settled by value.)
      let nTop = 0;
      for (let k = 0; k < nOpt; k++) {
        const v = optV[k]!;
        let j = nTop;
        if (j === width) {
          const last = top[j - 1]!;
          if (!(v > optV[last]! || (v === optV[last]! && rankOf[optI[k]!]! < rankOf[optI[last]!]!))) continue;
          j--;
        } else nTop++;
        while (j > 0) {
          const prevK = top[j - 1]!;
          if (!(v > optV[prevK]! || (v === optV[prevK]! && rankOf[optI[k]!]! < rankOf[optI[prevK]!]!))) break;
          top[j] = prevK;
          j--;
        }
        top[j] = k;
      }
      // Into the position's best `width` children: total value, then the path's item indexes
      // (the parent's rank among the beam's paths, then the item), as a sort of the paths would.
      for (let t = 0; t < nTop; t++) {
        const k = top[t]!, i = optI[k]!, v = s.value + optV[k]!;
        let j = nC;
        if (j === width) {
          const w = j - 1;
          if (!(v > cV[w]! || (v === cV[w]! && (s.lex < beam[cB[w]!]!.lex || (b === cB[w] && i < cI[w]!))))) continue;
          j--;
        } else nC++;
        while (j > 0) {
          const w = j - 1;
          if (!(v > cV[w]! || (v === cV[w]! && (s.lex < beam[cB[w]!]!.lex || (b === cB[w] && i < cI[w]!))))) break;
          cB[j] = cB[w]!; cI[j] = cI[w]!; cV[j] = cV[w]!; cS[j] = cS[w]!;
          j--;
        }
        cB[j] = b; cI[j] = i; cV[j] = v; cS[j] = lead;
      }
    }
    if (!explore) {
      // Ranks of the children's paths in item-index order: by the parent's rank, then the item
      // (an insertion sort of at most `width` children into typed scratch).
      for (let c = 0; c < nC; c++) {
        const s = beam[cB[c]!]!, i = cI[c]!;
        next.push({ path: rules.extend(s.path, i, 1), value: cV[c]!, newOnes: s.newOnes + (items[i]!.isNew ? 1 : 0), skip: cS[c]!, lex: s.lex });
        let j = c;
        while (j > 0) {
          const p = lexOrder[j - 1]!;
          if (next[p]!.lex < s.lex || (next[p]!.lex === s.lex && cI[p]! < i)) break;
          lexOrder[j] = p;
          j--;
        }
        lexOrder[j] = c;
      }
      for (let r = 0; r < nC; r++) next[lexOrder[r]!]!.lex = r;
    }
    beam = next;
  }
  finished.push(...beam);
  // The longest sequence wins (a shorter one only means candidates ran out), then the most valuable.
  finished.sort((a, b) => (b.path?.len ?? 0) - (a.path?.len ?? 0) || b.value - a.value || comparePaths(a.path, b.path));
  const best = finished[0]!;
  return { items: explain(best, items, order, obj, rules), value: best.value, filtered };
}

/**
 * The probability that a policy's greedy walk (its exploration distribution when it explores,
 * otherwise its deterministic pick) chooses each item of a given sequence at its position,
 * given the sequence's own earlier items: the conditional propensities that off-policy
 * estimators need for a target policy on logged sequences. `chosen` holds item indexes in
 * order; an item the policy cannot place there (a rule, a filter, or outside its `branching`
 * options) gets 0, and so do the positions after it; with `conditional`, each later position
 * still gets the policy's probability of its pick given the logged items before it (what
 * per-item estimators read).
 *
 * With `groupOf` (a group per item index, e.g. a cluster of track embeddings), each position
 * gets the probability that the policy's pick there falls in the group of the logged pick,
 * given the logged items before it: the marginal propensities of the marginalized estimator
 * (MIPS, Saito and Joachims 2022). It implies `conditional`.
 */
export function choiceProbabilities(items: readonly SeqItem[], policy: Policy, ctx: SeqContext, chosen: readonly number[], opts: { conditional?: boolean; groupOf?: Int32Array } = {}): Float64Array {
  const { obj, rules, order, rankOf, explore, branching } = prepareWalk(items, policy, ctx);
  const groupOf = opts.groupOf;
  const out = new Float64Array(chosen.length);
  let path: PathNode | null = null, newOnes = 0;
  const optI: number[] = [], optV: number[] = [];
  for (let pos = 0; pos < chosen.length; pos++) {
    const prev = path ? path.i : -1;
    optI.length = 0;
    optV.length = 0;
    rules.prepare(path);
    for (let r = 0; r < order.length && optI.length < branching; r++) {
      const i = order[r]!;
      if (rules.allowed(i) !== 0) continue;
      optI.push(i);
      optV.push(obj.valueAt(i, prev, path?.len ?? 0, newOnes, rules.artistCount));
    }
    const ks = Array.from(optI.keys()).sort((a, b) => optV[b]! - optV[a]! || rankOf[optI[a]!]! - rankOf[optI[b]!]!);
    const at = ks.findIndex((k) => optI[k] === chosen[pos]);
    if (groupOf) out[pos] = groupProbability(ks.map((k) => optI[k]!), ks.map((k) => optV[k]!), groupOf, groupOf[chosen[pos]!]!, explore);
    else if (at < 0 && !opts.conditional) break;
    else if (at < 0) out[pos] = 0;
    else if (explore) {
      const max = optV[ks[0]!]!;
      const w = ks.map((k) => Math.exp((optV[k]! - max) / explore.temperature));
      const z = w.reduce((a, b) => a + b, 0);
      out[pos] = explore.epsilon * (w[at]! / z) + (at === 0 ? 1 - explore.epsilon : 0);
    } else out[pos] = at === 0 ? 1 : 0;
    if (out[pos] === 0 && !opts.conditional && !groupOf) break;
    path = rules.extend(path, chosen[pos]!);
    if (items[chosen[pos]!]!.isNew) newOnes++;
  }
  return out;
}

/** The probability that a pick among `options` (best first, with their values) falls in group `g`. */
function groupProbability(options: number[], values: number[], groupOf: Int32Array, g: number, explore: { epsilon: number; temperature: number } | undefined): number {
  if (options.length === 0) return 0;
  const greedy = groupOf[options[0]!] === g ? 1 : 0;
  if (!explore) return greedy;
  const max = values[0]!;
  let z = 0, inGroup = 0;
  for (let k = 0; k < options.length; k++) {
    const w = Math.exp((values[k]! - max) / explore.temperature);
    z += w;
    if (groupOf[options[k]!] === g) inGroup += w;
  }
  return explore.epsilon * (inGroup / z) + (1 - explore.epsilon) * greedy;
}

/** Index into values (best first) picked, and its probability: (1 - eps) on the best plus eps * softmax. */
function sample(values: number[], eps: number, temperature: number, rng: Rng): { k: number; p: number } {
  const max = values[0]!;
  const w = values.map((v) => Math.exp((v - max) / temperature));
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
  let path: PathNode | null = null;
  let newOnes = 0;
  const props: number[] = [];
  for (let n = best.path; n !== null; n = n.parent) props.push(n.prop);
  props.reverse();
  // The walk at each position starts after the leading run of candidates already placed
  // (each would answer "already placed", which is no rule holding it back).
  const placed = new Uint8Array(items.length);
  let lead = 0;
  seqOf(best.path).forEach((i, pos) => {
    while (lead < order.length && placed[order[lead]!] === 1) lead++;
    // Candidates ahead of the pick in base order that a rule kept out of this position.
    for (let r = lead; r < order.length; r++) {
      const j = order[r]!;
      if (j === i) break;
      const code = rules.check(path, j);
      if (code > 1) {
        let set = heldBack.get(j);
        if (!set) heldBack.set(j, (set = new Set()));
        set.add(Rules.reason(code));
      }
    }
    const it = items[i]!;
    const terms = {} as Terms;
    const prev = path ? items[path.i] : undefined;
    rules.check(path, i);
    const v = obj.value(it, prev, { placed: path?.len ?? 0, newOnes }, rules.artistCount, terms);
    const changedBy = [...(heldBack.get(i) ?? [])].map((r) => `constraint ${r} held it back`);
    for (const t of ['target:discoveryShare', 'target:emergingArtistShare'] as const) if (terms[t] > 0) changedBy.push(`${t} raised it by ${terms[t].toFixed(3)}`);
    const values: Record<string, number> = {};
    for (const [k, x] of Object.entries(terms)) if (x !== 0) values[k] = Number(x.toFixed(4));
    const explanation: Explanation = { sources: it.sources, values, changedBy };
    out.push({ trackId: it.trackId, artistId: it.artistId, ...(it.albumId !== undefined ? { albumId: it.albumId } : {}), position: pos, value: Number(v.toFixed(6)), propensity: Number(props[pos]!.toFixed(6)), explanation });
    path = rules.extend(path, i);
    placed[i] = 1;
    if (it.isNew) newOnes++;
  });
  return out;
}
