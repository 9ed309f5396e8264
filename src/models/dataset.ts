import type { Store } from '../store/index.js';

/**
 * Plays from the event log in typed arrays, ordered by listener, then time, then log
 * position: the input every candidate model and the offline evaluation train on.
 * External ids become dense ixs once, here, through vocabularies (STYLE.md).
 */
export interface PlayLog {
  /** Track id of each track ix (in order of first appearance in the log). */
  trackIds: string[];
  /** Listener id of each listener ix. */
  listenerIds: string[];
  listener: Int32Array;
  track: Int32Array;
  /** Epoch ms. */
  ts: Float64Array;
  /** 1 skipped, 0 not, -1 unknown. */
  skipped: Int8Array;
  /** Plays the row stands for: 1, or the count of an aggregate play_count. */
  weight: Float32Array;
  length: number;
}

/** Look up ixs: unknown ids give -1. */
export function vocabulary(ids: readonly string[]): (id: string) => number {
  const m = new Map<string, number>();
  ids.forEach((id, i) => m.set(id, i));
  return (id) => m.get(id) ?? -1;
}

/** The main artist of every track in the catalog. */
export async function trackArtists(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const b of store.catalog.scanTracks()) for (const t of b) if (t.artists[0]) out.set(t.id, t.artists[0].id);
  return out;
}

/** Ids of the catalog's podcast episodes (tracks whose contentType is 'podcast'). */
export async function podcastIds(store: Store): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const b of store.catalog.scanTracks()) for (const t of b) if (t.contentType === 'podcast') out.add(t.id);
  return out;
}

/**
 * Read every play (play_end, skip, and track-level play_count) from the store.
 *
 * With `item: 'artist'` the items are artists instead of tracks (`trackIds` then holds
 * artist ids): a track play counts for the track's main artist, and artist-level
 * play_count events (Last.fm 2K) are read too. Listener–artist recommendation uses this.
 *
 * With `musicOnly`, plays of podcast episodes are left out, as if they had never happened
 * (the next-track task ranks music tracks: an episode is neither a query nor a target, and
 * sessions are cut on the music plays alone). Tracks missing from the catalog count as music.
 *
 * @example const log = await loadPlays(store); // log.track[i], log.ts[i] ...
 */
export async function loadPlays(store: Store, opts: { signal?: AbortSignal; item?: 'track' | 'artist'; musicOnly?: boolean } = {}): Promise<PlayLog> {
  const artistOf = opts.item === 'artist' ? await trackArtists(store) : undefined;
  const podcast = opts.musicOnly ? await podcastIds(store) : undefined;
  const trackIx = new Map<string, number>();
  const listenerIx = new Map<string, number>();
  const trackIds: string[] = [];
  const listenerIds: string[] = [];
  let cap = 1 << 16;
  let listener = new Int32Array(cap), track = new Int32Array(cap), seq = new Float64Array(cap);
  let ts = new Float64Array(cap), skipped = new Int8Array(cap), weight = new Float32Array(cap);
  let n = 0;
  for await (const batch of store.events.scan({ types: ['play_end', 'skip', 'play_count'], batchSize: 20_000 })) {
    if (opts.signal?.aborted) throw new Error('loading plays: aborted');
    for (const e of batch) {
      if (podcast && e.trackId !== undefined && podcast.has(e.trackId)) continue;
      const item = artistOf ? (e.trackId === undefined ? e.artistId : artistOf.get(e.trackId)) : e.trackId;
      if (item === undefined) continue; // artist-level aggregates have no track; tracks with no artist have no artist
      if (n === cap) {
        cap *= 2;
        const grow = <T extends Int32Array | Float64Array | Int8Array | Float32Array>(a: T): T => {
          const b = new (a.constructor as new (n: number) => T)(cap);
          b.set(a);
          return b;
        };
        listener = grow(listener); track = grow(track); seq = grow(seq); ts = grow(ts); skipped = grow(skipped); weight = grow(weight);
      }
      let t = trackIx.get(item);
      if (t === undefined) {
        t = trackIds.length;
        trackIx.set(item, t);
        trackIds.push(item);
      }
      let l = listenerIx.get(e.listenerId);
      if (l === undefined) {
        l = listenerIds.length;
        listenerIx.set(e.listenerId, l);
        listenerIds.push(e.listenerId);
      }
      listener[n] = l;
      track[n] = t;
      seq[n] = e.seq;
      ts[n] = e.ts;
      skipped[n] = e.skipped === undefined ? -1 : e.skipped ? 1 : 0;
      weight[n] = e.count ?? 1;
      n++;
    }
  }
  // Order by (listener, ts, seq) through an index sort; then gather every column.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => listener[a]! - listener[b]! || ts[a]! - ts[b]! || seq[a]! - seq[b]!);
  const gather = <T extends Int32Array | Float64Array | Int8Array | Float32Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(n);
    for (let i = 0; i < n; i++) b[i] = a[order[i]!]!;
    return b;
  };
  return { trackIds, listenerIds, listener: gather(listener), track: gather(track), ts: gather(ts), skipped: gather(skipped), weight: gather(weight), length: n };
}
