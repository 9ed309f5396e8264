import { playlistValidator, preview, trackValidator, type Playlist, type SegueRecord, type Track } from '../../domain/index.js';
import { inputFiles, fileSize } from '../files.js';
import { jsonArrayElements } from '../json-array.js';
import { ImportError } from '../errors.js';
import type { ImportFormat, Parsed, ReadContext } from '../types.js';
import { RecentIds } from '../ids.js';

/** Playlists per yielded array (a playlist holds up to 250 tracks). */
const CHUNK = 200;

/**
 * Spotify's Million Playlist Dataset (RecSys Challenge 2018; its README, "Detailed
 * description"): slice files `mpd.slice.<first pid>-<last pid>.json`, each
 * `{"info": {...}, "playlists": [{"name", "collaborative", "pid", "modified_at",
 * "num_tracks", "num_albums", "num_followers", "num_edits", "duration_ms", "num_artists",
 * "tracks": [{"pos", "artist_name", "track_uri", "artist_uri", "track_name", "album_uri",
 * "duration_ms", "album_name"}], "description"?}]}`.
 *
 * Playlists are listening contexts: each playlist is one item whose records are its tracks
 * (id = track_uri, artists [{id: artist_uri, name: artist_name}], album {id: album_uri,
 * title: album_name}, durationMs) followed by the playlist {id `mpd:<pid>`, name, trackIds
 * in `pos` order, followers = num_followers, modifiedAt = modified_at (seconds) in ms}.
 * A playlist with a bad track is rejected whole, naming the track. `collaborative`,
 * `description` and the num_* counts have no place in Segue's playlist and are dropped.
 *
 * The path is one slice or a folder of `*.json` slices. A slice (~30 MB) is streamed, one
 * playlist at a time; `line` in rejects is the 1-based index of the playlist in its slice.
 * A truncated slice yields its whole playlists, then one reject for the rest. No options.
 *
 * @example segue import mpd ./spotify_million_playlist_dataset/data
 */
export const mpd: ImportFormat = {
  name: 'mpd',
  description: "Spotify Million Playlist Dataset slices (mpd.slice.*.json): playlists and their tracks",
  defaultSource: 'mpd',
  async *read(path, ctx) {
    const unknown = Object.keys(ctx.options);
    if (unknown.length > 0) throw new ImportError(`mpd takes no options, got ${unknown.join(', ')}`);
    const files = await inputFiles(path, /\.json$/i, 'MPD slices (mpd.slice.*.json)');
    for (const f of files) ctx.addTotal(await fileSize(f));
    const seen = new RecentIds();
    for (const file of files) yield* readSlice(file, ctx, seen);
  },
};

async function* readSlice(file: string, ctx: ReadContext, seen: RecentIds): AsyncIterable<Parsed[]> {
  let items = 0;
  for await (const elements of jsonArrayElements(file, { pick: 'playlists', onBytes: ctx.progress, size: CHUNK })) {
    items += elements.length;
    yield elements.map((e): Parsed => {
      const where = { file, line: e.index + 1 };
      if (e.error !== undefined) return { where, error: `invalid JSON after playlist ${e.index}: ${e.error.message} (truncated file?)` };
      const r = playlistRecords(e.value, seen);
      return typeof r === 'string' ? { where, error: r, raw: rawOf(e.value) } : { where, records: r };
    });
  }
  if (items === 0) throw new ImportError(`${file}: no "playlists" array with playlists in it (not an MPD slice?)`);
}

function rawOf(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 2000 ? s.slice(0, 2000) : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A string field of a track, with the reason when it is not one. */
function text(t: Record<string, unknown>, name: string, at: string, nonEmpty: boolean): string | { error: string } {
  const v = t[name];
  if (typeof v !== 'string' || (nonEmpty && v.length === 0)) return { error: `${at}.${name}: expected a${nonEmpty ? ' non-empty' : ''} string, got ${v === undefined ? 'missing' : preview(v)}` };
  return v;
}

/** One playlist element: its tracks and then the playlist, or why it is rejected. */
function playlistRecords(p: unknown, seen: RecentIds): SegueRecord[] | string {
  if (!isObject(p)) return `playlist: expected a JSON object, got ${preview(p)}`;
  if (!isCount(p.pid)) return `pid: expected a whole number, got ${p.pid === undefined ? 'missing' : preview(p.pid)}`;
  if (typeof p.name !== 'string') return `name: expected a string, got ${p.name === undefined ? 'missing' : preview(p.name)}`;
  if (!Array.isArray(p.tracks)) return `tracks: expected an array, got ${p.tracks === undefined ? 'missing' : preview(p.tracks)}`;
  const tracks: Array<{ pos: number; track: Track }> = [];
  for (let i = 0; i < p.tracks.length; i++) {
    const t: unknown = p.tracks[i];
    const at = `tracks[${i}]`;
    if (!isObject(t)) return `${at}: expected a JSON object, got ${preview(t)}`;
    if (!isCount(t.pos)) return `${at}.pos: expected a whole number, got ${t.pos === undefined ? 'missing' : preview(t.pos)}`;
    const fields: Record<string, string> = {};
    for (const [name, nonEmpty] of [['track_uri', true], ['track_name', false], ['artist_uri', true], ['artist_name', true], ['album_uri', true], ['album_name', false]] as const) {
      const v = text(t, name, at, nonEmpty);
      if (typeof v === 'object') return v.error;
      fields[name] = v;
    }
    const track: Track = {
      id: fields.track_uri!,
      title: fields.track_name!,
      artists: [{ id: fields.artist_uri!, name: fields.artist_name! }],
      album: { id: fields.album_uri!, title: fields.album_name! },
    };
    if (t.duration_ms !== undefined) {
      if (!isCount(t.duration_ms)) return `${at}.duration_ms: expected a whole number of milliseconds, got ${preview(t.duration_ms)}`;
      track.durationMs = t.duration_ms;
    }
    const c = trackValidator.check(track);
    if (!c.ok) return `${at}.${c.error}`;
    tracks.push({ pos: t.pos, track: c.value });
  }
  tracks.sort((a, b) => a.pos - b.pos);
  const playlist: Playlist = { id: `mpd:${p.pid}`, name: p.name, trackIds: tracks.map((t) => t.track.id) };
  if (p.num_followers !== undefined) {
    if (!isCount(p.num_followers)) return `num_followers: expected a whole number, got ${preview(p.num_followers)}`;
    playlist.followers = p.num_followers;
  }
  if (p.modified_at !== undefined) {
    if (!isCount(p.modified_at)) return `modified_at: expected epoch seconds, got ${preview(p.modified_at)}`;
    playlist.modifiedAt = p.modified_at * 1000;
  }
  const v = playlistValidator.check(playlist);
  if (!v.ok) return v.error;
  const records: SegueRecord[] = [];
  for (const { track } of tracks) if (seen.add(track.id)) records.push({ kind: 'track', value: track });
  records.push({ kind: 'playlist', value: v.value });
  return records;
}
