import { basename } from 'node:path';
import { parse, type CsvError, type InfoRecord } from 'csv-parse';
import { preview, trackValidator, type AudioFeatures, type Track } from '../../domain/index.js';
import { inputFiles, fileSize } from '../files.js';
import { albumIdFromName, artistIdFromName } from '../ids.js';
import { ImportError } from '../errors.js';
import { csvRecords } from '../csv.js';
import type { ImportFormat, Parsed, ReadContext, Where } from '../types.js';

/** Audio features with their column names (as Spotify's Web API names them) and valid range. */
const FEATURES: ReadonlyArray<{ field: keyof AudioFeatures; min: number; max: number; integer?: boolean }> = [
  { field: 'tempo', min: 0, max: 300 },
  { field: 'energy', min: 0, max: 1 },
  { field: 'valence', min: 0, max: 1 },
  { field: 'danceability', min: 0, max: 1 },
  { field: 'acousticness', min: 0, max: 1 },
  { field: 'instrumentalness', min: 0, max: 1 },
  { field: 'speechiness', min: 0, max: 1 },
  { field: 'liveness', min: 0, max: 1 },
  { field: 'loudness', min: -80, max: 10 },
  { field: 'key', min: -1, max: 11, integer: true },
  { field: 'mode', min: 0, max: 1, integer: true },
];

/**
 * Column names recognised for each Segue field, tried in this order (case-insensitive).
 * They cover Spotify-derived catalogs (TidyTuesday's spotify_songs, Kaggle's 1.2M songs and
 * 600k tracks, and copies renamed along the way).
 */
const DEFAULT_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  id: ['track_id', 'id', 'uri', 'spotify_id'],
  title: ['track_name', 'title', 'name'],
  artists: ['artist_name', 'track_artist', 'artists', 'artist'],
  albumId: ['track_album_id', 'album_id'],
  albumTitle: ['track_album_name', 'album_name', 'album'],
  releaseDate: ['track_album_release_date', 'release_date', 'year'],
  popularity: ['popularity', 'track_popularity'],
  durationMs: ['duration_ms'],
  explicit: ['explicit'],
  ...Object.fromEntries(FEATURES.map((f) => [f.field, [f.field]])),
};
/** Genres come from a genre column plus a subgenre column, each where present. */
const DEFAULT_GENRE_COLUMNS: ReadonlyArray<readonly string[]> = [
  ['genre', 'playlist_genre', 'genres'],
  ['playlist_subgenre', 'subgenre'],
];
const FIELDS = [...Object.keys(DEFAULT_COLUMNS), 'genres'];
const OPTIONS = ['artistSeparator', 'genreSeparator', 'delimiter'];

/** Which CSV column feeds each field of a track, resolved against one file's header. */
interface Mapping {
  single: Map<string, string>;
  genres: string[];
}

/**
 * A track catalog as CSV with a header row: one track per row, with its artists, album,
 * release date, genres, popularity, duration, explicit flag and Spotify audio features
 * (tempo, energy, valence, danceability, acousticness, instrumentalness, speechiness,
 * liveness, loudness, key, mode). A file or a folder of `*.csv` files; streamed with
 * csv-parse, so the size of a file does not matter.
 *
 * Columns are found by common names (see DEFAULT_COLUMNS: `track_id`, `track_name`,
 * `artist_name`, `genre` + `playlist_subgenre`, ...) or named with options. Only id and
 * title are required. Artist ids are derived from names (artistIdFromName); album ids from
 * an album id column, else from the main artist and the album title. An empty cell, or NA,
 * leaves its field unknown. A row whose number, date or flag does not parse or is out of
 * range is rejected naming the column: `energy: expected a number from 0 to 1, got "1.7"`;
 * so is a row with the wrong number of fields (a truncated line). Rows that repeat a track
 * id merge into one track with the union of their genres (TidyTuesday's original lists a
 * track once per playlist genre): the store unions them (ImportFormat.mergeGenres), so one
 * streaming pass suffices and memory does not grow with the catalog.
 *
 * Options:
 * - `map.<field>=<column>` for field id, title, artists, albumId, albumTitle, releaseDate,
 *   genres, popularity, durationMs, explicit, or an audio feature name. An empty column
 *   unmaps the field; `map.genres` takes several columns separated by commas.
 * - `artistSeparator` (default `;`) and `genreSeparator` (default `;`) split multi-valued cells.
 * - `delimiter` (default `,`; `tab` for tab-separated files).
 *
 * @example segue import catalog-csv spotify_songs.csv --option map.id=track_id --option artistSeparator=,
 */
