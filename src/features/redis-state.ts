import { Redis, type RedisOptions } from 'ioredis';
import type { SegueEvent } from '../domain/index.js';
import { StateEngine, emptyListener, type ListenerEntry, type TrackInfo } from './engine.js';
import { RedisCluster } from './redis-cluster.js';
import { decodeListener, decodeSession, encodeListener, encodeSession } from './codec.js';
import { DEFAULT_STATE, type OnlineState, type StateConfig, type StateView, type StationStore } from './state.js';

/** An event to fold, with its seq in the store's log (what makes a fold applied twice change nothing). */
export type SeqEvent = SegueEvent & { seq: number };

/** A bus partition's messages first..last (stream seqs) that a fold covers: see FOLD_SCRIPT. */
export interface FoldMark {
  name: string;
  first: number;
  last: number;
}

/** A fold refused because messages before it were not folded yet (they are with another worker, or on their way again). */
export class FoldGap extends Error {
  constructor(readonly folded: number) {
    super(`messages after stream seq ${folded} are not folded yet`);
    this.name = 'FoldGap';
  }
}

export interface RedisStateOptions {
  /** Prefix of every key (default `segue:`): deployments and tests share one Redis apart. */
  prefix?: string;
  /** A session key idles out this long after its last write (default 24 h). */
  sessionTtlMs?: number;
  /** How often a node reads the track counters that changed (default 1 s). */
  refreshMs?: number;
  /** A read slower than this answers without listener state, marked degraded (default 250 ms). */
  readTimeoutMs?: number;
  /**
   * Open even when Redis does not answer (a serving node: it answers degraded and connects
   * when Redis is back). Default: fail with one line (commands and workers).
   */
  startDegraded?: boolean;
}

const DAY = 86_400_000;
/** Bytes of a packed track counter row: plays, listens, skips, likes, time (f64 each). */
const TRACK_ROW = 40;
/** A node rereads changes this far back, for folds that committed while it read the last ones. */
const REFRESH_OVERLAP_MS = 2000;

/**
 * Commit a fold: per listener, compare-and-set on the seq its stored state was folded to
 * (bytes 1-8 of its key), then its new state and session, then its plays into the global
 * track counters, all in one atomic script, so a listener's plays count once however often
 * its events are redelivered. The counter rule is features/engine.ts `bump` (decay the row
 * to the later time, or the increment back to the row's): spelled here because Redis runs it.
 * Returns the listeners (1-based) whose stored seq moved meanwhile: read and fold them again.
 * While `state rebuild` holds the rebuild key (for another owner than ARGV[4]) it folds
 * nothing and fails with SEGUEREBUILD: workers wait and try again. With a mark (a bus
 * partition's stream seqs first..last, first >= 0), it folds only if every message before
 * `first` was folded (the mark key's value >= first - 1; fails with SEGUEGAP otherwise),
 * and moves the mark to `last` once every listener is folded.
 *   KEYS: tracks hash, changed zset, rebuild key, mark key, then per listener its state key and session key
 *   ARGV: half-life ms, session ttl ms, n, owner, first, last, then per listener: expected seq, state, session ('' none), bumps b, b x (track, ts, slot)
 */
const FOLD_SCRIPT = `
local hl, ttl, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local owner = redis.call('GET', KEYS[3])
if owner and owner ~= ARGV[4] then return redis.error_reply('SEGUEREBUILD the state is being rebuilt from the log') end
local first, last = tonumber(ARGV[5]), tonumber(ARGV[6])
local w = nil
if first >= 0 then
  w = tonumber(redis.call('GET', KEYS[4]))
  if w and first > w + 1 then return redis.error_reply('SEGUEGAP ' .. w) end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local a, conflicts = 7, {}
for i = 1, n do
  local lk, sk = KEYS[3 + 2 * i], KEYS[4 + 2 * i]
  local expected, lb, sb, nb = tonumber(ARGV[a]), ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
  a = a + 4
  local cur = redis.call('GETRANGE', lk, 1, 8)
  local seq = 0
  if #cur == 8 then seq = struct.unpack('<d', cur) end
  if seq ~= expected then
    conflicts[#conflicts + 1] = i
    a = a + 3 * nb
  else
    redis.call('SET', lk, lb)
    if sb ~= '' then redis.call('SET', sk, sb, 'PX', ttl) end
    for j = 1, nb do
      local id, ts, slot = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
      a = a + 3
      local p, l, s, k, rts = 0, 0, 0, 0, -math.huge
      local raw = redis.call('HGET', KEYS[1], id)
      if raw then p, l, s, k, rts = struct.unpack('<ddddd', raw) end
      local f = 1
      if ts >= rts then
        if rts ~= -math.huge then
          local d = math.pow(2, -(ts - rts) / hl)
          p, l, s, k = p * d, l * d, s * d, k * d
        end
        rts = ts
      else
        f = math.pow(2, -(rts - ts) / hl)
      end
      p = p + f
      if slot == 1 then l = l + f elseif slot == 2 then s = s + f end
      redis.call('HSET', KEYS[1], id, struct.pack('<ddddd', p, l, s, k, rts))
      redis.call('ZADD', KEYS[2], now, id)
    end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 600000)
if first >= 0 and #conflicts == 0 and (not w or last > w) then redis.call('SET', KEYS[4], last) end
return conflicts
`;

