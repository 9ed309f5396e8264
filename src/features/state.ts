import { DEFAULT_SESSION_GAP_MINUTES, type SegueEvent } from '../domain/index.js';

/**
 * Online listener, track and session state, updated per event as it is accepted (see
 * DESIGN.md "Real time"). Serving reads it only through this interface: the embedded
 * implementation (features/embedded.ts) keeps it in memory and persists it in the store's
 * listener state; a Redis one stands behind the same interface for stateless nodes.
 * `openOnlineState` builds one; `Recommender.open` takes the one it is given.
 */
export interface OnlineState {
  /** Fold accepted events into the state, in the order given. */
  apply(events: readonly SegueEvent[]): Promise<void>;
  /** A read view of one listener's state (and the global track state), as of now. */
  view(listenerId: string): Promise<StateView>;
  /** Make everything applied so far durable. */
  flush(): Promise<void>;
  /**
   * Fold what the store's event log holds past what this state has applied, in log order,
   * each event once, and return how many were folded. `flush: false` keeps the fold in
   * memory for a caller that flushes on its own schedule. A state that others fold (workers
   * consuming a bus) folds nothing here and returns 0.
   */
  catchUp(opts?: { flush?: boolean; onProgress?: (events: number) => void }): Promise<number>;
  /** Whether the log holds events this state has not applied: cheap, asked before each read. */
  behind(): Promise<boolean>;
  /** Where radio stations' served pages are kept, when this state keeps them (Redis); absent: the store's listener state. */
  readonly stations?: StationStore;
}

/** The pages a station served a listener, each entry with its time; a day of them is kept. */
export interface StationStore {
  read(listenerId: string, key: string): Promise<Array<{ ts: number }>>;
  /** Append entries (atomically: pages served at once by several nodes all stay). */
  append(listenerId: string, key: string, entries: ReadonlyArray<{ ts: number }>): Promise<void>;
}

/** Slots of a counter row. Counters decay exponentially with a half-life per kind. */
export const PLAYS = 0;
export const LISTENS = 1;
export const SKIPS = 2;
export const LIKES = 3;
/** Number of counter slots written by `countersInto`. */
export const COUNTER_SLOTS = 4;

export type CounterKind = 'track' | 'artist' | 'genre' | 'global';

/** Half-lives in days of each counter kind, and how the session state moves. */
export interface StateConfig {
  halfLifeDays: { listenerTrack: number; listenerArtist: number; listenerGenre: number; track: number };
  /** A gap longer than this starts a new session, for events without a sessionId. */
  sessionGapMinutes: number;
  /** Recent tracks kept per session. */
  recentTracks: number;
  /** How far the session vector moves toward (positive) or away from (negative) a track. */
  sessionVector: { listen: number; like: number; skip: number };
}

export const DEFAULT_STATE: StateConfig = {
  halfLifeDays: { listenerTrack: 30, listenerArtist: 60, listenerGenre: 90, track: 14 },
  sessionGapMinutes: DEFAULT_SESSION_GAP_MINUTES,
  recentTracks: 20,
  sessionVector: { listen: 1, like: 2, skip: -1 },
};

/** One play of a session: 1 listened through, -1 skipped, 0 unknown. */
export interface SessionPlay {
  trackId: string;
  artistId: string;
  outcome: -1 | 0 | 1;
  ts: number;
}

export interface SessionState {
  id: string;
  startTs: number;
  lastTs: number;
  /** Plays so far: the position of the next track in the session. */
  plays: number;
  skips: number;
  listens: number;
  likes: number;
  /** Skips in a row at the end of the session. */
  skipStreak: number;
  /** The latest plays, oldest first (at most `recentTracks`). */
  recent: SessionPlay[];
  /** Per artist in this session: skips and listen-throughs. */
  artistSkips: Map<string, number>;
  artistListens: Map<string, number>;
  /** Per genre in this session: likes. */
  genreLikes: Map<string, number>;
  /** Sum of embeddings of listened (+) and skipped (-) tracks; absent without embeddings. */
  vector?: Float32Array;
}

/** What features read; every counter is decayed to `now`. */
export interface StateView {
  readonly listenerId: string;
  /** The listener's state could not be read (Redis unreachable): an empty listener stands in. */
  readonly degraded?: boolean;
  /** Writes plays, listens, skips, likes (COUNTER_SLOTS numbers) at out[offset..]. */
  countersInto(kind: CounterKind, key: string, now: number, out: Float64Array | Float32Array, offset: number): void;
  /** The listener's current session, or undefined when it ended (gap) before `now`. */
  session(now: number): SessionState | undefined;
  banned(trackId: string, artistId: string | undefined): boolean;
  /** Tracks the listener played (or liked) at or after `since`, with when, from the counters: no log read. */
  touchedSince(since: number): Map<string, number>;
  /** The listener's `k` top tracks, artists or genres by decayed plays plus likes, best first. */
  top(kind: 'track' | 'artist' | 'genre', now: number, k: number): Array<{ key: string; plays: number; likes: number }>;
}
