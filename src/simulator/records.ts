import { EVENT_TYPE_BY_CODE, type Artist, type Listener, type Playlist, type SegueEvent, type Track } from '../domain/index.js';
import { Rng, deriveSeed } from '../math/index.js';
import type { World } from './world.js';
import { CONTEXT_TYPES, END_CODES } from './behaviour.js';
import { LIBRARY_CONTEXT, START_CODES, type EventBatch } from './events.js';
import { PLAYLIST_KINDS } from './playlists.js';
import { ADJECTIVES, COUNTRIES, FIRST_NAMES, LABELS, NOUNS, SHOW_TOPICS, SYLLABLES, WORDS } from './vocabulary.js';

/**
 * The edge of the simulator: ids, names and Segue records (catalog entities, events, NDJSON
 * lines) made from a world's typed arrays. Names are a function of (seed, kind, ix), so they
 * cost nothing until written.
 */

export const trackId = (t: number): string => `trk${t}`;
export const artistId = (a: number): string => `art${a}`;
export const albumId = (al: number): string => `alb${al}`;
export const listenerId = (l: number): string => `lis${l}`;
export const playlistId = (p: number): string => `pls${p}`;
/** Default `source` of simulated events. */
export const SIM_SOURCE = 'simulator';

const rngFor = new Rng(0);
function pick<T>(a: readonly T[], r: Rng): T {
  return a[r.int(a.length)]!;
}
function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function artistName(world: World, a: number): string {
  const r = rngFor.reseed(deriveSeed(world.seed, 'artist-name', a));
  if (a >= world.musicArtists) return `The ${pick(SHOW_TOPICS, r)} ${pick(['Hour', 'Show', 'Podcast', 'Weekly', 'Club', 'Files'], r)}`;
  const word = (): string => capital(pick(SYLLABLES, r) + pick(SYLLABLES, r) + (r.next() < 0.4 ? pick(SYLLABLES, r) : ''));
  const u = r.next();
  if (u < 0.35) return `${pick(FIRST_NAMES, r)} ${word()}`;
  if (u < 0.6) return `The ${pick(ADJECTIVES, r)} ${pick(NOUNS, r)}`;
  if (u < 0.8) return word();
  if (u < 0.9) return `${pick(['DJ', 'MC', 'Lil', 'Young'], r)} ${word()}`;
  return `${word()} & the ${pick(NOUNS, r)}`;
}

export function trackTitle(world: World, t: number): string {
  const r = rngFor.reseed(deriveSeed(world.seed, 'track-title', t));
  if (world.podcast[t] === 1) {
    const al = world.trackAlbum[t]!;
    return `#${t - world.albumStart[al]! + 1}: ${pick(ADJECTIVES, r)} ${pick(WORDS, r)}`;
  }
  const u = r.next();
  if (u < 0.4) return pick(WORDS, r);
  if (u < 0.75) return `${pick(ADJECTIVES, r)} ${pick(WORDS, r)}`;
  if (u < 0.9) return `${pick(WORDS, r)} of ${pick(NOUNS, r)}`;
  return `${pick(WORDS, r)} (${pick(['Remix', 'Live', 'Acoustic', 'Edit', 'Reprise'], r)})`;
}

export function albumTitle(world: World, al: number): string {
  const a = world.albumArtist[al]!;
  if (a >= world.musicArtists) return artistName(world, a);
  const n = world.albumStart[al + 1]! - world.albumStart[al]!;
  if (n === 1) return trackTitle(world, world.albumStart[al]!);
  const r = rngFor.reseed(deriveSeed(world.seed, 'album-title', al));
  return r.next() < 0.5 ? `${pick(ADJECTIVES, r)} ${pick(NOUNS, r)}` : pick(WORDS, r) + (n < 7 ? ' EP' : '');
}

export function playlistName(world: World, p: number): string {
  const g = world.genreNames[world.playlistGenre[p]!]!;
  const kind = PLAYLIST_KINDS[world.playlistKind[p]!]!;
  const nth = Math.floor((p - world.playlistOfGenre[world.playlistGenre[p]!]!) / PLAYLIST_KINDS.length);
  const base = kind === 'Fresh' ? `Fresh ${capital(g)}` : `${capital(g)} ${kind}`;
  return nth === 0 ? base : `${base} ${nth + 1}`;
}

