import type { StoreTables } from './tables.js';
import type { Track, Artist, Listener, Playlist, SegueEvent, Exposure, EventType } from '../domain/index.js';

/**
 * The storage contract, split by use. Every method is async so that the scale-out
 * implementation (PostgreSQL + Redis + NATS JetStream) can stand behind the same
 * interface as the embedded SQLite one. A write resolves only after it is committed.
 */
export interface Store {
  readonly catalog: CatalogStore;
  readonly events: EventLog;
  readonly listenerState: ListenerStateStore;
  readonly exposures: ExposureStore;
  readonly models: ModelStore;
  readonly keys: ApiKeyStore;
  readonly experiments: ExperimentStore;
  readonly policies: PolicyStore;
  /** The store's data as logical tables, row for row (what `segue store copy` moves). */
  readonly tables: StoreTables;
  /**
   * Write a batch of catalog records and events atomically: either all of the batch's
   * valid records are committed, or (on error) none. Catalog records are written first,
   * so events in the batch may refer to tracks in the same batch.
   */
  ingest(batch: IngestBatch): Promise<IngestResult>;
  /**
   * How a bulk writer (the import pipeline) best feeds `ingest`, when it has no other
   * instructions: `batchSize` records per batch (default 5,000), and with `readAhead`
   * it reads and parses the next batch while the current one is being written (still
   * one `ingest` at a time, each called after the previous one resolved). Absent: 5,000
   * records, read after each batch is written.
   */
  readonly bulkIngest?: { readonly batchSize: number; readonly readAhead: boolean };
  /** Counts and leaders for `segue stats`. */
  stats(opts?: { top?: number }): Promise<StoreStats>;
  close(): Promise<void>;
}

export interface IngestBatch {
  /**
   * Events without a sessionId get a derived session as they are written: per listener, a
   * gap longer than this (default 30 minutes) starts a new session. Events that arrive out
   * of time order are left pending and resolved by `events.sessionize()`.
   */
  sessionGapMs?: number;
  /**
   * Union a track's genres with those already stored instead of replacing them: for
   * sources that list one track under several genres on several rows (catalog CSVs
   * built from genre playlists). Re-importing such a source then changes nothing.
   */
  mergeGenres?: boolean;
  tracks?: Track[];
  artists?: Artist[];
  listeners?: Listener[];
  playlists?: Playlist[];
  events?: SegueEvent[];
  /**
   * Return each event's seq in the log (IngestResult.seqs): a new event's, and for a
   * duplicate the seq of the event logged before under its key. A consumer that folds
   * what it persists (segue worker) folds each seq once, however often it is redelivered.
   */
  wantSeqs?: boolean;
}

export type RecordKind = 'track' | 'artist' | 'listener' | 'playlist' | 'event';

/** Outcome of one record of a batch. */
export const WriteStatus = {
  /** New, or changed an existing record. */
  Written: 0,
  /** Already present with the same content (or the same event id). */
  Duplicate: 1,
  Rejected: 2,
} as const;

/** Counts, which records of the batch were refused and why, and each record's status by kind and index. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ kind: RecordKind; index: number; reason: string }>;
  status: Record<RecordKind, Uint8Array>;
  /** With `wantSeqs`: per event of the batch, its seq in the log (0 for a rejected one). */
  seqs?: Float64Array;
}

