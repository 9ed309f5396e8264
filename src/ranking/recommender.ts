import type { Store } from '../store/index.js';
import { openOnlineState, TrackTable, audioEmbedding, type Embedding, type OnlineState, type SessionState, type StateConfig, type StateView } from '../features/index.js';
import { loadModel, type CandidateModel } from '../models/index.js';
import { F, FEATURES, FeatureBuilder, SOURCES, cosine, type SourceName } from './features.js';
import { Ranker } from './ranker.js';

const NF = FEATURES.length;

export interface RecommenderConfig {
  /** Candidates each source retrieves when the request does not say (`NextRequest.perSource`). */
  candidatesPerSource: number;
  /** An artist skipped this many times in a session, never listened through, drops out of it. */
  artistSkipsToDrop: number;
  /** Weight of the candidate's similarity to the session vector (toward listens, away from skips). */
  sessionWeight: number;
  /** Weight of the listener's likes of the candidate's genres (this session, and decayed over time). */
  genreLikeWeight: number;
}

export const DEFAULT_RECOMMENDER: RecommenderConfig = { candidatesPerSource: 100, artistSkipsToDrop: 2, sessionWeight: 0.5, genreLikeWeight: 0.3 };

export interface NextRequest {
  listenerId: string;
  /** The listener's state as the request already read it (one read per request: a round trip to Redis on a node); absent: read here. */
  view?: StateView;
  /** Epoch ms; default now. */
  now?: number;
  /** A station's seed track id (radio). */
  seedTrack?: string;
  /** More context tracks, oldest first (an album or playlist to continue); they are not recommended again. */
  context?: readonly string[];
  surface?: string;
  /** How many tracks. Default 20. */
  n?: number;
  /**
   * How many candidates each source retrieves (a policy's `candidates`); a source left out
   * retrieves none. Default: `candidatesPerSource` from every trained source.
   */
  perSource?: Partial<Record<SourceName, number>> | undefined;
}

/** Ranked candidates, best first: catalog track ixs with their final scores. */
export interface Ranked {
  ix: Int32Array;
  score: Float64Array;
  /** Probability of a listen-through per candidate (the ranker's listen trees), or undefined without a ranker. */
  listen: Float64Array | undefined;
  sources: SourceName[][];
}

export interface Recommendation {
  trackId: string;
  artistId: string;
  score: number;
  /** The sources that retrieved it. */
  sources: SourceName[];
}

/**
 * Retrieval, features and ranking for the next tracks of a listener's session, read from
 * the online state at request time: what the session skipped, liked and listened to moves
 * the answer at once. (Sequencing, constraints and surfaces build on this; see DESIGN.md.)
 */
export class Recommender {
  private readonly builder: FeatureBuilder;
  constructor(
    readonly table: TrackTable,
    readonly sources: ReadonlyMap<SourceName, CandidateModel>,
    readonly state: OnlineState,
    readonly ranker?: Ranker,
    readonly embedding: Embedding = audioEmbedding(table),
    readonly config: RecommenderConfig = DEFAULT_RECOMMENDER,
    /** The version of each model in use, by name. */
    readonly versions: Readonly<Record<string, number>> = {},
  ) {
    if (sources.size === 0) throw new RangeError('recommender: no candidate source; train one first (`segue train`)');
    this.builder = new FeatureBuilder(table, embedding);
  }

  /**
   * Open on a store: its catalog, the latest version of every trained source and of the
   * ranker, and the online state it is given (`online`: the state with the track table it
   * was opened on); without one, the store's own state opened by `openOnlineState`, caught
   * up with the log.
   */
  static async open(store: Store, opts: { config?: RecommenderConfig; state?: StateConfig; onProgress?: (eventsFolded: number) => void; replica?: boolean; redis?: { url: string; prefix?: string }; online?: { state: OnlineState; table: TrackTable } } = {}): Promise<Recommender> {
    const online = opts.online ?? (await Recommender.ownState(store, opts));
    const { state, table } = online;
    try {
      const m = await Recommender.loadModels(store);
      return new Recommender(table, m.sources, state, m.ranker, audioEmbedding(table), opts.config, m.versions);
    } catch (err) {
      // A state opened here (a Redis connection) is not left open by a failed open.
      if (opts.online === undefined) await (state as { close?: () => Promise<void> }).close?.();
      throw err;
    }
  }