export function artistRecord(world: World, a: number): Artist {
  const genres: string[] = [];
  for (let s = 0; s < 3; s++) {
    const g = world.artistGenres[a * 3 + s]!;
    if (g >= 0) genres.push(world.genreNames[g]!);
  }
  const r = rngFor.reseed(deriveSeed(world.seed, 'artist-country', a));
  return {
    id: artistId(a),
    name: artistName(world, a),
    genres,
    emerging: world.artistEmerging[a] === 1,
    debut: day(world.artistDebutMs[a]!),
    country: COUNTRIES[Math.floor(r.next() * COUNTRIES.length)]!.code,
  };
}

export function trackRecord(world: World, t: number): Track {
  const a = world.trackArtist[t]!;
  const al = world.trackAlbum[t]!;
  const released = day(world.albumReleaseMs[al]!);
  const podcast = world.podcast[t] === 1;
  const track: Track = {
    id: trackId(t),
    title: trackTitle(world, t),
    artists: [{ id: artistId(a), name: artistName(world, a) }],
    album: { id: albumId(al), title: albumTitle(world, al), releaseDate: released },
    durationMs: world.durationMs[t]!,
    releaseDate: released,
    genres: [world.genreNames[world.trackGenre[t]!]!],
    explicit: world.explicit[t] === 1,
    popularity: world.popularity[t]!,
    contentType: podcast ? 'podcast' : 'music',
    costTier: world.costTier[t]!,
    label: LABELS[world.albumLabel[al]!]!.name,
  };
  if (!podcast) {
    track.audio = {
      tempo: Math.round(world.tempo[t]! * 100) / 100,
      energy: r3(world.energy[t]!),
      valence: r3(world.valence[t]!),
      danceability: r3(world.danceability[t]!),
      acousticness: r3(world.acousticness[t]!),
      instrumentalness: r3(world.instrumentalness[t]!),
      speechiness: r3(world.speechiness[t]!),
      liveness: r3(world.liveness[t]!),
      loudness: Math.round(world.loudness[t]! * 100) / 100,
      key: world.key[t]!,
      mode: world.mode[t] === 1 ? 1 : 0,
    };
  }
  if (world.promoted[t] === 1) {
    const from = world.params.startMs;
    track.promoted = { from: new Date(from).toISOString().replace('.000Z', 'Z'), to: new Date(from + world.params.promotedDays * 86_400_000).toISOString().replace('.000Z', 'Z') };
  }
  return track;
}

export function listenerRecord(world: World, l: number): Listener {
  const L = world.listeners;
  return {
    id: listenerId(l),
    country: COUNTRIES[L.country[l]!]!.code,
    birthYear: L.birthYear[l]!,
    allowExplicit: L.allowExplicit[l] === 1,
    premium: L.premium[l] === 1,
  };
}

export function playlistRecord(world: World, p: number): Playlist {
  const ids: string[] = [];
  for (let i = world.playlistStart[p]!; i < world.playlistStart[p + 1]!; i++) ids.push(trackId(world.playlistTracks[i]!));
  const g = world.playlistGenre[p]!;
  let total = 0;
  for (const sampler of world.genreSampler) total += sampler?.total ?? 0;
  const share = (world.genreSampler[g]?.total ?? 0) / total;
  const followers = Math.round(world.listeners.count * 20 * share * (world.playlistKind[p] === 0 ? 3 : 1));
  return { id: playlistId(p), name: playlistName(world, p), ownerId: 'editorial', trackIds: ids, followers };
}

/** A batch of catalog entities, shaped like the store's IngestBatch. */
export interface CatalogBatch {
  artists?: Artist[];
  tracks?: Track[];
  listeners?: Listener[];
  playlists?: Playlist[];
}