export const catalogCsv: ImportFormat = {
  name: 'catalog-csv',
  description: 'a CSV track catalog with audio features (Spotify-style columns, mappable with map.<field>=<column>)',
  defaultSource: 'catalog-csv',
  // Rows that repeat a track id under another genre add to its genres (in the store, so
  // memory does not grow with the catalog, and a re-import changes nothing).
  mergeGenres: true,
  async *read(path, ctx) {
    const opts = parseOptions(ctx.options);
    const files = await inputFiles(path, /\.csv$/i, 'CSV files');
    let bytes = 0;
    for (const f of files) bytes += await fileSize(f);
    ctx.addTotal(bytes);
    for (const file of files) yield* readFile(file, ctx, opts);
  },
};

interface Options {
  overrides: Map<string, string[]>;
  artistSeparator: string;
  genreSeparator: string;
  delimiter: string;
}

function parseOptions(options: Readonly<Record<string, string>>): Options {
  const overrides = new Map<string, string[]>();
  for (const [key, value] of Object.entries(options)) {
    if (key.startsWith('map.')) {
      const field = key.slice(4);
      if (!FIELDS.includes(field)) throw new ImportError(`catalog-csv: option ${key}: unknown field ${JSON.stringify(field)}; fields: ${FIELDS.join(', ')}`);
      const cols = field === 'genres' ? value.split(',').map((c) => c.trim()).filter((c) => c.length > 0) : value.trim() === '' ? [] : [value.trim()];
      if (cols.length === 0 && (field === 'id' || field === 'title')) throw new ImportError(`catalog-csv: option ${key} needs a column: every track needs an ${field}`);
      overrides.set(field, cols);
    } else if (!OPTIONS.includes(key)) {
      throw new ImportError(`catalog-csv: unknown option ${JSON.stringify(key)}; options: map.<field>, ${OPTIONS.join(', ')}`);
    }
  }
  const sep = (name: string): string => {
    const v = options[name] ?? ';';
    if (v.length === 0) throw new ImportError(`catalog-csv: option ${name} must not be empty`);
    return v;
  };
  const delimiter = options.delimiter === undefined ? ',' : options.delimiter === 'tab' ? '\t' : options.delimiter;
  if (delimiter.length !== 1) throw new ImportError(`catalog-csv: option delimiter must be one character or "tab", got ${JSON.stringify(options.delimiter)}`);
  return { overrides, artistSeparator: sep('artistSeparator'), genreSeparator: sep('genreSeparator'), delimiter };
}

/** Resolve the mapping against a file's header; an ImportError when id or title has no column. */
function resolveMapping(file: string, header: string[], opts: Options): Mapping {
  const byLower = new Map<string, string>();
  for (const h of header) if (!byLower.has(h.trim().toLowerCase())) byLower.set(h.trim().toLowerCase(), h);
  const found = (): string => header.map((h) => JSON.stringify(h)).join(', ');
  const find = (names: readonly string[]): string | undefined => names.map((n) => byLower.get(n.toLowerCase())).find((c) => c !== undefined);
  const named = (field: string, col: string): string => {
    const c = byLower.get(col.toLowerCase());
    if (c === undefined) throw new ImportError(`${file}: option map.${field}: no column ${JSON.stringify(col)}; columns found: ${found()}`);
    return c;
  };
  const single = new Map<string, string>();
  for (const [field, names] of Object.entries(DEFAULT_COLUMNS)) {
    const override = opts.overrides.get(field);
    const col = override !== undefined ? (override.length > 0 ? named(field, override[0]!) : undefined) : find(names);
    if (col !== undefined) single.set(field, col);
  }
  for (const field of ['id', 'title']) {
    if (!single.has(field)) {
      throw new ImportError(`${file}: no column for the track ${field} (tried ${DEFAULT_COLUMNS[field]!.join(', ')}; name one with --option map.${field}=<column>); columns found: ${found()}`);
    }
  }
  const override = opts.overrides.get('genres');
  const genres = override !== undefined ? override.map((c) => named('genres', c)) : DEFAULT_GENRE_COLUMNS.map(find).filter((c): c is string => c !== undefined);
  return { single, genres };
}

