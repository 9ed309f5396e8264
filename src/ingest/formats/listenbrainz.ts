import { access, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkEvent, preview, trackValidator, type ArtistRefSchema, type SegueRecord, type Track } from '../../domain/index.js';
import type { Static } from '@sinclair/typebox';
import { jsonLines } from '../lines.js';
import { inputFiles, fileSize } from '../files.js';
import { jsonArrayElements } from '../json-array.js';
import { Batcher } from '../batch.js';
import { albumIdFromName, artistIdFromName, MBID, RecentIds, trackIdFromNames } from '../ids.js';
import { ImportError } from '../errors.js';
import type { ImportFormat, Parsed, ReadContext } from '../types.js';

/** Files of a ListenBrainz export that hold no listens. */
const NOT_LISTENS = new Set(['feedback.jsonl', 'pinned_recording.jsonl', 'user.json']);

type ArtistRef = Static<typeof ArtistRefSchema>;

/**
 * ListenBrainz listens (listenbrainz.readthedocs.io: "JSON Documentation" for a listen's
 * fields, "User history exports" for the archive): one listen per line,
 * `{"listened_at": <epoch s>, "recording_msid": "...", "user_name"?: "...", "track_metadata":
 * {"artist_name", "track_name", "release_name"?, "additional_info"?: {"recording_mbid",
 * "artist_mbids", "release_mbid", "duration_ms" | "duration", "media_player", ...},
 * "mbid_mapping"?: {"recording_mbid", "recording_name", "release_mbid", "artist_mbids",
 * "artists": [{"artist_mbid", "artist_credit_name"}]} | null}}`. A `.json` file holding one
 * JSON array of such listens (the older export) is read too.
 *
 * Each listen becomes a track and a `play_end` without msPlayed or endReason (a listen says
 * only that a track was played), with eventId `<listened_at>:<listener>:<recording_msid or track id>`.
 * The track id is `mbid:<recording_mbid>` (from mbid_mapping, else additional_info), else
 * `msid:<recording_msid>`, else trackIdFromNames(artist, title); its artists
 * are the mapping's credited artists (`mbid:<artist_mbid>`), else `mbid:<artist_mbid>` when
 * the listen names exactly one, else artistIdFromName(artist_name); the album is
 * release_name with id `mbid:<release_mbid>`, else albumIdFromName; durationMs from duration_ms or
 * duration × 1000; the event's platform is media_player.
 *
 * The listener is the listen's user_name, else option `listener`, else the username in
 * the export's user.json; with none of these the import fails. The path is a file or a
 * folder: an unpacked export (user.json and listens/YYYY/M.jsonl, searched recursively;
 * feedback.jsonl and pinned_recording.jsonl are skipped) or any folder of .jsonl/.json files.
 *
 * @example segue import listenbrainz ./listenbrainz_rob_1700000000/   (unzipped export)
 * @example segue import listenbrainz listens.jsonl --option listener=rob
 */
export const listenbrainz: ImportFormat = {
  name: 'listenbrainz',
  description: 'ListenBrainz listens: JSON lines (the user export, listens/YYYY/M.jsonl) or a JSON array',
  defaultSource: 'listenbrainz',
  async *read(path, ctx) {
    for (const k of Object.keys(ctx.options)) if (k !== 'listener') throw new ImportError(`listenbrainz: unknown option ${JSON.stringify(k)}; options: listener`);
    if (ctx.options.listener === '') throw new ImportError('listenbrainz: option listener must not be empty');
    const { files, exportUser } = await listenFiles(path);
    const fallback = ctx.options.listener ?? exportUser;
    for (const f of files) ctx.addTotal(await fileSize(f));
    const seen = new RecentIds();
    for (const file of files) {
      const parse = (value: unknown): SegueRecord[] | string => listenRecords(value, fallback, file, ctx, seen);
      if (await startsWithBracket(file)) yield* readArray(file, ctx, parse);
      else yield* readJsonLines(file, ctx, parse);
    }
  },
};