  private static async ownState(store: Store, opts: { state?: StateConfig; onProgress?: (eventsFolded: number) => void; replica?: boolean; redis?: { url: string; prefix?: string } }): Promise<{ state: OnlineState; table: TrackTable }> {
    const table = await TrackTable.load(store);
    const { state } = await openOnlineState(store, table, { ...(opts.state ? { config: opts.state } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), replica: opts.replica ?? false, ...(opts.redis ? { redis: { ...opts.redis, startDegraded: true } } : {}) });
    return { state, table };
  }

  /**
   * The same catalog, embedding and online state with the latest trained models: what a
   * server swaps in when a new model version lands, without a restart.
   */
  async reload(store: Store): Promise<Recommender> {
    const m = await Recommender.loadModels(store);
    return new Recommender(this.table, m.sources, this.state, m.ranker, this.embedding, this.config, m.versions);
  }

  private static async loadModels(store: Store): Promise<{ sources: Map<SourceName, CandidateModel>; ranker: Ranker | undefined; versions: Record<string, number> }> {
    const sources = new Map<SourceName, CandidateModel>();
    const latest = new Map<string, number>();
    for (const m of await store.models.list()) latest.set(m.name, Math.max(latest.get(m.name) ?? 0, m.version));
    const versions: Record<string, number> = {};
    for (const name of SOURCES) {
      const v = latest.get(name);
      if (v === undefined) continue;
      sources.set(name, await loadModel(store, name, v));
      versions[name] = v;
    }
    const v = latest.get('ranker');
    const got = v === undefined ? undefined : await store.models.get('ranker', v);
    if (got) versions.ranker = got.meta.version;
    return { sources, ranker: got ? Ranker.load(got.data).warm() : undefined, versions };
  }

  async next(req: NextRequest): Promise<Recommendation[]> {
    const r = await this.rank(req);
    const n = Math.min(req.n ?? 20, r.ix.length);
    const t = this.table;
    return Array.from({ length: n }, (_, k) => ({ trackId: t.ids[r.ix[k]!]!, artistId: t.artist[r.ix[k]!]!, score: Number(r.score[k]!.toFixed(6)), sources: r.sources[k]! }));
  }

  private readonly toTable = new Map<CandidateModel, { size: number; ixs: Int32Array }>();

  /** Catalog ix of each of a model's tracks (-1: not in the catalog), rebuilt when the catalog grew. */
  private tableIxs(model: CandidateModel): Int32Array {
    let m = this.toTable.get(model);
    if (m === undefined || m.size !== this.table.size) {
      m = { size: this.table.size, ixs: Int32Array.from(model.trackIds, (id) => this.table.indexOf(id)) };
      this.toTable.set(model, m);
    }
    return m.ixs;
  }

  // Scratch of `rank`: each catalog ix's candidate slot in the current request, valid where slotStamp === stamp.
  private slot = new Int32Array(0);
  private slotStamp = new Int32Array(0);
  private stamp = 0;
  private readonly maskNames = new Map<number, readonly SourceName[]>();

  /** The names of the sources in a bit mask, in the sources' order (one shared, frozen list per mask). */
  private sourceNames(mask: number): SourceName[] {
    let names = this.maskNames.get(mask);
    if (names === undefined) {
      names = Object.freeze([...this.sources.keys()].filter((_, b) => (mask & (1 << b)) !== 0));
      this.maskNames.set(mask, names);
    }
    return names as SourceName[];
  }

