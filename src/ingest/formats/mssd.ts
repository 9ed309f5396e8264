import { basename } from 'node:path';
import { parse } from 'csv-parse';
import {
  checkEvent, END_REASONS, listenerValidator, preview, trackValidator,
  type AudioFeatures, type Context, type EndReason, type SegueRecord, type Track,
} from '../../domain/index.js';
import { ImportError } from '../errors.js';
import type { ImportFormat, Parsed, ReadContext } from '../types.js';
import { RecentIds } from '../ids.js';
import { inputFiles, fileSize } from '../files.js';
import { csvRecords } from '../csv.js';


type Kind = 'tf' | 'log';

/** Columns a file of each kind must have (the rest are read when present). */
const REQUIRED: Record<Kind, readonly string[]> = {
  tf: ['track_id'],
  log: ['session_id', 'session_position', 'track_id_clean', 'date', 'hour_of_day'],
};

/** MSSD context_type to Segue's context types. */
const CONTEXT_TYPES: Record<string, Context['type']> = {
  editorial_playlist: 'playlist',
  user_collection: 'album',
  catalog: 'other',
  radio: 'radio',
  personalized_playlist: 'mix',
  charts: 'playlist',
};

/** The columns that may serve as the skip label (option `skip`); `not_skipped` is inverted. */
const SKIP_COLUMNS = ['skip_1', 'skip_2', 'skip_3', 'not_skipped'] as const;

/**
 * Spotify's Music Streaming Sessions Dataset (Brost, Mehrotra and Jehan, "The Music
 * Streaming Sessions Dataset", WWW 2019; the WSDM Cup 2019 Sequential Skip Prediction
 * Challenge). Two kinds of CSV, told apart by their header:
 *
 * - track features (`tf_*.csv`): `track_id, duration, release_year, us_popularity_estimate,
 *   acousticness, ..., mode, ..., acoustic_vector_0..7`. Each row becomes a track whose
 *   title is its id (MSSD has no titles) and whose artists are [] (nor artists):
 *   durationMs from `duration` seconds, releaseDate from `release_year`, popularity =
 *   `us_popularity_estimate` (a US popularity percentile) clamped to 0..100, and the audio
 *   features Segue knows (tempo, energy, valence, danceability, acousticness,
 *   instrumentalness, speechiness, liveness, loudness, key, mode 'major' 1 / 'minor' 0).
 *   beat_strength, bounciness, dyn_range_mean, flatness, mechanism, organism,
 *   time_signature and the acoustic vectors have no place in Segue's track and are dropped.
 * - session logs (`log_*.csv`): `session_id, session_position, session_length,
 *   track_id_clean, skip_1, skip_2, skip_3, not_skipped, context_switch, ...,
 *   hist_user_behavior_is_shuffle, hour_of_day, date, premium, context_type,
 *   hist_user_behavior_reason_start, hist_user_behavior_reason_end`. Each row becomes a
 *   `play_end`: listener `mssd:<session_id>` (sessions are anonymous, so each is its own
 *   listener, with `premium` from the row), sessionId = session_id, eventId
 *   `<session_id>:<session_position>`, skipped = `skip_2` (the challenge's label; option
 *   `skip` picks skip_1, skip_3 or not_skipped instead), endReason from `reason_end`
 *   (Spotify's own vocabulary; trackerror becomes 'error', anything else outside
 *   END_REASONS 'unknown'), startReason = `reason_start` as given, shuffle, and context
 *   {type from context_type (editorial_playlist and charts: playlist, user_collection:
 *   album, catalog: other, radio: radio, personalized_playlist: mix), position:
 *   session_position - 1}.
 *
 * Time is approximate: MSSD gives only the date and hour of a session, so ts = date (UTC)
 * + hour_of_day hours + (session_position - 1) minutes. That keeps the order within a
 * session and puts each session at its hour; gaps between plays are not real.
 *
 * A log row whose track has no features row gets a stub track (title = id, artists [])
 * before its event, so that logs import without the features: importing the features
 * before or after fills the stub in (the store merges a track's fields).
 *
 * The path is one CSV, or a folder searched recursively for `tf_*.csv` and `log_*.csv`
 * (the dataset unpacks to track_features/ and training_set/); all features are read
 * before any log. Options: `skip=skip_1|skip_2|skip_3|not_skipped` (default skip_2).
 *
 * @example segue import mssd ./data   (track_features/tf_*.csv and training_set/log_*.csv)
 * @example segue import mssd log_mini.csv --option skip=skip_1
 */
export const mssd: ImportFormat = {
  name: 'mssd',
  description: 'Spotify Music Streaming Sessions Dataset (WSDM Cup 2019): tf_*.csv track features and log_*.csv sessions',
  defaultSource: 'mssd',
  async *read(path, ctx) {
    const skip = skipOption(ctx.options);
    const files = await mssdFiles(path);
    for (const f of files) ctx.addTotal(await fileSize(f.file));
    const seen = new RecentIds();
    for (const f of files) yield* readCsv(f.file, f.kind, skip, ctx, seen);
  },
};

