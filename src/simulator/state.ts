/**
 * What a simulated listener remembers: how often and how recently each track and artist
 * was played, the recent history, the library (liked, saved, played through often), bans,
 * followed podcast shows, and counters for ids. It evolves with every response, so a closed
 * loop (serve, respond, serve again) sees familiarity and fatigue build up.
 *
 * Per-track memory is an open-addressing hash table over typed arrays (linear probing,
 * load at most 0.7, doubling), not a Map: a listener with a few hundred tracks costs a few KB.
 */

const EMPTY = -1;
/** Largest share of occupied slots before a table doubles (linear probing stays short below it). */
const MAX_LOAD = 0.7;
/** Recent plays remembered; a power of two (the ring index wraps with a mask). */
const HISTORY = 64;
const DAY = 86_400_000;

/** Track flags. */
export const LIKED = 1;
export const SAVED = 2;
export const IN_LIBRARY = 4;
export const BANNED = 8;

function hashIx(ix: number, mask: number): number {
  return (Math.imul(ix, 0x9e3779b1) >>> 7) & mask;
}

export class ListenerState {
  /** Sessions started (ids: `<listener>:s<n>`). */
  sessions = 0;
  /** Events emitted (ids: `sim:<ts>:<listener>:<n>`). */
  events = 0;
  plays = 0;
  skips = 0;
  /** End of the last session, epoch ms (-Infinity before the first). */
  lastSessionEndMs = -Infinity;

  private tKeys: Int32Array;
  private tPlays: Uint16Array;
  private tHeat: Float32Array;
  /** Last play, in days since `originMs`. */
  private tLast: Float32Array;
  private tFlags: Uint8Array;
  private tCount = 0;
  private aKeys: Int32Array;
  private aPlays: Uint32Array;
  private aCount = 0;
  private readonly hist = new Int32Array(HISTORY);
  private histLen = 0;
  private histPos = 0;
  /** Library tracks (liked, saved, or played through a few times), in the order they joined. */
  library = new Int32Array(16);
  librarySize = 0;
  private bannedArtists = new Int32Array(4);
  private nBannedArtists = 0;
  /** Followed podcast shows (artist ixs). */
  shows = new Int32Array(4);
  nShows = 0;

  /**
   * @param listener the listener's ix in the world
   * @param originMs time origin of the decay clock (the world's start date)
   * @param fatigueHalfLifeDays half-life of a play's contribution to fatigue (heat)
   * @param expectedTracks distinct tracks to make room for (the tables grow beyond it)
   */
  constructor(
    readonly listener: number,
    readonly originMs: number,
    readonly fatigueHalfLifeDays = 2,
    expectedTracks = 32,
  ) {
    let cap = 32;
    while (cap * MAX_LOAD < expectedTracks + 1) cap *= 2;
    this.tKeys = new Int32Array(cap).fill(EMPTY);
    this.tPlays = new Uint16Array(cap);
    this.tHeat = new Float32Array(cap);
    this.tLast = new Float32Array(cap);
    this.tFlags = new Uint8Array(cap);
    this.aKeys = new Int32Array(Math.max(16, cap >> 2)).fill(EMPTY);
    this.aPlays = new Uint32Array(this.aKeys.length);
  }

  /** An independent copy (every table copied): a what-if run leaves the original untouched. */
  clone(): ListenerState {
    const c = Object.create(ListenerState.prototype) as ListenerState;
    for (const [k, v] of Object.entries(this)) (c as unknown as Record<string, unknown>)[k] = ArrayBuffer.isView(v) ? (v as Uint8Array).slice() : v;
    return c;
  }

  /** Distinct tracks the listener has met. */
  get distinctTracks(): number {
    return this.tCount;
  }

  private findTrack(t: number): number {
    const mask = this.tKeys.length - 1;
    let i = hashIx(t, mask);
    for (;;) {
      const k = this.tKeys[i]!;
      if (k === t) return i;
      if (k === EMPTY) return -1 - i;
      i = (i + 1) & mask;
    }
  }

  private slotTrack(t: number): number {
    const f = this.findTrack(t);
    if (f >= 0) return f;
    if (this.tCount + 1 > this.tKeys.length * MAX_LOAD) {
      this.growTracks();
      return this.slotTrack(t);
    }
    const i = -1 - f;
    this.tKeys[i] = t;
    this.tCount++;
    return i;
  }

  private growTracks(): void {
    const { tKeys, tPlays, tHeat, tLast, tFlags } = this;
    const n = tKeys.length * 2;
    this.tKeys = new Int32Array(n).fill(EMPTY);
    this.tPlays = new Uint16Array(n);
    this.tHeat = new Float32Array(n);
    this.tLast = new Float32Array(n);
    this.tFlags = new Uint8Array(n);
    const mask = n - 1;
    for (let j = 0; j < tKeys.length; j++) {
      const k = tKeys[j]!;
      if (k === EMPTY) continue;
      let i = hashIx(k, mask);
      while (this.tKeys[i] !== EMPTY) i = (i + 1) & mask;
      this.tKeys[i] = k;
      this.tPlays[i] = tPlays[j]!;
      this.tHeat[i] = tHeat[j]!;
      this.tLast[i] = tLast[j]!;
      this.tFlags[i] = tFlags[j]!;
    }
  }

  private findArtist(a: number): number {
    const mask = this.aKeys.length - 1;
    let i = hashIx(a, mask);
    for (;;) {
      const k = this.aKeys[i]!;
      if (k === a) return i;
      if (k === EMPTY) return -1 - i;
      i = (i + 1) & mask;
    }
  }

