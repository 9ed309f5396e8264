import { sessionId, sessionStep, skipStatus, startsSession, type SegueEvent } from '../domain/index.js';
import {
  DEFAULT_STATE, LIKES, LISTENS, PLAYS, SKIPS,
  type CounterKind, type SessionState, type StateConfig, type StateView,
} from './state.js';

/** The catalog facts the state needs: a track's artist and genres, and optionally its embedding. */
export interface TrackInfo {
  artistOf(trackId: string): string | undefined;
  genresOf(trackId: string): readonly string[];
  embed?(trackId: string): Float32Array | undefined;
}

/** A counter row: 4 decayed values and the time they are decayed to. */
const TS = 4;
const ROW = 5;
const DAY = 86_400_000;

export interface ListenerEntry {
  tracks: Map<string, Float64Array>;
  artists: Map<string, Float64Array>;
  genres: Map<string, Float64Array>;
  session: SessionState | undefined;
  bannedTracks: Set<string>;
  bannedArtists: Set<string>;
}

export function emptyListener(): ListenerEntry {
  return { tracks: new Map(), artists: new Map(), genres: new Map(), session: undefined, bannedTracks: new Set(), bannedArtists: new Set() };
}

/** The events that move the state; everything else (play_start, add_to_playlist) is ignored. */
export type StateEvent = Pick<SegueEvent, 'type' | 'listenerId' | 'ts' | 'trackId' | 'artistId' | 'sessionId' | 'skipped' | 'count'>;

/**
 * The synchronous core of the online state: maps of decayed counter rows, per listener and
 * per track, and each listener's current session. The embedded store wraps it with
 * persistence; training replays the log through a fresh one to build point-in-time features.
 */
export class StateEngine {
  readonly listeners = new Map<string, ListenerEntry>();
  readonly tracks = new Map<string, Float64Array>();
  /** Listeners changed since the last `takeDirty()`. */
  private dirty = new Set<string>();
  /** Tracks whose global counters changed since the last `takeDirtyTracks()`. */
  private dirtyTracks = new Set<string>();
  private readonly hl: { t: number; a: number; g: number; global: number };
  private readonly gapMs: number;

  constructor(readonly info: TrackInfo, readonly config: StateConfig = DEFAULT_STATE) {
    const h = config.halfLifeDays;
    for (const [k, v] of Object.entries(h)) if (!(v > 0)) throw new RangeError(`halfLifeDays.${k} must be positive, got ${v}`);
    this.hl = { t: h.listenerTrack * DAY, a: h.listenerArtist * DAY, g: h.listenerGenre * DAY, global: h.track * DAY };
    this.gapMs = config.sessionGapMinutes * 60_000;
  }

  listener(listenerId: string): ListenerEntry {
    let l = this.listeners.get(listenerId);
    if (l === undefined) {
      l = emptyListener();
      this.listeners.set(listenerId, l);
    }
    return l;
  }

  takeDirty(): string[] {
    const d = [...this.dirty];
    this.dirty.clear();
    return d;
  }

  /** Tracks whose global counters changed since the last call. */
  takeDirtyTracks(): string[] {
    const d = [...this.dirtyTracks];
    this.dirtyTracks.clear();
    return d;
  }

  apply(e: StateEvent): void {
    switch (e.type) {
      case 'play_end':
      case 'skip':
        this.play(e, skipStatus(e));
        return;
      case 'play_count':
        this.aggregate(e);
        return;
      case 'like':
      case 'save':
      case 'unlike':
        this.like(e, e.type === 'unlike' ? -1 : 1);
        return;
      case 'ban': {
        const l = this.listener(e.listenerId);
        if (e.trackId !== undefined) l.bannedTracks.add(e.trackId);
        if (e.artistId !== undefined) l.bannedArtists.add(e.artistId);
        this.dirty.add(e.listenerId);
        return;
      }
      default:
        return;
    }
  }

