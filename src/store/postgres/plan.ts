import type { Artist, Listener, Playlist, Track } from '../../domain/index.js';
import type { SessionCursor } from '../../domain/index.js';

/** Where a catalog row stands in a batch: as read from its table, changed by the batch, or made by it. */
export const enum RowState {
  Loaded = 0,
  Changed = 1,
  New = 2,
}

interface Entry {
  ix: number;
  id: string;
  /** The record as stored (JSON text); null when it was read for its ix only. */
  data: string | null;
  state: RowState;
}

export interface ArtistEntry extends Entry {
  name: string;
  emerging: number | null;
  /** The artist's genres after the batch, when the batch rewrote them. */
  genres: string[] | null;
}

export interface TrackEntry extends Entry {
  /** Main artist's ix, -1 when the track names none. */
  mainArtist: number;
  title: string;
  contentType: number;
  releaseDate: string | null;
  durationMs: number | null;
  popularity: number | null;
  /** Artist ixs by position and genres after the batch, when the batch rewrote the track. */
  artists: number[] | null;
  genres: string[] | null;
}

export interface ListenerEntry extends Entry {
  /** The derived-session cursor as read at the start of the batch, moved by its new events. */
  cursor: SessionCursor & { dirty: boolean };
  /** False for a listener known by its ix only (from the cache): its row, and cursor, were not read. */
  read: boolean;
}

export interface PlaylistEntry extends Entry {
  name: string;
}

/** What an upsert did: true written, false unchanged (a duplicate), a string why it was rejected. */
export type Outcome = boolean | string;

/**
 * The catalog part of one ingest batch, worked out in memory before anything is written:
 * the same upserts, in the same order and with the same merge rules, as SQLite's writer
 * (sqlite/writer.ts), over the rows the batch touches (read in bulk first). New rows get
 * the next ixs in the order the batch creates them (each table's max + 1, as SQLite's
 * rowid), so ixs, and every scan in ix order, are the same in both stores.
 */
export class CatalogPlan {
  readonly artists = new Map<string, ArtistEntry>();
  readonly tracks = new Map<string, TrackEntry>();
  readonly listeners = new Map<string, ListenerEntry>();
  readonly playlists = new Map<string, PlaylistEntry>();
  readonly sources = new Map<string, number>();
  /** Rows made by the batch, per table, in creation (= ix) order. */
  readonly newArtists: ArtistEntry[] = [];
  readonly newTracks: TrackEntry[] = [];
  readonly newListeners: ListenerEntry[] = [];
  readonly newPlaylists: PlaylistEntry[] = [];
  readonly newSources: Array<{ ix: number; name: string }> = [];

  /**
   * @param next the next free ix of each table
   * @param cached ixs known from earlier batches (committed rows), for ids the batch only refers to
   */
  constructor(
    private readonly next: { artists: number; tracks: number; listeners: number; playlists: number; sources: number },
    private readonly cached: {
      artist(id: string): number | undefined;
      track(id: string): { ix: number; artistIx: number } | undefined;
      listener(id: string): number | undefined;
      source(name: string): number | undefined;
    },
  ) {}

  upsertArtist(a: Artist): Outcome {
    const row = this.artists.get(a.id);
    const merged: Artist = row ? { ...(JSON.parse(this.dataOf(row, 'artist')) as Artist), ...a } : a;
    const data = JSON.stringify(merged);
    if (row && row.data === data) return false;
    const emerging = merged.emerging === undefined ? null : merged.emerging ? 1 : 0;
    const genres = merged.genres === undefined ? [] : [...new Set(merged.genres)];
    if (row) {
      Object.assign(row, { name: merged.name, emerging, data, genres, state: row.state === RowState.New ? RowState.New : RowState.Changed });
    } else {
      const e: ArtistEntry = { ix: this.next.artists++, id: merged.id, data, state: RowState.New, name: merged.name, emerging, genres };
      this.artists.set(a.id, e);
      this.newArtists.push(e);
    }
    return true;
  }

