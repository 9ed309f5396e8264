import { encodeArtifact, type ArtifactMeta, type TypedArray } from './artifact.js';
import { topK, Touched } from './topk.js';
import type { TransitionsModel } from './transitions.js';
import type { SknnModel } from './sknn.js';
import type { ContentModel } from './content.js';
import { SessionVectorScorer } from './session-vector.js';
import { foldIn, itemGramian, type AlsConfig } from './als/index.js';
import { createIndex, loadIndex, ExactIndex, type AnnIndex, type AnnOptions } from './ann/index.js';
import type { PopularityTables } from './popularity.js';
import type { SourceName } from './source-names.js';

/**
 * The one shape every candidate model has (DESIGN.md models/): trained from the store,
 * saved as a versioned artifact, and answering
 *
 * - `neighbours(track, k)`: tracks like this one (radio seeds, autoplay after a track);
 * - `recommend(history, k, exclude)`: tracks for a listener's or a session's history. A
 *   listener or session the model never saw is folded in from the history alone, without
 *   retraining: session models read the tracks directly, item2vec averages their vectors,
 *   ALS solves the listener's factors against the fixed item factors;
 * - `scoreInto(history, out)`: the same scores for every track, for blending.
 *
 * Tracks are dense ixs in the model's own vocabulary (`trackIds`; `trackIndex(id)` maps
 * back, -1 when unknown). Unknown ixs in a history (-1) are ignored.
 */
export interface CandidateModel {
  readonly name: ModelName;
  readonly trackIds: readonly string[];
  trackIndex(id: string): number;
  neighbours(track: number, k: number, exclude?: ReadonlySet<number>): Ranked;
  recommend(history: History, k: number, exclude?: ReadonlySet<number>): Ranked;
  scoreInto(history: History, out: Float64Array, weight?: number): void;
  save(): Uint8Array;
}

/** A candidate source's name (models/sources.ts defines the list). */
export type ModelName = SourceName;

/** A listener's or session's tracks, oldest first, with optional weights (play counts). */
export interface History {
  tracks: Int32Array;
  weights?: Float32Array;
  /** A listener id; ALS uses the listener's trained factors when it knows them. */
  listener?: string;
}

/** Parallel arrays, best first. */
export interface Ranked {
  ix: Int32Array;
  scores: Float32Array;
}

const EMPTY: Ranked = { ix: new Int32Array(0), scores: new Float32Array(0) };

/** Shared plumbing: the vocabulary and argument checks. */
abstract class Base {
  private lookup: Map<string, number> | undefined;
  constructor(readonly trackIds: readonly string[]) {}

  trackIndex(id: string): number {
    if (!this.lookup) {
      this.lookup = new Map();
      this.trackIds.forEach((t, i) => this.lookup!.set(t, i));
    }
    return this.lookup.get(id) ?? -1;
  }

  protected checkTrack(where: string, ix: number): void {
    if (!(Number.isInteger(ix) && ix >= 0 && ix < this.trackIds.length)) throw new RangeError(`${where}: track ix ${ix} is outside 0..${this.trackIds.length - 1}`);
  }

  protected checkK(where: string, k: number): void {
    if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`${where}: k must be an integer >= 0, got ${k}`);
  }

  /** The top k of a full score vector, never an excluded track nor one scored 0 or less. */
  protected best(scores: Float64Array, k: number, exclude?: ReadonlySet<number>): Ranked {
    for (let i = 0; i < scores.length; i++) if (!(scores[i]! > 0)) scores[i] = NaN;
    return topK(scores, k, exclude);
  }
}

/** Exclusion of the seed track itself plus the caller's set. */
function withSeed(seed: number, exclude?: ReadonlySet<number>): ReadonlySet<number> {
  const s = new Set(exclude ?? []);
  s.add(seed);
  return s;
}

/** A history's tracks as a session prefix, unknown tracks dropped. */
function knownPrefix(h: History, n: number): Int32Array {
  let ok = true;
  for (const t of h.tracks) if (!(t >= 0 && t < n)) ok = false;
  return ok ? h.tracks : h.tracks.filter((t) => t >= 0 && t < n);
}

/** A session model: scores every track for a session prefix, and saves itself. */
interface SessionScorer {
  scoreInto(prefix: Int32Array, out: Float32Array | Float64Array, weight?: number, touched?: Touched): void;
  save(meta?: Record<string, unknown>): Uint8Array;
}