function skipOption(options: Readonly<Record<string, string>>): (typeof SKIP_COLUMNS)[number] {
  for (const k of Object.keys(options)) if (k !== 'skip') throw new ImportError(`mssd: unknown option ${JSON.stringify(k)}; options: skip`);
  const skip = options.skip ?? 'skip_2';
  if (!(SKIP_COLUMNS as readonly string[]).includes(skip)) throw new ImportError(`mssd: option skip must be one of ${SKIP_COLUMNS.join(', ')}, got ${JSON.stringify(skip)}`);
  return skip as (typeof SKIP_COLUMNS)[number];
}

/** The files to read, features first; a single file's kind is decided by its header. */
async function mssdFiles(path: string): Promise<Array<{ file: string; kind: Kind | undefined }>> {
  const files = await inputFiles(path, /^(tf|log)_.*\.csv$/i, 'MSSD files', { recursive: true, expected: 'tf_*.csv and log_*.csv' });
  if (files[0] === path) return [{ file: path, kind: undefined }];
  const kind = (file: string): Kind => (/^tf_/i.test(basename(file)) ? 'tf' : 'log');
  return (['tf', 'log'] as const).flatMap((k) => files.filter((f) => kind(f) === k).map((file) => ({ file, kind: k })));
}

function kindOf(header: readonly string[]): Kind | undefined {
  if (header.includes('session_id') && header.includes('track_id_clean')) return 'log';
  if (header.includes('track_id')) return 'tf';
  return undefined;
}

async function* readCsv(file: string, expected: Kind | undefined, skip: string, ctx: ReadContext, seen: RecentIds): AsyncIterable<Parsed[]> {
  const parser = parse({ info: true, raw: true, relax_column_count: true, bom: true, skip_empty_lines: true });
  let header: string[] | undefined;
  let row: ((r: string[]) => SegueRecord[] | string) | undefined;
  let lastLine = 0;
  for await (const items of csvRecords<string[]>(file, parser, { onBytes: ctx.progress })) {
    const out: Parsed[] = [];
    for (const item of items) {
      if (item.error !== undefined) {
        // A malformed CSV (an unclosed quote, as in a truncated file) ends the file here.
        out.push({ where: { file, line: item.error.lines ?? lastLine + 1 }, error: `invalid CSV: ${item.error.message}` });
        break;
      }
      const { record, raw, info } = item;
      lastLine = info.lines;
      if (header === undefined) {
        header = record.map((h) => h.trim());
        const kind = kindOf(header);
        if (kind === undefined) throw new ImportError(`${file}: not an MSSD file: the header has neither track_id (track features) nor session_id and track_id_clean (session log)`);
        if (expected !== undefined && kind !== expected) throw new ImportError(`${file}: named like a ${expected === 'tf' ? 'track features' : 'session log'} file but its header is that of the other kind`);
        const cols = kind === 'log' ? [...REQUIRED.log, skip] : REQUIRED.tf;
        const missing = cols.filter((c) => !header!.includes(c));
        if (missing.length > 0) throw new ImportError(`${file}: header lacks ${missing.join(', ')}`);
        const ix = new Map(header.map((h, i) => [h, i]));
        row = kind === 'tf' ? (r) => trackRow(r, ix, seen) : logRow(ix, skip, ctx, seen);
        continue;
      }
      const where = { file, line: info.lines };
      const line = raw.replace(/\r?\n$/, '');
      const r = record.length !== header.length ? `expected ${header.length} fields as in the header, got ${record.length}` : row!(record);
      out.push(typeof r === 'string' ? { where, error: r, raw: line } : { where, records: r, raw: line });
    }
    if (out.length > 0) yield out;
  }
}

type Columns = ReadonlyMap<string, number>;

function field(r: readonly string[], ix: Columns, name: string): string | undefined {
  const i = ix.get(name);
  return i === undefined ? undefined : r[i]!.trim();
}