export interface CatalogStore {
  getTrack(id: string): Promise<Track | undefined>;
  /**
   * Many tracks in one read, aligned with `ids`: undefined where a track is unknown; a
   * repeated id gets the same track at each place.
   *
   * @example const [a, b] = await store.catalog.getTracks(['t1', 'nope']) // a: Track, b: undefined
   */
  getTracks(ids: readonly string[]): Promise<Array<Track | undefined>>;
  getArtist(id: string): Promise<(Artist & { emergingDerived?: boolean }) | undefined>;
  getListener(id: string): Promise<Listener | undefined>;
  getPlaylist(id: string): Promise<Playlist | undefined>;
  /** All tracks in a stable order (by insertion), in pages. */
  scanTracks(opts?: { batchSize?: number }): AsyncIterable<Track[]>;
  /** All playlists in a stable order (by insertion), in pages. */
  scanPlaylists(opts?: { batchSize?: number }): AsyncIterable<Playlist[]>;
  counts(): Promise<{ tracks: number; artists: number; listeners: number; playlists: number }>;
  /**
   * Tracks (by title), artists (by name) or listeners whose id or name contains `q`, ignoring
   * ASCII case; those that start with it first, then by id; at most `limit`. A listener's name
   * is its id (the catalog holds no names of people).
   */
  search(kind: 'track' | 'artist' | 'listener', q: string, limit: number): Promise<Array<{ id: string; name: string }>>;
  /**
   * Derive the emerging flag of artists with no flag set, from play counts in the event log
   * and debut dates (see deriveEmerging). Returns how many artists are emerging.
   */
  deriveEmerging(now?: number): Promise<number>;
}

export interface StoredEvent extends SegueEvent {
  /** Position in the log: increasing in commit order. */
  seq: number;
}

export interface EventLog {
  count(): Promise<number>;
  /** The seq of the latest event in the log (0 when empty): a cheap test for anything new past a cursor. */
  lastSeq(): Promise<number>;
  /**
   * Events in log order, from `afterSeq` (exclusive), in pages. With `since` or `until`,
   * only events with since <= ts < until, and in time order instead (ts, then seq): a time
   * window read through the log's time index, not a scan of the whole log; `afterSeq` still
   * leaves out events up to it.
   */
  scan(opts?: { afterSeq?: number; batchSize?: number; types?: EventType[]; since?: number; until?: number }): AsyncIterable<StoredEvent[]>;
  /**
   * One listener's events with since <= ts < until, in time order (ts, then seq). `limit` keeps
   * the oldest `limit` of them (default 1,000,000), or with `newest` the newest `limit` (still
   * returned in time order): the recent page of a long history, without reading all of it.
   *
   * @example const [last] = await store.events.forListener('u1', { limit: 1, newest: true }) // u1's newest event
   */
  forListener(listenerId: string, opts?: { since?: number; until?: number; limit?: number; newest?: boolean }): Promise<StoredEvent[]>;
  /** How many of one listener's events have since <= ts < until, without reading them. */
  countForListener(listenerId: string, opts?: { since?: number; until?: number }): Promise<number>;
  /**
   * Give a session to every event still pending (events that arrived out of time order):
   * per listener, events in time order are cut where the gap exceeds `gapMs`. Recomputes
   * all derived sessions of each such listener, so late events join the right session.
   * Idempotent.
   */
  sessionize(opts?: { gapMs?: number }): Promise<{ listeners: number; events: number }>;
}

export interface ListenerStateStore {
  get(listenerId: string, key: string): Promise<Uint8Array | undefined>;
  put(listenerId: string, key: string, value: Uint8Array): Promise<void>;
  /** Write many values in one transaction: all of them or, on failure, none. */
  putMany(entries: Iterable<{ listenerId: string; key: string; value: Uint8Array }>): Promise<number>;
  delete(listenerId: string, key: string): Promise<void>;
  /**
   * Read-modify-write one value atomically: `fn` gets the value stored now (undefined when
   * none) and returns the new one; no other write to the store, from this process or
   * another, comes between the read and the write. Returns what was written.
   *
   * `fn` must be safe to call more than once and free of side effects: a backend with
   * optimistic concurrency (a version check, or a serializable transaction) calls it again
   * with the newer value when another writer came first.
   */
  update(listenerId: string, key: string, fn: (old: Uint8Array | undefined) => Uint8Array): Promise<Uint8Array>;
  /**
   * Every value stored under one of `keys` or for one of `listenerIds`, read at a single
   * point in time: a concurrent `putMany` is seen whole or not at all.
   */
  snapshot(opts: { keys: readonly string[]; listenerIds: readonly string[] }): Promise<Array<{ listenerId: string; key: string; value: Uint8Array }>>;
}