  private addArtistPlays(a: number, n: number): void {
    let f = this.findArtist(a);
    if (f < 0) {
      if (this.aCount + 1 > this.aKeys.length * MAX_LOAD) {
        const { aKeys, aPlays } = this;
        this.aKeys = new Int32Array(aKeys.length * 2).fill(EMPTY);
        this.aPlays = new Uint32Array(aKeys.length * 2);
        const mask = this.aKeys.length - 1;
        for (let j = 0; j < aKeys.length; j++) {
          if (aKeys[j] === EMPTY) continue;
          let i = hashIx(aKeys[j]!, mask);
          while (this.aKeys[i] !== EMPTY) i = (i + 1) & mask;
          this.aKeys[i] = aKeys[j]!;
          this.aPlays[i] = aPlays[j]!;
        }
        f = this.findArtist(a);
      }
      f = -1 - f;
      this.aKeys[f] = a;
      this.aCount++;
    }
    this.aPlays[f] = this.aPlays[f]! + n;
  }

  /** Times the track was played (skipped or not). */
  trackPlays(t: number): number {
    const i = this.findTrack(t);
    return i < 0 ? 0 : this.tPlays[i]!;
  }

  /** Times any track of the artist was played. */
  artistPlays(a: number): number {
    const i = this.findArtist(a);
    return i < 0 ? 0 : this.aPlays[i]!;
  }

  /**
   * Recent exposure to the track: each play adds 1, decaying with the fatigue half-life.
   * Fatigue in the behaviour model grows with this.
   */
  trackHeat(t: number, nowMs: number): number {
    const i = this.findTrack(t);
    if (i < 0) return 0;
    const days = (nowMs - this.originMs) / DAY - this.tLast[i]!;
    return this.tHeat[i]! * Math.pow(0.5, Math.max(0, days) / this.fatigueHalfLifeDays);
  }

  flags(t: number): number {
    const i = this.findTrack(t);
    return i < 0 ? 0 : this.tFlags[i]!;
  }

  isBanned(t: number, artist: number): boolean {
    if ((this.flags(t) & BANNED) !== 0) return true;
    for (let i = 0; i < this.nBannedArtists; i++) if (this.bannedArtists[i] === artist) return true;
    return false;
  }

  /**
   * Remember a play. `heat` is how much it adds to recent exposure (1 for a play; a play
   * from before the simulation can add 0). Tracks played through `libraryAfter` times join
   * the library.
   */
  recordPlay(t: number, artist: number, nowMs: number, skipped: boolean, heat = 1, libraryAfter = 3): void {
    const i = this.slotTrack(t);
    const day = (nowMs - this.originMs) / DAY;
    const decayed = this.tHeat[i]! * Math.pow(0.5, Math.max(0, day - this.tLast[i]!) / this.fatigueHalfLifeDays);
    this.tHeat[i] = decayed + heat;
    this.tLast[i] = day;
    if (this.tPlays[i]! < 65535) this.tPlays[i]!++;
    this.addArtistPlays(artist, 1);
    this.hist[this.histPos] = t;
    this.histPos = (this.histPos + 1) & (HISTORY - 1);
    if (this.histLen < HISTORY) this.histLen++;
    this.plays++;
    if (skipped) this.skips++;
    else if (this.tPlays[i]! >= libraryAfter) this.addToLibrary(t);
  }

  /**
   * Remember plays from before the simulation: they count for familiarity but not for
   * fatigue, and the track joins the library.
   */
  remember(t: number, artist: number, plays: number): void {
    const i = this.slotTrack(t);
    this.tPlays[i] = Math.min(65535, this.tPlays[i]! + plays);
    this.addArtistPlays(artist, plays);
    this.addToLibrary(t);
  }

  /** Whether the track is among the last `n` (at most 64) tracks played. */
  playedRecently(t: number, n: number): boolean {
    const m = Math.min(n, this.histLen);
    for (let k = 1; k <= m; k++) if (this.hist[(this.histPos - k) & (HISTORY - 1)] === t) return true;
    return false;
  }

  /** The track played `k` plays ago (1 = last), or -1. */
  recent(k: number): number {
    if (k < 1 || k > this.histLen) return -1;
    return this.hist[(this.histPos - k) & (HISTORY - 1)]!;
  }

  addToLibrary(t: number): void {
    const i = this.slotTrack(t);
    if ((this.tFlags[i]! & IN_LIBRARY) !== 0) return;
    this.tFlags[i]! |= IN_LIBRARY;
    if (this.librarySize === this.library.length) {
      const next = new Int32Array(this.library.length * 2);
      next.set(this.library);
      this.library = next;
    }
    this.library[this.librarySize++] = t;
  }

  like(t: number): void {
    this.tFlags[this.slotTrack(t)]! |= LIKED;
    this.addToLibrary(t);
  }

  save(t: number): void {
    this.tFlags[this.slotTrack(t)]! |= SAVED;
    this.addToLibrary(t);
  }

  banTrack(t: number): void {
    this.tFlags[this.slotTrack(t)]! |= BANNED;
  }

  banArtist(a: number): void {
    if (this.nBannedArtists === this.bannedArtists.length) {
      const next = new Int32Array(this.bannedArtists.length * 2);
      next.set(this.bannedArtists);
      this.bannedArtists = next;
    }
    this.bannedArtists[this.nBannedArtists++] = a;
  }

  follow(show: number): void {
    for (let i = 0; i < this.nShows; i++) if (this.shows[i] === show) return;
    if (this.nShows === this.shows.length) {
      const next = new Int32Array(this.shows.length * 2);
      next.set(this.shows);
      this.shows = next;
    }
    this.shows[this.nShows++] = show;
  }
}