/** Session models read a history as a session prefix; a track's neighbours are what follows it alone. */
abstract class SessionCandidates extends Base {
  abstract readonly name: ModelName;
  constructor(readonly model: SessionScorer, trackIds: readonly string[]) {
    super(trackIds);
  }
  neighbours(track: number, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkTrack(`${this.name}.neighbours`, track);
    this.checkK(`${this.name}.neighbours`, k);
    const s = new Float64Array(this.trackIds.length);
    this.model.scoreInto(Int32Array.of(track), s);
    return this.best(s, k, withSeed(track, exclude));
  }
  scoreInto(h: History, out: Float64Array, weight = 1): void {
    this.model.scoreInto(knownPrefix(h, this.trackIds.length), out, weight);
  }
  recommend(h: History, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkK(`${this.name}.recommend`, k);
    // Sparse: a session scores the few thousand tracks that follow its own, so the scratch
    // vector stays zero between requests and only the touched entries are ranked and reset
    // (three vocabulary-sized passes per request had been most of the model's serving cost).
    const n = this.trackIds.length;
    const s = (this.scratch ??= new Float64Array(n));
    const touched = (this.touched ??= new Touched(n));
    try {
      this.model.scoreInto(knownPrefix(h, n), s, 1, touched);
      return touched.best(s, k, exclude);
    } finally {
      touched.reset(s);
    }
  }
  private scratch: Float64Array | undefined;
  private touched: Touched | undefined;
  save(): Uint8Array {
    return this.model.save({ trackIds: this.trackIds });
  }
}

/** Transitions (sequential rules): neighbours are a track's outgoing links. */
export class TransitionsCandidates extends SessionCandidates implements CandidateModel {
  readonly name = 'transitions';
  constructor(model: TransitionsModel, trackIds: readonly string[]) {
    super(model, trackIds);
  }
}

/** Session kNN: neighbours are the tracks of past sessions that contain the track. */
export class SknnCandidates extends SessionCandidates implements CandidateModel {
  readonly name = 'sknn';
  constructor(model: SknnModel, trackIds: readonly string[]) {
    super(model, trackIds);
  }
}

/**
 * item2vec: neighbours by cosine of the item vectors through the ANN index; a history is
 * folded in as the recency-weighted mean of its latest tracks' unit vectors.
 */
export class Item2vecCandidates extends Base implements CandidateModel {
  readonly name = 'item2vec';
  private readonly session: SessionVectorScorer;
  constructor(readonly vectors: Float32Array, readonly dims: number, trackIds: readonly string[], readonly index: AnnIndex, readonly config: Record<string, unknown> = {}) {
    super(trackIds);
    this.session = new SessionVectorScorer(vectors, dims);
  }

  static build(vectors: Float32Array, dims: number, trackIds: readonly string[], config: Record<string, unknown> = {}, ann: Partial<AnnOptions> = {}): Item2vecCandidates {
    return new Item2vecCandidates(vectors, dims, trackIds, createIndex(vectors, dims, { ...ann, metric: 'cosine' }), config);
  }

  /** The session vector of a history (zero when no track is known). */
  foldIn(h: History): Float32Array {
    const q = new Float32Array(this.dims);
    const prefix = knownPrefix(h, this.trackIds.length);
    const { prefixTracks, prefixDecay } = this.session.cfg;
    let w = 1;
    for (let j = 0; j < prefixTracks && j < prefix.length; j++) {
      const t = prefix[prefix.length - 1 - j]!;
      let nn = 0;
      for (let c = 0; c < this.dims; c++) nn += this.vectors[t * this.dims + c]! ** 2;
      if (nn > 0) {
        const f = w / Math.sqrt(nn);
        for (let c = 0; c < this.dims; c++) q[c]! += f * this.vectors[t * this.dims + c]!;
      }
      w *= prefixDecay;
    }
    return q;
  }

  neighbours(track: number, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkTrack('item2vec.neighbours', track);
    this.checkK('item2vec.neighbours', k);
    return this.index.query(this.vectors.slice(track * this.dims, (track + 1) * this.dims), k, withSeed(track, exclude));
  }
  scoreInto(h: History, out: Float64Array, weight = 1): void {
    this.session.scoreInto(knownPrefix(h, this.trackIds.length), out, weight);
  }
  recommend(h: History, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkK('item2vec.recommend', k);
    const q = this.foldIn(h);
    return q.some((x) => x !== 0) ? this.index.query(q, k, exclude) : EMPTY;
  }
  save(): Uint8Array {
    const arrays: Record<string, TypedArray> = { vectors: this.vectors };
    if (this.index.kind !== 'exact') arrays.ann = this.index.save();
    return encodeArtifact({ model: 'item2vec', modelVersion: 2, config: this.config, dims: this.dims, trackIds: [...this.trackIds] }, arrays);
  }
  static load(meta: ArtifactMeta, arrays: Record<string, TypedArray>): Item2vecCandidates {
    const v = arrays.vectors as Float32Array, d = meta.dims as number;
    const index = arrays.ann ? loadIndex(arrays.ann as Uint8Array) : ExactIndex.build(v, d, 'cosine');
    return new Item2vecCandidates(v, d, meta.trackIds as string[], index, (meta.config ?? {}) as Record<string, unknown>);
  }
}

