import type { Artist, Listener, Track } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { Upstream } from './upstream.js';

/** A Subsonic `Child` (a song) as the upstream sent it: served back to clients unchanged. */
export type Child = Record<string, unknown> & { id: string };

/** What one sync read and wrote. */
export interface SyncReport {
  artists: number;
  albums: number;
  tracks: number;
  genres: number;
  listeners: number;
  /** Records written to the store: only new or changed ones (a second sync of the same library writes none). */
  written: { tracks: number; artists: number; listeners: number };
  seconds: number;
}

/** Albums per getAlbumList2 page (the most Subsonic allows). */
const PAGE = 500;
/** getAlbum calls in flight at once. */
const PARALLEL = 4;

/**
 * The upstream's library as Segue's catalog: tracks, artists, albums, genres, durations,
 * years and MusicBrainz ids (where the server exposes them, as OpenSubsonic's
 * `musicBrainzId`), and its users as listeners.
 *
 * @example
 *   const lib = new Library(store, upstream);
 *   const report = await lib.sync(login.params); // report.written.tracks: what changed
 *   lib.child('tr-1') // the upstream's own Child for the track, to answer clients with
 */
export class Library {
  /** The upstream's songs by id, as it sent them (the answers' `song` and `entry` elements). */
  private children = new Map<string, Child>();
  /** Each artist's name, by id, and each album's songs in order. */
  private artistNames = new Map<string, string>();
  private albumSongs = new Map<string, string[]>();
  synced = false;
  /** Why the last sync failed, if it did (answers before a first sync say it). */
  lastError: string | undefined;

  constructor(private readonly store: Store, private readonly upstream: Upstream) {}

  child(id: string): Child | undefined {
    return this.children.get(id);
  }
  /** Every song id the upstream listed at the last sync. */
  songIds(): IterableIterator<string> {
    return this.children.keys();
  }
  /** The songs of an artist (by the songs' artistId). */
  songIdsOf(artistId: string): string[] {
    return [...this.children.values()].filter((c) => c.artistId === artistId).map((c) => c.id);
  }
  albumTracks(albumId: string): readonly string[] | undefined {
    return this.albumSongs.get(albumId);
  }
  artistName(artistId: string): string | undefined {
    return this.artistNames.get(artistId);
  }
  /** The artist ids of a name (getTopSongs asks by name), case-insensitively. */
  artistsNamed(name: string): string[] {
    const n = name.toLowerCase();
    return [...this.artistNames].filter(([, v]) => v.toLowerCase() === n).map(([k]) => k);
  }