export interface ExposureStore {
  /** Log an exposure; idempotent on requestId (a repeat is reported as false). */
  append(exposure: Exposure): Promise<boolean>;
  get(requestId: string): Promise<Exposure | undefined>;
  forListener(listenerId: string, opts?: { since?: number; limit?: number }): Promise<Exposure[]>;
  /** Every exposure with since <= ts < until, in time order, in batches. */
  scan(opts?: { since?: number; until?: number; batchSize?: number }): AsyncIterable<Exposure[]>;
}

/**
 * Experiments as stored records (the definition is validated by the experiments module; the
 * store keeps it as JSON with its status and times).
 */
export interface StoredExperiment {
  name: string;
  def: Record<string, unknown>;
  status: string;
  createdAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  offset: number;
  shippedVariant: string | null;
}

/** Named policies (partial policies over a surface's defaults, kept as JSON), newest version wins. */
export interface PolicyStore {
  /** Save a new version under the name; returns its version. */
  put(name: string, policy: Record<string, unknown>): Promise<number>;
  get(name: string): Promise<{ name: string; version: number; policy: Record<string, unknown>; createdAt: number } | undefined>;
  list(): Promise<Array<{ name: string; version: number; createdAt: number }>>;
}

export interface ExperimentStore {
  /** Insert a new experiment; false when the name exists. */
  create(x: StoredExperiment): Promise<boolean>;
  get(name: string): Promise<StoredExperiment | undefined>;
  list(): Promise<StoredExperiment[]>;
  /** Change status, times, offset or shipped variant; false when no such experiment. */
  update(name: string, patch: Partial<Omit<StoredExperiment, 'name' | 'def' | 'createdAt'>>): Promise<boolean>;
}

export interface ModelMeta {
  name: string;
  version: number;
  createdAt: number;
  bytes: number;
  /** Free-form: config hash, training data range, metrics. */
  info: Record<string, unknown>;
}

export interface ModelStore {
  /** Save a new version of a model artifact; versions increase per name. */
  put(name: string, data: Uint8Array, info?: Record<string, unknown>): Promise<ModelMeta>;
  /** The newest version, or a given one. */
  get(name: string, version?: number): Promise<{ meta: ModelMeta; data: Uint8Array } | undefined>;
  list(name?: string): Promise<ModelMeta[]>;
}

/**
 * What an API key may do: write events and catalog, read recommendations, read what the
 * service knows and did (the console's read-only view: catalog, listeners' history, models,
 * policies, experiments' reports, metrics), administer (everything, and every change).
 */
export const SCOPES = ['ingest', 'recommend', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyMeta {
  /** Public part of the key, shown in listings and used to revoke it. */
  id: string;
  name: string;
  scopes: Scope[];
  /** Requests per minute allowed to this key; null: the server's default. */
  rateLimit: number | null;
  createdAt: number;
  revokedAt: number | null;
}

/**
 * API keys, stored hashed (SHA-256 of a 256-bit random secret: a key cannot be read back,
 * only verified, and verification compares hashes in constant time).
 */
export interface ApiKeyStore {
  /** A new key; the returned `key` is the only time its secret is seen. */
  create(opts: { scopes: Scope[]; name?: string; rateLimit?: number }): Promise<{ meta: ApiKeyMeta; key: string }>;
  /** The key's record when it exists, matches and is not revoked. */
  verify(key: string): Promise<ApiKeyMeta | undefined>;
  /** Revoke by id; false when no such key (revoking twice is true and keeps the first time). */
  revoke(id: string): Promise<boolean>;
  list(): Promise<ApiKeyMeta[]>;
}

export interface Leader {
  id: string;
  name?: string;
  plays: number;
}

export interface StoreStats {
  events: number;
  eventsByType: Partial<Record<EventType, number>>;
  plays: number;
  skips: number;
  /** Share of plays of known skip status (play_end with a skip flag or end reason, skip) that were skips; null with none. */
  skipRate: number | null;
  sessions: number;
  listeners: number;
  tracks: number;
  artists: number;
  playlists: number;
  firstTs: number | null;
  lastTs: number | null;
  topTracks: Leader[];
  topArtists: Leader[];
  topGenres: Leader[];
  mostActiveListeners: Leader[];
}

/** Raised by a store for a problem with the store itself (not with one record). */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
