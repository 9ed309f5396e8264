import { deriveEmerging, type Artist, type Listener, type Playlist, type Track } from '../../domain/index.js';
import { PLAYS_SQL, PLAY_TYPES_SQL, searchPatterns, searchSql } from '../sql.js';
import type { CatalogStore } from '../types.js';
import { Lock, type PgDb } from './db.js';

/** Artists per UPDATE statement when writing derived flags (a catalog may have millions). */
const FLAG_CHUNK = 50_000;

export class PgCatalog implements CatalogStore {
  constructor(private readonly db: PgDb) {}

  async getTrack(id: string): Promise<Track | undefined> {
    const data = await this.db.value<string>('SELECT data FROM tracks WHERE id = $1', [id]);
    return data === undefined ? undefined : (JSON.parse(data) as Track);
  }

  async getTracks(ids: readonly string[]): Promise<Array<Track | undefined>> {
    if (ids.length === 0) return [];
    const rows = await this.db.arrays('SELECT id, data FROM tracks WHERE id = ANY($1::text[])', [[...new Set(ids)]]);
    const byId = new Map(rows.map((r) => [r[0] as string, r[1] as string]));
    return ids.map((id) => {
      const data = byId.get(id);
      return data === undefined ? undefined : (JSON.parse(data) as Track);
    });
  }

  async getArtist(id: string): Promise<(Artist & { emergingDerived?: boolean }) | undefined> {
    const row = (await this.db.arrays('SELECT data, emerging_derived FROM artists WHERE id = $1', [id]))[0];
    if (row === undefined) return undefined;
    const a = JSON.parse(row[0] as string) as Artist & { emergingDerived?: boolean };
    if (row[1] !== null) a.emergingDerived = row[1] === 1;
    return a;
  }

  async getListener(id: string): Promise<Listener | undefined> {
    const data = await this.db.value<string>('SELECT data FROM listeners WHERE id = $1', [id]);
    return data === undefined ? undefined : (JSON.parse(data) as Listener);
  }

  async getPlaylist(id: string): Promise<Playlist | undefined> {
    const data = await this.db.value<string>('SELECT data FROM playlists WHERE id = $1', [id]);
    return data === undefined ? undefined : (JSON.parse(data) as Playlist);
  }

  scanTracks(opts: { batchSize?: number } = {}): AsyncIterable<Track[]> {
    return this.scan<Track>('tracks', opts.batchSize ?? 5000);
  }

  scanPlaylists(opts: { batchSize?: number } = {}): AsyncIterable<Playlist[]> {
    return this.scan<Playlist>('playlists', opts.batchSize ?? 1000);
  }

  /** Keyset pages over a catalog table by its ix: insertion order, as in SQLite. */
  private async *scan<T>(table: 'tracks' | 'playlists', size: number): AsyncIterable<T[]> {
    let after = 0;
    for (;;) {
      const rows = await this.db.arrays(`SELECT ix, data FROM ${table} WHERE ix > $1 ORDER BY ix LIMIT $2`, [after, size]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]![0] as number;
      yield rows.map((r) => JSON.parse(r[1] as string) as T);
      if (rows.length < size) return;
    }
  }

  async counts(): Promise<{ tracks: number; artists: number; listeners: number; playlists: number }> {
    return (await this.db.rows<{ tracks: number; artists: number; listeners: number; playlists: number }>(
      `SELECT (SELECT count(*) FROM tracks) AS tracks, (SELECT count(*) FROM artists) AS artists,
              (SELECT count(*) FROM listeners) AS listeners, (SELECT count(*) FROM playlists) AS playlists`,
    ))[0]!;
  }

  async search(kind: 'track' | 'artist' | 'listener', q: string, limit: number): Promise<Array<{ id: string; name: string }>> {
    const [contains, prefix] = searchPatterns(q);
    return this.db.rows<{ id: string; name: string }>(searchSql(kind, 'ILIKE', ['$1', '$2', '$3'], 'id COLLATE "C"'), [contains, prefix, limit]);
  }

  async deriveEmerging(now = Date.now()): Promise<number> {
    this.db.writable('derive emerging artists');
    const rows = await this.db.arrays(
      `SELECT a.ix, a.data, p.plays FROM artists a LEFT JOIN
         (SELECT artist_ix, SUM(${PLAYS_SQL('')}) AS plays FROM events
          WHERE type IN ${PLAY_TYPES_SQL} AND artist_ix IS NOT NULL GROUP BY artist_ix) p ON p.artist_ix = a.ix ORDER BY a.ix`,
    );
    const artists = rows.map((r) => JSON.parse(r[1] as string) as Artist);
    const flags = deriveEmerging(artists, Float64Array.from(rows, (r) => (r[2] as number | null) ?? 0), now);
    let n = 0;
    for (const f of flags) n += f;
    await this.db.tx(
      async (c) => {
        for (let i = 0; i < rows.length; i += FLAG_CHUNK) {
          const part = rows.slice(i, i + FLAG_CHUNK);
          await c.query('UPDATE artists a SET emerging_derived = u.f FROM unnest($1::bigint[], $2::smallint[]) AS u(ix, f) WHERE a.ix = u.ix', [
            part.map((r) => r[0]),
            Array.from(flags.subarray(i, i + part.length)),
          ]);
        }
      },
      { lock: Lock.writer, doing: 'derive emerging artists' },
    );
    return n;
  }
}
