import { deriveSeed } from '../math/index.js';
import { defaultPolicy, parsePolicy, sequence, type Policy } from '../sequencing/index.js';
import { itemOf } from './items.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import { SurfaceError, type Answer, type Planned } from './types.js';

const HOUR = 3_600_000;

/** Shuffle's default policy: variety first, greedy, no retrieval. */
export const shufflePolicy = (): Policy => defaultPolicy('shuffle');

/**
 * Shuffle: a playlist's tracks (or the listener's 500 most played) in a seeded random order,
 * tracks played in the last six hours pushed back; the rules spread artists.
 */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  const { req, policy, ctx, view } = p;
  const t = kit.reco.table;
  const tracks = req.playlistId !== undefined ? await kit.playlistTracks(req.playlistId) : view.top('track', ctx.now, 500).map((x) => x.key).filter((id) => t.indexOf(id) >= 0);
  if (tracks.length === 0) throw new SurfaceError(`nothing to shuffle: listener ${JSON.stringify(req.listenerId)} has no played tracks (or give playlistId, CLI: --playlist)`);
  const items = tracks.map((id) => {
    const last = ctx.played?.get(id);
    const recent = last !== undefined && ctx.now - last < 6 * HOUR;
    const u = (deriveSeed(ctx.seed ?? 0, id) >>> 0) / 2 ** 32;
    return itemOf(t, t.indexOf(id), recent ? u * 0.2 : 0.2 + 0.8 * u, [req.playlistId !== undefined ? 'playlist' : 'library'], false, ctx.now);
  });
  const fitted = parsePolicy({ ...policy, length: Math.min(policy.length, items.length) });
  return kit.finish(sequence(items, fitted, ctx));
}

export const shuffle: SurfaceRecipe = { surface: 'shuffle', defaultPolicy: shufflePolicy, recipe };
