import { checkEvent, preview, END_REASONS, trackValidator, type SegueRecord, type Track } from '../../domain/index.js';
import { inputFiles, fileSize } from '../files.js';
import { jsonArrayElements } from '../json-array.js';
import { albumIdFromName, artistIdFromName, eventIdAt } from '../ids.js';
import { ImportError } from '../errors.js';
import type { ImportFormat, Parsed, ReadContext } from '../types.js';

const FILES = /^(Streaming_History_Audio_|endsong_).*\.json$/;
const OPTIONS = ['listener'] as const;
/** The domain caps these strings; Spotify's free-text platform of old exports can be longer. */
const MAX_PLATFORM = 64;
const MAX_REASON = 64;
const MAX_MS_PLAYED = 24 * 3600 * 1000;
const END_REASON_SET: ReadonlySet<string> = new Set(END_REASONS);


/**
 * Spotify's "Extended streaming history" export (Account privacy > Download your data):
 * a folder of `Streaming_History_Audio_*.json` files (2023 on) or `endsong_*.json` files
 * (older exports), or one such file. Each file is a JSON array of plays, streamed element
 * by element (stream-json), so the size of a file does not matter.
 *
 * Each play becomes a track (id = `spotify_track_uri`; artist and album ids derived from
 * names, since the export carries no artist or album uris) or, for a podcast episode
 * (`spotify_episode_uri`), a track with contentType 'podcast' whose artist is the show;
 * then a `play_end` event at `ts` (the time playback stopped) with msPlayed, endReason
 * (`reason_end`; values Segue does not know become 'unknown'), startReason, shuffle,
 * skipped (only when the export says true or false: null leaves it to the end reason)
 * and platform. Event ids hash (ts, uri, ms_played, reason_start, reason_end, shuffle,
 * skipped), so importing the same export twice adds nothing.
 *
 * Plays with neither uri (audiobook chapters, items no longer on Spotify) are rejected.
 * A truncated or corrupt file yields its elements up to the damage, then one reject.
 * `where.line` is the 1-based index of the element in its file's array.
 *
 * Options: `listener=<id>` names the listener (default: the export's `username`, present
 * in old exports only, else 'spotify-listener').
 *
 * @example segue import spotify-history ~/Downloads/my_spotify_data/ --option listener=alice
 */
export const spotifyHistory: ImportFormat = {
  name: 'spotify-history',
  description: "Spotify's Extended streaming history export (Streaming_History_Audio_*.json, endsong_*.json)",
  defaultSource: 'spotify',
  async *read(path, ctx) {
    for (const key of Object.keys(ctx.options)) {
      if (!(OPTIONS as readonly string[]).includes(key)) throw new ImportError(`spotify-history: unknown option ${JSON.stringify(key)}; options: ${OPTIONS.join(', ')}`);
    }
    const listener = ctx.options.listener;
    if (listener !== undefined && (listener.length === 0 || listener.length > 256)) {
      throw new ImportError(`spotify-history: option listener must be 1 to 256 characters, got ${JSON.stringify(listener)}`);
    }
    const files = await inputFiles(path, FILES, 'Spotify streaming history files');
    for (const f of files) ctx.addTotal(await fileSize(f));
    for (const file of files) {
      for await (const elements of jsonArrayElements(file, { onBytes: ctx.progress })) {
        yield elements.map((e) =>
          e.error === undefined
            ? toItem(e.value, { file, line: e.index + 1 }, ctx, listener)
            : { where: { file, line: e.index + 1 }, error: `invalid JSON after element ${e.index}: ${e.error.message} (a truncated or corrupt file?); the rest of this file is skipped` },
        );
      }
    }
  },
};

/** A field of a play that cannot be read: ends the play with this sentence as its reject reason. */
class BadField extends Error {}

type Entry = Record<string, unknown>;

function toItem(value: unknown, where: Parsed['where'], ctx: ReadContext, listener: string | undefined): Parsed {
  const raw = JSON.stringify(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { where, error: `element: expected a JSON object, got ${preview(value)}`, raw };
  }
  try {
    return { where, records: toRecords(value as Entry, ctx, listener), raw };
  } catch (err) {
    if (err instanceof BadField) return { where, error: err.message, raw };
    throw err;
  }
}

