import type { Store } from '../store/index.js';
import { PLAYS as GLOBAL_PLAYS, type StateView } from '../features/index.js';
import type { NextRequest, Recommender, SourceName } from '../ranking/index.js';
import { sequence, staticFilter, teamDraft, type Interleaved, type PastPlay, type Policy, type SeqContext, type SeqItem, type Sequence, type Team } from '../sequencing/index.js';
import { toSeqItems } from './items.js';
import { retrieval } from './retrieval.js';
import { SurfaceError, type Answer, type Planned, type ServedItem } from './types.js';
import type { ExposureCandidates } from '../domain/index.js';

const DAY = 24 * 3_600_000;

/**
 * The ranker's `surface` feature codes where a play happened, as an event's context type
 * (ranking/features.ts SURFACES: album, playlist, radio, autoplay, mix, search, other), not
 * Segue's surface names, which it would read as missing: each recipe says which context type
 * its requests rank as (radio and autoplay as themselves, enhance as a playlist, the
 * personalized lists, daily mixes, blend, discovery and mood, as a mix).
 */
export type RankAs = 'radio' | 'autoplay' | 'mix' | 'playlist';

/**
 * The surfaces whose recipes serve one list from one ranked candidate set (Kit.ranked): the
 * ones that can interleave two policies and log the candidates a list was chosen from.
 */
export const RANKED_LIST_SURFACES = ['radio', 'autoplay', 'discovery', 'mood'] as const;

/**
 * What every recipe shares: the store and the Recommender, retrieval and ranking, the last
 * step from a sequence to served items, and a station's history.
 *
 * @example
 *   const { items, filtered } = await kit.ranked(p, 'radio', { context: kit.favourites(p.view, p.ctx.now, 10) });
 */
export class Kit {
  constructor(readonly store: Store, readonly reco: Recommender) {}

  /** How many candidates each retrieval source gives for this request (see `retrieval`). */
  perSource(p: Planned): Partial<Record<SourceName, number>> | undefined {
    return retrieval(p.policy, this.reco.sources, { lenient: p.lenient });
  }

  /** Retrieval and ranking through the Recommender, then the sequencer; `keep` may filter and reshape candidates. */
  async ranked(p: Planned, rankAs: RankAs, q: Omit<NextRequest, 'listenerId' | 'surface'>, keep?: (it: SeqItem) => boolean): Promise<Answer> {
    const { policy, ctx } = p;
    const items = await this.candidates(p, rankAs, q, keep);
    const b = p.interleaveWith;
    if (b === undefined) {
      const answer: Answer = this.finish(sequence(items, policy, ctx));
      if (p.logCandidates) answer.candidates = loggedCandidates(items, policy, ctx);
      return answer;
    }
    // Interleaving: each team's sequence from its own candidates (one retrieval when both ask the same), then team draft.
    const same = JSON.stringify(b.candidates) === JSON.stringify(policy.candidates);
    const itemsB = same ? items : await this.candidates({ ...p, policy: b }, rankAs, q, keep);
    const all = same ? items : [...items, ...itemsB];
    return this.finish(teamDraft(all, sequence(items, policy, ctx), sequence(itemsB, b, ctx), policy, b, ctx));
  }

  /** A request's ranked candidates as sequencer items, as many as its policy retrieves. */
  private async candidates(p: Planned, rankAs: RankAs, q: Omit<NextRequest, 'listenerId' | 'surface'>, keep?: (it: SeqItem) => boolean): Promise<SeqItem[]> {
    const { req, policy, ctx, view } = p;
    const k = policy.candidates.reduce((a, c) => a + c.k, 0);
    const r = await this.reco.rank({ ...q, listenerId: req.listenerId, view, now: ctx.now, surface: rankAs, perSource: this.perSource(p) });
    const items = toSeqItems(r, this.reco.table, view, ctx.now, k);
    return keep ? items.filter(keep) : items;
  }