type Row = Record<string, string | undefined>;

async function* readFile(file: string, ctx: ReadContext, opts: Options): AsyncIterable<Parsed[]> {
  let mapping: Mapping | undefined;
  let columns = 0;
  const skipped: Parsed[] = [];
  const parser = parse({
    bom: true,
    delimiter: opts.delimiter,
    columns: (header: string[]) => {
      mapping = resolveMapping(file, header, opts);
      columns = header.length;
      return header;
    },
    info: true,
    raw: true,
    skip_empty_lines: true,
    // Rows with too few or too many fields come through with info.error and are rejected one
    // by one. A stray quote inside a value is kept as text: without relax_quotes, csv-parse
    // loses every record up to the next quote after it. A quote never closed (a truncated
    // last line) skips its record through on_skip.
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const line = typeof err?.lines === 'number' ? err.lines : 0;
      skipped.push({ where: { file, line }, error: `invalid CSV: ${err?.message ?? 'unreadable record'}`, ...(raw !== undefined ? { raw } : {}) });
      return undefined;
    },
  });
  const drain = (items: Parsed[]): Parsed[] =>
    skipped.length > 0 ? [...items, ...skipped.splice(0)].sort((a, b) => a.where.line - b.where.line) : items;
  for await (const records of csvRecords<Row>(file, parser, { onBytes: ctx.progress })) {
    const out: Parsed[] = [];
    for (const item of records) {
      if (item.error !== undefined) {
        out.push({ where: { file, line: item.error.lines ?? 0 }, error: `invalid CSV: ${item.error.message}; the rest of ${basename(file)} is skipped` });
        break;
      }
      const { record, info, raw } = item;
      const text = raw.replace(/\r?\n?$/, '').replace(/\r$/, '');
      const where = { file, line: info.lines - countNewlines(raw.replace(/\r?\n$/, '')) };
      out.push(toItem(record, text, where, info, columns, mapping!, opts));
    }
    yield drain(out);
  }
  const rest = drain([]);
  if (rest.length > 0) yield rest;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** A cell that cannot be read: rejects its row with this sentence. */
class BadCell extends Error {}

function toItem(row: Row, raw: string, where: Where, info: InfoRecord, columns: number, m: Mapping, opts: Options): Parsed {
  if (info.error !== undefined) {
    const got = Array.isArray(info.error.record) ? info.error.record.length : undefined;
    return { where, error: `expected ${columns} fields, got ${got ?? 'a different number'} (a truncated line, or an unquoted delimiter in a value?)`, raw };
  }
  try {
    return { where, records: [{ kind: 'track', value: toTrack(row, m, opts) }], raw };
  } catch (err) {
    if (err instanceof BadCell) return { where, error: err.message, raw };
    throw err;
  }
}

