import { createHash } from 'node:crypto';

/**
 * The id of an artist known only by name (formats without artist ids): `name:` plus the
 * name lower-cased with white space collapsed, so that every such format agrees.
 * Formats that carry a real id (a Spotify URI, a MusicBrainz id) use that instead.
 *
 * @example artistIdFromName('  Nina  Simone ') // 'name:nina simone'
 */
export function artistIdFromName(name: string): string {
  return `name:${name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase()}`;
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
