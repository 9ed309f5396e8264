import { createHash, randomUUID } from 'node:crypto';
import type { Store } from '../store/index.js';
import { deriveSeed } from '../math/index.js';
import { PLAYS as GLOBAL_PLAYS, type StateView } from '../features/index.js';
import { Recommender, type NextRequest, type SourceName } from '../ranking/index.js';
import { Assigner } from '../experiments/assign.js';
import { MAX_RETRIEVED, PolicyError, RETRIEVAL_SOURCES, defaultPolicy, overridePolicy, parsePolicy, sequence, type PastPlay, type Policy, type SeqContext, type SeqItem, type Sequence, type Surface } from '../sequencing/index.js';
import { itemOf, toSeqItems } from './items.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SurfaceRequest {
  surface: Surface;
  listenerId: string;
  now?: number;
  seedTrack?: string;
  seedArtist?: string;
  seedGenre?: string;
  /** Other listeners of a blend. */
  with?: string[];
  /** A playlist to continue (autoplay), seed (radio), enhance or shuffle. */
  playlistId?: string;
  /** A station whose pages continue from what it already served (radio). */
  stationId?: string;
  /** energetic, calm, happy, sad, focus or party (mood). */
  mood?: string;
  policy?: Policy;
  /** Tracks per list; default the policy's length. */
  n?: number;
  /** Seed of exploration; default 0. */
  seed?: number;
  /** Log the response as an exposure (default true). */
  log?: boolean;
  /** Recorded on the exposure: the policy's name (default: the surface's default or a hash of the given policy), an experiment and its variant, the session. */
  policyId?: string;
  experiment?: string;
  variant?: string;
  sessionId?: string;
}

export interface ServedItem {
  position: number;
  trackId: string;
  artistIds: string[];
  albumId?: string;
  score: number;
  propensity: number;
  explanation: { sources: string[]; values: Record<string, number>; changedBy: string[] };
  /** enhance: true for a recommended track put into the listener's playlist. */
  inserted?: boolean;
}

export interface SurfaceResponse {
  requestId: string;
  surface: Surface;
  listenerId: string;
  /** The policy that served it, as recorded on the exposure. */
  policyId: string;
  items: ServedItem[];
  /** daily-mixes: each mix, named from its dominant genre and artists. */
  mixes?: Array<{ name: string; genre: string; items: ServedItem[] }>;
  /** blend: similarity of the members' tastes (0..1), and each member's share of their solo-optimal value. */
  tasteMatch?: number;
  memberShares?: Record<string, number>;
  stationId?: string;
  filtered: Record<string, number>;
}

/** Mood targets: energy, valence, tempo (NaN: any). */
const MOODS: Record<string, { energy: number; valence: number; tempo: number }> = {
  energetic: { energy: 0.85, valence: 0.6, tempo: 128 },
  calm: { energy: 0.25, valence: 0.5, tempo: 85 },
  happy: { energy: 0.65, valence: 0.85, tempo: 115 },
  sad: { energy: 0.3, valence: 0.2, tempo: 80 },
  focus: { energy: 0.4, valence: 0.4, tempo: 100 },
  party: { energy: 0.8, valence: 0.75, tempo: 122 },
};
export const MOOD_NAMES = Object.keys(MOODS);

/** A clear error for a request that cannot be served as asked (unknown ids, missing seed). */
export class SurfaceError extends Error {
  /** The request names something that does not exist (a track, playlist, artist or genre). */
  readonly notFound: boolean;
  constructor(message: string, notFound = false) {
    super(message);
    this.name = 'SurfaceError';
    this.notFound = notFound;
  }
}

/**
 * Every surface: a candidate recipe (retrieval and ranking through the Recommender, or the
 * listener's own tracks), a policy (the surface's default unless given), the sequencer, and
 * an exposure logged with each item's propensity.
 */
export class Surfaces {
  /** Running experiments: a request without its own policy gets its listener's variants. */
  assigner: Assigner | undefined;
  constructor(readonly store: Store, readonly reco: Recommender, assigner?: Assigner) {
    this.assigner = assigner;
  }

