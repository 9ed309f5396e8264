import { checkEvent, listenerValidator, preview, trackValidator, type Listener, type SegueRecord, type Track } from '../../domain/index.js';
import { readLines } from '../lines.js';
import { Batcher } from '../batch.js';
import { inputFiles, fileSize } from '../files.js';
import { artistIdFromName, MBID, RecentIds, eventIdAt, trackIdFromNames } from '../ids.js';
import { ImportError } from '../errors.js';
import type { ImportFormat, Parsed, ReadContext } from '../types.js';

/** The year the 1K dataset was collected (its README: listening habits till May 5th, 2009); ages are as of then. */
const COLLECTED_YEAR = 2009;

/**
 * Last.fm Dataset 1K users (Celma, "Music Recommendation and Discovery", Springer 2010;
 * README version 1.0, May 2010): every scrobble of 992 users until May 2009.
 *
 * - `userid-timestamp-artid-artname-traid-traname.tsv`, no header, one play a line:
 *   `user id \t ISO timestamp \t artist MBID or empty \t artist name \t track MBID or empty \t track name`.
 *   Each line becomes a track (id `mbid:<track MBID>`, else trackIdFromNames(artist, title);
 *   artist `mbid:<artist MBID>`, else artistIdFromName) and a `play_end` without msPlayed
 *   or endReason (a scrobble says only that a track was played), with eventId
 *   eventIdAt(time, user, timestamp, track id). The listener id is the user id as given.
 * - `userid-profile.tsv`, header `#id gender age country registered`:
 *   `user_000003 \t m \t 22 \t United States \t Oct 30, 2005` becomes a listener with
 *   country (ISO 3166-1 alpha-2, looked up from the English name; omitted when unknown),
 *   birthYear = 2009 - age, createdAt = the signup date. Gender has no place in Segue.
 *
 * The path is either file (told apart by the profile's `#id` header) or the folder holding
 * both; profiles are read first. Lines with a wrong number of fields, a bad timestamp or
 * MBID, or no track or artist name are rejected with the reason. No options.
 *
 * @example segue import lastfm-1k ./lastfm-dataset-1K
 */
export const lastfm1k: ImportFormat = {
  name: 'lastfm-1k',
  description: 'Last.fm 1K users dataset (Celma 2010): scrobble TSV and optional userid-profile.tsv',
  defaultSource: 'lastfm-1k',
  async *read(path, ctx) {
    const unknown = Object.keys(ctx.options);
    if (unknown.length > 0) throw new ImportError(`lastfm-1k takes no options, got ${unknown.join(', ')}`);
    const files = await inputFiles(path, /\.tsv$/i, 'Last.fm 1K .tsv files');
    // The profile first, so that listeners exist with their country before their plays.
    files.sort((a, b) => Number(!/profile/i.test(a)) - Number(!/profile/i.test(b)) || a.localeCompare(b));
    for (const f of files) ctx.addTotal(await fileSize(f));
    const seen = new RecentIds();
    for (const file of files) yield* readFile(file, ctx, seen);
  },
};

async function* readFile(file: string, ctx: ReadContext, seen: RecentIds): AsyncIterable<Parsed[]> {
  let profile: boolean | undefined;
  const out = new Batcher<Parsed>();
  for await (const { first, lines } of readLines(file, ctx.progress)) {
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const where = { file, line: first + i };
      if (profile === undefined) {
        profile = raw.startsWith('#id\t');
        if (profile) continue; // the header
      }
      if (raw.trim().length === 0) continue;
      const r = profile ? parseProfile(raw) : parsePlay(raw, ctx, seen);
      if (out.push(typeof r === 'string' ? { where, error: r, raw } : { where, records: r, raw })) yield out.take();
    }
  }
  if (out.length > 0) yield out.take();
}

const PLAY_FIELDS = 'user id, timestamp, artist MBID, artist name, track MBID, track name';

/** One scrobble line: its records, or why it is rejected. */
function parsePlay(raw: string, ctx: ReadContext, seen: RecentIds): SegueRecord[] | string {
  const cols = raw.split('\t');
  if (cols.length !== 6) return `expected 6 tab-separated fields (${PLAY_FIELDS}), got ${cols.length}`;
  const [user, timestamp, artistMbid, artistRaw, trackMbid, titleRaw] = cols as [string, string, string, string, string, string];
  const artist = artistRaw.trim();
  const title = titleRaw.trim();
  if (user.length === 0) return 'user id: empty';
  if (title.length === 0) return 'track name: empty';
  if (artist.length === 0) return 'artist name: empty';
  if (artistMbid !== '' && !MBID.test(artistMbid)) return `artist MBID: expected a UUID or nothing, got ${preview(artistMbid)}`;
  if (trackMbid !== '' && !MBID.test(trackMbid)) return `track MBID: expected a UUID or nothing, got ${preview(trackMbid)}`;
  const artistId = artistMbid !== '' ? `mbid:${artistMbid.toLowerCase()}` : artistIdFromName(artist);
  const trackId = trackMbid !== '' ? `mbid:${trackMbid.toLowerCase()}` : trackIdFromNames(artist, title);
  const records: SegueRecord[] = [];
  if (!seen.has(trackId)) {
    const track: Track = { id: trackId, title, artists: [{ id: artistId, name: artist }] };
    const t = trackValidator.check(track);
    if (!t.ok) return t.error;
    records.push({ kind: 'track', value: t.value });
  }
  const e = checkEvent({ type: 'play_end', eventId: eventIdAt(Date.parse(timestamp), user, timestamp, trackId), listenerId: user, ts: timestamp, trackId }, ctx.source, ctx.now);
  if (!e.ok) return e.error.replace(/^ts:/, 'timestamp:');
  if (records.length > 0) seen.add(trackId);
  records.push({ kind: 'event', value: e.value });
  return records;
}

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