/** A StateEngine over one fold's listeners that hands the global track plays to the fold script. */
class FoldEngine extends StateEngine {
  bumps: Array<string | number> = [];
  protected override trackPlayed(trackId: string, ts: number, slot: number): void {
    this.bumps.push(trackId, ts, slot);
  }
}

/**
 * The online state in Redis, shared by stateless serving nodes and folded by `segue worker`
 * (DESIGN.md "Storage"). Per listener: `<prefix>l:<id>` (counters, bans and the last log
 * seq folded) and `<prefix>s:<id>` (the current session, with a TTL); the global track
 * counters in the hash `<prefix>tracks`, with `<prefix>tracks:changed` (track -> when) so
 * that nodes read only what changed. A read is one round trip (both of the listener's keys);
 * nodes keep the track counters in memory, refreshed every second.
 *
 * @example
 *   const state = await RedisOnlineState.open('redis://127.0.0.1:6379/0', info);
 *   await state.fold(storedEvents);       // a worker, events with their log seqs
 *   const view = await state.view('u1');  // a node
 */
export class RedisOnlineState implements OnlineState {
  readonly prefix: string;
  private readonly engine: StateEngine;
  private readonly ttl: number;
  private readonly refreshMs: number;
  private refreshedAt = 0;
  /** Whether every track counter was read once (at open, or later when Redis was away then). */
  private tracksLoaded = false;
  private refreshing: Promise<void> | undefined;
  /** What workers and nodes coordinate through in Redis: leases, liveness, the fold latency histogram. */
  readonly cluster: RedisCluster;
  /** Whether the last read failed (Redis unreachable): answers are degraded until one succeeds. */
  degraded = false;

  private constructor(
    readonly redis: Redis,
    readonly info: TrackInfo,
    readonly config: StateConfig,
    opts: RedisStateOptions,
  ) {
    this.prefix = opts.prefix ?? 'segue:';
    this.ttl = opts.sessionTtlMs ?? DAY;
    this.refreshMs = opts.refreshMs ?? 1000;
    this.engine = new StateEngine(info, config);
    this.cluster = new RedisCluster(redis, this.prefix);
    redis.defineCommand('segueFold', { lua: FOLD_SCRIPT });
  }

  /**
   * Connect (failing with one clear line when Redis cannot be reached) and read the track
   * counters. `url`: redis://[user:password@]host:port/db.
   */
  static async open(url: string, info: TrackInfo, config: StateConfig = DEFAULT_STATE, opts: RedisStateOptions = {}): Promise<RedisOnlineState> {
    const redis = connectRedis(url, { commandTimeout: opts.readTimeoutMs ?? 250 });
    redis.on('error', () => {}); // it reconnects by itself; reads meanwhile are degraded
    try {
      await redis.connect();
    } catch (err) {
      if (opts.startDegraded !== true) {
        redis.disconnect();
        throw new Error(`${redactRedis(url)}: cannot connect to Redis (${(err as Error).message})`);
      }
    }
    const state = new RedisOnlineState(redis, info, config, opts);
    await state.loadTracks().catch((err: unknown) => {
      if (opts.startDegraded !== true) throw err;
    });
    return state;
  }

  key(kind: 'l' | 's', listenerId: string): string {
    return `${this.prefix}${kind}:${listenerId}`;
  }

  get tracksKey(): string {
    return `${this.prefix}tracks`;
  }

  /** Where a fold mark is kept (`<prefix>mark:<name>`): the last stream seq of a partition folded. */
  markKey(name: string): string {
    return `${this.prefix}mark:${name}`;
  }

  /** The last stream seq folded of a partition (undefined: none yet, or the state was flushed). */
  async mark(name: string): Promise<number | undefined> {
    const v = await this.redis.get(this.markKey(name));
    return v === null ? undefined : Number(v);
  }

  /** Held by `state rebuild` while it refolds the log (its value: the rebuild's owner token). */
  get rebuildKey(): string {
    return `${this.prefix}rebuild`;
  }

  /** Set once the state holds the whole log's fold (a new state, or a rebuild): without it a node's answers are degraded. */
  get readyKey(): string {
    return `${this.prefix}ready`;
  }