function toTrack(row: Row, m: Mapping, opts: Options): Track {
  const col = (field: string): string | undefined => m.single.get(field);
  /** The trimmed cell of a field; undefined when unmapped, empty or NA. */
  const cell = (field: string): string | undefined => {
    const c = col(field);
    if (c === undefined) return undefined;
    const v = (row[c] ?? '').trim();
    return v === '' || (v === 'NA' && field !== 'title' && field !== 'artists' && field !== 'albumTitle') ? undefined : v;
  };
  const label = (field: string): string => (col(field) === field ? field : `${col(field)} (${field})`);

  const id = cell('id');
  if (id === undefined) throw new BadCell(`${label('id')}: empty; every track needs an id`);
  if (id.length > 256) throw new BadCell(`${label('id')}: expected at most 256 characters, got ${preview(id)}`);
  const title = cell('title');
  if (title === undefined) throw new BadCell(`${label('title')}: empty; every track needs a title`);
  const track: Track = { id, title, artists: [] };

  if (col('artists') !== undefined) {
    const names = (cell('artists') ?? '').split(opts.artistSeparator).map((n) => n.trim()).filter((n) => n.length > 0);
    if (names.length === 0) throw new BadCell(`${label('artists')}: empty; name the track's artists, or unmap the column with --option map.artists=`);
    const seen = new Set<string>();
    for (const name of names) {
      const artistId = artistIdFromName(name);
      if (!seen.has(artistId)) track.artists.push({ id: artistId, name });
      seen.add(artistId);
    }
  }

  const releaseDate = cell('releaseDate');
  if (releaseDate !== undefined && !isReleaseDate(releaseDate)) {
    throw new BadCell(`${label('releaseDate')}: expected a date YYYY-MM-DD, YYYY-MM or YYYY, got ${preview(releaseDate)}`);
  }
  if (releaseDate !== undefined) track.releaseDate = releaseDate;
  const albumId = cell('albumId');
  const albumTitle = cell('albumTitle');
  if (albumId !== undefined) track.album = { id: albumId, title: albumTitle ?? '' };
  else if (albumTitle !== undefined && track.artists.length > 0) track.album = { id: albumIdFromName(track.artists[0]!.id, albumTitle), title: albumTitle };
  if (track.album !== undefined && releaseDate !== undefined) track.album.releaseDate = releaseDate;

  const genres: string[] = [];
  for (const c of m.genres) {
    for (const g of (row[c] ?? '').split(opts.genreSeparator)) {
      const v = g.trim();
      if (v.length > 0 && v !== 'NA' && !genres.includes(v)) genres.push(v);
    }
  }
  if (genres.length > 0) track.genres = genres;

  const popularity = number(cell('popularity'), label('popularity'), 0, 100, false);
  if (popularity !== undefined) track.popularity = popularity;
  const durationMs = number(cell('durationMs'), label('durationMs'), 0, 24 * 3600 * 1000, true);
  if (durationMs !== undefined) track.durationMs = durationMs;
  const explicit = cell('explicit');
  if (explicit !== undefined) track.explicit = flag(explicit, label('explicit'));

  const audio: AudioFeatures = {};
  for (const f of FEATURES) {
    let v = cell(f.field);
    if (f.field === 'mode' && v !== undefined && /^(major|minor)$/i.test(v)) v = /^major$/i.test(v) ? '1' : '0';
    const n = number(v, label(f.field), f.min, f.max, f.integer === true);
    if (n !== undefined) (audio as Record<string, number>)[f.field] = n;
  }
  if (Object.keys(audio).length > 0) track.audio = audio;

  const checked = trackValidator.check(track);
  if (!checked.ok) throw new BadCell(checked.error);
  return checked.value;
}

function number(v: string | undefined, column: string, min: number, max: number, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const what = integer ? `an integer from ${min} to ${max}` : `a number from ${min} to ${max}`;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) throw new BadCell(`${column}: expected ${what}, got ${preview(v)}`);
  return n;
}

function flag(v: string, column: string): boolean {
  const s = v.toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  throw new BadCell(`${column}: expected true or false (or 1, 0, yes, no), got ${preview(v)}`);
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** YYYY, YYYY-MM or YYYY-MM-DD naming a real month and day (Feb 29 only in leap years). */
function isReleaseDate(s: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s);
  if (m === null) return false;
  if (m[2] === undefined) return true;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return false;
  if (m[3] === undefined) return true;
  const day = Number(m[3]);
  const year = Number(m[1]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day >= 1 && day <= (month === 2 && !leap ? 28 : DAYS[month - 1]!);
}
