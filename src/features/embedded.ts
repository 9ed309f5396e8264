import type { SegueEvent } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { StateEngine, emptyListener, type ListenerEntry, type TrackInfo } from './engine.js';
import { DEFAULT_STATE, type OnlineState, type SessionState, type StateConfig, type StateView } from './state.js';

/** Key of a listener's state in the store's listener state table. */
export const STATE_KEY = 'online-state';
/** The global per-track counters (and the log cursor) live under this pseudo-listener id. */
export const TRACKS_OWNER = '*';
/** Key of the seq of the last log event folded into the stored state. */
export const CURSOR_KEY = 'online-state-cursor';
const FORMAT = 1;
/**
 * The global track counters are stored in this many shards (keys `online-state:tracks:<n>`),
 * so that a flush rewrites only the shards whose tracks changed, not every track's counters.
 */
export const TRACK_SHARDS = 256;
const shardKey = (n: number): string => `${STATE_KEY}:tracks:${n}`;

/** The shard of a track id (FNV-1a). */
export function trackShard(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % TRACK_SHARDS;
}

/**
 * The embedded online state: a StateEngine in memory, loaded lazily per listener from the
 * store's listener state and written back by `flush()` in one transaction.
 */
export class EmbeddedOnlineState implements OnlineState {
  private readonly loaded = new Set<string>();
  private cursorDirty = false;
  /** Track ids per shard of the global counters. */
  private readonly shards: Array<Set<string>> = Array.from({ length: TRACK_SHARDS }, () => new Set());
  private readonly dirtyShards = new Set<number>();
  /** The store held the counters in the single blob of the first format: rewrite them as shards. */
  private legacyBlob = false;
  /**
   * A replica (a second server process on the same store) holds every listener in memory
   * from one snapshot and never writes: one process owns the stored state, and a replica
   * must not read a listener's stored state written at another cursor than its own.
   */
  private replica = false;
  private constructor(private readonly store: Store, readonly engine: StateEngine, private cursorSeq: number) {}

  /**
   * A replica of the stored state: the log cursor, the track counters and every listener's
   * state read in one snapshot (so all at the same cursor), in memory, never written back.
   * It folds the log from there like the owner does; `flush` does nothing.
   */
  static async openReplica(store: Store, info: TrackInfo, config: StateConfig = DEFAULT_STATE): Promise<EmbeddedOnlineState> {
    const engine = new StateEngine(info, config);
    const shardKeys = Array.from({ length: TRACK_SHARDS }, (_, n) => shardKey(n));
    const rows = await store.listenerState.snapshot({ keys: [STATE_KEY], listenerIds: [TRACKS_OWNER] });
    const cursorRow = rows.find((r) => r.listenerId === TRACKS_OWNER && r.key === CURSOR_KEY);
    const state = new EmbeddedOnlineState(store, engine, cursorRow ? (decode(cursorRow.value, 'log cursor') as { seq: number }).seq : 0);
    state.replica = true;
    const wanted = new Set([STATE_KEY, ...shardKeys]);
    for (const r of rows) {
      if (r.listenerId === TRACKS_OWNER) {
        if (!wanted.has(r.key)) continue;
        const doc = decode(r.value, r.key === STATE_KEY ? 'track counters' : `track counters ${r.key}`) as { v: number; t: [string, ...number[]][] };
        for (const r of doc.t) engine.tracks.set(r[0], counterRow(r));
      } else if (r.key === STATE_KEY) {
        engine.listeners.set(r.listenerId, listenerFromJson(decode(r.value, `state of listener ${r.listenerId}`) as ListenerJson));
      }
    }
    return state;
  }

