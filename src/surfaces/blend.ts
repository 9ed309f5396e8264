import { defaultPolicy, sequence, type Policy, type SeqItem, type Sequence } from '../sequencing/index.js';
import { itemOf, toSeqItems } from './items.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import { SurfaceError, type Answer, type Planned } from './types.js';

/** Blend's default policy: 50 tracks, variety over discovery. */
export const blendPolicy = (): Policy => defaultPolicy('blend');

/**
 * Blend: one mix for two or more listeners. Each member's satisfaction over the union of
 * their candidates (retrieval planned once for all members); the mix weighs the members,
 * and weights move toward whoever falls below half of their solo-optimal value.
 */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  const { req, policy, ctx, view } = p;
  const members = [req.listenerId, ...(req.with ?? [])];
  if (members.length < 2) throw new SurfaceError('blend needs two or more listeners: give with (CLI: --with ID[,ID...])');
  const t = kit.reco.table;
  const views = [view, ...(await Promise.all((req.with ?? []).map((id) => kit.reco.state.view(id))))];
  const sat = new Map<string, Float64Array>();
  const sources = new Map<string, Set<string>>();
  const perSource = kit.perSource(p);
  for (const [m, id] of members.entries()) {
    const r = await kit.reco.rank({ listenerId: id, view: views[m], now: ctx.now, context: kit.favourites(views[m]!, ctx.now, 15), surface: 'mix', perSource });
    toSeqItems(r, t, views[m]!, ctx.now, 200).forEach((it) => {
      const s = sat.get(it.trackId) ?? new Float64Array(members.length);
      s[m] = it.satisfaction;
      sat.set(it.trackId, s);
      const src = sources.get(it.trackId) ?? new Set<string>();
      for (const x of it.sources) src.add(`${x} (${id})`);
      sources.set(it.trackId, src);
    });
  }
  const ids = [...sat.keys()];
  const solo = members.map((_, m) => ids.map((id) => sat.get(id)![m]!).sort((a, b) => b - a).slice(0, policy.length).reduce((a, b) => a + b, 0));
  const floor = 0.5;
  const weights = members.map(() => 1);
  let best: { seq: Sequence; items: SeqItem[]; shares: number[] } | undefined;
  for (let round = 0; round < 8; round++) {
    const items = ids.map((id) => {
      const s = sat.get(id)!;
      let v = 0;
      members.forEach((_, m) => (v += weights[m]! * s[m]!));
      return itemOf(t, t.indexOf(id), v / weights.reduce((a, b) => a + b, 0), [...sources.get(id)!], members.every((_, m) => s[m] === 0), ctx.now);
    });
    const seq = sequence(items, policy, ctx);
    const shares = members.map((_, m) => (solo[m]! > 0 ? seq.items.reduce((a, x) => a + sat.get(x.trackId)![m]!, 0) / solo[m]! : 1));
    if (!best || Math.min(...shares) > Math.min(...best.shares)) best = { seq, items, shares };
    const low = shares.findIndex((s) => s < floor);
    if (low < 0) break;
    weights[low]! *= 2;
  }
  const tasteMatch = cosineOf(views.map((v) => new Map(v.top('artist', ctx.now, 300).map((a) => [a.key, a.plays]))));
  return {
    ...kit.finish(best!.seq),
    tasteMatch: Number(tasteMatch.toFixed(4)),
    memberShares: Object.fromEntries(members.map((id, m) => [id, Number(best!.shares[m]!.toFixed(4))])),
  };
}

/** Mean pairwise cosine of the members' artist play vectors. */
function cosineOf(vs: Array<Map<string, number>>): number {
  let sum = 0, pairs = 0;
  for (let a = 0; a < vs.length; a++) for (let b = a + 1; b < vs.length; b++) {
    let dot = 0, na = 0, nb = 0;
    for (const [k, x] of vs[a]!) { na += x * x; dot += x * (vs[b]!.get(k) ?? 0); }
    for (const x of vs[b]!.values()) nb += x * x;
    sum += na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
    pairs++;
  }
  return pairs > 0 ? sum / pairs : 0;
}

export const blend: SurfaceRecipe = { surface: 'blend', defaultPolicy: blendPolicy, recipe };