/**
 * Implicit ALS: a known listener is scored by its trained factors, an unknown listener (or
 * a session) by factors folded in from its history (the exact least-squares solve of one
 * ALS row); scores are dot products, retrieved through an inner-product ANN index.
 * Neighbours are by cosine of the item factors (exact scan).
 */
export class AlsCandidates extends Base implements CandidateModel {
  readonly name = 'als';
  private gram: Float64Array | undefined;
  private readonly listenerIx = new Map<string, number>();
  private itemInv: Float32Array | undefined;
  constructor(
    readonly userFactors: Float32Array,
    readonly itemFactors: Float32Array,
    readonly dims: number,
    readonly listenerIds: readonly string[],
    trackIds: readonly string[],
    readonly index: AnnIndex,
    readonly config: AlsConfig,
  ) {
    super(trackIds);
    listenerIds.forEach((l, i) => this.listenerIx.set(l, i));
  }

  static build(userFactors: Float32Array, itemFactors: Float32Array, dims: number, listenerIds: readonly string[], trackIds: readonly string[], config: AlsConfig, ann: Partial<AnnOptions> = {}): AlsCandidates {
    return new AlsCandidates(userFactors, itemFactors, dims, listenerIds, trackIds, createIndex(itemFactors, dims, { ...ann, metric: 'ip' }), config);
  }

  /** The listener's factors: trained ones for a known listener, else folded in from the history. */
  foldIn(h: History): Float32Array {
    const u = h.listener === undefined ? undefined : this.listenerIx.get(h.listener);
    if (u !== undefined) return this.userFactors.slice(u * this.dims, (u + 1) * this.dims);
    const n = this.trackIds.length;
    // Repeated tracks add up, as in the training matrix.
    const sum = new Map<number, number>();
    h.tracks.forEach((t, j) => {
      if (t >= 0 && t < n) sum.set(t, (sum.get(t) ?? 0) + (h.weights ? h.weights[j]! : 1));
    });
    const items = Int32Array.from(sum.keys());
    const values = Float32Array.from(sum.values());
    this.gram ??= itemGramian(this.itemFactors, this.dims, this.config.regularization);
    return foldIn(this.itemFactors, this.dims, items, values, this.config, this.gram);
  }

  neighbours(track: number, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkTrack('als.neighbours', track);
    this.checkK('als.neighbours', k);
    const d = this.dims, Y = this.itemFactors, n = this.trackIds.length;
    if (!this.itemInv) {
      this.itemInv = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += Y[i * d + c]! ** 2;
        this.itemInv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
      }
    }
    const inv = this.itemInv, s = new Float64Array(n), o = track * d;
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += Y[o + c]! * Y[i * d + c]!;
      s[i] = dot * inv[i]! * inv[track]!;
    }
    return this.best(s, k, withSeed(track, exclude));
  }
  scoreInto(h: History, out: Float64Array, weight = 1): void {
    const x = this.foldIn(h), d = this.dims, Y = this.itemFactors;
    for (let i = 0; i < this.trackIds.length; i++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += x[c]! * Y[i * d + c]!;
      out[i]! += weight * dot;
    }
  }
  recommend(h: History, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkK('als.recommend', k);
    const x = this.foldIn(h);
    return x.some((v) => v !== 0) ? this.index.query(x, k, exclude) : EMPTY;
  }
  save(): Uint8Array {
    const arrays: Record<string, TypedArray> = { userFactors: this.userFactors, itemFactors: this.itemFactors };
    if (this.index.kind !== 'exact') arrays.ann = this.index.save();
    return encodeArtifact({ model: 'als', modelVersion: 2, config: this.config, dims: this.dims, listenerIds: [...this.listenerIds], trackIds: [...this.trackIds] }, arrays);
  }
  static load(meta: ArtifactMeta, arrays: Record<string, TypedArray>): AlsCandidates {
    const Y = arrays.itemFactors as Float32Array, d = meta.dims as number;
    const index = arrays.ann ? loadIndex(arrays.ann as Uint8Array) : ExactIndex.build(Y, d, 'ip');
    return new AlsCandidates(arrays.userFactors as Float32Array, Y, d, meta.listenerIds as string[], meta.trackIds as string[], index, meta.config as AlsConfig);
  }
}