  static async open(store: Store, info: TrackInfo, config: StateConfig = DEFAULT_STATE): Promise<EmbeddedOnlineState> {
    const engine = new StateEngine(info, config);
    const c = await store.listenerState.get(TRACKS_OWNER, CURSOR_KEY);
    const cursor = c === undefined ? 0 : (decode(c, 'log cursor') as { seq: number }).seq;
    const state = new EmbeddedOnlineState(store, engine, cursor);
    const load = (bytes: Uint8Array, what: string): void => {
      const doc = decode(bytes, what) as { v: number; t: [string, ...number[]][] };
      for (const r of doc.t) {
        engine.tracks.set(r[0], counterRow(r));
        state.shards[trackShard(r[0])]!.add(r[0]);
      }
    };
    const legacy = await store.listenerState.get(TRACKS_OWNER, STATE_KEY);
    if (legacy !== undefined) {
      load(legacy, 'track counters');
      if (engine.tracks.size > 0) {
        state.legacyBlob = true;
        for (let n = 0; n < TRACK_SHARDS; n++) state.dirtyShards.add(n);
      }
    }
    for (let n = 0; n < TRACK_SHARDS; n++) {
      const bytes = await store.listenerState.get(TRACKS_OWNER, shardKey(n));
      if (bytes !== undefined) load(bytes, `track counters shard ${n}`);
    }
    return state;
  }

  /** Seq of the last event of the store's log folded into this state. */
  get cursor(): number {
    return this.cursorSeq;
  }

  async behind(): Promise<boolean> {
    return (await this.store.events.lastSeq()) > this.cursorSeq;
  }

  /**
   * Fold every event the store's log holds past the cursor, in log order, and make it
   * durable with the cursor in the same transaction (every `flushEvery` events and at the
   * end): each event is applied exactly once, whoever wrote it, and a crash leaves the state
   * and its cursor together at the last flush.
   */
  /**
   * Fold every event logged since the cursor (`flush: false`: in memory only, for a caller
   * that flushes on its own schedule; the log stays the source of truth). Calls are serialized (a server's concurrent
   * requests each call it): a second call waits for the first, then folds what is left, so no
   * event is applied twice.
   */
  catchUp(opts: { batchSize?: number; flushEvery?: number; flush?: boolean; onProgress?: (events: number) => void } = {}): Promise<number> {
    const run = this.catchingUp.then(() => this.catchUpNow(opts));
    this.catchingUp = run.catch(() => undefined);
    return run;
  }
  private catchingUp: Promise<unknown> = Promise.resolve();

  private async catchUpNow(opts: { batchSize?: number; flushEvery?: number; flush?: boolean; onProgress?: (events: number) => void }): Promise<number> {
    let n = 0, sinceFlush = 0;
    const every = opts.flushEvery ?? 250_000;
    for await (const batch of this.store.events.scan({ afterSeq: this.cursorSeq, batchSize: opts.batchSize ?? 20_000 })) {
      await this.apply(batch);
      this.cursorSeq = batch[batch.length - 1]!.seq;
      this.cursorDirty = true;
      n += batch.length;
      sinceFlush += batch.length;
      // A bulk catch-up writes each listener once per stretch, not once per batch.
      if (sinceFlush >= every) {
        await this.flush();
        sinceFlush = 0;
      }
      opts.onProgress?.(n);
    }
    if (sinceFlush > 0 && opts.flush !== false) await this.flush();
    return n;
  }

  private async ensure(listenerId: string): Promise<void> {
    if (this.replica || this.loaded.has(listenerId)) return;
    this.loaded.add(listenerId);
    if (this.engine.listeners.has(listenerId)) return;
    const bytes = await this.store.listenerState.get(listenerId, STATE_KEY);
    if (bytes !== undefined) this.engine.listeners.set(listenerId, listenerFromJson(decode(bytes, `state of listener ${listenerId}`) as ListenerJson));
  }

  async apply(events: readonly SegueEvent[]): Promise<void> {
    for (const e of events) if (!this.loaded.has(e.listenerId)) await this.ensure(e.listenerId);
    for (const e of events) this.engine.apply(e);
  }

  async view(listenerId: string): Promise<StateView> {
    await this.ensure(listenerId);
    return this.engine.view(listenerId);
  }

  /** Whether this is a replica (see `openReplica`), which never writes. */
  get isReplica(): boolean {
    return this.replica;
  }

