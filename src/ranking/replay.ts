import type { Store } from '../store/index.js';
import { EVENT_TYPE_BY_CODE, EVENT_TYPE_CODE, type EventType } from '../domain/index.js';
import { StateEngine, DEFAULT_STATE, trackInfo, type Embedding, type StateConfig, type StateEvent, type TrackTable } from '../features/index.js';

/** The events that move the online state, as columns in time order. */
export interface EventColumns {
  n: number;
  /** EVENT_TYPE_CODE of each event. */
  type: Uint8Array;
  listener: Int32Array;
  listenerIds: string[];
  /** Catalog track ix, -1 for an artist-level event. */
  track: Int32Array;
  /** Artist id of artist-level events (bans, play counts); undefined otherwise. */
  artist: (string | undefined)[];
  ts: Float64Array;
  /** 1 skipped, 0 listened through, -1 unknown. */
  skipped: Int8Array;
  count: Float32Array;
  /** Session key: ix into sessionIds, -1 when the event carries none. */
  session: Int32Array;
  sessionIds: string[];
  /** Events dropped because their track is not in the catalog. */
  unknownTracks: number;
}

const STATE_TYPES: EventType[] = ['play_end', 'skip', 'like', 'unlike', 'save', 'ban', 'play_count'];

/** Load every state-moving event of the store, sorted by time (ties in log order). */
export async function loadEventColumns(store: Store, table: TrackTable, signal?: AbortSignal): Promise<EventColumns> {
  let cap = 1 << 16, n = 0, unknownTracks = 0;
  let type = new Uint8Array(cap), listener = new Int32Array(cap), track = new Int32Array(cap), ts = new Float64Array(cap);
  let skipped = new Int8Array(cap), count = new Float32Array(cap), session = new Int32Array(cap), seq = new Float64Array(cap);
  const artist: (string | undefined)[] = [];
  const lix = new Map<string, number>(), listenerIds: string[] = [];
  const six = new Map<string, number>(), sessionIds: string[] = [];
  for await (const batch of store.events.scan({ types: STATE_TYPES, batchSize: 20_000 })) {
    if (signal?.aborted) throw new Error('loading events: aborted');
    for (const e of batch) {
      const t = e.trackId === undefined ? -1 : table.indexOf(e.trackId);
      if (e.trackId !== undefined && t < 0) {
        unknownTracks++;
        continue;
      }
      if (n === cap) {
        cap *= 2;
        const g = <T extends Uint8Array | Int32Array | Float64Array | Int8Array | Float32Array>(a: T): T => {
          const b = new (a.constructor as new (k: number) => T)(cap);
          b.set(a);
          return b;
        };
        type = g(type); listener = g(listener); track = g(track); ts = g(ts); skipped = g(skipped); count = g(count); session = g(session); seq = g(seq);
      }
      let l = lix.get(e.listenerId);
      if (l === undefined) {
        l = listenerIds.length;
        lix.set(e.listenerId, l);
        listenerIds.push(e.listenerId);
      }
      let s = -1;
      if (e.sessionId !== undefined) {
        s = six.get(e.sessionId) ?? -1;
        if (s < 0) {
          s = sessionIds.length;
          six.set(e.sessionId, s);
          sessionIds.push(e.sessionId);
        }
      }
      type[n] = EVENT_TYPE_CODE[e.type];
      listener[n] = l;
      track[n] = t;
      artist[n] = e.trackId === undefined ? e.artistId : undefined;
      ts[n] = e.ts;
      skipped[n] = e.type === 'skip' ? 1 : e.skipped === undefined ? -1 : e.skipped ? 1 : 0;
      count[n] = e.count ?? 1;
      session[n] = s;
      seq[n] = e.seq;
      n++;
    }
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ts[a]! - ts[b]! || seq[a]! - seq[b]!);
  const gather = <T extends Uint8Array | Int32Array | Float64Array | Int8Array | Float32Array>(a: T): T => {
    const b = new (a.constructor as new (k: number) => T)(n);
    for (let i = 0; i < n; i++) b[i] = a[order[i]!]!;
    return b;
  };
  return {
    n, type: gather(type), listener: gather(listener), listenerIds, track: gather(track), artist: Array.from(order, (i) => artist[i]),
    ts: gather(ts), skipped: gather(skipped), count: gather(count), session: gather(session), sessionIds, unknownTracks,
  };
}

/** Whether event i is a play (play_end or skip) of a catalog track. */
export function isPlay(ev: EventColumns, i: number): boolean {
  const t = ev.type[i]!;
  return (t === EVENT_TYPE_CODE.play_end || t === EVENT_TYPE_CODE.skip) && ev.track[i]! >= 0;
}

/**
 * Replay events in time order through a fresh state engine. `before(i, engine)` runs before
 * event i is applied: whatever it reads is the state as it was when the event happened,
 * which is what keeps training rows free of leakage.
 */
export function replay(
  ev: EventColumns,
  table: TrackTable,
  before: (i: number, engine: StateEngine) => void,
  opts: { embedding?: Embedding; config?: StateConfig; until?: number } = {},
): StateEngine {
  const engine = new StateEngine(trackInfo(table, opts.embedding), opts.config ?? DEFAULT_STATE);
  const e: { -readonly [K in keyof StateEvent]: StateEvent[K] } = { type: 'play_end', listenerId: '', ts: 0 };
  const until = Math.min(opts.until ?? ev.n, ev.n);
  for (let i = 0; i < until; i++) {
    before(i, engine);
    const t = ev.track[i]!;
    e.type = EVENT_TYPE_BY_CODE[ev.type[i]!]!;
    e.listenerId = ev.listenerIds[ev.listener[i]!]!;
    e.ts = ev.ts[i]!;
    e.trackId = t >= 0 ? table.ids[t] : undefined;
    e.artistId = ev.artist[i];
    e.sessionId = ev.session[i]! >= 0 ? ev.sessionIds[ev.session[i]!] : undefined;
    const s = ev.skipped[i]!;
    e.skipped = s < 0 ? undefined : s === 1;
    e.count = ev.count[i]!;
    engine.apply(e);
  }
  return engine;
}