  /** Open on a store; `onProgress` hears of events folded into the online state (many, the first time after an import of history). */
  static async open(store: Store, opts: { onProgress?: (eventsFolded: number) => void; replica?: boolean } = {}): Promise<Surfaces> {
    return new Surfaces(store, await Recommender.open(store, { ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), replica: opts.replica ?? false }), await Assigner.load(store));
  }

  /** The same catalog and online state with the latest trained models (see Recommender.reload). */
  async reload(): Promise<Surfaces> {
    return new Surfaces(this.store, await this.reco.reload(this.store), await Assigner.load(this.store));
  }

  async serve(req: SurfaceRequest): Promise<SurfaceResponse> {
    const now = req.now ?? Date.now();
    // Experiments: assignment at request time; the variants' policies and names go on the exposure.
    // (A stored variant may predate the retrieval rules: it is read leniently, never refused.)
    let stored = false;
    if (req.policy === undefined && this.assigner) {
      const assigned = this.assigner.assign(req.listenerId, req.surface, now);
      if (assigned.length > 0) {
        let policy = defaultPolicy(req.surface);
        for (const a of assigned) policy = overridePolicy(req.surface, a.policy, `experiment ${a.experiment}, variant ${a.variant}`, policy, { retrievalRules: false });
        stored = true;
        req = {
          ...req, policy, experiment: assigned.map((a) => a.experiment).join(','), variant: assigned.map((a) => a.variant).join(','),
          policyId: req.policyId ?? assigned.map((a) => `${a.experiment}:${a.variant}`).join('+'),
        };
      }
    }
    const base = req.policy ?? defaultPolicy(req.surface);
    if (base.surface !== req.surface) throw new SurfaceError(`the policy is for ${base.surface}, not ${req.surface}`);
    const policy = parsePolicy({ ...base, ...(req.n !== undefined ? { length: req.n } : {}) }, 'policy', { retrievalRules: !stored });
    if (stored) STORED.add(policy);
    const view = await this.reco.state.view(req.listenerId);
    const seed = deriveSeed(req.seed ?? 0, `${req.listenerId}/${req.surface}`);
    const ctx: SeqContext = { now, played: await this.played(req.listenerId, now, policy), seed };
    let res: Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>;
    switch (req.surface) {
      case 'radio': res = await this.radio(req, policy, ctx, view); break;
      case 'autoplay': res = await this.autoplay(req, policy, ctx, view); break;
      case 'discovery': res = await this.ranked(req, policy, ctx, view, { context: this.favourites(view, now, 20) }, (it) => it.isNew); break;
      case 'mood': res = await this.mood(req, policy, ctx, view); break;
      case 'release-radar': res = this.releaseRadar(policy, ctx, view, now); break;
      case 'daily-mixes': res = await this.dailyMixes(req, policy, ctx, view); break;
      case 'blend': res = await this.blend(req, policy, ctx, view); break;
      case 'enhance': res = await this.enhance(req, policy, ctx, view); break;
      case 'shuffle': res = await this.shuffle(req, policy, ctx, view); break;
    }
    const policyId = req.policyId ?? (req.policy === undefined ? `${req.surface}:default` : `${req.surface}:${createHash('sha256').update(JSON.stringify(req.policy)).digest('hex').slice(0, 12)}`);
    const response: SurfaceResponse = { requestId: randomUUID(), surface: req.surface, listenerId: req.listenerId, policyId, ...res };
    if (req.log !== false) {
      const all = response.mixes ? response.mixes.flatMap((m) => m.items) : response.items;
      await this.store.exposures.append({
        requestId: response.requestId, listenerId: req.listenerId, surface: req.surface, ts: now, policyId: policyId.slice(0, 128),
        ...(req.experiment !== undefined ? { experiment: req.experiment } : {}), ...(req.variant !== undefined ? { variant: req.variant } : {}), ...(req.sessionId !== undefined ? { sessionId: req.sessionId } : {}),
        items: all.map((x, k) => ({ trackId: x.trackId, position: k, score: x.score, propensity: x.propensity, ...(x.explanation.sources[0] ? { source: x.explanation.sources[0].slice(0, 64) } : {}) })),
      });
    }
    return response;
  }

  // ---- candidate recipes ----

  private async radio(req: SurfaceRequest, policy: Policy, ctx: SeqContext, view: StateView): Promise<Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>> {
    const t = this.reco.table;
    let seedTrack = req.seedTrack;
    let context: string[] = [];
    if (seedTrack !== undefined && t.indexOf(seedTrack) < 0) throw new SurfaceError(`unknown track ${JSON.stringify(seedTrack)}`, true);
    if (seedTrack === undefined && req.seedArtist !== undefined) seedTrack = this.topTrack(view, (ix) => t.artist[ix] === req.seedArtist, `artist ${JSON.stringify(req.seedArtist)}`);
    if (seedTrack === undefined && req.seedGenre !== undefined) seedTrack = this.topTrack(view, (ix) => t.genres[ix]!.includes(req.seedGenre!), `genre ${JSON.stringify(req.seedGenre)}`);
    if (seedTrack === undefined && req.playlistId !== undefined) context = await this.playlistTracks(req.playlistId);
    if (seedTrack === undefined && context.length === 0) context = this.favourites(view, ctx.now, 10);
    // A station's pages continue from what it already served.
    const key = req.stationId === undefined ? undefined : `station:${req.stationId}`;
    const history = key ? await this.stationHistory(req.listenerId, key) : [];
    const stationCtx: SeqContext = { ...ctx, history };
    const res = await this.ranked(req, policy, stationCtx, view, { ...(seedTrack ? { seedTrack } : {}), context: [...context, ...history.slice(-5).map((h) => h.trackId)] });
    if (key) {
      let ts = ctx.now;
      const served = res.items.map((x) => {
        const play: PastPlay = { trackId: x.trackId, artistId: x.artistIds[0]!, ...(x.albumId ? { albumId: x.albumId } : {}), ts };
        ts += t.durationMs[t.indexOf(x.trackId)]!;
        return play;
      });
      // Appended to the history as stored now (a page served meanwhile, by this process or
      // another, stays in it), keeping a day: enough for every window rule and no-repeat check.
      await this.store.listenerState.update(req.listenerId, key, (old) => {
        const now = old ? (JSON.parse(new TextDecoder().decode(old)) as PastPlay[]) : [];
        return new TextEncoder().encode(JSON.stringify([...now, ...served].filter((h) => h.ts > ctx.now - DAY)));
      });
    }
    return { ...res, ...(req.stationId ? { stationId: req.stationId } : {}) };
  }

  private async autoplay(req: SurfaceRequest, policy: Policy, ctx: SeqContext, view: StateView): Promise<Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>> {
    const t = this.reco.table;
    let context: string[];
    if (req.playlistId !== undefined) context = await this.playlistTracks(req.playlistId);
    else if (req.seedTrack !== undefined) {
      const ix = t.indexOf(req.seedTrack);
      if (ix < 0) throw new SurfaceError(`unknown track ${JSON.stringify(req.seedTrack)}`, true);
      const album = t.album[ix]!;
      // The finished album (when the catalog knows it), ending with the seed track.
      context = t.albumTracks(album).filter((j) => j !== ix).map((j) => t.ids[j]!);
      context.push(req.seedTrack);
    } else throw new SurfaceError('autoplay continues an album or playlist: give seedTrack (CLI: --seed-track), its last track, or playlistId (--playlist)');
    return this.ranked(req, policy, ctx, view, { context });
  }

  private async mood(req: SurfaceRequest, policy: Policy, ctx: SeqContext, view: StateView): Promise<Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>> {
    const m = MOODS[req.mood ?? ''];
    if (!m) throw new SurfaceError(`mood must be one of ${MOOD_NAMES.join(', ')}, got ${JSON.stringify(req.mood)}`);
    return this.ranked(req, policy, ctx, view, { context: this.favourites(view, ctx.now, 10) }, (it) => {
      // Fit to the mood, in [0, 1]; tracks far from it are left out, the rest weighted by fit.
      const parts = [1 - Math.abs(it.energy - m.energy) / 0.5, 1 - Math.abs((it.tempo > 0 ? it.tempo : m.tempo) - m.tempo) / 40];
      const fit = parts.filter((x) => !Number.isNaN(x)).reduce((a, b) => a + Math.max(0, b), 0) / 2;
      it.satisfaction *= fit;
      return fit > 0.5;
    });
  }

  private releaseRadar(policy: Policy, ctx: SeqContext, view: StateView, now: number): Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'> {
    const t = this.reco.table;
    const artists = new Map(view.top('artist', now, 100).map((a, k, all) => [a.key, 1 - k / Math.max(1, all.length)]));
    // Releases of the last four weeks by artists the listener plays; wider if that is too few,
    // and at last these artists' newest releases, however old.
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
    return this.finish(sequence(items, policy, ctx), items);
  }

  private async dailyMixes(req: SurfaceRequest, policy: Policy, ctx: SeqContext, view: StateView): Promise<Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>> {
    const t = this.reco.table;
    const top = view.top('track', ctx.now, 300).filter((x) => t.indexOf(x.key) >= 0);
    // Cluster the listener's taste by main genre; up to six clusters of three or more tracks.
    const byGenre = new Map<string, typeof top>();
    for (const x of top) {
      const g = t.genres[t.indexOf(x.key)]![0] ?? 'other';
      byGenre.set(g, [...(byGenre.get(g) ?? []), x]);
    }
    const clusters = [...byGenre].filter(([, xs]) => xs.length >= 3).sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1)).slice(0, 6);
    const mixes: NonNullable<SurfaceResponse['mixes']> = [];
    const filtered: Record<string, number> = {};
    const used = new Set<string>();
    const perSource = retrieval(policy, this.reco.sources);
    for (const [genre, xs] of clusters) {
      const familiar = xs.slice(0, 15).map((x) => x.key);
      const r = await this.reco.rank({ listenerId: req.listenerId, now: ctx.now, context: familiar, surface: 'mix', perSource });
      const fresh = toSeqItems(r, t, view, ctx.now, 300).filter((it) => it.genre === genre && !used.has(it.trackId));
      const known = familiar.filter((id) => !used.has(id)).map((id, k) => itemOf(t, t.indexOf(id), 1 - k / (2 * familiar.length), ['familiar'], false, ctx.now));
      const items = [...known, ...fresh];
      const seq = sequence(items, policy, ctx);
      for (const x of seq.items) used.add(x.trackId);
      for (const [k, v] of Object.entries(seq.filtered)) filtered[k] = (filtered[k] ?? 0) + v;
      const artistCounts = new Map<string, number>();
      for (const x of seq.items) artistCounts.set(x.artistId, (artistCounts.get(x.artistId) ?? 0) + 1);
      const leaders = [...artistCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 2).map(([a]) => a);
      mixes.push({ name: `${genre} mix: ${leaders.join(', ')}`, genre, items: this.finish(seq, items).items });
    }
    if (mixes.length === 0) throw new SurfaceError(`listener ${JSON.stringify(req.listenerId)} has too little history for daily mixes (a genre with 3 or more played tracks)`);
    return { items: mixes.flatMap((m) => m.items), mixes, filtered };
  }

  private async blend(req: SurfaceRequest, policy: Policy, ctx: SeqContext, view: StateView): Promise<Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>> {
    const members = [req.listenerId, ...(req.with ?? [])];
    if (members.length < 2) throw new SurfaceError('blend needs two or more listeners: give with (CLI: --with ID[,ID...])');
    const t = this.reco.table;
    const views = [view, ...(await Promise.all((req.with ?? []).map((id) => this.reco.state.view(id))))];
    // Each member's satisfaction over the union of their candidates.
    const sat = new Map<string, Float64Array>();
    const sources = new Map<string, Set<string>>();
    const perSource = retrieval(policy, this.reco.sources);
    for (const [m, id] of members.entries()) {
      const r = await this.reco.rank({ listenerId: id, now: ctx.now, context: this.favourites(views[m]!, ctx.now, 15), surface: 'mix', perSource });
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
    // Weights move toward whoever falls below the floor of their solo-optimal value.
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
      ...this.finish(best!.seq, best!.items),
      tasteMatch: Number(tasteMatch.toFixed(4)),
      memberShares: Object.fromEntries(members.map((id, m) => [id, Number(best!.shares[m]!.toFixed(4))])),
    };
  }

  private async enhance(req: SurfaceRequest, policy: Policy, ctx: SeqContext, view: StateView): Promise<Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>> {
    if (req.playlistId === undefined) throw new SurfaceError('enhance needs playlistId (CLI: --playlist ID)');
    const tracks = await this.playlistTracks(req.playlistId);
    const t = this.reco.table;
    // One recommendation after every three of the playlist's tracks.
    const inserts = Math.floor(tracks.length / 3);
    const r = await this.reco.rank({ listenerId: req.listenerId, now: ctx.now, context: tracks, surface: 'playlist', perSource: retrieval(policy, this.reco.sources) });
    const cands = toSeqItems(r, t, view, ctx.now, 300);
    const seq = sequence(cands, parsePolicy({ ...policy, length: Math.max(1, inserts) }, 'policy', { retrievalRules: !STORED.has(policy) }), ctx);
    const recs = this.finish(seq, cands).items;
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

  private async shuffle(req: SurfaceRequest, policy: Policy, ctx: SeqContext, view: StateView): Promise<Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>> {
    const t = this.reco.table;
    const tracks = req.playlistId !== undefined ? await this.playlistTracks(req.playlistId) : view.top('track', ctx.now, 500).map((x) => x.key).filter((id) => t.indexOf(id) >= 0);
    if (tracks.length === 0) throw new SurfaceError(`nothing to shuffle: listener ${JSON.stringify(req.listenerId)} has no played tracks (or give playlistId, CLI: --playlist)`);
    // A seeded random order, tracks played in the last six hours pushed back; the rules spread artists.
    const items = tracks.map((id) => {
      const last = ctx.played?.get(id);
      const recent = last !== undefined && ctx.now - last < 6 * HOUR;
      const u = (deriveSeed(ctx.seed ?? 0, id) >>> 0) / 2 ** 32;
      return itemOf(t, t.indexOf(id), recent ? u * 0.2 : 0.2 + 0.8 * u, [req.playlistId !== undefined ? 'playlist' : 'library'], false, ctx.now);
    });
    const p = parsePolicy({ ...policy, length: Math.min(policy.length, items.length) });
    return this.finish(sequence(items, p, ctx), items);
  }

  /** Retrieval and ranking through the Recommender, then the sequencer; `keep` may filter and reshape candidates. */
  private async ranked(req: SurfaceRequest, policy: Policy, ctx: SeqContext, view: StateView, q: Omit<NextRequest, 'listenerId'>, keep?: (it: SeqItem) => boolean): Promise<Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'>> {
    const k = policy.candidates.reduce((a, c) => a + c.k, 0);
    const r = await this.reco.rank({ ...q, listenerId: req.listenerId, now: ctx.now, surface: req.surface === 'autoplay' ? 'autoplay' : 'radio', perSource: retrieval(policy, this.reco.sources) });
    let items = toSeqItems(r, this.reco.table, view, ctx.now, k);
    if (keep) items = items.filter(keep);
    return this.finish(sequence(items, policy, ctx), items);
  }

  private finish(seq: Sequence, items: readonly SeqItem[]): { items: ServedItem[]; filtered: Record<string, number> } {
    const byId = new Map(items.map((it) => [it.trackId, it]));
    const t = this.reco.table;
    return {
      items: seq.items.map((x) => {
        const ix = t.indexOf(x.trackId);
        const it = byId.get(x.trackId)!;
        return {
          position: x.position, trackId: x.trackId, artistIds: [t.artist[ix]!], ...(it.albumId ? { albumId: it.albumId } : {}),
          score: x.value, propensity: x.propensity, explanation: x.explanation,
        };
      }),
      filtered: seq.filtered,
    };
  }

  // ---- helpers ----

  private favourites(view: StateView, now: number, k: number): string[] {
    return view.top('track', now, k).map((x) => x.key).filter((id) => this.reco.table.indexOf(id) >= 0);
  }

  /** The most played track (globally, decayed) among those matching; an error when none does. */
  private topTrack(view: StateView, match: (ix: number) => boolean, what: string): string {
    const t = this.reco.table;
    const c = new Float64Array(4);
    let best = -1, bestPlays = -1;
    for (let ix = 0; ix < t.size; ix++) {
      if (!match(ix)) continue;
      view.countersInto('global', t.ids[ix]!, Date.now(), c, 0);
      if (c[GLOBAL_PLAYS]! > bestPlays) {
        bestPlays = c[GLOBAL_PLAYS]!;
        best = ix;
      }
    }
    if (best < 0) throw new SurfaceError(`no track of ${what} in the catalog`, true);
    return t.ids[best]!;
  }

  private async playlistTracks(id: string): Promise<string[]> {
    const p = await this.store.catalog.getPlaylist(id);
    if (!p) throw new SurfaceError(`unknown playlist ${JSON.stringify(id)}`, true);
    return p.trackIds.filter((t) => this.reco.table.indexOf(t) >= 0);
  }

  private async stationHistory(listenerId: string, key: string): Promise<PastPlay[]> {
    const bytes = await this.store.listenerState.get(listenerId, key);
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as PastPlay[]) : [];
  }

  /** When the listener last played each track within the policy's no-repeat window (from the online state). */
  private async played(listenerId: string, now: number, policy: Policy): Promise<Map<string, number>> {
    const hours = Math.max(policy.constraints.noRepeatHours ?? 0, 6);
    const view = await this.reco.state.view(listenerId);
    const out = view.touchedSince(now - hours * HOUR);
    for (const [id, ts] of out) if (ts > now) out.delete(id);
    return out;
  }
}

