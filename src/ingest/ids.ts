import { createHash } from 'node:crypto';

/**
 * The id of an artist known only by name (formats without artist ids): `name:` plus the
 * name lower-cased with white space collapsed, so that every such format agrees.
 * Formats that carry a real id (a Spotify URI, a MusicBrainz id) use that instead.
 *
 * @example artistIdFromName('  Nina  Simone ') // 'name:nina simone'
 */
export function artistIdFromName(name: string): string {
  return `name:${normalizeName(name)}`;
}

/**
 * A stable event id that sorts by time: the time in base 36, then a hash of the parts.
 * Ids that increase with time keep the event log's idempotency index append-mostly, which
 * keeps ingest fast (random ids, such as UUIDv4, make every insert touch a random page).
 * Falls back to stableId when the time is not a number.
 *
 * @example eventIdAt(1677324037000, 'spotify:track:6pot', 61839) // 't:00lee5bcz4:3f2a...'
 */
export function eventIdAt(tsMs: number, ...parts: Array<string | number | boolean | null | undefined>): string {
  if (!Number.isFinite(tsMs) || tsMs < 0) return stableId(tsMs, ...parts);
  return `t:${Math.round(tsMs).toString(36).padStart(10, '0')}:${stableId(...parts).slice(2, 18)}`;
}

/**
 * A stable event id for formats whose records have none: a hash of the fields that make
 * the record what it is, so that importing the same file twice yields the same ids.
 *
 * @example stableId('2023-02-25T11:20:37Z', 'spotify:track:6pot', 61839) // 'h:3f2a...' (24 hex digits)
 */
export function stableId(...parts: Array<string | number | boolean | null | undefined>): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p === null || p === undefined ? '\u0000' : String(p)).update('\u0001');
  return `h:${h.digest('hex').slice(0, 24)}`;
}

/** A MusicBrainz id: a UUID in its canonical 8-4-4-4-12 hex form. */
export const MBID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lower case, NFC, white space collapsed: how names are compared (as in artistIdFromName). */
export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The id of a track known only by artist and title (scrobbles without a MusicBrainz id):
 * the artist's name id, `|track:`, and the title normalized like artistIdFromName, so that
 * every format naming tracks this way (lastfm-1k, listenbrainz) agrees; a hash of the two
 * when that would pass the 256 characters an id may have.
 *
 * @example trackIdFromNames('Nina  Simone', 'Sinnerman') // 'name:nina simone|track:sinnerman'
 */
export function trackIdFromNames(artist: string, title: string): string {
  const id = `${artistIdFromName(artist)}|track:${normalizeName(title)}`;
  return id.length <= 256 ? id : stableId('track', artistIdFromName(artist), normalizeName(title));
}

/**
 * The id of an album known only by its title and main artist, (`<artist id>|album:<title>`); a hash past 256 characters.
 *
 * @example albumIdFromName('name:nina simone', 'Pastel Blues') // 'name:nina simone|album:pastel blues'
 */
export function albumIdFromName(artistId: string, title: string): string {
  const id = `${artistId}|album:${normalizeName(title)}`;
  return id.length <= 256 ? id : stableId('album', artistId, normalizeName(title));
}

/**
 * The catalog ids an import has already emitted, so that a track named by a million plays
 * is written once, not a million times. Memory stays bounded: past `cap` ids the set is
 * forgotten at once, which costs only a repeat of a catalog record the store merges as a
 * duplicate.
 *
 * @example const seen = new RecentIds(); seen.add('t1'); // true; seen.add('t1') // false
 */
export class RecentIds {
  private ids = new Set<string>();
  constructor(private readonly cap = 500_000) {}
  /** Whether the id is new (since the last forgetting); remembers it. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    if (this.ids.size >= this.cap) this.ids.clear();
    this.ids.add(id);
    return true;
  }
  /** Whether the id was emitted (and not yet forgotten). */
  has(id: string): boolean {
    return this.ids.has(id);
  }
}

