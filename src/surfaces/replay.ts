import type { Exposure } from '../domain/index.js';
import type { TrackTable } from '../features/index.js';
import { defaultPolicy, parsePolicy, type PastPlay, type Policy, type SeqContext, type SeqItem, type Surface } from '../sequencing/index.js';
import { itemOf } from './items.js';

/** A logged exposure's sequencer inputs, rebuilt from its candidates and the catalog, or why not. */
export function replayInputs(x: Exposure, table: TrackTable): { items: SeqItem[]; ctx: SeqContext; chosen: number[] } | string {
  const c = x.candidates;
  if (!c) return 'no candidates logged';
  const items: SeqItem[] = [];
  for (let k = 0; k < c.trackIds.length; k++) {
    const ix = table.indexOf(c.trackIds[k]!);
    if (ix < 0) return 'a candidate left the catalog';
    items.push(itemOf(table, ix, c.scores[k]!, [], c.isNew[k] === '1', x.ts));
  }
  const at = new Map(items.map((it, i) => [it.trackId, i]));
  const chosen: number[] = [];
  for (const it of x.items) {
    const i = at.get(it.trackId);
    if (i === undefined) return 'a served track is not among its candidates';
    chosen.push(i);
  }
  const history: PastPlay[] = [];
  for (let h = 0; h < (c.history?.trackIds.length ?? 0); h++) {
    const ix = table.indexOf(c.history!.trackIds[h]!);
    if (ix < 0) continue;
    const album = table.album[ix];
    history.push({ trackId: c.history!.trackIds[h]!, artistId: table.artist[ix]!, ...(album ? { albumId: album } : {}), ts: c.history!.ts[h]! });
  }
  return { items, chosen, ctx: { now: x.ts, seed: c.seed, ...(history.length > 0 ? { history } : {}) } };
}

/**
 * The policy a logged list was walked with (its candidates' `policy`), or undefined for a log
 * written before exposures recorded it. Retrieval is the surface default's: it does not enter
 * the walk over given candidates.
 */
export function loggingPolicy(x: Exposure): Policy | undefined {
  const walk = x.candidates?.policy;
  if (walk === undefined) return undefined;
  const surface = x.surface as Surface;
  return parsePolicy({ ...walk, surface, candidates: defaultPolicy(surface).candidates }, `exposure ${x.requestId}: logged policy`, { retrievalRules: false });
}
