import type Database from 'better-sqlite3';
import { deriveEmerging, type Artist, type Listener, type Playlist, type Track } from '../../domain/index.js';
import type { CatalogStore } from '../types.js';
import { prepared } from './statements.js';
import { PLAYS_SQL, PLAY_TYPES_SQL, searchPatterns, searchSql } from '../sql.js';

export class SqliteCatalog implements CatalogStore {
  constructor(private readonly db: Database.Database) {}
  /** Prepared once (a catalog load reads every artist; a server reads listeners and playlists per request). */
  private stmt<P extends unknown[], R>(sql: string): Database.Statement<P, R> {
    return prepared<P, R>(this.db, sql);
  }

  async getTrack(id: string): Promise<Track | undefined> {
    const row = this.stmt<[string], { data: string }>('SELECT data FROM tracks WHERE id = ?').get(id);
    return row ? (JSON.parse(row.data) as Track) : undefined;
  }

  async getTracks(ids: readonly string[]): Promise<Array<Track | undefined>> {
    if (ids.length === 0) return [];
    // One statement for any number of ids: they go in as one JSON array (no limit on bound variables).
    const rows = this.stmt<[string], { id: string; data: string }>('SELECT id, data FROM tracks WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids));
    const byId = new Map(rows.map((r) => [r.id, r.data]));
    return ids.map((id) => {
      const data = byId.get(id);
      return data === undefined ? undefined : (JSON.parse(data) as Track);
    });
  }

  async getArtist(id: string): Promise<(Artist & { emergingDerived?: boolean }) | undefined> {
    const row = this.stmt<[string], { data: string; emerging_derived: number | null }>('SELECT data, emerging_derived FROM artists WHERE id = ?').get(id);
    if (!row) return undefined;
    const a = JSON.parse(row.data) as Artist & { emergingDerived?: boolean };
    if (row.emerging_derived !== null) a.emergingDerived = row.emerging_derived === 1;
    return a;
  }

  async getListener(id: string): Promise<Listener | undefined> {
    const row = this.stmt<[string], { data: string }>('SELECT data FROM listeners WHERE id = ?').get(id);
    return row ? (JSON.parse(row.data) as Listener) : undefined;
  }

  async getPlaylist(id: string): Promise<Playlist | undefined> {
    const row = this.stmt<[string], { data: string }>('SELECT data FROM playlists WHERE id = ?').get(id);
    return row ? (JSON.parse(row.data) as Playlist) : undefined;
  }

  scanTracks(opts: { batchSize?: number } = {}): AsyncIterable<Track[]> {
    return this.scan<Track>('tracks', opts.batchSize ?? 5000);
  }

  scanPlaylists(opts: { batchSize?: number } = {}): AsyncIterable<Playlist[]> {
    return this.scan<Playlist>('playlists', opts.batchSize ?? 1000);
  }

  /** Keyset pages over a catalog table by its integer key. */
  private async *scan<T>(table: 'tracks' | 'playlists', size: number): AsyncIterable<T[]> {
    const stmt = this.db.prepare<[number, number], { ix: number; data: string }>(`SELECT ix, data FROM ${table} WHERE ix > ? ORDER BY ix LIMIT ?`);
    let after = 0;
    for (;;) {
      const rows = stmt.all(after, size);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.ix;
      yield rows.map((r) => JSON.parse(r.data) as T);
      if (rows.length < size) return;
    }
  }

  async counts(): Promise<{ tracks: number; artists: number; listeners: number; playlists: number }> {
    return this.db
      .prepare(`SELECT (SELECT count(*) FROM tracks) AS tracks, (SELECT count(*) FROM artists) AS artists,
                (SELECT count(*) FROM listeners) AS listeners, (SELECT count(*) FROM playlists) AS playlists`)
      .get() as { tracks: number; artists: number; listeners: number; playlists: number };
  }

  async search(kind: 'track' | 'artist' | 'listener', q: string, limit: number): Promise<Array<{ id: string; name: string }>> {
    const [contains, prefix] = searchPatterns(q);
    return this.stmt<[{ c: string; p: string; n: number }], { id: string; name: string }>(searchSql(kind, 'LIKE', ['@c', '@p', '@n'])).all({ c: contains, p: prefix, n: limit });
  }

  async deriveEmerging(now = Date.now()): Promise<number> {
    const rows = this.db
      .prepare<[], { ix: number; data: string; plays: number | null }>(
        `SELECT a.ix, a.data, p.plays FROM artists a LEFT JOIN
           (SELECT artist_ix, SUM(${PLAYS_SQL('')}) AS plays FROM events
            WHERE type IN ${PLAY_TYPES_SQL} AND artist_ix IS NOT NULL GROUP BY artist_ix) p ON p.artist_ix = a.ix ORDER BY a.ix`,
      )
      .all();
    const artists = rows.map((r) => JSON.parse(r.data) as Artist);
    const flags = deriveEmerging(artists, Float64Array.from(rows, (r) => r.plays ?? 0), now);
    const update = this.db.prepare('UPDATE artists SET emerging_derived = ? WHERE ix = ?');
    let n = 0;
    this.db.transaction(() => {
      rows.forEach((r, i) => {
        update.run(flags[i], r.ix);
        n += flags[i]!;
      });
    }).immediate();
    return n;
  }
}
