import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { artistValidator, checkEvent, parseTimestamp, preview, type Artist } from '../../domain/index.js';
import { readLines } from '../lines.js';
import { BATCH } from '../batch.js';
import { fileSize, inputStat } from '../files.js';
import { artistIdFromName } from '../ids.js';
import { ImportError } from '../errors.js';
import type { ImportFormat, Parsed, ReadContext } from '../types.js';

/** The dataset's release (HetRec 2011 readme: "Version 1.0 (May 2011)"): play counts carry no time. */
const DEFAULT_AS_OF = '2011-05-01T00:00:00Z';
const DEFAULT_TOP_TAGS = 5;
const OPTIONS = ['asOf', 'topTags'];

interface Spec {
  name: string;
  header: readonly string[];
  encoding: BufferEncoding;
}
// The readme and PROVENANCE.md: tags.dat alone is Latin-1; artist names are UTF-8.
const ARTISTS: Spec = { name: 'artists.dat', header: ['id', 'name', 'url', 'pictureURL'], encoding: 'utf8' };
const TAGS: Spec = { name: 'tags.dat', header: ['tagID', 'tagValue'], encoding: 'latin1' };
const TAGGINGS: Spec = { name: 'user_taggedartists.dat', header: ['userID', 'artistID', 'tagID', 'day', 'month', 'year'], encoding: 'utf8' };
const PLAYS: Spec = { name: 'user_artists.dat', header: ['userID', 'artistID', 'weight'], encoding: 'utf8' };

/** One Segue artist: the HetRec ids whose names fold to its id (artistIdFromName); its record once built. */
interface ArtistGroup {
  name: string;
  hetrecIds: number[];
  record?: Artist;
}

/**
 * The HetRec 2011 Last.fm 2K dataset (GroupLens; 1,892 users, 17,632 artists): the folder
 * of tab-separated files with a header line. It becomes
 * - an artist per line of artists.dat (id from the name, artistIdFromName), whose genres
 *   are its top tags (`topTags`, default 5) by number of assignments in
 *   user_taggedartists.dat, ties broken by lower tag id, names from tags.dat (Latin-1);
 * - a `play_count` event per line of user_artists.dat: listener `lastfm2k:<userID>`, the
 *   artist, count = weight, event id `<userID>:<artistID>`, at `asOf` (the data has no
 *   play times; default 2011-05-01, the release).
 *
 * Items (read, accepted, ...) are the lines of artists.dat and user_artists.dat. tags.dat
 * and user_taggedartists.dat are side inputs: their well-formed lines are not items, their
 * malformed lines are rejected items, and taggings of an artist or tag absent from
 * artists.dat or tags.dat are skipped (1,538 taggings of the real data name artists that
 * artists.dat lacks). A user_artists line naming an artist not in artists.dat is rejected.
 * user_friends.dat (the social graph) and user_taggedartists-timestamps.dat are not imported.
 *
 * artists.dat names some artists twice in different case ("Слот", "СЛОТ"); they are one
 * Segue artist, with the tags of both: artists.dat is read twice, first to group the names.
 *
 * Options: `asOf=<ISO time>` (time of the play counts), `topTags=<n>` (0 to 64).
 *
 * @example segue import lastfm-2k ./hetrec2011-lastfm-2k/ --option topTags=10
 */
