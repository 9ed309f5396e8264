import { EVENT_TYPE_CODE } from '../domain/index.js';
import { Rng, deriveSeed } from '../math/index.js';
import { buildWorld, sampleSmall, SESSION_KINDS, type World } from './world.js';
import { DEFAULT_SESSIONS, type SessionParams, type WorldParams } from './params.js';
import { ListenerState } from './state.js';
import { behaviourParams, Ctx, End, respond, Responses, startSession, type BehaviourParams } from './behaviour.js';
import { Chooser } from './choices.js';
import { EventBuffer, LIBRARY_CONTEXT, Start, type EventBatch } from './events.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

export interface SimulateOptions {
  /** The world to simulate; built from worldParams (plus listeners, tracks, startMs) and seed when absent. */
  world?: World;
  worldParams?: Partial<WorldParams>;
  /** Shorthand for worldParams.listeners. */
  listeners?: number;
  /** Shorthand for worldParams.tracks. */
  tracks?: number;
  /** Days to simulate. Default 14. */
  days?: number;
  /** Default 42. */
  seed?: number;
  /**
   * First simulated day (YYYY-MM-DD or epoch ms, at 00:00 UTC). Default: the world's startMs.
   * With a prebuilt world, keep it at or after the world's startMs (releases precede it).
   */
  startDate?: string | number;
  behaviour?: Partial<BehaviourParams>;
  sessions?: Partial<SessionParams>;
  /** Events per batch. Default 5000. */
  batchSize?: number;
}

/** Running totals of a simulation, updated as batches are generated. */
export interface SimStats {
  /** Days fully generated. */
  days: number;
  activeListeners: number;
  sessions: number;
  events: number;
  plays: number;
  skips: number;
  /** Sum of the model's skip probabilities over plays: the expected number of skips. */
  expectedSkips: number;
  likes: number;
  saves: number;
  bans: number;
  addsToPlaylist: number;
  msPlayed: number;
  emergingPlays: number;
  podcastPlays: number;
  /** Plays of a track the listener had played before (in the simulation or their prior history). */
  repeatPlays: number;
  /** Plays per context type, by Ctx code. */
  contextPlays: Float64Array;
  /** Plays per track. */
  trackPlays: Int32Array;
  /** Sessions by number of tracks played; the last bucket holds that many or more. */
  sessionLengths: Int32Array;
}

function parseStart(v: string | number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`startDate must be a date, got ${v}`);
    return v;
  }
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`startDate must be YYYY-MM-DD, got ${JSON.stringify(v)}`);
  return ms;
}

/** Modes of proposing the next tracks within a session. */
const Mode = { Album: 0, Playlist: 1, Radio: 2, Search: 3, Library: 4, Podcast: 5, Autoplay: 6 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];
const KIND_MODE: readonly Mode[] = [Mode.Album, Mode.Playlist, Mode.Radio, Mode.Search, Mode.Library];
const MODE_CTX = [Ctx.album, Ctx.playlist, Ctx.radio, Ctx.search, Ctx.other, Ctx.album, Ctx.autoplay];

/**
 * Organic listening in a world, day by day: each listener has sessions by activity and
 * daily rhythm; each session picks a context (an album in order, an editorial genre
 * playlist, radio from a seed, search, the own library, a podcast show), the behaviour
 * model decides the responses, and the result comes out as event batches. Deterministic for
 * a seed, and each listener's day has its own derived stream. Iterate it (sync or async) to
 * get the batches; `stats` fills in as it goes. Iterate once.
 *
 * Events come day by day and, within a day, listener by listener: in time order per
 * listener, not globally (sort by ts if a consumer needs that). Memory holds the world, one
 * ListenerState per active listener and one batch, however many events are generated.
 *
 * @example
 *   const sim = simulate({ listeners: 300, tracks: 5000, days: 7, seed: 42 });
 *   for (const batch of sim) writeSomewhere(toNdjson(batch));
 *   sim.stats.skips / sim.stats.plays;
 */