  /** Who folds: a rebuild passes its token to fold while it holds the rebuild key. */
  owner = '';

  /** Workers fold; `apply` is `fold` and needs each event's seq. */
  async apply(events: readonly SegueEvent[]): Promise<void> {
    for (const e of events) if (typeof (e as Partial<SeqEvent>).seq !== 'number') throw new Error('RedisOnlineState.apply: every event needs its log seq (fold what the store logged)');
    await this.fold(events as readonly SeqEvent[]);
  }

  /**
   * Fold logged events, in the order given (one listener's in seq order): each listener's
   * events past the seq its state was folded to. Returns how many events were applied.
   */
  async fold(events: readonly SeqEvent[], mark?: FoldMark): Promise<number> {
    const byListener = new Map<string, SeqEvent[]>();
    for (const e of events) {
      let list = byListener.get(e.listenerId);
      if (list === undefined) byListener.set(e.listenerId, (list = []));
      list.push(e);
    }
    let pending = [...byListener.keys()], applied = 0;
    // With a mark, the script must run until a call with no conflict has moved it.
    let marked = mark === undefined;
    for (let attempt = 0; pending.length > 0 || !marked; attempt++) {
      if (attempt === 20) throw new Error(`online state: ${pending.length} listeners kept changing under the fold (another writer folds them too)`);
      const stored = await this.read(pending);
      const engine = new FoldEngine(this.info, this.config);
      const keys: string[] = [this.tracksKey, `${this.tracksKey}:changed`, this.rebuildKey, this.markKey(mark?.name ?? '-')];
      const args: Array<string | number | Buffer> = [this.config.halfLifeDays.track * DAY, this.ttl, 0, this.owner, mark?.first ?? -1, mark?.last ?? -1];
      const sent: string[] = [];
      let n = 0;
      for (const id of pending) {
        const { entry, seq } = stored.get(id)!;
        // Past the stored seq, and each seq once (a message delivered twice into one batch, a repeated event).
        let last = seq;
        const fresh = byListener.get(id)!.filter((e) => e.seq > last && ((last = e.seq), true));
        if (fresh.length === 0) continue;
        engine.listeners.set(id, entry);
        engine.bumps = [];
        for (const e of fresh) engine.apply(e);
        keys.push(this.key('l', id), this.key('s', id));
        args.push(seq, encodeListener(entry, fresh[fresh.length - 1]!.seq), entry.session ? encodeSession(entry.session) : '', engine.bumps.length / 3, ...engine.bumps);
        sent.push(id);
        applied += fresh.length;
        n++;
      }
      if (n === 0 && marked) break;
      args[2] = n;
      let conflicts: number[];
      try {
        conflicts = await (this.redis as unknown as { segueFold(nk: number, ...a: unknown[]): Promise<number[]> }).segueFold(keys.length, ...keys, ...args);
      } catch (err) {
        const m = /SEGUEGAP (-?\d+)/.exec((err as Error).message);
        if (m) throw new FoldGap(Number(m[1]));
        throw err;
      }
      for (const i of conflicts) applied -= byListener.get(sent[i - 1]!)!.filter((e) => e.seq > stored.get(sent[i - 1]!)!.seq).length;
      pending = conflicts.map((i) => sent[i - 1]!);
      if (conflicts.length === 0) marked = true;
    }
    return applied;
  }

  /** The stored state of listeners (one round trip): entry with its session, and the seq folded. */
  async read(listenerIds: readonly string[]): Promise<Map<string, { entry: ListenerEntry; seq: number }>> {
    return (await this.readWith(listenerIds, [])).listeners;
  }

  /** `read`, with other keys' values in the same MGET. */
  private async readWith(listenerIds: readonly string[], extra: string[]): Promise<{ listeners: Map<string, { entry: ListenerEntry; seq: number }>; extra: Array<Buffer | null> }> {
    const keys = listenerIds.flatMap((id) => [this.key('l', id), this.key('s', id)]);
    const values = keys.length + extra.length === 0 ? [] : await this.redis.mgetBuffer(...keys, ...extra);
    const out = new Map<string, { entry: ListenerEntry; seq: number }>();
    listenerIds.forEach((id, i) => {
      const got = decodeListener(values[2 * i] ?? null, `state of listener ${id}`);
      const s = values[2 * i + 1];
      if (s) got.entry.session = decodeSession(s, `session of listener ${id}`);
      out.set(id, got);
    });
    return { listeners: out, extra: values.slice(keys.length) };
  }

