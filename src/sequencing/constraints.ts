import type { Policy } from './policy.js';
import type { SeqContext, SeqItem } from './types.js';

const HOUR = 3_600_000;

/** Leave out what may never be played here: bans, explicit, market, recent repeats, podcasts when none are allowed. */
export function staticFilter(items: readonly SeqItem[], policy: Policy, ctx: SeqContext): { pool: number[]; filtered: Record<string, number> } {
  const c = policy.constraints;
  const filtered: Record<string, number> = {};
  const out = (why: string): void => {
    filtered[why] = (filtered[why] ?? 0) + 1;
  };
  const noRepeatMs = (c.noRepeatHours ?? 0) * HOUR;
  const seen = new Set<string>();
  const served = ctx.history && ctx.history.length > 0 ? new Set(ctx.history.map((h) => h.trackId)) : undefined;
  const pool: number[] = [];
  items.forEach((it, i) => {
    if (seen.has(it.trackId)) return out('duplicate candidate');
    seen.add(it.trackId);
    if (ctx.bannedTracks?.has(it.trackId) || ctx.bannedArtists?.has(it.artistId)) return out('banned');
    if (c.explicit === 'block' && it.explicit) return out('explicit');
    if (c.market !== undefined && it.markets !== undefined && !it.markets.includes(c.market)) return out('market');
    if (it.podcast && (c.maxPodcasts ?? 0) === 0 && policy.surface !== 'shuffle') return out('podcast');
    const last = ctx.played?.get(it.trackId);
    if (noRepeatMs > 0 && last !== undefined && ctx.now - last < noRepeatMs) return out('noRepeatHours');
    if (served?.has(it.trackId)) return out('already served in this station');
    pool.push(i);
  });
  return { pool, filtered };
}

/** A partial sequence as a path of nodes, latest first: shared prefixes cost nothing to extend. */
export interface PathNode {
  parent: PathNode | null;
  /** Item index placed here. */
  i: number;
  len: number;
  /** Time this item ends (the next position's start). */
  end: number;
  promoted: number;
  podcasts: number;
  /** Probability with which the policy picked this item here. */
  prop: number;
}

const OK = 0;
const REASONS = ['', 'duplicate', 'artistSeparation', 'maxPerArtist', 'maxPerAlbum', 'promotedShare', 'maxPodcasts', 'podcastInARow',
  'window.artistInARow', 'window.albumInARow', 'window.perArtist', 'window.perAlbum'] as const;

/**
 * The rules that depend on the order, checked when an item would be appended to a partial
 * sequence. Across pages, the station's history counts. Artists and albums are small
 * integers and a check is one walk back along the path: no strings, no allocation.
 */
export class Rules {
  /** Each item's artist as a small integer. */
  readonly artist: Int32Array;
  private readonly album: Int32Array;
  private readonly promo: Uint8Array;
  private readonly pod: Uint8Array;
  readonly dur: Float64Array;
  private readonly hArtist: Int32Array;
  private readonly hAlbum: Int32Array;
  private readonly hTs: Float64Array;
  private readonly promotedMax: number;
  private readonly sep: number;
  /** Plays by the candidate's artist on the path, from the last `check`: the fairness term reads it. */
  artistCount = 0;
  /** Artist and album ids in use. */
  private readonly idCount: number;