/**
 * Content: neighbours by audio features and genres (works for tracks nobody has played);
 * a history scores tracks by their similarity to its latest tracks, the latest weighing most.
 */
export class ContentCandidates extends Base implements CandidateModel {
  readonly name = 'content';
  constructor(readonly model: ContentModel, readonly prefixTracks = 5, readonly prefixDecay = 0.7) {
    super(model.trackIds);
  }
  neighbours(track: number, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkTrack('content.neighbours', track);
    this.checkK('content.neighbours', k);
    const s = Float64Array.from(this.model.similarities(track));
    return topK(s, k, withSeed(track, exclude));
  }
  scoreInto(h: History, out: Float64Array, weight = 1): void {
    const p = knownPrefix(h, this.trackIds.length);
    const sim = new Float32Array(this.trackIds.length);
    let w = weight;
    for (let j = 0; j < this.prefixTracks && j < p.length; j++) {
      this.model.similarities(p[p.length - 1 - j]!, sim);
      for (let i = 0; i < sim.length; i++) out[i]! += w * sim[i]!;
      w *= this.prefixDecay;
    }
  }
  recommend(h: History, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkK('content.recommend', k);
    if (knownPrefix(h, this.trackIds.length).length === 0) return EMPTY;
    const s = new Float64Array(this.trackIds.length);
    this.scoreInto(h, s);
    return topK(s, k, exclude);
  }
  save(): Uint8Array {
    return this.model.save();
  }
}

/** Which popularity list `PopularityCandidates` serves. */
export type PopularityList = 'popular' | 'trending' | 'new';

/**
 * Popularity and freshness: time-decayed popularity, trending (plays in the latest window
 * against the track's earlier rate) and new releases (recent release dates, most played
 * first). History-independent: `recommend` serves the chosen list minus the exclusions, and
 * `neighbours` the same list without the seed.
 */
export class PopularityCandidates extends Base implements CandidateModel {
  readonly name = 'popularity';
  constructor(readonly tables: PopularityTables, trackIds: readonly string[], readonly config: Record<string, unknown> = {}, readonly list: PopularityList = 'popular') {
    super(trackIds);
  }
  /** The same model serving another list. */
  serving(list: PopularityList): PopularityCandidates {
    return new PopularityCandidates(this.tables, this.trackIds, this.config, list);
  }
  private scores(): Float64Array {
    return this.list === 'popular' ? this.tables.popular : this.list === 'trending' ? this.tables.trending : this.tables.fresh;
  }
  neighbours(track: number, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkTrack('popularity.neighbours', track);
    this.checkK('popularity.neighbours', k);
    return this.best(Float64Array.from(this.scores()), k, withSeed(track, exclude));
  }
  scoreInto(_h: History, out: Float64Array, weight = 1): void {
    const s = this.scores();
    for (let i = 0; i < s.length; i++) out[i]! += weight * s[i]!;
  }
  recommend(_h: History, k: number, exclude?: ReadonlySet<number>): Ranked {
    this.checkK('popularity.recommend', k);
    // The list does not depend on the history: walk its order, computed once, past the exclusions.
    this.order ??= this.best(Float64Array.from(this.scores()), this.trackIds.length);
    const { ix, scores } = this.order;
    const outIx: number[] = [], outSc: number[] = [];
    for (let r = 0; r < ix.length && outIx.length < k; r++) {
      if (exclude?.has(ix[r]!)) continue;
      outIx.push(ix[r]!);
      outSc.push(scores[r]!);
    }
    return { ix: Int32Array.from(outIx), scores: Float32Array.from(outSc) };
  }
  private order: Ranked | undefined;
  save(): Uint8Array {
    const { popular, trending, fresh } = this.tables;
    return encodeArtifact({ model: 'popularity', modelVersion: 2, config: this.config, trackIds: [...this.trackIds], asOf: this.tables.asOf }, { popular, trending, fresh });
  }
  static load(meta: ArtifactMeta, arrays: Record<string, TypedArray>): PopularityCandidates {
    const tables: PopularityTables = { popular: arrays.popular as Float64Array, trending: arrays.trending as Float64Array, fresh: arrays.fresh as Float64Array, asOf: meta.asOf as number };
    return new PopularityCandidates(tables, meta.trackIds as string[], (meta.config ?? {}) as Record<string, unknown>);
  }
}