/** One profile line `id gender age country registered`: a listener record, or why it is rejected. */
function parseProfile(raw: string): SegueRecord[] | string {
  const cols = raw.split('\t');
  if (cols.length !== 5) return `expected 5 tab-separated fields (id, gender, age, country, registered), got ${cols.length}`;
  const [id, , age, country, registered] = cols as [string, string, string, string, string];
  if (id.length === 0) return 'id: empty';
  const listener: Listener = { id };
  if (age !== '') {
    if (!/^\d{1,3}$/.test(age)) return `age: expected a whole number of years, got ${preview(age)}`;
    listener.birthYear = COLLECTED_YEAR - Number(age);
  }
  if (country !== '') {
    const code = countryCode(country);
    if (code !== undefined) listener.country = code;
  }
  if (registered !== '') {
    const m = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4})$/.exec(registered);
    const month = m ? MONTHS[m[1]!] : undefined;
    const day = m ? Number(m[2]) : 0;
    const date = month === undefined ? undefined : new Date(Date.UTC(Number(m![3]), month - 1, day));
    if (date === undefined || date.getUTCDate() !== day) return `registered: expected a date like "Oct 30, 2005", got ${preview(registered)}`;
    listener.createdAt = date.toISOString().replace('.000Z', 'Z');
  }
  const l = listenerValidator.check(listener);
  if (!l.ok) return l.error.replace(/^birthYear:/, `age: ${age} gives birthYear`);
  return [{ kind: 'listener', value: l.value }];
}

/**
 * ISO 3166 English short names as Last.fm profiles spelled them around 2009, where they
 * differ from CLDR's names (which Intl.DisplayNames gives).
 */
const COUNTRY_ALIASES: Record<string, string> = {
  'russian federation': 'RU', 'korea, republic of': 'KR', "korea, democratic people's republic of": 'KP',
  'iran, islamic republic of': 'IR', 'viet nam': 'VN', 'moldova, republic of': 'MD', macedonia: 'MK',
  'macedonia, the former yugoslav republic of': 'MK', 'czech republic': 'CZ', 'libyan arab jamahiriya': 'LY',
  'syrian arab republic': 'SY', 'tanzania, united republic of': 'TZ', 'congo, the democratic republic of the': 'CD',
  congo: 'CG', 'holy see (vatican city state)': 'VA', "lao people's democratic republic": 'LA',
  'micronesia, federated states of': 'FM', 'palestinian territory, occupied': 'PS', turkey: 'TR',
  'brunei darussalam': 'BN', swaziland: 'SZ', myanmar: 'MM', 'taiwan, province of china': 'TW', 'hong kong': 'HK',
  macao: 'MO', 'united states minor outlying islands': 'UM', 'virgin islands, british': 'VG', 'virgin islands, u.s.': 'VI',
  'falkland islands (malvinas)': 'FK', 'saint vincent and the grenadines': 'VC', 'heard island and mcdonald islands': 'HM',
  'south georgia and the south sandwich islands': 'GS', 'bolivia, plurinational state of': 'BO', 'venezuela, bolivarian republic of': 'VE',
};
/** Region codes that name no country, or that are pseudo-regions. */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ', 'XA', 'XB']);

let countryIndex: Map<string, string> | undefined;

function normalizeCountry(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/&/g, 'and')
    .replace(/^st\. /i, 'saint ')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/**
 * The ISO 3166-1 alpha-2 code of an English country name, by reverse lookup of
 * Intl.DisplayNames over every current code, plus the ISO names in COUNTRY_ALIASES;
 * undefined when unknown.
 *
 * @example countryCode('United States') // 'US'; countryCode('Russian Federation') // 'RU'
 */
export function countryCode(name: string): string | undefined {
  if (countryIndex === undefined) {
    countryIndex = new Map(Object.entries(COUNTRY_ALIASES));
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        const display = names.of(code);
        // Skip unknown codes (shown as themselves), withdrawn ones (SU, UK: canonicalized to others), non-countries.
        if (display === undefined || display === code || NOT_COUNTRIES.has(code)) continue;
        if (Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}`) continue;
        const key = normalizeCountry(display);
        if (!countryIndex.has(key)) countryIndex.set(key, code);
      }
    }
  }
  return countryIndex.get(normalizeCountry(name));
}