const RETRIEVAL = new Set<string>(RETRIEVAL_SOURCES);
/** Policies of stored experiment variants, read leniently by `retrieval`. */
const STORED = new WeakSet<Policy>();

/**
 * How many candidates each retrieval source gives, from a policy's `candidates` (a source
 * listed twice gives the sum); `parsePolicy` has checked that a retrieving surface's policy
 * names one, and the total. A PolicyError (400, naming the field) when none of the named
 * sources is trained on this store (`trained`).
 *
 * A stored experiment variant's policy may predate those rules (its candidates were not read
 * then): it is never refused. Naming no retrieval source or no trained one, it retrieves as
 * the engine does by default (undefined); asking for more than MAX_RETRIEVED, each source's
 * share is scaled down to fit.
 */
export function retrieval(policy: Policy, trained?: ReadonlyMap<SourceName, unknown>): Partial<Record<SourceName, number>> | undefined {
  const out: Partial<Record<SourceName, number>> = {};
  for (const c of policy.candidates) if (RETRIEVAL.has(c.source)) out[c.source as SourceName] = (out[c.source as SourceName] ?? 0) + c.k;
  const named = Object.keys(out) as SourceName[];
  const none = named.length === 0 || (trained !== undefined && !named.some((n) => trained.has(n)));
  if (STORED.has(policy)) {
    if (none) return undefined;
    const total = named.reduce((a, n) => a + out[n]!, 0);
    if (total > MAX_RETRIEVED) for (const n of named) out[n] = Math.max(1, Math.floor((out[n]! * MAX_RETRIEVED) / total));
    return out;
  }
  if (none) {
    throw new PolicyError(`policy.candidates: no model of ${named.join(', ')} is trained on this store (trained: ${[...(trained?.keys() ?? [])].join(', ')}; \`segue train\`)`);
  }
  return out;
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