  upsertTrack(t: Track, mergeGenres: boolean): Outcome {
    const row = this.tracks.get(t.id);
    const old = row ? (JSON.parse(this.dataOf(row, 'track')) as Track) : undefined;
    const merged: Track = old ? { ...old, ...t } : t;
    if (mergeGenres && old?.genres && t.genres) merged.genres = [...new Set([...old.genres, ...t.genres])];
    const data = JSON.stringify(merged);
    if (row && row.data === data) return false;
    const artists = merged.artists.map((a) => this.ensureArtist(a.id, a.name));
    const cols = {
      title: merged.title,
      contentType: merged.contentType === 'podcast' ? 1 : 0,
      releaseDate: merged.releaseDate ?? merged.album?.releaseDate ?? null,
      durationMs: merged.durationMs ?? null,
      popularity: merged.popularity ?? null,
      data,
      artists,
      genres: merged.genres === undefined ? [] : [...new Set(merged.genres)],
      mainArtist: artists.length > 0 ? artists[0]! : -1,
    };
    if (row) {
      Object.assign(row, cols, { state: row.state === RowState.New ? RowState.New : RowState.Changed });
    } else {
      const e: TrackEntry = { ix: this.next.tracks++, id: t.id, state: RowState.New, ...cols };
      this.tracks.set(t.id, e);
      this.newTracks.push(e);
    }
    return true;
  }

  upsertListener(l: Listener): Outcome {
    const row = this.listeners.get(l.id);
    const data = JSON.stringify(row ? { ...(JSON.parse(this.dataOf(row, 'listener')) as Listener), ...l } : l);
    if (row && row.data === data) return false;
    if (row) {
      row.data = data;
      if (row.state === RowState.Loaded) row.state = RowState.Changed;
    } else {
      this.newListener(l.id, data);
    }
    return true;
  }

  upsertPlaylist(p: Playlist): Outcome {
    const missing = p.trackIds.find((id) => this.trackRef(id) === undefined);
    if (missing !== undefined) return `trackIds: unknown track ${JSON.stringify(missing)}`;
    const row = this.playlists.get(p.id);
    const data = JSON.stringify(p);
    if (row && row.data === data) return false;
    if (row) {
      Object.assign(row, { name: p.name, data, state: row.state === RowState.New ? RowState.New : RowState.Changed });
    } else {
      const e: PlaylistEntry = { ix: this.next.playlists++, id: p.id, data, state: RowState.New, name: p.name };
      this.playlists.set(p.id, e);
      this.newPlaylists.push(e);
    }
    return true;
  }

  /** The track's ix and main artist, or undefined when neither the store nor the batch has it. */
  trackRef(id: string): { ix: number; artistIx: number } | undefined {
    const e = this.tracks.get(id);
    return e !== undefined ? { ix: e.ix, artistIx: e.mainArtist } : this.cached.track(id);
  }

  artistIx(id: string): number | undefined {
    return this.artists.get(id)?.ix ?? this.cached.artist(id);
  }

  /**
   * The listener of an event: as read, or known by its ix only (the writer reads the row of
   * every listener whose cursor the batch may move), or created: listeners are created by
   * their first event, that is how a service meets them.
   */
  listener(id: string): ListenerEntry {
    const e = this.listeners.get(id);
    if (e !== undefined) return e;
    const ix = this.cached.listener(id);
    if (ix === undefined) return this.newListener(id, JSON.stringify({ id }));
    const known: ListenerEntry = { ix, id, data: null, state: RowState.Loaded, cursor: { lastTs: -Infinity, start: -Infinity, id: null, dirty: false }, read: false };
    this.listeners.set(id, known);
    return known;
  }

  sourceIx(name: string): number {
    let ix = this.sources.get(name) ?? this.cached.source(name);
    if (ix === undefined) {
      ix = this.next.sources++;
      this.newSources.push({ ix, name });
    }
    this.sources.set(name, ix);
    return ix;
  }

  /** The artist's ix, creating it from a track's reference when it is new. */
  private ensureArtist(id: string, name: string): number {
    const known = this.artistIx(id);
    if (known !== undefined) return known;
    const e: ArtistEntry = { ix: this.next.artists++, id, data: JSON.stringify({ id, name }), state: RowState.New, name, emerging: null, genres: null };
    this.artists.set(id, e);
    this.newArtists.push(e);
    return e.ix;
  }

  private newListener(id: string, data: string): ListenerEntry {
    const e: ListenerEntry = { ix: this.next.listeners++, id, data, state: RowState.New, cursor: { lastTs: -Infinity, start: -Infinity, id: null, dirty: false }, read: true };
    this.listeners.set(id, e);
    this.newListeners.push(e);
    return e;
  }

  private dataOf(e: Entry, kind: string): string {
    if (e.data === null) throw new Error(`ingest plan: ${kind} ${JSON.stringify(e.id)} was read without its record`);
    return e.data;
  }
}