  /** A sequence as served items (with each item's album, from its candidate). */
  finish(seq: Sequence | Interleaved): { items: ServedItem[]; filtered: Record<string, number> } {
    const t = this.reco.table;
    return {
      items: seq.items.map((x) => {
        const ix = t.indexOf(x.trackId);
        // The sequenced item carries its candidate's album.
        return {
          position: x.position, trackId: x.trackId, artistIds: [t.artist[ix]!], ...(x.albumId ? { albumId: x.albumId } : {}),
          score: x.value, propensity: x.propensity, explanation: x.explanation, ...('team' in x ? { team: x.team as Team } : {}),
        };
      }),
      filtered: seq.filtered,
    };
  }

  /** The listener's `k` most played tracks that are in the catalog. */
  favourites(view: StateView, now: number, k: number): string[] {
    return view.top('track', now, k).map((x) => x.key).filter((id) => this.reco.table.indexOf(id) >= 0);
  }

  /** The most played track (globally, decayed to `now`) among those matching; an error when none does. */
  topTrack(view: StateView, now: number, match: (ix: number) => boolean, what: string): string {
    const t = this.reco.table;
    const c = new Float64Array(4);
    let best = -1, bestPlays = -1;
    for (let ix = 0; ix < t.size; ix++) {
      if (!match(ix)) continue;
      view.countersInto('global', t.ids[ix]!, now, c, 0);
      if (c[GLOBAL_PLAYS]! > bestPlays) {
        bestPlays = c[GLOBAL_PLAYS]!;
        best = ix;
      }
    }
    if (best < 0) throw new SurfaceError(`no track of ${what} in the catalog`, true);
    return t.ids[best]!;
  }

  /** A playlist's tracks that are in the catalog; a 404 SurfaceError for an unknown playlist. */
  async playlistTracks(id: string): Promise<string[]> {
    const p = await this.store.catalog.getPlaylist(id);
    if (!p) throw new SurfaceError(`unknown playlist ${JSON.stringify(id)}`, true);
    return p.trackIds.filter((t) => this.reco.table.indexOf(t) >= 0);
  }

  // ---- station history (radio pages continue from what the station already served) ----

  async stationHistory(listenerId: string, key: string): Promise<PastPlay[]> {
    const stations = this.reco.state.stations;
    if (stations !== undefined) return (await stations.read(listenerId, key).catch(() => [])) as PastPlay[];
    const bytes = await this.store.listenerState.get(listenerId, key);
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as PastPlay[]) : [];
  }

  /**
   * Appends a page to the history as stored now (a page served meanwhile, by this process or
   * another, stays in it: the store's write lock), keeping a day before `now`: enough for
   * every window rule and no-repeat check.
   */
  async appendStation(listenerId: string, key: string, served: PastPlay[], now: number): Promise<void> {
    const stations = this.reco.state.stations;
    // Redis unreachable: the page is served all the same, the station's next page may repeat it.
    if (stations !== undefined) return stations.append(listenerId, key, served).catch(() => undefined);
    await this.store.listenerState.update(listenerId, key, (old) => {
      const stored = old ? (JSON.parse(new TextDecoder().decode(old)) as PastPlay[]) : [];
      return new TextEncoder().encode(JSON.stringify([...stored, ...served].filter((h) => h.ts > now - DAY)));
    });
  }
}

/** The candidates a list was chosen from, as an exposure logs them: those the policy's filters let through, in rank order. */
function loggedCandidates(items: readonly SeqItem[], policy: Policy, ctx: SeqContext): ExposureCandidates {
  const { pool } = staticFilter(items, policy, ctx);
  const hist = ctx.history ?? [];
  return {
    trackIds: pool.map((i) => items[i]!.trackId), scores: pool.map((i) => Number(items[i]!.satisfaction.toPrecision(6))),
    isNew: pool.map((i) => (items[i]!.isNew ? '1' : '0')).join(''), seed: ctx.seed ?? 0,
    ...(hist.length > 0 ? { history: { trackIds: hist.map((h) => h.trackId), ts: hist.map((h) => h.ts) } } : {}),
    policy: walkedPolicy(policy),
  };
}

/** What of a policy decides its walk over given candidates: all but retrieval (`candidates`) and `logging`. */
function walkedPolicy(policy: Policy): Record<string, unknown> {
  const { candidates: _retrieval, logging: _logging, ...walk } = policy;
  return walk;
}