/** The whole catalog (artists, tracks, listeners, editorial playlists) in batches of at most `size` records. */
export function* catalogBatches(world: World, size = 5000): Generator<CatalogBatch> {
  for (let a = 0; a < world.artists; a += size) {
    const artists: Artist[] = [];
    for (let i = a; i < Math.min(world.artists, a + size); i++) artists.push(artistRecord(world, i));
    yield { artists };
  }
  for (let t = 0; t < world.tracks; t += size) {
    const tracks: Track[] = [];
    for (let i = t; i < Math.min(world.tracks, t + size); i++) tracks.push(trackRecord(world, i));
    yield { tracks };
  }
  for (let l = 0; l < world.listeners.count; l += size) {
    const listeners: Listener[] = [];
    for (let i = l; i < Math.min(world.listeners.count, l + size); i++) listeners.push(listenerRecord(world, i));
    yield { listeners };
  }
  for (let p = 0; p < world.playlists; p += size) {
    const playlists: Playlist[] = [];
    for (let i = p; i < Math.min(world.playlists, p + size); i++) playlists.push(playlistRecord(world, i));
    yield { playlists };
  }
}

/** The catalog as Segue NDJSON text, in chunks of about `size` lines (artists, tracks, listeners, playlists). */
export function* catalogNdjson(world: World, size = 5000): Generator<string> {
  for (const b of catalogBatches(world, size)) {
    let s = '';
    for (const x of b.artists ?? []) s += JSON.stringify({ type: 'artist', ...x }) + '\n';
    for (const x of b.tracks ?? []) s += JSON.stringify({ type: 'track', ...x }) + '\n';
    for (const x of b.listeners ?? []) s += JSON.stringify({ type: 'listener', ...x }) + '\n';
    for (const x of b.playlists ?? []) s += JSON.stringify({ type: 'playlist', ...x }) + '\n';
    yield s;
  }
}

function contextIdOf(type: number, id: number, listener: number): string | undefined {
  if (id === LIBRARY_CONTEXT) return `${listenerId(listener)}:library`;
  if (id < 0) return undefined;
  const t = CONTEXT_TYPES[type];
  if (t === 'album') return albumId(id);
  if (t === 'playlist') return playlistId(id);
  return trackId(id); // radio and autoplay: the seed track
}

/** Row i of a batch as a SegueEvent (as checkEvent would return it for the NDJSON line). */
/** The id of the simulation's n-th event: `sim:` and n in 12 digits, so text order is output order. */
export function eventId(serial: number): string {
  return `sim:${String(serial).padStart(12, '0')}`;
}

export function toEvent(b: EventBatch, i: number, source = SIM_SOURCE): SegueEvent {
  const l = b.listener[i]!;
  const lid = listenerId(l);
  const type = EVENT_TYPE_BY_CODE[b.type[i]!]!;
  const e: SegueEvent = { type, source, eventId: eventId(b.first + i), listenerId: lid, ts: b.ts[i]!, sessionId: `${lid}:s${b.session[i]}` };
  const ctxId = contextIdOf(b.contextType[i]!, b.contextId[i]!, l);
  e.context = { type: CONTEXT_TYPES[b.contextType[i]!]!, ...(ctxId !== undefined ? { id: ctxId } : {}), position: b.position[i]! };
  if (b.track[i]! >= 0) e.trackId = trackId(b.track[i]!);
  if (b.artist[i]! >= 0) e.artistId = artistId(b.artist[i]!);
  if (type === 'play_end') {
    e.msPlayed = b.msPlayed[i]!;
    e.endReason = END_CODES[b.endReason[i]!]!;
    e.startReason = START_CODES[b.startReason[i]!]!;
    e.shuffle = b.shuffle[i] === 1;
    e.skipped = b.skipped[i] === 1;
  } else if (type === 'add_to_playlist') {
    e.playlistId = `${lid}:pl${b.playlistNo[i]}`;
  }
  return e;
}

/** A batch as SegueEvent objects, for store.ingest. */
export function toEvents(b: EventBatch, source = SIM_SOURCE): SegueEvent[] {
  const out = new Array<SegueEvent>(b.length);
  for (let i = 0; i < b.length; i++) out[i] = toEvent(b, i, source);
  return out;
}