function toRecords(e: Entry, ctx: ReadContext, listener: string | undefined): SegueRecord[] {
  const trackUri = optString(e, 'spotify_track_uri');
  const episodeUri = optString(e, 'spotify_episode_uri');
  let track: Track;
  if (trackUri !== undefined) {
    if (!/^spotify:track:\S+$/.test(trackUri) || trackUri.length > 256) throw new BadField(`spotify_track_uri: expected "spotify:track:<id>", got ${preview(trackUri)}`);
    const title = reqString(e, 'master_metadata_track_name', trackUri);
    const artistName = reqName(e, 'master_metadata_album_artist_name', trackUri);
    const albumTitle = optString(e, 'master_metadata_album_album_name')?.trim();
    const artistId = artistIdFromName(artistName);
    track = { id: trackUri, title, artists: [{ id: artistId, name: artistName }], contentType: 'music' };
    if (albumTitle) track.album = { id: albumIdFromName(artistId, albumTitle), title: albumTitle };
  } else if (episodeUri !== undefined) {
    if (!/^spotify:episode:\S+$/.test(episodeUri) || episodeUri.length > 256) throw new BadField(`spotify_episode_uri: expected "spotify:episode:<id>", got ${preview(episodeUri)}`);
    const title = reqString(e, 'episode_name', episodeUri);
    const show = reqName(e, 'episode_show_name', episodeUri);
    track = { id: episodeUri, title, artists: [{ id: artistIdFromName(show), name: show }], contentType: 'podcast' };
  } else {
    const chapter = optString(e, 'audiobook_chapter_uri') ?? optString(e, 'audiobook_uri');
    throw new BadField(
      chapter !== undefined
        ? `spotify_track_uri and spotify_episode_uri: both null; an audiobook (${chapter}), which Segue does not import`
        : 'spotify_track_uri and spotify_episode_uri: both null; an item no longer on Spotify, or neither a track nor an episode',
    );
  }
  const checkedTrack = trackValidator.check(track);
  if (!checkedTrack.ok) throw new BadField(`track ${track.id}: ${checkedTrack.error}`);

  const uri = track.id;
  const ts = e.ts;
  if (typeof ts !== 'string') throw new BadField(`ts: expected an ISO-8601 time string, got ${e.ts === undefined ? 'missing' : preview(ts)}`);
  const msPlayed = e.ms_played;
  if (typeof msPlayed !== 'number' || !Number.isInteger(msPlayed) || msPlayed < 0) {
    throw new BadField(`ms_played: expected a non-negative integer, got ${msPlayed === undefined ? 'missing' : preview(msPlayed)}`);
  }
  if (msPlayed > MAX_MS_PLAYED) throw new BadField(`ms_played: expected at most ${MAX_MS_PLAYED} (24 h), got ${msPlayed}`);
  const reasonStart = optString(e, 'reason_start');
  const reasonEnd = optString(e, 'reason_end');
  if (reasonStart !== undefined && reasonStart.length > MAX_REASON) throw new BadField(`reason_start: expected at most ${MAX_REASON} characters, got ${preview(reasonStart)}`);
  const shuffle = optBool(e, 'shuffle');
  const skipped = optBool(e, 'skipped');
  const platform = optString(e, 'platform');
  const username = optString(e, 'username');

  const listenerId = listener ?? (username !== undefined && username.length > 0 ? username : 'spotify-listener');
  const event: Record<string, unknown> = {
    type: 'play_end',
    // The listener is part of the id: the same export imported for two listeners is two histories.
    eventId: eventIdAt(Date.parse(ts), listenerId, ts, uri, msPlayed, reasonStart, reasonEnd, shuffle, skipped),
    listenerId,
    ts,
    trackId: uri,
    msPlayed,
  };
  if (reasonEnd !== undefined) event.endReason = END_REASON_SET.has(reasonEnd) ? reasonEnd : 'unknown';
  if (reasonStart !== undefined && reasonStart.length > 0) event.startReason = reasonStart;
  if (shuffle !== undefined) event.shuffle = shuffle;
  if (skipped !== undefined) event.skipped = skipped;
  if (platform !== undefined && platform.length > 0) event.platform = platform.slice(0, MAX_PLATFORM);
  const checked = checkEvent(event, ctx.source, ctx.now);
  if (!checked.ok) throw new BadField(checked.error);
  return [
    { kind: 'track', value: checkedTrack.value },
    { kind: 'event', value: checked.value },
  ];
}

function optString(e: Entry, key: string): string | undefined {
  const v = e[key];
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadField(`${key}: expected a string or null, got ${preview(v)}`);
  return v;
}

function optBool(e: Entry, key: string): boolean | undefined {
  const v = e[key];
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new BadField(`${key}: expected true, false or null, got ${preview(v)}`);
  return v;
}

function reqString(e: Entry, key: string, uri: string): string {
  const v = optString(e, key);
  if (v === undefined) throw new BadField(`${key}: missing for ${uri}`);
  return v;
}

/** A name that becomes an artist: trimmed, and not empty. */
function reqName(e: Entry, key: string, uri: string): string {
  const v = reqString(e, key, uri).trim();
  if (v.length === 0) throw new BadField(`${key}: empty for ${uri}`);
  return v;
}
