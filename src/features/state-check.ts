import { randomBytes } from 'node:crypto';
import type { Store } from '../store/index.js';
import { StateEngine, type ListenerEntry } from './engine.js';
import type { RedisOnlineState } from './redis-state.js';

/** Counters are kept as float32 in Redis (codec.ts), refolded batch by batch: equal within this relative tolerance. */
const LISTENER_TOLERANCE = 1e-4;
/** Track counters are float64, in another order of additions: equal within this. */
const TRACK_TOLERANCE = 1e-9;
/** Listeners read per round trip. */
const READ_BATCH = 500;

export interface StateCheck {
  listeners: number;
  tracks: number;
  events: number;
  /** One line per difference, `listener u1: tracks t3 plays 2.5 in Redis, 3 in the log's fold`. */
  differences: string[];
}

function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

const SLOT = ['plays', 'listens', 'skips', 'likes'];

function compareRows(where: string, got: Map<string, Float64Array>, want: Map<string, Float64Array>, tol: number, out: string[]): void {
  for (const [k, w] of want) {
    const g = got.get(k);
    if (g === undefined) {
      out.push(`${where} ${k}: missing in Redis`);
      continue;
    }
    for (let i = 0; i < 4; i++) if (!close(g[i]!, w[i]!, tol)) out.push(`${where} ${k} ${SLOT[i]}: ${g[i]} in Redis, ${w[i]} in the log's fold`);
    if (g[4] !== w[4]) out.push(`${where} ${k} time: ${g[4]} in Redis, ${w[4]} in the log's fold`);
  }
  for (const k of got.keys()) if (!want.has(k)) out.push(`${where} ${k}: in Redis, not in the log's fold`);
}

function compareListener(id: string, got: ListenerEntry, seq: number, want: ListenerEntry, wantSeq: number, out: string[]): void {
  const at = `listener ${id}:`;
  if (seq !== wantSeq) out.push(`${at} folded to seq ${seq} in Redis, the log's last is ${wantSeq}`);
  compareRows(`${at} track`, got.tracks, want.tracks, LISTENER_TOLERANCE, out);
  compareRows(`${at} artist`, got.artists, want.artists, LISTENER_TOLERANCE, out);
  compareRows(`${at} genre`, got.genres, want.genres, LISTENER_TOLERANCE, out);
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
  if (!same(got.bannedTracks, want.bannedTracks)) out.push(`${at} banned tracks [${[...got.bannedTracks]}] in Redis, [${[...want.bannedTracks]}] in the log's fold`);
  if (!same(got.bannedArtists, want.bannedArtists)) out.push(`${at} banned artists [${[...got.bannedArtists]}] in Redis, [${[...want.bannedArtists]}] in the log's fold`);
  // A session that idled out of Redis (its TTL) is no difference; one that is there must be the fold's.
  const g = got.session, w = want.session;
  if (g !== undefined && (w === undefined || g.id !== w.id || g.plays !== w.plays || g.skips !== w.skips || g.likes !== w.likes || g.lastTs !== w.lastTs)) {
    out.push(`${at} session ${g.id} (${g.plays} plays) in Redis, ${w ? `${w.id} (${w.plays} plays)` : 'none'} in the log's fold`);
  }
}

/**
 * Compare the Redis state with an independent fold of the store's whole log (a fresh
 * StateEngine, in seq order): every listener's counters, bans, session and seq, every
 * track's counters, and no listener in Redis that the log does not have.
 */
export async function checkState(store: Store, state: RedisOnlineState, onProgress?: (events: number) => void): Promise<StateCheck> {
  const ref = new StateEngine(state.info, state.config);
  const lastSeq = new Map<string, number>();
  let events = 0;
  for await (const batch of store.events.scan({ batchSize: 20_000 })) {
    for (const e of batch) {
      ref.apply(e);
      lastSeq.set(e.listenerId, e.seq);
    }
    events += batch.length;
    onProgress?.(events);
  }
  const differences: string[] = [];
  const ids = [...lastSeq.keys()];
  for (let i = 0; i < ids.length; i += READ_BATCH) {
    const part = ids.slice(i, i + READ_BATCH);
    const got = await state.read(part);
    for (const id of part) {
      const g = got.get(id)!;
      compareListener(id, g.entry, g.seq, ref.listeners.get(id) ?? new StateEngine(state.info).listener(id), lastSeq.get(id)!, differences);
    }
  }
  for (const id of await listenersInRedis(state)) if (!lastSeq.has(id)) differences.push(`listener ${id}: in Redis, not in the log`);
  await state.loadTracks();
  const tracks = new Map<string, Float64Array>();
  for (const t of new Set([...ref.tracks.keys(), ...(await state.redis.hkeys(state.tracksKey))])) {
    const r = state.trackRow(t);
    if (r) tracks.set(t, r);
  }
  compareRows('track', tracks, ref.tracks, TRACK_TOLERANCE, differences);
  if (!(await state.isReady())) differences.push('the state has no ready mark (flushed, or never rebuilt): run segue state rebuild');
  return { listeners: ids.length, tracks: ref.tracks.size, events, differences };
}

async function listenersInRedis(state: RedisOnlineState): Promise<string[]> {
  const out: string[] = [];
  const pre = `${state.prefix}l:`;
  let cursor = '0';
  do {
    const [next, keys] = await state.redis.scan(cursor, 'MATCH', `${pre}*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) out.push(k.slice(pre.length));
  } while (cursor !== '0');
  return out;
}

/**
 * Refold the Redis state from the store's log: hold the rebuild key (workers' folds wait
 * meanwhile, their batches kept), delete every listener, session and track counter under
 * the prefix, fold the whole log in seq order, mark the state ready, let go. Workers then
 * fold what they hold past each listener's seq: nothing twice, nothing lost.
 */
export async function rebuildState(store: Store, state: RedisOnlineState, onProgress?: (events: number) => void): Promise<{ events: number; listeners: number }> {
  const token = randomBytes(8).toString('hex');
  if ((await state.redis.set(state.rebuildKey, token, 'EX', 3600, 'NX')) !== 'OK') {
    throw new Error(`a rebuild of ${state.prefix} is under way already (key ${state.rebuildKey}); delete that key if it was killed`);
  }
  const previous = state.owner;
  state.owner = token;
  try {
    await state.redis.del(state.readyKey);
    for (const pattern of ['l:*', 's:*']) {
      let cursor = '0';
      do {
        const [next, keys] = await state.redis.scan(cursor, 'MATCH', `${state.prefix}${pattern}`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await state.redis.unlink(...keys);
      } while (cursor !== '0');
    }
    await state.redis.unlink(state.tracksKey, `${state.tracksKey}:changed`);
    let events = 0;
    const listeners = new Set<string>();
    for await (const batch of store.events.scan({ batchSize: 5000 })) {
      await state.fold(batch);
      for (const e of batch) listeners.add(e.listenerId);
      events += batch.length;
      onProgress?.(events);
    }
    await state.markReady();
    return { events, listeners: listeners.size };
  } finally {
    state.owner = previous;
    // Let go only of our own hold.
    await state.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, state.rebuildKey, token);
  }
}