/** The listen files of a file or folder, and the username of an unpacked export's user.json. */
async function listenFiles(path: string): Promise<{ files: string[]; exportUser: string | undefined }> {
  const files = await inputFiles(path, (n) => /\.jsonl?$/i.test(n) && !NOT_LISTENS.has(n.replace(/\\/g, '/')), 'listen files', {
    recursive: true,
    compare: (a, b) => a.localeCompare(b, 'en', { numeric: true }),
    expected: '.jsonl or .json files, e.g. listens/2024/1.jsonl',
  });
  if (files[0] === path) return { files, exportUser: undefined };
  let exportUser: string | undefined;
  const userFile = join(path, 'user.json');
  if (await exists(userFile)) {
    let user: unknown;
    try {
      user = JSON.parse(await readFile(userFile, 'utf8'));
    } catch (err) {
      throw new ImportError(`${userFile}: invalid JSON: ${(err as Error).message}`);
    }
    const name = (user as { username?: unknown } | null)?.username;
    if (typeof name === 'string' && name.length > 0) exportUser = name;
  }
  return { files, exportUser };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a file's first non-blank character is `[` (one JSON array rather than JSON lines). */
async function startsWithBracket(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('[');
  } finally {
    await fh.close();
  }
}

async function* readJsonLines(file: string, ctx: ReadContext, parse: (v: unknown) => SegueRecord[] | string): AsyncIterable<Parsed[]> {
  const out = new Batcher<Parsed>();
  const lines = jsonLines(file, ctx.progress, (value, where, raw) => {
    const r = parse(value);
    return typeof r === 'string' ? { where, error: r, raw } : { where, records: r, raw };
  });
  for await (const items of lines) for (const item of items) if (out.push(item)) yield out.take();
  if (out.length > 0) yield out.take();
}