  private play(e: StateEvent, skipped: boolean | undefined): void {
    const trackId = e.trackId;
    if (trackId === undefined) return;
    const l = this.listener(e.listenerId);
    const artistId = e.artistId ?? this.info.artistOf(trackId);
    const slot = skipped === true ? SKIPS : skipped === false ? LISTENS : -1;
    bump(row(l.tracks, trackId), e.ts, this.hl.t, PLAYS, 1, slot);
    if (artistId !== undefined) bump(row(l.artists, artistId), e.ts, this.hl.a, PLAYS, 1, slot);
    for (const g of this.info.genresOf(trackId)) bump(row(l.genres, g), e.ts, this.hl.g, PLAYS, 1, slot);
    this.trackPlayed(trackId, e.ts, slot);
    this.dirty.add(e.listenerId);

    const s = this.sessionFor(l, e);
    if (s === undefined) return;
    s.lastTs = Math.max(s.lastTs, e.ts);
    s.plays++;
    const outcome = skipped === true ? -1 : skipped === false ? 1 : 0;
    if (outcome === -1) {
      s.skips++;
      s.skipStreak++;
      if (artistId !== undefined) s.artistSkips.set(artistId, (s.artistSkips.get(artistId) ?? 0) + 1);
    } else if (outcome === 1) {
      s.listens++;
      s.skipStreak = 0;
      if (artistId !== undefined) s.artistListens.set(artistId, (s.artistListens.get(artistId) ?? 0) + 1);
    }
    s.recent.push({ trackId, artistId: artistId ?? '', outcome, ts: e.ts });
    if (s.recent.length > this.config.recentTracks) s.recent.shift();
    if (outcome !== 0) this.moveVector(s, trackId, outcome === 1 ? this.config.sessionVector.listen : this.config.sessionVector.skip);
  }

  /**
   * A play of a track moves its global counters: plays, and listens or skips (`slot`, -1 for
   * neither). A state that keeps them elsewhere (Redis, bumped by a script) hears of it here.
   */
  protected trackPlayed(trackId: string, ts: number, slot: number): void {
    bump(row(this.tracks, trackId), ts, this.hl.global, PLAYS, 1, slot);
    this.dirtyTracks.add(trackId);
  }

  private aggregate(e: StateEvent): void {
    const n = e.count ?? 1;
    const l = this.listener(e.listenerId);
    const artistId = e.artistId ?? (e.trackId === undefined ? undefined : this.info.artistOf(e.trackId));
    if (e.trackId !== undefined) bump(row(l.tracks, e.trackId), e.ts, this.hl.t, PLAYS, n, -1);
    if (artistId !== undefined) bump(row(l.artists, artistId), e.ts, this.hl.a, PLAYS, n, -1);
    this.dirty.add(e.listenerId);
  }

  private like(e: StateEvent, sign: 1 | -1): void {
    const trackId = e.trackId;
    if (trackId === undefined) return;
    const l = this.listener(e.listenerId);
    const artistId = this.info.artistOf(trackId);
    const genres = this.info.genresOf(trackId);
    bumpFloor(row(l.tracks, trackId), e.ts, this.hl.t, sign);
    if (artistId !== undefined) bumpFloor(row(l.artists, artistId), e.ts, this.hl.a, sign);
    for (const g of genres) bumpFloor(row(l.genres, g), e.ts, this.hl.g, sign);
    this.dirty.add(e.listenerId);
    const s = this.sessionFor(l, e);
    if (s === undefined || sign < 0) return;
    s.likes++;
    s.lastTs = Math.max(s.lastTs, e.ts);
    for (const g of genres) s.genreLikes.set(g, (s.genreLikes.get(g) ?? 0) + 1);
    this.moveVector(s, trackId, this.config.sessionVector.like);
  }

  /** The session an event belongs to, opening a new one when it starts one; undefined for a late event. */
  private sessionFor(l: ListenerEntry, e: StateEvent): SessionState | undefined {
    const s = l.session;
    if (s !== undefined) {
      const step = e.sessionId !== undefined ? (e.sessionId === s.id ? 'join' : e.ts < s.startTs ? 'late' : 'new') : sessionStep({ id: s.id, start: s.startTs, lastTs: s.lastTs }, e.ts, this.gapMs);
      if (step === 'join') return s;
      if (step === 'late') return undefined; // an out-of-order event of an older session
    }
    const fresh: SessionState = {
      id: e.sessionId ?? sessionId(e.listenerId, e.ts), startTs: e.ts, lastTs: e.ts,
      plays: 0, skips: 0, listens: 0, likes: 0, skipStreak: 0, recent: [],
      artistSkips: new Map(), artistListens: new Map(), genreLikes: new Map(),
    };
    l.session = fresh;
    return fresh;
  }

  private moveVector(s: SessionState, trackId: string, weight: number): void {
    const v = this.info.embed?.(trackId);
    if (v === undefined) return;
    if (s.vector === undefined) s.vector = new Float32Array(v.length);
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
    const w = norm > 0 ? weight / Math.sqrt(norm) : 0;
    const out = s.vector;
    for (let i = 0; i < v.length; i++) out[i]! += w * v[i]!;
  }

  /** A read view of one listener (an empty one when the listener is unknown). */
  view(listenerId: string): StateView {
    return this.viewOf(listenerId, this.listeners.get(listenerId) ?? emptyListener());
  }

