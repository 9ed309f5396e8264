import { PLAYS, type StateView, type TrackTable } from '../features/index.js';
import type { RankedCandidates } from '../ranking/index.js';
import type { SeqItem } from '../sequencing/index.js';

/**
 * Sequencer candidates from ranked ones: satisfaction is the ranker's listen-through
 * probability where there is a ranker, else the rank scaled to [0, 1]; `isNew` means the
 * listener has never played the track.
 */
export function toSeqItems(r: RankedCandidates, table: TrackTable, view: StateView, now: number, k = Infinity): SeqItem[] {
  const n = Math.min(k, r.ix.length);
  const out: SeqItem[] = [];
  const c = new Float64Array(4);
  let max = -Infinity, min = Infinity;
  for (let j = 0; j < n; j++) {
    max = Math.max(max, r.score[j]!);
    min = Math.min(min, r.score[j]!);
  }
  for (let j = 0; j < n; j++) {
    const ix = r.ix[j]!;
    const id = table.ids[ix]!;
    view.countersInto('track', id, now, c, 0);
    const scaled = max > min ? (r.score[j]! - min) / (max - min) : 1;
    // The listen probability orders within what the session adapted to: blend it with the adapted rank.
    const satisfaction = r.listen ? 0.5 * r.listen[j]! + 0.5 * scaled : scaled;
    out.push(itemOf(table, ix, satisfaction, r.sources[j]!, c[PLAYS]! === 0, now));
  }
  return out;
}

export function itemOf(table: TrackTable, ix: number, satisfaction: number, sources: string[], isNew: boolean, now: number): SeqItem {
  // One object literal, then the optional fields: no spread temporaries for the few hundred items of a request.
  const it: SeqItem = {
    trackId: table.ids[ix]!, artistId: table.artist[ix]!, satisfaction, sources,
    tempo: table.tempo[ix]!, energy: table.energy[ix]!, key: table.key[ix]!, mode: table.mode[ix]!,
    emerging: table.emerging[ix] === 1, promoted: table.promotedAt(ix, now),
    costTier: table.costTier[ix]!, explicit: table.explicit[ix] === 1, podcast: table.podcast[ix] === 1,
    isNew, durationMs: table.durationMs[ix]!,
  };
  const album = table.album[ix];
  if (album) it.albumId = album;
  const genre = table.genres[ix]![0];
  if (genre !== undefined) it.genre = genre;
  const markets = table.markets[ix];
  if (markets) it.markets = markets;
  return it;
}