export const lastfm2k: ImportFormat = {
  name: 'lastfm-2k',
  description: 'HetRec 2011 Last.fm 2K folder: artists with top tags, user-artist play counts',
  defaultSource: 'lastfm-2k',
  async *read(path, ctx) {
    const { asOf, topTags } = parseOptions(ctx);
    const files = await datasetFiles(path);
    for (const f of [files.artists, files.artists, files.tags, files.taggings, files.plays]) ctx.addTotal(await fileSize(f));

    const tags = new Map<number, string>();
    for await (const rows of tsvRows(files.tags, TAGS, ctx)) {
      const bad: Parsed[] = [];
      for (const r of rows) {
        const id = positiveInt(r.fields[0]);
        const value = r.fields[1]?.trim() ?? '';
        const error =
          r.fields.length !== 2 ? fieldCount(TAGS, r.fields.length)
          : id === undefined ? `tagID: expected a positive integer, got ${preview(r.fields[0])}`
          : value.length === 0 || value.length > 128 ? `tagValue: expected 1 to 128 characters, got ${preview(value)}`
          : tags.has(id) ? `tagID: tag ${id} appears twice`
          : undefined;
        if (error !== undefined) bad.push({ where: { file: files.tags, line: r.line }, error, raw: r.raw });
        else tags.set(id!, value);
      }
      if (bad.length > 0) yield bad;
    }

    // Assignments per (HetRec artist, tag): 186k lines, a Map of Maps.
    const tagCounts = new Map<number, Map<number, number>>();
    for await (const rows of tsvRows(files.taggings, TAGGINGS, ctx)) {
      const bad: Parsed[] = [];
      for (const r of rows) {
        const artist = positiveInt(r.fields[1]);
        const tag = positiveInt(r.fields[2]);
        const error =
          r.fields.length !== TAGGINGS.header.length ? fieldCount(TAGGINGS, r.fields.length)
          : positiveInt(r.fields[0]) === undefined ? `userID: expected a positive integer, got ${preview(r.fields[0])}`
          : artist === undefined ? `artistID: expected a positive integer, got ${preview(r.fields[1])}`
          : tag === undefined ? `tagID: expected a positive integer, got ${preview(r.fields[2])}`
          : undefined;
        if (error !== undefined) {
          bad.push({ where: { file: files.taggings, line: r.line }, error, raw: r.raw });
          continue;
        }
        if (!tags.has(tag!)) continue;
        let counts = tagCounts.get(artist!);
        if (counts === undefined) tagCounts.set(artist!, (counts = new Map()));
        counts.set(tag!, (counts.get(tag!) ?? 0) + 1);
      }
      if (bad.length > 0) yield bad;
    }

    // Pass 1 over artists.dat: group HetRec ids by Segue artist id, so that every line of a
    // group yields the same record (the tags of the whole group) and a re-import changes nothing.
    const groups = new Map<string, ArtistGroup>();
    const byHetrec = new Map<number, { artistId: string; line: number }>();
    for await (const rows of tsvRows(files.artists, ARTISTS, ctx)) {
      for (const r of rows) {
        const a = parseArtist(r.fields);
        if (typeof a === 'string' || byHetrec.has(a.hetrecId)) continue;
        byHetrec.set(a.hetrecId, { artistId: a.artistId, line: r.line });
        const g = groups.get(a.artistId);
        if (g === undefined) groups.set(a.artistId, { name: a.name, hetrecIds: [a.hetrecId] });
        else g.hetrecIds.push(a.hetrecId);
      }
    }

    // Pass 2: the artist items.
    for await (const rows of tsvRows(files.artists, ARTISTS, ctx)) {
      const out: Parsed[] = [];
      for (const r of rows) {
        const where = { file: files.artists, line: r.line };
        const a = parseArtist(r.fields);
        if (typeof a === 'string') {
          out.push({ where, error: a, raw: r.raw });
          continue;
        }
        const first = byHetrec.get(a.hetrecId)!;
        if (first.line !== r.line) {
          out.push({ where, error: `id: artist ${a.hetrecId} is already on line ${first.line}`, raw: r.raw });
          continue;
        }
        const g = groups.get(a.artistId)!;
        g.record ??= groupRecord(a.artistId, g, tagCounts, tags, topTags);
        const checked = artistValidator.check(g.record);
        out.push(checked.ok ? { where, records: [{ kind: 'artist', value: checked.value }], raw: r.raw } : { where, error: checked.error, raw: r.raw });
      }
      yield out;
    }
    tagCounts.clear();
    groups.clear();

    for await (const rows of tsvRows(files.plays, PLAYS, ctx)) {
      const out: Parsed[] = [];
      for (const r of rows) {
        const where = { file: files.plays, line: r.line };
        const f = r.fields;
        const user = positiveInt(f[0]);
        const artist = positiveInt(f[1]);
        const weight = positiveInt(f[2]);
        const error =
          f.length !== PLAYS.header.length ? fieldCount(PLAYS, f.length)
          : user === undefined ? `userID: expected a positive integer, got ${preview(f[0])}`
          : artist === undefined ? `artistID: expected a positive integer, got ${preview(f[1])}`
          : weight === undefined ? `weight: expected a positive integer, got ${preview(f[2])}`
          : !byHetrec.has(artist) ? `artistID: unknown artist ${artist} (not in artists.dat, or rejected there)`
          : undefined;
        if (error !== undefined) {
          out.push({ where, error, raw: r.raw });
          continue;
        }
        const e = checkEvent(
          { type: 'play_count', eventId: `${user}:${artist}`, listenerId: `lastfm2k:${user}`, ts: asOf, artistId: byHetrec.get(artist!)!.artistId, count: weight },
          ctx.source,
          ctx.now,
        );
        out.push(e.ok ? { where, records: [{ kind: 'event', value: e.value }], raw: r.raw } : { where, error: e.error, raw: r.raw });
      }
      yield out;
    }
  },
};