  constructor(readonly items: readonly SeqItem[], readonly policy: Policy, readonly ctx: SeqContext) {
    // Artists and albums as small integers (one numbering: album ids follow artist ids).
    const artists = new Map<string, number>(), albums = new Map<string, number>();
    const artistId = (s: string): number => {
      let v = artists.get(s);
      if (v === undefined) artists.set(s, (v = artists.size));
      return v;
    };
    const hist = ctx.history ?? [];
    this.artist = new Int32Array(items.length);
    for (let k = 0; k < items.length; k++) this.artist[k] = artistId(items[k]!.artistId);
    this.hArtist = new Int32Array(hist.length);
    for (let h = 0; h < hist.length; h++) this.hArtist[h] = artistId(hist[h]!.artistId);
    const albumId = (s: string | undefined): number => {
      if (s === undefined) return -1;
      let v = albums.get(s);
      if (v === undefined) albums.set(s, (v = artists.size + albums.size));
      return v;
    };
    this.album = new Int32Array(items.length);
    for (let k = 0; k < items.length; k++) this.album[k] = albumId(items[k]!.albumId);
    this.hAlbum = new Int32Array(hist.length);
    for (let h = 0; h < hist.length; h++) this.hAlbum[h] = albumId(hist[h]!.albumId);
    this.idCount = artists.size + albums.size;
    // Plain loops: TypedArray.from with a mapping function is an order of magnitude slower.
    this.promo = new Uint8Array(items.length);
    this.pod = new Uint8Array(items.length);
    this.dur = new Float64Array(items.length);
    for (let k = 0; k < items.length; k++) {
      const it = items[k]!;
      this.promo[k] = it.promoted ? 1 : 0;
      this.pod[k] = it.podcast ? 1 : 0;
      this.dur[k] = it.durationMs;
    }
    this.hTs = new Float64Array(hist.length);
    for (let h = 0; h < hist.length; h++) this.hTs[h] = hist[h]!.ts;
    const share = policy.constraints.promotedShare?.max;
    this.promotedMax = share === undefined ? Infinity : Math.floor(share * policy.length + 1e-9);
    this.sep = policy.constraints.artistSeparation ?? 0;
    const c = policy.constraints, w = c.window;
    this.maxArtist = c.maxPerArtist ?? Infinity;
    this.maxAlbum = c.maxPerAlbum ?? Infinity;
    this.windowed = w !== undefined;
    this.wArtistRun = w?.artistInARow ?? Infinity;
    this.wAlbumRun = w?.albumInARow ?? Infinity;
    this.wArtist = w?.perArtist ?? Infinity;
    this.wAlbum = w?.perAlbum ?? Infinity;
  }
  // The policy's limits as numbers (Infinity: no limit), read by `allowed` on every candidate.
  private readonly maxArtist: number;
  private readonly maxAlbum: number;
  private readonly windowed: boolean;
  private readonly wArtistRun: number;
  private readonly wAlbumRun: number;
  private readonly wArtist: number;
  private readonly wAlbum: number;

  /** The path after appending item i to `path`, picked with probability `prop`. */
  extend(path: PathNode | null, i: number, prop = 1): PathNode {
    return {
      parent: path, i, len: (path?.len ?? 0) + 1, end: (path?.end ?? this.ctx.now) + this.dur[i]!,
      promoted: (path?.promoted ?? 0) + this.promo[i]!, podcasts: (path?.podcasts ?? 0) + this.pod[i]!, prop,
    };
  }

  // Scratch of `prepare`: per artist and album id, counts on the prepared path; valid where stamp === current.
  private stampA = new Int32Array(0);
  private stampB = new Int32Array(0);
  private cntA = new Int32Array(0);
  private cntB = new Int32Array(0);
  private winA = new Int32Array(0);
  private winB = new Int32Array(0);
  private used = new Int32Array(0);
  private stamp = 0;
  private prepared: PathNode | null | undefined = undefined;
  private runA = -1;
  private runALen = 0;
  private runB = -1;
  private runBLen = 0;
  /** The latest `sep` artists (path, then history), newest first. */
  private recent = new Int32Array(0);
  private nRecent = 0;
  private openA = true;
  private openB = true;