  /**
   * One listener's state: its two keys in one round trip, with the track counters this node
   * holds. When Redis does not answer, an empty listener, marked degraded (the models still answer).
   */
  async view(listenerId: string): Promise<StateView> {
    this.maybeRefresh();
    let entry: ListenerEntry, ready: boolean;
    try {
      const got = await this.readWith([listenerId], [this.readyKey]);
      entry = got.listeners.get(listenerId)!.entry;
      ready = got.extra[0] !== null;
      this.degraded = false;
    } catch {
      this.degraded = true;
      return { ...this.engine.viewOf(listenerId, emptyListener()), degraded: true };
    }
    // A state without its ready mark (flushed, not yet rebuilt) may lack this listener's past.
    return ready ? this.engine.viewOf(listenerId, entry) : { ...this.engine.viewOf(listenerId, entry), degraded: true };
  }

  /**
   * Station histories: a list per listener and station (`<prefix>st:<listener>:<key>`), one
   * JSON entry per served track, appended with RPUSH (atomic across nodes), idling out a day
   * after the last page and trimmed to its last 2,000 entries.
   */
  readonly stations: StationStore = {
    read: async (listenerId, key) => {
      const raw = await this.redis.lrange(`${this.prefix}st:${listenerId}:${key}`, 0, -1);
      return raw.map((r) => JSON.parse(r) as { ts: number });
    },
    append: async (listenerId, key, entries) => {
      if (entries.length === 0) return;
      const k = `${this.prefix}st:${listenerId}:${key}`;
      await this.redis.multi().rpush(k, ...entries.map((e) => JSON.stringify(e))).ltrim(k, -2000, -1).pexpire(k, DAY).exec();
    },
  };

  /** Mark the state as holding the whole log's fold. */
  async markReady(): Promise<void> {
    await this.redis.set(this.readyKey, String(Date.now()));
  }

  async isReady(): Promise<boolean> {
    return (await this.redis.exists(this.readyKey)) === 1;
  }

  /** Nothing to write: every fold is durable in Redis when it returns. */
  async flush(): Promise<void> {}

  /** Workers fold the bus into Redis: a node folds nothing itself. */
  async catchUp(): Promise<number> {
    return 0;
  }

  async behind(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {
    await this.refreshing;
    this.redis.disconnect();
  }

  /** The global counters of a track as this node holds them (plays, listens, skips, likes, time). */
  trackRow(trackId: string): Float64Array | undefined {
    return this.engine.tracks.get(trackId);
  }

  /** Read every track counter (at open; a node then reads only what changed). */
  async loadTracks(): Promise<void> {
    const started = await this.serverMs();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscanBuffer(this.tracksKey, cursor, 'COUNT', 5000);
      cursor = next.toString();
      for (let i = 0; i < flat.length; i += 2) this.setTrack(flat[i]!.toString(), flat[i + 1]!);
    } while (cursor !== '0');
    this.refreshedAt = started;
    this.tracksLoaded = true;
  }

  /** Read the track counters changed since the last read (and a little before it). */
  async refreshTracks(): Promise<number> {
    const started = await this.serverMs();
    const ids = await this.redis.zrangebyscore(`${this.tracksKey}:changed`, this.refreshedAt - REFRESH_OVERLAP_MS, '+inf');
    if (ids.length > 0) {
      const rows = await this.redis.hmgetBuffer(this.tracksKey, ...ids);
      ids.forEach((id, i) => {
        const r = rows[i];
        if (r) this.setTrack(id, r);
      });
    }
    this.refreshedAt = started;
    return ids.length;
  }

  private maybeRefresh(): void {
    if (this.refreshing !== undefined || Date.now() - this.lastRefreshTry < this.refreshMs) return;
    this.lastRefreshTry = Date.now();
    this.refreshing = (this.tracksLoaded ? this.refreshTracks() : this.loadTracks()).then(
      () => undefined,
      () => undefined, // Redis down: the counters held stay, the next read tries again
    ).finally(() => (this.refreshing = undefined));
  }
  private lastRefreshTry = Date.now();

  private setTrack(id: string, raw: Buffer): void {
    if (raw.length !== TRACK_ROW) return;
    const r = new Float64Array(5);
    for (let i = 0; i < 5; i++) r[i] = raw.readDoubleLE(8 * i);
    this.engine.tracks.set(id, r);
  }

  private async serverMs(): Promise<number> {
    const [s, us] = await this.redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }
}

/** A Redis client for a redis:// URL, not yet connected; commands fail at once while disconnected. */
export function connectRedis(url: string, extra: Partial<RedisOptions> = {}): Redis {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${redactRedis(url)}: not a redis:// URL`);
  }
  if (u.protocol !== 'redis:') throw new Error(`${redactRedis(url)}: not a redis:// URL`);
  return new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, ...extra });
}

/** A Redis URL without its password, for messages. */
export function redactRedis(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