  /** A read view of a listener entry held elsewhere (read from Redis for one request), with this engine's track counters. */
  viewOf(listenerId: string, l: ListenerEntry): StateView {
    const hl = this.hl;
    const tracks = this.tracks;
    const gap = this.gapMs;
    return {
      listenerId,
      countersInto(kind: CounterKind, key: string, now: number, out: Float64Array | Float32Array, offset: number): void {
        // Called for every candidate's track, artist, genres and global row: no array per call.
        if (kind === 'track') readInto(l.tracks.get(key), now, hl.t, out, offset);
        else if (kind === 'artist') readInto(l.artists.get(key), now, hl.a, out, offset);
        else if (kind === 'genre') readInto(l.genres.get(key), now, hl.g, out, offset);
        else readInto(tracks.get(key), now, hl.global, out, offset);
      },
      session(now: number): SessionState | undefined {
        const s = l.session;
        return s !== undefined && !startsSession(s.lastTs, now, gap) ? s : undefined;
      },
      banned(trackId: string, artistId: string | undefined): boolean {
        return l.bannedTracks.has(trackId) || (artistId !== undefined && l.bannedArtists.has(artistId));
      },
      touchedSince(since: number): Map<string, number> {
        const out = new Map<string, number>();
        for (const [key, r] of l.tracks) if (r[TS]! >= since) out.set(key, r[TS]!);
        return out;
      },
      top(kind: 'track' | 'artist' | 'genre', now: number, k: number): Array<{ key: string; plays: number; likes: number }> {
        const [map, h] = kind === 'track' ? [l.tracks, hl.t] : kind === 'artist' ? [l.artists, hl.a] : [l.genres, hl.g];
        const out = new Float64Array(4);
        const keys: string[] = [];
        const plays: number[] = [], likes: number[] = [];
        for (const [key, r] of map) {
          readInto(r, now, h, out, 0);
          if (out[PLAYS]! > 0 || out[LIKES]! > 0) {
            keys.push(key);
            plays.push(out[PLAYS]!);
            likes.push(out[LIKES]!);
          }
        }
        // Only what can make the top k is sorted: the rows at or above the k-th largest score.
        const n = keys.length;
        let cut = -Infinity;
        if (k < n) {
          const scores = new Float64Array(n);
          for (let j = 0; j < n; j++) scores[j] = plays[j]! + likes[j]!;
          cut = scores.sort()[n - Math.max(1, k)]!;
        }
        const all: Array<{ key: string; plays: number; likes: number }> = [];
        for (let j = 0; j < n; j++) if (plays[j]! + likes[j]! >= cut) all.push({ key: keys[j]!, plays: plays[j]!, likes: likes[j]! });
        return all.sort((a, b) => b.plays + b.likes - (a.plays + a.likes) || (a.key < b.key ? -1 : 1)).slice(0, k);
      },
    };
  }
}

function row(map: Map<string, Float64Array>, key: string): Float64Array {
  let r = map.get(key);
  if (r === undefined) {
    r = new Float64Array(ROW);
    r[TS] = -Infinity;
    map.set(key, r);
  }
  return r;
}

/** Decay a row to `ts` (or the increment back to the row's time, for a late event), then add. */
function bump(r: Float64Array, ts: number, halfLife: number, a: number, inc: number, b: number): void {
  let f = 1;
  if (ts >= r[TS]!) {
    if (r[TS] !== -Infinity) {
      const d = Math.pow(2, -(ts - r[TS]!) / halfLife);
      r[0]! *= d; r[1]! *= d; r[2]! *= d; r[3]! *= d;
    }
    r[TS] = ts;
  } else {
    f = Math.pow(2, -(r[TS]! - ts) / halfLife);
  }
  r[a]! += inc * f;
  if (b >= 0) r[b]! += f;
}

function bumpFloor(r: Float64Array, ts: number, halfLife: number, sign: 1 | -1): void {
  bump(r, ts, halfLife, LIKES, sign, -1);
  if (r[LIKES]! < 0) r[LIKES] = 0;
}

function readInto(r: Float64Array | undefined, now: number, halfLife: number, out: Float64Array | Float32Array, o: number): void {
  if (r === undefined) {
    out[o] = 0; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0;
    return;
  }
  const d = now > r[TS]! ? Math.pow(2, -(now - r[TS]!) / halfLife) : 1;
  out[o] = r[0]! * d; out[o + 1] = r[1]! * d; out[o + 2] = r[2]! * d; out[o + 3] = r[3]! * d;
}