function parseOptions(ctx: ReadContext): { asOf: string; topTags: number } {
  for (const key of Object.keys(ctx.options)) {
    if (!OPTIONS.includes(key)) throw new ImportError(`lastfm-2k: unknown option ${JSON.stringify(key)}; options: ${OPTIONS.join(', ')}`);
  }
  const asOf = ctx.options.asOf ?? DEFAULT_AS_OF;
  const ts = parseTimestamp(asOf, ctx.now);
  if (!ts.ok) throw new ImportError(`lastfm-2k: option asOf ${ts.error}`);
  const raw = ctx.options.topTags;
  const topTags = raw === undefined ? DEFAULT_TOP_TAGS : Number(raw);
  if (!Number.isInteger(topTags) || topTags < 0 || topTags > 64) throw new ImportError(`lastfm-2k: option topTags must be an integer from 0 to 64, got ${JSON.stringify(raw)}`);
  return { asOf, topTags };
}

async function datasetFiles(path: string): Promise<{ artists: string; tags: string; taggings: string; plays: string }> {
  if (!(await inputStat(path)).isDirectory()) {
    throw new ImportError(`${path}: lastfm-2k needs the dataset's folder (with ${[ARTISTS, TAGS, TAGGINGS, PLAYS].map((s) => s.name).join(', ')}), not one file`);
  }
  const missing: string[] = [];
  for (const s of [ARTISTS, TAGS, TAGGINGS, PLAYS]) {
    try {
      await access(join(path, s.name));
    } catch {
      missing.push(s.name);
    }
  }
  if (missing.length > 0) throw new ImportError(`${path}: not a HetRec Last.fm 2K folder: missing ${missing.join(', ')}`);
  return { artists: join(path, ARTISTS.name), tags: join(path, TAGS.name), taggings: join(path, TAGGINGS.name), plays: join(path, PLAYS.name) };
}

/** The data lines of a HetRec file, split on tabs, in arrays of up to BATCH. Checks the header line. */
async function* tsvRows(file: string, spec: Spec, ctx: ReadContext): AsyncIterable<Array<{ line: number; fields: string[]; raw: string }>> {
  for await (const { first, lines } of readLines(file, ctx.progress, spec.encoding)) {
    const out: Array<{ line: number; fields: string[]; raw: string }> = [];
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const line = first + i;
      if (line === 1) {
        if (raw.toLowerCase() === spec.header.join('\t').toLowerCase()) continue;
        // Some copies drop the header: a first line of data starts with a number.
        if (!/^\d+\t/.test(raw)) throw new ImportError(`${file} line 1: expected the header ${JSON.stringify(spec.header.join('\t'))}, got ${preview(raw)}`);
      }
      if (raw.length === 0) continue;
      out.push({ line, fields: raw.split('\t'), raw });
    }
    for (let k = 0; k < out.length; k += BATCH) yield out.slice(k, k + BATCH);
  }
}

function parseArtist(fields: string[]): { hetrecId: number; name: string; artistId: string } | string {
  if (fields.length !== ARTISTS.header.length) return fieldCount(ARTISTS, fields.length);
  const hetrecId = positiveInt(fields[0]);
  if (hetrecId === undefined) return `id: expected a positive integer, got ${preview(fields[0])}`;
  const name = fields[1]!.trim();
  if (name.length === 0) return 'name: empty';
  return { hetrecId, name, artistId: artistIdFromName(name) };
}

/** The artist with the group's top tags: most assignments first, ties by lower tag id, one per tag name. */
function groupRecord(id: string, g: ArtistGroup, tagCounts: Map<number, Map<number, number>>, tags: Map<number, string>, top: number): Artist {
  const counts = new Map<number, number>();
  for (const h of g.hetrecIds) for (const [tag, n] of tagCounts.get(h) ?? []) counts.set(tag, (counts.get(tag) ?? 0) + n);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const genres: string[] = [];
  for (const [tag] of ranked) {
    if (genres.length >= top) break;
    const value = tags.get(tag)!;
    if (!genres.includes(value)) genres.push(value);
  }
  return genres.length > 0 ? { id, name: g.name, genres } : { id, name: g.name };
}

function positiveInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return undefined;
  const n = Number(s);
  return n > 0 ? n : undefined;
}

function fieldCount(spec: Spec, got: number): string {
  return `expected ${spec.header.length} tab-separated fields (${spec.header.join(', ')}), got ${got}`;
}