  /** Every candidate, ranked: retrieval, features from the state now, the ranker, the session's feedback. */
  async rank(req: NextRequest): Promise<Ranked> {
    const now = req.now ?? Date.now();
    const view = req.view ?? (await this.state.view(req.listenerId));
    const session = view.session(now);
    const t = this.table;
    const seedIx = req.seedTrack === undefined ? -1 : t.indexOf(req.seedTrack);
    if (req.seedTrack !== undefined && seedIx < 0) throw new RangeError(`recommender: unknown seed track ${JSON.stringify(req.seedTrack)}`);
    // History: the seed and context, then the session's tracks that were not skipped; nothing played in the session comes back.
    const played = new Set<string>(session?.recent.map((p) => p.trackId) ?? []);
    const given = [...(req.seedTrack ? [req.seedTrack] : []), ...(req.context ?? [])];
    const historyIds = [...given, ...(session?.recent.filter((p) => p.outcome >= 0).map((p) => p.trackId) ?? [])];
    for (const id of given) played.add(id);
    const dropped = droppedArtists(session, this.config.artistSkipsToDrop);

    // Candidates in the order the sources find them: a slot per catalog ix (typed scratch
    // reused across requests: no await from here on), the finding sources as a bit mask, and
    // each source's scores as a column, written as they come.
    if (this.slot.length < t.size) {
      this.slot = new Int32Array(t.size);
      this.slotStamp = new Int32Array(t.size);
    }
    if (this.stamp === 0x7fffffff) {
      this.stamp = 0;
      this.slotStamp.fill(0);
    }
    const st = ++this.stamp;
    const candIx: number[] = [], masks: number[] = [];
    const depth = (name: SourceName): number => (req.perSource ? (req.perSource[name] ?? 0) : this.config.candidatesPerSource);
    let capacity = 0;
    for (const name of this.sources.keys()) capacity += Math.max(0, depth(name));
    const columns: Array<[SourceName, Float32Array]> = [];
    let bit = 1;
    for (const [name, model] of this.sources) {
      const sourceBit = bit;
      bit <<= 1;
      const k = depth(name);
      if (k <= 0) continue;
      const tracks = Int32Array.from(historyIds.map((id) => model.trackIndex(id)).filter((i) => i >= 0));
      const exclude = new Set<number>();
      for (const id of played) {
        const i = model.trackIndex(id);
        if (i >= 0) exclude.add(i);
      }
      const list = model.recommend({ tracks, listener: req.listenerId }, k, exclude);
      const col = new Float32Array(capacity);
      columns.push([name, col]);
      const toTable = this.tableIxs(model);
      for (let k = 0; k < list.ix.length; k++) {
        const ix = toTable[list.ix[k]!]!;
        if (ix < 0) continue;
        const id = t.ids[ix]!;
        if (played.has(id) || dropped.has(t.artist[ix]!) || view.banned(id, t.artist[ix])) continue;
        let c: number;
        if (this.slotStamp[ix] === st) c = this.slot[ix]!;
        else {
          c = candIx.length;
          this.slot[ix] = c;
          this.slotStamp[ix] = st;
          candIx.push(ix);
          masks.push(0);
        }
        masks[c]! |= sourceBit;
        col[c] = list.scores[k]!;
      }
    }
    const ids = Int32Array.from(candIx);
    const m = ids.length;
    if (m === 0) return { ix: ids, score: new Float64Array(0), listen: undefined, sources: [] };
    const scores: Partial<Record<SourceName, Float32Array>> = {};
    for (const [name, col] of columns) scores[name] = col.subarray(0, m);
    const X = this.builder.build({ view, now, ...(req.surface ? { surface: req.surface } : {}), seedIx }, ids, new Float32Array(m * NF), scores);

    // Base order: the ranker, else the sources' scores each scaled to [0, 1] and summed.
    let base: Float64Array = new Float64Array(m), listen: Float64Array | undefined;
    // Both ensembles in one pass over the block (bit-identical to scoring them one after the other).
    if (this.ranker) ({ score: base, listen } = this.ranker.scoreAndListen(X, m, base));
    else for (const s of Object.values(scores)) {
      let max = 0;
      for (const v of s) max = Math.max(max, v);
      if (max > 0) for (let i = 0; i < m; i++) base[i]! += s[i]! / max;
    }
    // In-session feedback on top of the base order (by rank, so the scales agree).
    const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => base[b]! - base[a]! || a - b);
    const final = new Float64Array(m);
    const sv = session?.vector;
    order.forEach((i, r) => {
      let v = 1 - r / m;
      if (sv) {
        const e = this.embedding.vectorOf(ids[i]!);
        if (e) {
          const c = cosine(e, sv);
          if (!Number.isNaN(c)) v += this.config.sessionWeight * c;
        }
      }
      const likes = X[i * NF + F['session_genre_likes']!]! + X[i * NF + F['listener_genre_likes']!]!;
      v += this.config.genreLikeWeight * Math.min(1, likes / 2);
      final[i] = v;
    });
    order.sort((a, b) => final[b]! - final[a]! || a - b);
    const outIx = new Int32Array(m), outScore = new Float64Array(m), outListen = listen ? new Float64Array(m) : undefined;
    for (let r = 0; r < m; r++) {
      const i = order[r]!;
      outIx[r] = ids[i]!;
      outScore[r] = final[i]!;
      if (outListen) outListen[r] = listen![i]!;
    }
    return { ix: outIx, score: outScore, listen: outListen, sources: order.map((i) => this.sourceNames(masks[i]!)) };
  }
}

/** Artists skipped `after` times or more in the session and never listened through there. */
function droppedArtists(s: SessionState | undefined, after: number): Set<string> {
  const out = new Set<string>();
  if (!s || after <= 0) return out;
  for (const [a, k] of s.artistSkips) if (k >= after && !(s.artistListens.get(a)! > 0)) out.add(a);
  return out;
}
