import { defaultPolicy, parsePolicy, sequence, type Policy } from '../sequencing/index.js';
import { toSeqItems } from './items.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import { SurfaceError, type Answer, type Planned, type ServedItem } from './types.js';

/** Enhance's default policy: flow matters (the recommendations sit between the playlist's tracks). */
export const enhancePolicy = (): Policy => defaultPolicy('enhance');

/** Enhance: the listener's playlist as it is, with one recommendation after every three of its tracks. */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  const { req, policy, ctx, view } = p;
  if (req.playlistId === undefined) throw new SurfaceError('enhance needs playlistId (CLI: --playlist ID)');
  const tracks = await kit.playlistTracks(req.playlistId);
  const t = kit.reco.table;
  const inserts = Math.floor(tracks.length / 3);
  const r = await kit.reco.rank({ listenerId: req.listenerId, view, now: ctx.now, context: tracks, surface: 'playlist', perSource: kit.perSource(p) });
  const cands = toSeqItems(r, t, view, ctx.now, 300);
  // As many as there are places; a stored variant's policy is re-read as leniently as it was read.
  const seq = sequence(cands, parsePolicy({ ...policy, length: Math.max(1, inserts) }, 'policy', { retrievalRules: !p.lenient }), ctx);
  const recs = kit.finish(seq).items;
  const items: ServedItem[] = [];
  tracks.forEach((id, k) => {
    const ix = t.indexOf(id);
    items.push({ position: 0, trackId: id, artistIds: [t.artist[ix]!], ...(t.album[ix] ? { albumId: t.album[ix] } : {}), score: 0, propensity: 1, explanation: { sources: ['playlist'], values: {}, changedBy: [] } });
    const rec = (k + 1) % 3 === 0 ? recs[(k + 1) / 3 - 1] : undefined;
    if (rec) items.push({ ...rec, inserted: true });
  });
  items.forEach((x, k) => (x.position = k));
  return { items, filtered: seq.filtered };
}

export const enhance: SurfaceRecipe = { surface: 'enhance', defaultPolicy: enhancePolicy, recipe };