export function simulate(opts: SimulateOptions = {}): Simulation {
  return new Simulation(opts);
}

export class Simulation implements Iterable<EventBatch>, AsyncIterable<EventBatch> {
  readonly world: World;
  readonly seed: number;
  readonly days: number;
  readonly startMs: number;
  readonly batchSize: number;
  readonly behaviour: BehaviourParams;
  readonly sessionParams: SessionParams;
  readonly stats: SimStats;
  private readonly states: (ListenerState | undefined)[];
  private readonly buf = new EventBuffer(16_384);
  private readonly chunk: Int32Array;
  private readonly pos: Int32Array;
  private readonly resp: Responses;
  private order = new Int32Array(64);
  private readonly initRng = new Rng(0);
  private readonly choose: Chooser;
  private started = false;

  constructor(opts: SimulateOptions) {
    this.seed = (opts.seed ?? 42) >>> 0;
    if (opts.world !== undefined) {
      this.world = opts.world;
    } else {
      const wp: Partial<WorldParams> = { ...opts.worldParams };
      if (opts.listeners !== undefined) wp.listeners = opts.listeners;
      if (opts.tracks !== undefined) wp.tracks = opts.tracks;
      if (opts.startDate !== undefined) wp.startMs = parseStart(opts.startDate, 0);
      this.world = buildWorld(wp, this.seed);
    }
    this.startMs = parseStart(opts.startDate, this.world.params.startMs);
    this.days = opts.days ?? 14;
    if (!Number.isInteger(this.days) || this.days < 0 || this.days > 36_500) throw new RangeError(`days must be an integer from 0 to 36500, got ${this.days}`);
    this.batchSize = opts.batchSize ?? 5000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    this.behaviour = behaviourParams(opts.behaviour);
    this.sessionParams = { ...DEFAULT_SESSIONS, ...opts.sessions };
    for (const [k, v] of Object.entries(this.sessionParams)) if (!Number.isFinite(v) || v < 0) throw new RangeError(`sessions.${k} must be a finite number >= 0, got ${v}`);
    if (this.sessionParams.chunk < 1 || this.sessionParams.candidates < 1 || this.sessionParams.radioCandidates < 1) throw new RangeError('sessions.chunk, candidates and radioCandidates must be >= 1');
    const w = this.world;
    this.states = new Array<ListenerState | undefined>(w.listeners.count);
    const chunk = Math.floor(this.sessionParams.chunk);
    this.chunk = new Int32Array(chunk);
    this.pos = new Int32Array(chunk);
    this.resp = new Responses(chunk);
    this.choose = new Chooser(w, this.sessionParams, this.behaviour);
    this.stats = {
      days: 0, activeListeners: 0, sessions: 0, events: 0, plays: 0, skips: 0, expectedSkips: 0,
      likes: 0, saves: 0, bans: 0, addsToPlaylist: 0, msPlayed: 0, emergingPlays: 0, podcastPlays: 0, repeatPlays: 0,
      contextPlays: new Float64Array(7),
      trackPlays: new Int32Array(w.tracks),
      sessionLengths: new Int32Array(201),
    };
  }

  /** A listener's state (created with their prior history on first use). */
  state(l: number): ListenerState {
    let s = this.states[l];
    if (s === undefined) {
      s = this.initState(l);
      this.states[l] = s;
      this.stats.activeListeners++;
    }
    return s;
  }

