import { defaultPolicy, type PastPlay, type Policy, type SeqContext } from '../sequencing/index.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import { SurfaceError, type Answer, type Planned } from './types.js';

/** Radio's default policy: flow weighs as much as satisfaction, the webcasting window rules across pages. */
export const radioPolicy = (): Policy => defaultPolicy('radio');

/**
 * Radio: seeded by a track, else an artist's or a genre's most played track, else a playlist,
 * else the listener's favourites. A station (`stationId`) continues from the pages it served:
 * they are its history (for the window rules and no-repeat) and its latest five are context.
 */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  const { req, ctx, view } = p;
  const t = kit.reco.table;
  let seedTrack = req.seedTrack;
  let context: string[] = [];
  if (seedTrack !== undefined && t.indexOf(seedTrack) < 0) throw new SurfaceError(`unknown track ${JSON.stringify(seedTrack)}`, true);
  if (seedTrack === undefined && req.seedArtist !== undefined) seedTrack = kit.topTrack(view, ctx.now, (ix) => t.artist[ix] === req.seedArtist, `artist ${JSON.stringify(req.seedArtist)}`);
  if (seedTrack === undefined && req.seedGenre !== undefined) seedTrack = kit.topTrack(view, ctx.now, (ix) => t.genres[ix]!.includes(req.seedGenre!), `genre ${JSON.stringify(req.seedGenre)}`);
  if (seedTrack === undefined && req.playlistId !== undefined) context = await kit.playlistTracks(req.playlistId);
  if (seedTrack === undefined && context.length === 0) context = kit.favourites(view, ctx.now, 10);
  // A station's pages continue from what it already served.
  const key = req.stationId === undefined ? undefined : `station:${req.stationId}`;
  const history = key ? await kit.stationHistory(req.listenerId, key) : [];
  const stationCtx: SeqContext = { ...ctx, history };
  const res = await kit.ranked({ ...p, ctx: stationCtx }, 'radio', { ...(seedTrack ? { seedTrack } : {}), context: [...context, ...history.slice(-5).map((h) => h.trackId)] });
  if (key) {
    let ts = ctx.now;
    const served = res.items.map((x) => {
      const play: PastPlay = { trackId: x.trackId, artistId: x.artistIds[0]!, ...(x.albumId ? { albumId: x.albumId } : {}), ts };
      ts += t.durationMs[t.indexOf(x.trackId)]!;
      return play;
    });
    await kit.appendStation(req.listenerId, key, served, ctx.now);
  }
  return { ...res, ...(req.stationId ? { stationId: req.stationId } : {}) };
}

export const radio: SurfaceRecipe = { surface: 'radio', defaultPolicy: radioPolicy, recipe };