  /**
   * Read the whole library (getArtists, getAlbumList2 pages, getAlbum per album) and the
   * users, and write to the store what is new or changed.
   */
  async sync(auth: URLSearchParams, username: string, now = Date.now()): Promise<SyncReport> {
    const t0 = performance.now();
    const artistsBody = await this.upstream.call('getArtists', auth);
    const artistIndex = ((artistsBody.artists as { index?: Array<{ artist?: unknown[] }> } | undefined)?.index ?? []).flatMap((i) => (i.artist ?? []) as Array<Record<string, unknown>>);
    const albums: Array<Record<string, unknown>> = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.upstream.call('getAlbumList2', auth, { type: 'alphabeticalByName', size: PAGE, offset });
      const got = ((page.albumList2 as { album?: unknown[] } | undefined)?.album ?? []) as Array<Record<string, unknown>>;
      albums.push(...got);
      if (got.length < PAGE) break;
    }
    const children = new Map<string, Child>();
    const albumSongs = new Map<string, string[]>();
    const albumMbid = new Map<string, string>();
    await inParallel(albums.map((a) => idOf(a.id)).filter((id): id is string => id !== undefined), PARALLEL, async (albumId) => {
      const body = await this.upstream.call('getAlbum', auth, { id: albumId });
      const album = (body.album ?? {}) as Record<string, unknown>;
      if (isMbid(album.musicBrainzId)) albumMbid.set(albumId, album.musicBrainzId);
      const songs = ((album.song ?? []) as Array<Record<string, unknown>>).filter((s) => idOf(s.id) !== undefined && s.isVideo !== true);
      albumSongs.set(albumId, songs.map((s) => idOf(s.id)!));
      for (const s of songs) children.set(idOf(s.id)!, { ...s, id: idOf(s.id)! });
    });
    const tracks = [...children.values()].map((c) => trackOf(c, albumMbid));
    const artists = artistsOf(artistIndex, tracks);
    const listeners = await this.users(auth, username);
    const written = await this.writeChanged(tracks, artists, listeners, now);
    this.children = children;
    this.albumSongs = albumSongs;
    this.artistNames = new Map(artists.map((a) => [a.id, a.name]));
    this.synced = true;
    const genres = new Set(tracks.flatMap((t) => t.genres ?? []));
    return { artists: artists.length, albums: albums.length, tracks: tracks.length, genres: genres.size, listeners: listeners.length, written, seconds: (performance.now() - t0) / 1000 };
  }

  /** Every user (getUsers needs an admin login), else the login's own user. */
  private async users(auth: URLSearchParams, username: string): Promise<Listener[]> {
    try {
      const body = await this.upstream.call('getUsers', auth);
      const users = ((body.users as { user?: Array<{ username?: unknown }> } | undefined)?.user ?? []).map((u) => u.username).filter((u): u is string => typeof u === 'string' && u !== '');
      if (users.length > 0) return users.map((id) => ({ id }));
    } catch (err) {
      if ((err as { code?: number }).code === undefined) throw err;
    }
    return [{ id: username }];
  }

  /** Write the records that differ from the stored ones; returns how many of each. */
  private async writeChanged(tracks: Track[], artists: Artist[], listeners: Listener[], now: number): Promise<SyncReport['written']> {
    const stored = await this.store.catalog.getTracks(tracks.map((t) => t.id));
    const newTracks = tracks.filter((t, i) => !sameRecord(t, stored[i]));
    const newArtists: Artist[] = [];
    for (const a of artists) if (!sameRecord(a, await this.store.catalog.getArtist(a.id), ['emergingDerived'])) newArtists.push(a);
    const newListeners: Listener[] = [];
    for (const l of listeners) if ((await this.store.catalog.getListener(l.id)) === undefined) newListeners.push({ ...l, createdAt: new Date(now).toISOString() });
    for (let i = 0; i < Math.max(newTracks.length, newArtists.length, newListeners.length); i += 5_000) {
      const r = await this.store.ingest({ artists: newArtists.slice(i, i + 5_000), tracks: newTracks.slice(i, i + 5_000), listeners: newListeners.slice(i, i + 5_000) });
      if (r.rejected.length > 0) throw new Error(`library sync: the store refused ${r.rejected[0]!.kind} ${r.rejected[0]!.index}: ${r.rejected[0]!.reason}`);
    }
    return { tracks: newTracks.length, artists: newArtists.length, listeners: newListeners.length };
  }
}

/** A Subsonic id (a string; some servers send numbers), or undefined. */
function idOf(x: unknown): string | undefined {
  return typeof x === 'string' && x !== '' ? x : typeof x === 'number' && Number.isFinite(x) ? String(x) : undefined;
}

const MBID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isMbid(x: unknown): x is string {
  return typeof x === 'string' && MBID.test(x);
}

/**
 * A Subsonic song as a Segue track: its artists (OpenSubsonic `artists`, else `artistId` and
 * `artist`), album, duration, year, genres (OpenSubsonic `genres`, else `genre`) and
 * MusicBrainz ids.
 *
 * @example trackOf({ id: 's1', title: 'A', artist: 'X', artistId: 'ar1', album: 'B', albumId: 'al1', duration: 200, year: 2001, genre: 'Jazz' })
 *   // { id: 's1', title: 'A', artists: [{ id: 'ar1', name: 'X' }], album: { id: 'al1', title: 'B', releaseDate: '2001' }, durationMs: 200000, releaseDate: '2001', genres: ['Jazz'] }
 */
