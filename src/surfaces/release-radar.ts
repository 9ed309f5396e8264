import { defaultPolicy, sequence, type Policy, type SeqItem } from '../sequencing/index.js';
import { itemOf } from './items.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import type { Answer, Planned } from './types.js';

const DAY = 24 * 3_600_000;

/** Release radar's default policy: at most two tracks per artist, repeats allowed. */
export const releaseRadarPolicy = (): Policy => defaultPolicy('release-radar');

/**
 * Release radar: releases of the last four weeks by artists the listener plays; wider if that
 * is too few, and at last these artists' newest releases, however old. No retrieval: the
 * catalog's release dates and the listener's top artists are the candidates.
 */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  const { policy, ctx, view } = p;
  const now = ctx.now;
  const t = kit.reco.table;
  const artists = new Map(view.top('artist', now, 100).map((a, k, all) => [a.key, 1 - k / Math.max(1, all.length)]));
  const theirs: number[] = [];
  for (let ix = 0; ix < t.size; ix++) if (artists.has(t.artist[ix]!) && t.releaseMs[ix]! <= now) theirs.push(ix);
  theirs.sort((a, b) => t.releaseMs[b]! - t.releaseMs[a]! || a - b);
  let items: SeqItem[] = [];
  for (const days of [28, 90, 365, Infinity]) {
    const span = Number.isFinite(days) ? days * DAY : Math.max(DAY, now - (t.releaseMs[theirs[Math.min(theirs.length, 10 * policy.length) - 1] ?? 0] ?? now));
    items = theirs
      .filter((ix) => now - t.releaseMs[ix]! <= span)
      .slice(0, 10 * policy.length)
      .map((ix) => itemOf(t, ix, 0.5 * artists.get(t.artist[ix]!)! + 0.5 * (1 - (now - t.releaseMs[ix]!) / span), [`release-radar (${Math.round((now - t.releaseMs[ix]!) / DAY)} days old)`], true, now));
    if (items.length >= policy.length) break;
  }
  return kit.finish(sequence(items, policy, ctx));
}

export const releaseRadar: SurfaceRecipe = { surface: 'release-radar', defaultPolicy: releaseRadarPolicy, recipe };