  /**
   * Walk `path` (and the station's history) once, counting per artist and album: then
   * `allowed(i)` answers for any candidate in constant time.
   */
  prepare(path: PathNode | null): void {
    const ids = this.idCount;
    if (this.stampA.length < ids) {
      this.stampA = new Int32Array(ids); this.stampB = new Int32Array(ids);
      this.cntA = new Int32Array(ids); this.cntB = new Int32Array(ids);
      this.winA = new Int32Array(ids); this.winB = new Int32Array(ids);
    }
    if (this.used.length < this.items.length) this.used = new Int32Array(this.items.length);
    const st = ++this.stamp;
    const w = this.policy.constraints.window;
    const start = path ? path.end : this.ctx.now;
    const from = w ? start - w.hours * HOUR : Infinity;
    this.nRecent = 0;
    if (this.recent.length < this.sep) this.recent = new Int32Array(Math.ceil(this.sep));
    this.runA = -1; this.runALen = 0; this.runB = -1; this.runBLen = 0;
    this.openA = true; this.openB = true;
    let tEnd = start;
    for (let node = path; node !== null; node = node.parent) {
      const j = node.i;
      this.used[j] = st;
      const s0 = tEnd - this.dur[j]!;
      this.touch(st, this.artist[j]!, this.album[j]!, true, s0 >= from);
      tEnd = s0;
    }
    for (let h = this.hArtist.length - 1; h >= 0; h--) this.touch(st, this.hArtist[h]!, this.hAlbum[h]!, false, this.hTs[h]! >= from);
    this.prepared = path;
  }

  /** Count one play of artist a (album b, -1 none), on the path or in the station's history, walking back from the end. */
  private touch(st: number, a: number, b: number, inPath: boolean, inWindow: boolean): void {
    if (this.stampA[a] !== st) { this.stampA[a] = st; this.cntA[a] = 0; this.winA[a] = 0; }
    if (inPath) this.cntA[a]!++;
    if (inWindow) this.winA[a]!++;
    if (b >= 0) {
      if (this.stampB[b] !== st) { this.stampB[b] = st; this.cntB[b] = 0; this.winB[b] = 0; }
      if (inPath) this.cntB[b]!++;
      if (inWindow) this.winB[b]!++;
    }
    if (this.nRecent < this.sep) this.recent[this.nRecent++] = a;
    if (this.openA) {
      if (this.runA < 0) { this.runA = a; this.runALen = 1; } else if (a === this.runA) this.runALen++; else this.openA = false;
    }
    if (this.openB) {
      if (b < 0) this.openB = false;
      else if (this.runB < 0) { this.runB = b; this.runBLen = 1; } else if (b === this.runB) this.runBLen++; else this.openB = false;
    }
  }

  /** 0 when item i may follow the prepared path, else the code of the first rule it would break. */
  allowed(i: number): number {
    const st = this.stamp;
    // Most rejections in a long list are of tracks already on the path: that test first.
    if (this.used[i] === st) return 1;
    const path = this.prepared ?? null;
    const a = this.artist[i]!, b = this.album[i]!;
    const known = this.stampA[a] === st, knownB = b >= 0 && this.stampB[b] === st;
    this.artistCount = known ? this.cntA[a]! : 0;
    for (let k = 0; k < this.nRecent; k++) if (this.recent[k] === a) return 2;
    if (this.artistCount >= this.maxArtist) return 3;
    if (knownB && this.cntB[b]! >= this.maxAlbum) return 4;
    if (this.promo[i] && (path?.promoted ?? 0) >= this.promotedMax) return 5;
    if (this.pod[i]) {
      if (this.policy.surface !== 'shuffle' && (path?.podcasts ?? 0) >= (this.policy.constraints.maxPodcasts ?? 0)) return 6;
      if (path && this.pod[path.i]) return 7;
    }
    if (this.windowed) {
      if (a === this.runA && this.runALen >= this.wArtistRun) return 8;
      if (b >= 0 && b === this.runB && this.runBLen >= this.wAlbumRun) return 9;
      if (known && this.winA[a]! >= this.wArtist) return 10;
      if (knownB && this.winB[b]! >= this.wAlbum) return 11;
    }
    return OK;
  }

  /** 0 when item i may follow `path`, else the code of the first rule it would break (see `reason`). */
  check(path: PathNode | null, i: number): number {
    if (this.prepared !== path) this.prepare(path);
    return this.allowed(i);
  }

  static reason(code: number): string {
    return REASONS[code]!;
  }
}
