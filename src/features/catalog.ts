import type { Store } from '../store/index.js';
import { releaseMs, type Track } from '../domain/index.js';

/**
 * What features need of the catalog, as dense columns: each track's main artist, genres
 * (the track's own, else its artist's), release time, audio features (NaN when unknown)
 * and its artist's emerging flag. Built once per process; lookups are by track ix.
 */
export class TrackTable {
  private readonly ix = new Map<string, number>();
  readonly ids: string[] = [];
  readonly artist: string[] = [];
  readonly genres: (readonly string[])[] = [];
  releaseMs: Float64Array;
  tempo: Float32Array;
  energy: Float32Array;
  valence: Float32Array;
  danceability: Float32Array;
  /** Pitch class 0..11, -1 unknown. */
  key: Int8Array;
  /** 1 major, 0 minor, -1 unknown. */
  mode: Int8Array;
  emerging: Uint8Array;
  /** Album id ('' when unknown), markets (undefined: everywhere). */
  readonly album: string[] = [];
  readonly markets: (readonly string[] | undefined)[] = [];
  durationMs: Float64Array;
  explicit: Uint8Array;
  podcast: Uint8Array;
  costTier: Uint8Array;
  /** Promotion window in epoch ms (NaN when not promoted). */
  promotedFrom: Float64Array;
  promotedTo: Float64Array;

  constructor(capacity = 1024) {
    this.durationMs = new Float64Array(capacity);
    this.explicit = new Uint8Array(capacity);
    this.podcast = new Uint8Array(capacity);
    this.costTier = new Uint8Array(capacity);
    this.promotedFrom = new Float64Array(capacity);
    this.promotedTo = new Float64Array(capacity);
    this.releaseMs = new Float64Array(capacity);
    this.tempo = new Float32Array(capacity);
    this.energy = new Float32Array(capacity);
    this.valence = new Float32Array(capacity);
    this.danceability = new Float32Array(capacity);
    this.key = new Int8Array(capacity);
    this.mode = new Int8Array(capacity);
    this.emerging = new Uint8Array(capacity);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Track ix of an id; -1 when the catalog does not know it. */
  indexOf(trackId: string): number {
    return this.ix.get(trackId) ?? -1;
  }

  artistOf(trackId: string): string | undefined {
    const i = this.ix.get(trackId);
    return i === undefined ? undefined : this.artist[i];
  }

  genresOf(trackId: string): readonly string[] {
    const i = this.ix.get(trackId);
    return i === undefined ? [] : this.genres[i]!;
  }

  /** Add or replace a track; the artist's genres fill in genres the track lacks. */
  add(track: Track, artist?: { genres?: readonly string[]; emerging?: boolean }): number {
    let i = this.ix.get(track.id);
    if (i === undefined) {
      i = this.ids.length;
      this.ix.set(track.id, i);
      this.ids.push(track.id);
      if (i >= this.tempo.length) this.grow(this.tempo.length * 2);
    }
    this.artist[i] = track.artists[0]?.id ?? '';
    this.genres[i] = track.genres && track.genres.length > 0 ? track.genres : (artist?.genres ?? []);
    this.releaseMs[i] = releaseMs(track.releaseDate ?? track.album?.releaseDate);
    const a = track.audio;
    this.tempo[i] = a?.tempo ?? NaN;
    this.energy[i] = a?.energy ?? NaN;
    this.valence[i] = a?.valence ?? NaN;
    this.danceability[i] = a?.danceability ?? NaN;
    this.key[i] = a?.key ?? -1;
    this.mode[i] = a?.mode ?? -1;
    this.emerging[i] = artist?.emerging ? 1 : 0;
    this.album[i] = track.album?.id ?? '';
    this.albums = undefined;
    this.markets[i] = track.markets;
    this.durationMs[i] = track.durationMs ?? 210_000;
    this.explicit[i] = track.explicit ? 1 : 0;
    this.podcast[i] = track.contentType === 'podcast' ? 1 : 0;
    this.costTier[i] = track.costTier ?? 0;
    this.promotedFrom[i] = track.promoted ? Date.parse(track.promoted.from) : NaN;
    this.promotedTo[i] = track.promoted ? Date.parse(track.promoted.to) : NaN;
    return i;
  }

  private grow(cap: number): void {
    const g = <T extends Float64Array | Float32Array | Int8Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.releaseMs = g(this.releaseMs);
    this.tempo = g(this.tempo);
    this.energy = g(this.energy);
    this.valence = g(this.valence);
    this.danceability = g(this.danceability);
    this.key = g(this.key);
    this.mode = g(this.mode);
    this.emerging = g(this.emerging);
    this.durationMs = g(this.durationMs);
    this.explicit = g(this.explicit);
    this.podcast = g(this.podcast);
    this.costTier = g(this.costTier);
    this.promotedFrom = g(this.promotedFrom);
    this.promotedTo = g(this.promotedTo);
  }

  private albums: Map<string, number[]> | undefined;

  /** Track ixs of an album, in catalog order ([] for '' or an unknown album); the index is built on first use and again after the catalog changes. */
  albumTracks(album: string): readonly number[] {
    if (album === '') return [];
    if (this.albums === undefined) {
      const m = new Map<string, number[]>();
      for (let i = 0; i < this.ids.length; i++) {
        const a = this.album[i]!;
        if (a === '') continue;
        const list = m.get(a);
        if (list) list.push(i);
        else m.set(a, [i]);
      }
      this.albums = m;
    }
    return this.albums.get(album) ?? [];
  }

  /** Whether track ix is in its promotion window at `now`. */
  promotedAt(ix: number, now: number): boolean {
    return now >= this.promotedFrom[ix]! && now <= this.promotedTo[ix]!;
  }

  /** Every track of the store's catalog, with its main artist's genres and emerging flag. */
  static async load(store: Store): Promise<TrackTable> {
    const { tracks } = await store.catalog.counts();
    const table = new TrackTable(Math.max(16, tracks));
    const artists = new Map<string, { genres?: readonly string[]; emerging?: boolean } | null>();
    for await (const batch of store.catalog.scanTracks({ batchSize: 5000 })) {
      for (const t of batch) {
        const aid = t.artists[0]?.id;
        if (aid === undefined) {
          table.add(t);
          continue;
        }
        let a = artists.get(aid);
        if (a === undefined) {
          const got = await store.catalog.getArtist(aid);
          a = got ? { ...(got.genres ? { genres: got.genres } : {}), emerging: got.emerging === true || got.emergingDerived === true } : null;
          artists.set(aid, a);
        }
        table.add(t, a ?? undefined);
      }
    }
    return table;
  }
}
