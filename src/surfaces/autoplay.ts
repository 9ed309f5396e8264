import { defaultPolicy, type Policy } from '../sequencing/index.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import { SurfaceError, type Answer, type Planned } from './types.js';

/** Autoplay's default policy: flow weighs as much as satisfaction, no artist back to back. */
export const autoplayPolicy = (): Policy => defaultPolicy('autoplay');

/** Autoplay: what follows when an album (its seed track the last one played) or a playlist runs out. */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  const { req } = p;
  const t = kit.reco.table;
  let context: string[];
  if (req.playlistId !== undefined) context = await kit.playlistTracks(req.playlistId);
  else if (req.seedTrack !== undefined) {
    const ix = t.indexOf(req.seedTrack);
    if (ix < 0) throw new SurfaceError(`unknown track ${JSON.stringify(req.seedTrack)}`, true);
    const album = t.album[ix]!;
    // The finished album (when the catalog knows it), ending with the seed track.
    context = t.albumTracks(album).filter((j) => j !== ix).map((j) => t.ids[j]!);
    context.push(req.seedTrack);
  } else throw new SurfaceError('autoplay continues an album or playlist: give seedTrack (CLI: --seed-track), its last track, or playlistId (--playlist)');
  return kit.ranked(p, 'autoplay', { context });
}

export const autoplay: SurfaceRecipe = { surface: 'autoplay', defaultPolicy: autoplayPolicy, recipe };