  async flush(): Promise<void> {
    if (this.replica) {
      this.engine.takeDirty();
      this.engine.takeDirtyTracks();
      return;
    }
    const entries: { listenerId: string; key: string; value: Uint8Array }[] = [];
    for (const id of this.engine.takeDirty()) {
      const l = this.engine.listeners.get(id);
      if (l) entries.push({ listenerId: id, key: STATE_KEY, value: encode(listenerToJson(l)) });
    }
    for (const id of this.engine.takeDirtyTracks()) {
      const n = trackShard(id);
      this.shards[n]!.add(id);
      this.dirtyShards.add(n);
    }
    for (const n of this.dirtyShards) {
      const t: [string, ...number[]][] = [];
      for (const id of this.shards[n]!) {
        const r = this.engine.tracks.get(id);
        if (r) t.push([id, ...r]);
      }
      entries.push({ listenerId: TRACKS_OWNER, key: shardKey(n), value: encode({ v: FORMAT, t }) });
    }
    this.dirtyShards.clear();
    if (this.legacyBlob) {
      entries.push({ listenerId: TRACKS_OWNER, key: STATE_KEY, value: encode({ v: FORMAT, t: [] }) });
      this.legacyBlob = false;
    }
    if (this.cursorDirty) {
      entries.push({ listenerId: TRACKS_OWNER, key: CURSOR_KEY, value: encode({ v: FORMAT, seq: this.cursorSeq }) });
      this.cursorDirty = false;
    }
    if (entries.length > 0) await this.store.listenerState.putMany(entries);
  }
}

type Rows = [string, ...number[]][];
interface ListenerJson {
  v: number;
  t: Rows;
  a: Rows;
  g: Rows;
  bt: string[];
  ba: string[];
  s?: Omit<SessionState, 'artistSkips' | 'artistListens' | 'genreLikes' | 'vector'> & {
    artistSkips: [string, number][];
    artistListens: [string, number][];
    genreLikes: [string, number][];
    vector?: number[];
  };
}

const rows = (m: Map<string, Float64Array>): Rows => [...m].map(([k, r]) => [k, ...r]);
const unrows = (r: Rows): Map<string, Float64Array> => {
  const m = new Map<string, Float64Array>();
  for (const row of r) m.set(row[0], counterRow(row));
  return m;
};

/** A stored row `[key, ...counters]` as counters; null is a -Infinity that JSON cannot hold (a row never bumped). */
function counterRow(row: [string, ...number[]]): Float64Array {
  const out = new Float64Array(row.length - 1);
  for (let k = 1; k < row.length; k++) {
    const v = row[k] as number | null;
    out[k - 1] = v === null ? -Infinity : v;
  }
  return out;
}

function listenerToJson(l: ListenerEntry): ListenerJson {
  const out: ListenerJson = { v: FORMAT, t: rows(l.tracks), a: rows(l.artists), g: rows(l.genres), bt: [...l.bannedTracks], ba: [...l.bannedArtists] };
  if (l.session) {
    const { vector, artistSkips, artistListens, genreLikes, ...rest } = l.session;
    out.s = { ...rest, artistSkips: [...artistSkips], artistListens: [...artistListens], genreLikes: [...genreLikes], ...(vector ? { vector: Array.from(vector) } : {}) };
  }
  return out;
}

function listenerFromJson(j: ListenerJson): ListenerEntry {
  const l = emptyListener();
  l.tracks = unrows(j.t);
  l.artists = unrows(j.a);
  l.genres = unrows(j.g);
  l.bannedTracks = new Set(j.bt);
  l.bannedArtists = new Set(j.ba);
  if (j.s) {
    const { vector, ...s } = j.s;
    l.session = {
      ...s, artistSkips: new Map(s.artistSkips), artistListens: new Map(s.artistListens), genreLikes: new Map(s.genreLikes),
      ...(vector ? { vector: Float32Array.from(vector) } : {}),
    };
  }
  return l;
}

// -Infinity (a row never bumped) does not survive JSON; encode it as null.
function encode(doc: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(doc, (_k, v: unknown) => (v === -Infinity ? null : v)));
}

function decode(bytes: Uint8Array, what: string): unknown {
  let doc: { v?: unknown };
  try {
    // No reviver (one call per value made a listener's first read several times slower): the
    // only nulls written are -Infinity counters, which counterRow restores.
    doc = JSON.parse(new TextDecoder().decode(bytes)) as { v?: unknown };
  } catch (err) {
    throw new Error(`online state: the stored ${what} is not valid JSON (${(err as Error).message})`);
  }
  if (doc.v !== FORMAT) throw new Error(`online state: the stored ${what} has format ${JSON.stringify(doc.v)}, this version reads ${FORMAT}`);
  return doc;
}