  [Symbol.iterator](): Iterator<EventBatch> {
    if (this.started) throw new Error('simulate: a Simulation can be iterated once');
    this.started = true;
    return this.run();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EventBatch> {
    for (const b of this) yield b;
  }

  private *run(): Generator<EventBatch> {
    const w = this.world;
    const L = w.listeners;
    const sp = this.sessionParams;
    const rng = new Rng(0);
    const starts = new Float64Array(64);
    for (let day = 0; day < this.days; day++) {
      const dayStart = this.startMs + day * DAY;
      const dow = new Date(dayStart).getUTCDay();
      const weekend = dow === 0 || dow === 6;
      for (let l = 0; l < L.count; l++) {
        rng.reseed(deriveSeed(this.seed, 'day', day, l));
        const n = Math.min(starts.length, rng.poisson(L.activity[l]! * (weekend ? sp.weekendActivity : 1)));
        if (n === 0) continue;
        const state = this.state(l);
        for (let k = 0; k < n; k++) {
          const peak = rng.next() < L.peakWeight[l]! ? L.peakHours[2 * l]! : L.peakHours[2 * l + 1]!;
          let h = peak + (weekend ? sp.weekendShiftHours : 0) + L.hourSpread[l]! * rng.normal();
          h = ((h % 24) + 24) % 24;
          starts[k] = dayStart + Math.round((h * 60 - L.utcOffset[l]!) * MINUTE + rng.next() * MINUTE);
        }
        starts.subarray(0, n).sort();
        // A listener's day ends at 02:00 local the next morning: sessions pushed past it by
        // earlier long ones are dropped, so heavy listeners do not drift into later days.
        const dayEnd = dayStart + DAY + (2 * 60 - L.utcOffset[l]!) * MINUTE;
        for (let k = 0; k < n; k++) {
          let start = starts[k]!;
          if (start < state.lastSessionEndMs + sp.minGapMs) start = state.lastSessionEndMs + sp.minGapMs + Math.round(rng.next() * 20 * MINUTE);
          if (start > dayEnd) break;
          this.session(l, state, start, rng);
        }
        while (this.buf.length >= this.batchSize) yield this.emit(this.buf.take(this.batchSize));
      }
      this.stats.days = day + 1;
    }
    while (this.buf.length > 0) yield this.emit(this.buf.take(this.batchSize));
  }

  private emit(b: EventBatch): EventBatch {
    b.first = this.stats.events;
    this.stats.events += b.length;
    return b;
  }

  /** A new listener's state, with a library and plays from before the simulation. */
  private initState(l: number): ListenerState {
    const w = this.world;
    const rng = this.initRng.reseed(deriveSeed(this.seed, 'history', l));
    const size = Math.min(2000, Math.round(rng.lognormal(Math.log(Math.max(1, w.params.librarySize)), 0.8) * (w.params.librarySize > 0 ? 1 : 0)));
    // Room for the library and a few days of new tracks; the tables grow beyond that.
    const s = new ListenerState(l, this.startMs, this.behaviour.fatigueHalfLifeDays, size + 6 * w.listeners.activity[l]! * Math.min(this.days, 7));
    this.choose.priorHistory(l, s, size, rng);
    return s;
  }

  /** One session: choose a context, propose tracks chunk by chunk, record the responses as events. */
  private session(l: number, state: ListenerState, startMs: number, rng: Rng): void {
    const w = this.world;
    const L = w.listeners;
    const sp = this.sessionParams;
    const bp = this.behaviour;
    const K = SESSION_KINDS.length;
    let mode: Mode;
    if (state.nShows > 0 && rng.next() < L.podcastShare[l]!) mode = Mode.Podcast;
    else mode = KIND_MODE[sampleSmall(L.sessionMix, l * K, K, rng)]!;
    if (mode === Mode.Library && state.librarySize < sp.minLibrary) mode = Mode.Playlist;
    if (mode === Mode.Playlist && w.playlists === 0) mode = Mode.Radio;
    const ctx = startSession(w, l, startMs, MODE_CTX[mode]!, rng, bp);
    const sessionNo = ++state.sessions;
    let cid = -1;
    let cursor = 0;
    let lo = 0;
    let hi = 0;
    let seed = -1;
    let shuffle = 0;
    let startReason: number = Start.playbtn;
    switch (mode) {
      case Mode.Album: {
        const t0 = this.choose.pick(l, state, rng);
        cid = w.trackAlbum[t0]!;
        lo = w.albumStart[cid]!;
        hi = w.albumStart[cid + 1]!;
        cursor = rng.next() < sp.albumFromStart ? lo : t0;
        startReason = rng.next() < 0.5 ? Start.clickrow : Start.playbtn;
        break;
      }
      case Mode.Playlist: {
        const G = w.musicGenres;
        let g = sampleSmall(L.genrePref, l * G, G, rng);
        for (let tries = 0; tries < 5 && w.playlistOfGenre[g]! < 0; tries++) g = sampleSmall(L.genrePref, l * G, G, rng);
        cid = w.playlistOfGenre[g]! >= 0 ? w.playlistOfGenre[g]! + rng.int(w.params.playlistsPerGenre) : rng.int(w.playlists);
        lo = w.playlistStart[cid]!;
        hi = w.playlistStart[cid + 1]!;
        const n = hi - lo;
        if (this.order.length < n) this.order = new Int32Array(n);
        for (let i = 0; i < n; i++) this.order[i] = i;
        if (rng.next() < sp.playlistShuffle) {
          shuffle = 1;
          rng.shuffle(this.order, n);
        }
        startReason = rng.next() < 0.5 ? Start.clickrow : Start.playbtn;
        break;
      }
      case Mode.Radio:
        seed = state.librarySize > 0 && rng.next() < sp.radioFromLibrary ? this.choose.fromLibrary(state, rng, this.chunk, 0) : this.choose.pick(l, state, rng);
        cid = seed;
        break;
      case Mode.Search:
        startReason = Start.clickrow;
        break;
      case Mode.Library:
        cid = LIBRARY_CONTEXT;
        shuffle = 1;
        break;
      case Mode.Podcast:
        cid = w.artistAlbumStart[state.shows[0]!]!;
        break;
      case Mode.Autoplay:
        // Never a session's first mode: autoplay takes over after a search (below).
        break;
    }
    const chunk = this.chunk;
    const pos = this.pos;
    const cap = chunk.length;
    while (!ctx.ended && ctx.position < sp.maxSessionTracks) {
      let k = 0;
      switch (mode) {
        case Mode.Album:
          while (k < cap && cursor < hi) {
            const t = cursor++;
            if (this.choose.blocked(l, state, t)) continue;
            chunk[k] = t;
            pos[k++] = t - lo;
          }
          break;
        case Mode.Playlist:
          while (k < cap && cursor < hi - lo) {
            const ix = this.order[cursor++]!;
            const t = w.playlistTracks[lo + ix]!;
            if (this.choose.blocked(l, state, t)) continue;
            chunk[k] = t;
            pos[k++] = ix;
          }
          break;
        case Mode.Radio:
        case Mode.Autoplay:
          if (cursor === 0 && mode === Mode.Radio) {
            chunk[k] = seed;
            pos[k++] = cursor++;
          }
          while (k < cap) {
            chunk[k] = this.choose.radioNext(l, state, k > 0 ? chunk[k - 1]! : ctx.prevTrack, seed, chunk, k, rng);
            pos[k++] = cursor++;
          }
          break;
        case Mode.Search:
          if (cursor === 0 || rng.next() < sp.searchAgain) {
            chunk[k] = rng.next() < sp.searchPopular ? this.choose.popular(l, state, rng) : this.choose.pick(l, state, rng);
            pos[k++] = 0;
            cursor++;
            startReason = Start.clickrow;
          }
          break;
        case Mode.Library:
          while (k < cap) {
            chunk[k] = this.choose.fromLibrary(state, rng, chunk, k);
            pos[k++] = cursor++;
          }
          break;
        case Mode.Podcast: {
          const t = this.choose.episode(state, rng);
          cid = w.trackAlbum[t]!;
          chunk[k] = t;
          pos[k++] = t - w.albumStart[cid]!;
          break;
        }
      }
      if (k === 0) {
        // The context ran out: autoplay continues from the last track (or, if nothing
        // could be played, the listener starts a radio of their own).
        if (ctx.prevTrack >= 0) {
          seed = ctx.prevTrack;
          mode = Mode.Autoplay;
        } else {
          seed = this.choose.pick(l, state, rng);
          mode = Mode.Radio;
        }
        ctx.context = MODE_CTX[mode]!;
        cid = seed;
        cursor = 0;
        shuffle = 0;
        continue;
      }
      const r = respond(w, state, chunk.subarray(0, k), ctx, rng, bp, this.resp);
      startReason = this.record(l, state, sessionNo, r, MODE_CTX[mode]!, cid, shuffle, startReason);
    }
    state.lastSessionEndMs = ctx.clockMs;
    this.stats.sessions++;
    this.stats.sessionLengths[Math.min(ctx.position, this.stats.sessionLengths.length - 1)]!++;
  }

  /** Append the events of responded positions; returns the start reason of the next track. */
  private record(l: number, state: ListenerState, sessionNo: number, r: Responses, ctxType: number, cid: number, shuffle: number, startReason: number): number {
    const w = this.world;
    const buf = this.buf;
    const st = this.stats;
    for (let i = 0; i < r.n; i++) {
      const t = this.chunk[i]!;
      const ts = r.startMs[i]! + r.msPlayed[i]!;
      let e = buf.add();
      let c = buf.columns;
      c.type[e] = EVENT_TYPE_CODE.play_end;
      c.listener[e] = l;
      c.track[e] = t;
      c.ts[e] = ts;
      c.msPlayed[e] = r.msPlayed[i]!;
      c.endReason[e] = r.endReason[i]!;
      c.startReason[e] = startReason;
      c.skipped[e] = r.skipped[i]!;
      c.shuffle[e] = shuffle;
      c.session[e] = sessionNo;
      c.eventNo[e] = state.events++;
      c.contextType[e] = ctxType;
      c.contextId[e] = cid;
      c.position[e] = this.pos[i]!;
      startReason = r.endReason[i] === End.fwdbtn ? Start.fwdbtn : Start.trackdone;
      st.plays++;
      st.skips += r.skipped[i]!;
      st.expectedSkips += r.pSkip[i]!;
      st.msPlayed += r.msPlayed[i]!;
      st.trackPlays[t]!++;
      st.contextPlays[ctxType]!++;
      if (w.podcast[t] === 1) st.podcastPlays++;
      if (w.artistEmerging[w.trackArtist[t]!] === 1) st.emergingPlays++;
      if (state.trackPlays(t) > 1) st.repeatPlays++;
      const reactions = r.liked[i]! | (r.saved[i]! << 1) | (r.addedToPlaylist[i]! << 2) | (r.banned[i]! > 0 ? 8 : 0);
      if (reactions === 0) continue;
      for (let bit = 1; bit <= 8; bit <<= 1) {
        if ((reactions & bit) === 0) continue;
        const src = e;
        e = buf.add();
        c = buf.columns;
        c.listener[e] = l;
        c.ts[e] = ts;
        c.session[e] = sessionNo;
        c.eventNo[e] = state.events++;
        c.contextType[e] = ctxType;
        c.contextId[e] = cid;
        c.position[e] = c.position[src]!;
        c.track[e] = t;
        if (bit === 1) {
          c.type[e] = EVENT_TYPE_CODE.like;
          st.likes++;
        } else if (bit === 2) {
          c.type[e] = EVENT_TYPE_CODE.save;
          st.saves++;
        } else if (bit === 4) {
          c.type[e] = EVENT_TYPE_CODE.add_to_playlist;
          // One of the listener's own one to three playlists.
          c.playlistNo[e] = c.eventNo[e]! % (1 + (deriveSeed(this.seed, 'playlists', l) % 3));
          st.addsToPlaylist++;
        } else {
          c.type[e] = EVENT_TYPE_CODE.ban;
          if (r.banned[i] === 2) {
            c.track[e] = -1;
            c.artist[e] = w.trackArtist[t]!;
          }
          st.bans++;
        }
      }
    }
    return startReason;
  }
}