export function trackOf(c: Child, albumMbid: ReadonlyMap<string, string> = new Map()): Track {
  const artists: Array<{ id: string; name: string }> = [];
  const os = Array.isArray(c.artists) ? (c.artists as Array<{ id?: unknown; name?: unknown }>) : [];
  for (const a of os) if (idOf(a.id) !== undefined && typeof a.name === 'string' && a.name !== '') artists.push({ id: idOf(a.id)!, name: a.name });
  if (artists.length === 0 && idOf(c.artistId) !== undefined && typeof c.artist === 'string' && c.artist !== '') artists.push({ id: idOf(c.artistId)!, name: c.artist });
  const year = typeof c.year === 'number' && c.year >= 1000 && c.year <= 9999 ? String(c.year) : undefined;
  const genres = Array.isArray(c.genres) ? (c.genres as Array<{ name?: unknown }>).map((g) => g.name).filter((g): g is string => typeof g === 'string' && g !== '') : typeof c.genre === 'string' && c.genre !== '' ? [c.genre] : [];
  const albumId = idOf(c.albumId);
  const t: Track = { id: c.id, title: typeof c.title === 'string' ? c.title.slice(0, 1024) : '', artists: artists.slice(0, 64) };
  if (albumId !== undefined) {
    t.album = { id: albumId, title: typeof c.album === 'string' ? c.album.slice(0, 1024) : '' };
    if (year !== undefined) t.album.releaseDate = year;
    const mb = albumMbid.get(albumId);
    if (mb !== undefined) t.album.mbid = mb;
  }
  if (typeof c.duration === 'number' && c.duration >= 0 && c.duration <= 24 * 3600) t.durationMs = Math.round(c.duration * 1000);
  if (year !== undefined) t.releaseDate = year;
  if (genres.length > 0) t.genres = [...new Set(genres.map((g) => g.slice(0, 128)))].slice(0, 64);
  if (isMbid(c.musicBrainzId)) t.mbid = c.musicBrainzId;
  return t;
}

/** The artists of the index (with their MusicBrainz ids) and of the tracks, each with the genres of its tracks. */
function artistsOf(index: ReadonlyArray<Record<string, unknown>>, tracks: readonly Track[]): Artist[] {
  const out = new Map<string, Artist>();
  for (const a of index) {
    const id = idOf(a.id);
    if (id === undefined || typeof a.name !== 'string' || a.name === '') continue;
    const artist: Artist = { id, name: a.name.slice(0, 512) };
    if (isMbid(a.musicBrainzId)) artist.mbid = a.musicBrainzId;
    out.set(artist.id, artist);
  }
  const genres = new Map<string, Set<string>>();
  for (const t of tracks) {
    for (const a of t.artists) {
      if (!out.has(a.id)) out.set(a.id, { id: a.id, name: a.name });
      let g = genres.get(a.id);
      if (g === undefined) genres.set(a.id, (g = new Set()));
      for (const x of t.genres ?? []) g.add(x);
    }
  }
  for (const [id, g] of genres) if (g.size > 0) out.get(id)!.genres = [...g].sort().slice(0, 64);
  return [...out.values()];
}

/**
 * Whether a stored record says the same as a fresh one: every field of `fresh` equal, and no
 * other field stored (besides `ignore`, which the store derives itself).
 */
export function sameRecord(fresh: object, stored: object | undefined, ignore: readonly string[] = []): boolean {
  if (stored === undefined) return false;
  return canonical(fresh, ignore) === canonical(stored, ignore);
}

function canonical(x: unknown, ignore: readonly string[]): string {
  return JSON.stringify(x, (k, v: unknown) => {
    if (ignore.includes(k)) return undefined;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return v;
  });
}

async function inParallel<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}