/** A file holding one JSON array of listens, streamed; `line` is the 1-based index of the listen. */
async function* readArray(file: string, ctx: ReadContext, parse: (v: unknown) => SegueRecord[] | string): AsyncIterable<Parsed[]> {
  for await (const elements of jsonArrayElements(file, { onBytes: ctx.progress })) {
    yield elements.map((e): Parsed => {
      const where = { file, line: e.index + 1 };
      if (e.error !== undefined) return { where, error: `invalid JSON after listen ${e.index}: ${e.error.message} (truncated file?)` };
      const r = parse(e.value);
      return typeof r === 'string' ? { where, error: r, raw: JSON.stringify(e.value)?.slice(0, 2000) ?? '' } : { where, records: r };
    });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An optional MusicBrainz id at `at`: undefined when absent, an error when not a UUID. */
function mbid(v: unknown, at: string): string | undefined | { error: string } {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !MBID.test(v)) return { error: `${at}: expected a MusicBrainz id (UUID), got ${preview(v)}` };
  return v.toLowerCase();
}

/** One listen: its track and play_end, or why it is rejected. */
function listenRecords(l: unknown, fallbackListener: string | undefined, file: string, ctx: ReadContext, seen: RecentIds): SegueRecord[] | string {
  if (!isObject(l)) return `listen: expected a JSON object, got ${preview(l)}`;
  const at = l.listened_at;
  if (typeof at !== 'number' || !Number.isFinite(at)) return `listened_at: expected epoch seconds, got ${at === undefined ? 'missing' : preview(at)}`;
  if (at > 1e11) return `listened_at: expected epoch seconds, got ${at} (milliseconds?)`;
  const msid = l.recording_msid;
  if (msid !== undefined && msid !== null && (typeof msid !== 'string' || msid.length === 0)) return `recording_msid: expected a string, got ${preview(msid)}`;
  const userName = l.user_name ?? undefined;
  if (userName !== undefined && (typeof userName !== 'string' || userName.length === 0)) return `user_name: expected a non-empty string, got ${preview(userName)}`;
  const listener = (userName as string | undefined) ?? fallbackListener;
  if (listener === undefined) throw new ImportError(`${file}: listens have no user_name and no listener is known; pass --option listener=<name>`);
  const tm = l.track_metadata;
  if (!isObject(tm)) return `track_metadata: expected an object, got ${tm === undefined ? 'missing' : preview(tm)}`;
  const artist = typeof tm.artist_name === 'string' ? tm.artist_name.trim() : '';
  const title = typeof tm.track_name === 'string' ? tm.track_name.trim() : '';
  if (artist === '') return `track_metadata.artist_name: expected a non-empty string, got ${tm.artist_name === undefined ? 'missing' : preview(tm.artist_name)}`;
  if (title === '') return `track_metadata.track_name: expected a non-empty string, got ${tm.track_name === undefined ? 'missing' : preview(tm.track_name)}`;
  const info = isObject(tm.additional_info) ? tm.additional_info : {};
  const mapping = isObject(tm.mbid_mapping) ? tm.mbid_mapping : undefined;

  const mappedRecording = mbid(mapping?.recording_mbid, 'track_metadata.mbid_mapping.recording_mbid');
  if (typeof mappedRecording === 'object') return mappedRecording.error;
  const submittedRecording = mbid(info.recording_mbid, 'track_metadata.additional_info.recording_mbid');
  if (typeof submittedRecording === 'object') return submittedRecording.error;
  const recording = mappedRecording ?? submittedRecording;
  const trackId = recording !== undefined ? `mbid:${recording}` : typeof msid === 'string' ? `msid:${msid}` : trackIdFromNames(artist, title);

  const artists = artistRefs(artist, info, mapping);
  if (typeof artists === 'string') return artists;
  const mappedTitle = mappedRecording !== undefined && typeof mapping?.recording_name === 'string' && mapping.recording_name.trim() !== '' ? mapping.recording_name.trim() : undefined;
  const track: Track = { id: trackId, title: mappedTitle ?? title, artists };
  const release = typeof tm.release_name === 'string' ? tm.release_name.trim() : '';
  if (release !== '') {
    const releaseMbid = mbid(mapping?.release_mbid, 'track_metadata.mbid_mapping.release_mbid');
    if (typeof releaseMbid === 'object') return releaseMbid.error;
    const submittedRelease = mbid(info.release_mbid, 'track_metadata.additional_info.release_mbid');
    if (typeof submittedRelease === 'object') return submittedRelease.error;
    const id = releaseMbid ?? submittedRelease;
    track.album = { id: id !== undefined ? `mbid:${id}` : albumIdFromName(artists[0]!.id, release), title: release };
  }
  const durationMs = duration(info);
  if (typeof durationMs === 'string') return durationMs;
  if (durationMs !== undefined) track.durationMs = durationMs;

  const records: SegueRecord[] = [];
  if (!seen.has(trackId)) {
    const t = trackValidator.check(track);
    if (!t.ok) return t.error;
    records.push({ kind: 'track', value: t.value });
  }
  const event: Record<string, unknown> = {
    type: 'play_end',
    // Time first (the idempotency index grows at its end), and the listener: two users can play one recording in the same second.
    eventId: `${at}:${listener}:${typeof msid === 'string' ? msid : trackId}`,
    listenerId: listener,
    ts: Math.round(at * 1000),
    trackId,
  };
  if (typeof info.media_player === 'string' && info.media_player.trim() !== '') event.platform = info.media_player.trim().slice(0, 64);
  const e = checkEvent(event, ctx.source, ctx.now);
  if (!e.ok) return e.error.replace(/^ts:/, 'listened_at:');
  if (records.length > 0) seen.add(trackId);
  records.push({ kind: 'event', value: e.value });
  return records;
}

/** The credited artists: the mapping's, else the one submitted MBID, else by name. */
function artistRefs(artist: string, info: Record<string, unknown>, mapping: Record<string, unknown> | undefined): ArtistRef[] | string {
  if (mapping !== undefined && Array.isArray(mapping.artists)) {
    const refs: ArtistRef[] = [];
    for (let i = 0; i < mapping.artists.length; i++) {
      const a: unknown = mapping.artists[i];
      if (!isObject(a)) continue;
      const id = mbid(a.artist_mbid, `track_metadata.mbid_mapping.artists[${i}].artist_mbid`);
      if (typeof id === 'object') return id.error;
      const name = typeof a.artist_credit_name === 'string' ? a.artist_credit_name.trim() : '';
      if (id !== undefined && name !== '') refs.push({ id: `mbid:${id}`, name });
    }
    if (refs.length > 0) return refs;
  }
  // Clients send artist_mbids as an array (the documented form) or, some, as one string.
  const submitted = typeof info.artist_mbids === 'string' ? [info.artist_mbids] : Array.isArray(info.artist_mbids) ? info.artist_mbids : [];
  if (submitted.length === 1) {
    const id = mbid(submitted[0], 'track_metadata.additional_info.artist_mbids[0]');
    if (typeof id === 'object') return id.error;
    if (id !== undefined) return [{ id: `mbid:${id}`, name: artist }];
  }
  // Several MBIDs but one credit string: which name goes with which id is unknown.
  return [{ id: artistIdFromName(artist), name: artist }];
}

/** The track's length from duration_ms or duration (seconds); a string when it is not a number. */
function duration(info: Record<string, unknown>): number | undefined | string {
  for (const [name, scale] of [['duration_ms', 1], ['duration', 1000]] as const) {
    const v = info[name];
    if (v === undefined || v === null || v === '') continue;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return `track_metadata.additional_info.${name}: expected a non-negative number, got ${preview(v)}`;
    return Math.round(n * scale);
  }
  return undefined;
}
