import { defaultPolicy, sequence, type Policy } from '../sequencing/index.js';
import { itemOf, toSeqItems } from './items.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import { SurfaceError, type Answer, type Planned, type SurfaceResponse } from './types.js';

/** Daily mixes' default policy: 50 tracks a mix, repeats allowed (familiar tracks belong in them). */
export const dailyMixesPolicy = (): Policy => defaultPolicy('daily-mixes');

/**
 * Daily mixes: the listener's taste clustered by main genre (up to six clusters of three or
 * more played tracks); each mix is its familiar tracks and fresh ones of its genre retrieved
 * from them, no track in two mixes. Retrieval is planned once for all the mixes.
 */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  const { req, policy, ctx, view } = p;
  const t = kit.reco.table;
  const top = view.top('track', ctx.now, 300).filter((x) => t.indexOf(x.key) >= 0);
  const byGenre = new Map<string, typeof top>();
  for (const x of top) {
    const g = t.genres[t.indexOf(x.key)]![0] ?? 'other';
    byGenre.set(g, [...(byGenre.get(g) ?? []), x]);
  }
  const clusters = [...byGenre].filter(([, xs]) => xs.length >= 3).sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1)).slice(0, 6);
  const mixes: NonNullable<SurfaceResponse['mixes']> = [];
  const filtered: Record<string, number> = {};
  const used = new Set<string>();
  const perSource = kit.perSource(p);
  for (const [genre, xs] of clusters) {
    const familiar = xs.slice(0, 15).map((x) => x.key);
    const r = await kit.reco.rank({ listenerId: req.listenerId, view, now: ctx.now, context: familiar, surface: 'mix', perSource });
    const fresh = toSeqItems(r, t, view, ctx.now, 300).filter((it) => it.genre === genre && !used.has(it.trackId));
    const known = familiar.filter((id) => !used.has(id)).map((id, k) => itemOf(t, t.indexOf(id), 1 - k / (2 * familiar.length), ['familiar'], false, ctx.now));
    const items = [...known, ...fresh];
    const seq = sequence(items, policy, ctx);
    for (const x of seq.items) used.add(x.trackId);
    for (const [k, v] of Object.entries(seq.filtered)) filtered[k] = (filtered[k] ?? 0) + v;
    const artistCounts = new Map<string, number>();
    for (const x of seq.items) artistCounts.set(x.artistId, (artistCounts.get(x.artistId) ?? 0) + 1);
    const leaders = [...artistCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 2).map(([a]) => a);
    mixes.push({ name: `${genre} mix: ${leaders.join(', ')}`, genre, items: kit.finish(seq).items });
  }
  if (mixes.length === 0) throw new SurfaceError(`listener ${JSON.stringify(req.listenerId)} has too little history for daily mixes (a genre with 3 or more played tracks)`);
  return { items: mixes.flatMap((m) => m.items), mixes, filtered };
}

export const dailyMixes: SurfaceRecipe = { surface: 'daily-mixes', defaultPolicy: dailyMixesPolicy, recipe };