/** A number column: undefined when the column or its value is absent, an error string when it is not a number. */
function num(r: readonly string[], ix: Columns, name: string): number | undefined | { error: string } {
  const v = field(r, ix, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : { error: `${name}: expected a number, got ${preview(v)}` };
}

const AUDIO = ['tempo', 'energy', 'valence', 'danceability', 'acousticness', 'instrumentalness', 'speechiness', 'liveness', 'loudness', 'key'] as const;

/** A track features row: the track, or why it is rejected. */
function trackRow(r: string[], ix: Columns, seen: RecentIds): SegueRecord[] | string {
  const id = field(r, ix, 'track_id')!;
  if (id === '') return 'track_id: empty';
  const track: Track = { id, title: id, artists: [] };
  const duration = num(r, ix, 'duration');
  if (typeof duration === 'object') return duration.error;
  if (duration !== undefined) track.durationMs = Math.round(duration * 1000);
  const year = num(r, ix, 'release_year');
  if (typeof year === 'object') return year.error;
  if (year !== undefined) {
    if (!Number.isInteger(year) || year < 1000 || year > 9999) return `release_year: expected a four-digit year, got ${year}`;
    track.releaseDate = String(year);
  }
  const popularity = num(r, ix, 'us_popularity_estimate');
  if (typeof popularity === 'object') return popularity.error;
  if (popularity !== undefined) track.popularity = Math.min(100, Math.max(0, popularity));
  const audio: AudioFeatures = {};
  for (const name of AUDIO) {
    const v = num(r, ix, name);
    if (typeof v === 'object') return v.error;
    if (v !== undefined) audio[name] = v;
  }
  const mode = field(r, ix, 'mode');
  if (mode !== undefined && mode !== '') {
    if (mode !== 'major' && mode !== 'minor') return `mode: expected major or minor, got ${preview(mode)}`;
    audio.mode = mode === 'major' ? 1 : 0;
  }
  if (Object.keys(audio).length > 0) track.audio = audio;
  const t = trackValidator.check(track);
  if (!t.ok) return t.error;
  seen.add(id);
  return [{ kind: 'track', value: t.value }];
}

function bool(v: string | undefined, name: string): boolean | undefined | { error: string } {
  if (v === undefined || v === '') return undefined;
  switch (v.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return { error: `${name}: expected true or false, got ${preview(v)}` };
  }
}

function endReason(v: string): EndReason {
  if ((END_REASONS as readonly string[]).includes(v)) return v as EndReason;
  return v === 'trackerror' ? 'error' : 'unknown';
}

/** The parser of session log rows (it remembers the last session, to write its listener once). */
function logRow(ix: Columns, skip: string, ctx: ReadContext, seen: RecentIds): (r: string[]) => SegueRecord[] | string {
  let lastSession = '';
  return (r) => {
    const session = field(r, ix, 'session_id')!;
    if (session === '') return 'session_id: empty';
    const posText = field(r, ix, 'session_position')!;
    if (!/^\d{1,5}$/.test(posText) || Number(posText) < 1) return `session_position: expected a whole number from 1, got ${preview(posText)}`;
    const position = Number(posText);
    const trackId = field(r, ix, 'track_id_clean')!;
    if (trackId === '') return 'track_id_clean: empty';
    const date = field(r, ix, 'date')!;
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    const day = d ? Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) : NaN;
    if (!d || new Date(day).toISOString().slice(0, 10) !== date) return `date: expected YYYY-MM-DD, got ${preview(date)}`;
    const hourText = field(r, ix, 'hour_of_day')!;
    if (!/^\d{1,2}$/.test(hourText) || Number(hourText) > 23) return `hour_of_day: expected 0 to 23, got ${preview(hourText)}`;
    const flag = bool(field(r, ix, skip), skip);
    if (typeof flag === 'object') return flag.error;
    const shuffle = bool(field(r, ix, 'hist_user_behavior_is_shuffle'), 'hist_user_behavior_is_shuffle');
    if (typeof shuffle === 'object') return shuffle.error;
    const premium = bool(field(r, ix, 'premium'), 'premium');
    if (typeof premium === 'object') return premium.error;

    const context: Context = { type: CONTEXT_TYPES[field(r, ix, 'context_type') ?? ''] ?? 'other', position: position - 1 };
    const raw: Record<string, unknown> = {
      type: 'play_end',
      eventId: `${session}:${position}`,
      listenerId: `mssd:${session}`,
      sessionId: session,
      ts: day + Number(hourText) * 3_600_000 + (position - 1) * 60_000,
      trackId,
      context,
    };
    if (flag !== undefined) raw.skipped = skip === 'not_skipped' ? !flag : flag;
    if (shuffle !== undefined) raw.shuffle = shuffle;
    const start = field(r, ix, 'hist_user_behavior_reason_start');
    if (start) raw.startReason = start;
    const end = field(r, ix, 'hist_user_behavior_reason_end');
    if (end) raw.endReason = endReason(end);
    const e = checkEvent(raw, ctx.source, ctx.now);
    if (!e.ok) return e.error;

    const records: SegueRecord[] = [];
    if (premium !== undefined && session !== lastSession) {
      const l = listenerValidator.check({ id: `mssd:${session}`, premium });
      if (!l.ok) return l.error;
      records.push({ kind: 'listener', value: l.value });
    }
    if (seen.add(trackId)) records.push({ kind: 'track', value: { id: trackId, title: trackId, artists: [] } });
    records.push({ kind: 'event', value: e.value });
    lastSession = session;
    return records;
  };
}
