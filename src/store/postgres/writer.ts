import type pg from 'pg';
import { DEFAULT_SESSION_GAP_MS } from '../../domain/index.js';
import { WriteStatus, type IngestBatch, type IngestResult, type RecordKind } from '../types.js';
import { Lock, type PgDb } from './db.js';
import { CatalogPlan, RowState, type ArtistEntry, type TrackEntry } from './plan.js';
import { KeysRepeat, type EventWriter } from './event-writer.js';
import { copyIn, type CopyData, type CopyPart } from './copy.js';

/** From this many rows an insert goes through COPY; below, one statement of arrays. */
const COPY_MIN_ROWS = 64;

type Cell = string | number | null;

/**
 * Insert rows given as columns of cells, of these SQL types (space separated): a few rows
 * at once in one statement of arrays; many rows are returned as a COPY to run (with others).
 */
async function insertRows(c: pg.PoolClient, table: string, columns: string, types: string, cells: Cell[][]): Promise<CopyPart | undefined> {
  const n = cells[0]!.length;
  if (n === 0) return undefined;
  const sqlTypes = types.split(' ');
  if (n < COPY_MIN_ROWS) {
    await c.query(`INSERT INTO ${table} (${columns}) SELECT * FROM unnest(${sqlTypes.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`, cells);
    return undefined;
  }
  const put = sqlTypes.map(binaryCell);
  return {
    target: `${table} (${columns})`, count: n,
    put: (data, i) => {
      data.row(put.length);
      for (let j = 0; j < put.length; j++) put[j]!(data, cells[j]![i]!);
    },
  };
}

/** How a cell of this SQL type goes into a binary COPY row. */
function binaryCell(type: string): (data: CopyData, v: Cell) => void {
  switch (type) {
    case 'bigint':
      return (d, v) => d.int8(v as number | null);
    case 'int':
      return (d, v) => d.int4(v as number | null);
    case 'smallint':
      return (d, v) => (v === null ? d.null() : d.int2(v as number));
    case 'float8':
      return (d, v) => d.float8(v as number | null);
    case 'text':
      return (d, v) => d.text(v as string | null);
    default:
      throw new Error(`insertRows: no binary COPY for the type ${type}`);
  }
}

/**
 * Read in the batch's first round trip, under the writer lock: each catalog table's last ix
 * (0 when empty; new rows take the next ones), and the last seq drawn (see EventWriter.write).
 */
const LAST_IXS = `SELECT (SELECT coalesce(max(ix), 0) FROM artists), (SELECT coalesce(max(ix), 0) FROM tracks),
  (SELECT coalesce(max(ix), 0) FROM listeners), (SELECT coalesce(max(ix), 0) FROM playlists), (SELECT coalesce(max(ix), 0) FROM sources),
  (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM events_seq)`;

/** Entries per id cache (as SQLite's writer): memory stays flat whatever the catalog's size. */
const CACHE_ENTRIES = 100_000;

/** A Map that forgets everything once it holds `cap` entries (cheaper than an LRU; lookups then go back to the tables). */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly cap: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (this.size >= this.cap && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}

/**
 * Writes ingest batches into PostgreSQL, each batch in one transaction under the writer
 * lock (so batches, and the seqs they draw, are serialized as SQLite's single writer's).
 * A batch is: read every catalog row it touches in a few bulk queries (none for ids in the
 * caches, unless the batch needs the row itself), work out its upserts in memory
 * (CatalogPlan: SQLite's rules, in SQLite's order), write them with one statement per
 * table and kind (COPY for many rows), then its events (EventWriter). An ix never changes
 * once committed, so the id caches stay valid across processes; they are filled only after
 * a commit.
 */
export class PgWriter {
  private readonly tracks = new BoundedMap<string, { ix: number; artistIx: number }>(CACHE_ENTRIES);
  private readonly artists = new BoundedMap<string, number>(CACHE_ENTRIES);
  private readonly listeners = new BoundedMap<string, number>(CACHE_ENTRIES);
  private readonly sources = new BoundedMap<string, number>(1000);
  /** The last batch that looked met event keys already in the log (a re-import): the next one inserts its keys with ON CONFLICT at once. */
  private keysMayRepeat = false;
  constructor(
    private readonly db: PgDb,
    private readonly events: EventWriter,
  ) {}

  async write(batch: IngestBatch): Promise<IngestResult> {
    if (!this.keysMayRepeat) {
      try {
        return await this.attempt(batch, false);
      } catch (err) {
        if (!(err instanceof KeysRepeat)) throw err;
        // Rolled back whole: written again below, from a fresh read of the tables.
        this.keysMayRepeat = true;
      }
    }
    return this.attempt(batch, true);
  }

  /** One try at the batch, in one transaction (see EventWriter.write for `keysMayRepeat`). */
  private async attempt(batch: IngestBatch, keysMayRepeat: boolean): Promise<IngestResult> {
    const status: Record<RecordKind, Uint8Array> = {
      artist: new Uint8Array(batch.artists?.length ?? 0),
      track: new Uint8Array(batch.tracks?.length ?? 0),
      listener: new Uint8Array(batch.listeners?.length ?? 0),
      playlist: new Uint8Array(batch.playlists?.length ?? 0),
      event: new Uint8Array(batch.events?.length ?? 0),
    };
    const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [], status };
    const mark = (kind: RecordKind, i: number, r: boolean | string): void => {
      if (typeof r === 'string') {
        status[kind][i] = WriteStatus.Rejected;
        result.rejected.push({ kind, index: i, reason: r });
      } else if (r) {
        result.accepted++;
      } else {
        status[kind][i] = WriteStatus.Duplicate;
        result.duplicates++;
      }
    };
    const gapMs = batch.sessionGapMs ?? DEFAULT_SESSION_GAP_MS;
    const { plan, created } = await this.db.tx(
      async (c, first) => {
        const last = first[0] as number[];
        const plan = await this.load(c, batch, last);
        batch.artists?.forEach((a, i) => mark('artist', i, plan.upsertArtist(a)));
        batch.tracks?.forEach((t, i) => mark('track', i, plan.upsertTrack(t, batch.mergeGenres === true)));
        batch.listeners?.forEach((l, i) => mark('listener', i, plan.upsertListener(l)));
        batch.playlists?.forEach((p, i) => mark('playlist', i, plan.upsertPlaylist(p)));
        const events = batch.events === undefined ? undefined : this.events.resolve(plan, batch.events, mark);
        await this.flushCatalog(c, plan);
        let created: string[] = [];
        if (events !== undefined) {
          const w = await this.events.write(c, events, gapMs, keysMayRepeat, last[5]!);
          let repeats = false;
          for (let k = 0; k < events.count; k++) {
            mark('event', events.index[k]!, w.isNew[k] === 1);
            if (w.isNew[k] !== 1) repeats = true;
          }
          if (batch.wantSeqs === true) result.seqs = await this.events.seqs(c, events, w.isNew, last[5]!, batch.events!.length);
          if (keysMayRepeat) this.keysMayRepeat = repeats;
          created = w.created;
        }
        await this.saveCursors(c, plan);
        return { plan, created };
      },
      { lock: Lock.writer, doing: 'ingest', first: LAST_IXS },
    );
    this.events.committed(created);
    for (const [id, e] of plan.tracks) this.tracks.set(id, { ix: e.ix, artistIx: e.mainArtist });
    for (const [id, e] of plan.artists) this.artists.set(id, e.ix);
    for (const [id, e] of plan.listeners) this.listeners.set(id, e.ix);
    for (const [name, ix] of plan.sources) this.sources.set(name, ix);
    return result;
  }

  /** Read the rows the batch touches (with their records where an upsert merges into them); `next`: the row of LAST_IXS. */
  private async load(c: pg.PoolClient, batch: IngestBatch, next: number[]): Promise<CatalogPlan> {
    const q = async (text: string, values: unknown[]): Promise<unknown[][]> => (await c.query({ text, values, rowMode: 'array' })).rows as unknown[][];
    // The cached ixs the batch uses, taken now: a cache may be emptied (full) by a concurrent batch's commit.
    const known = { artists: new Map<string, number>(), tracks: new Map<string, { ix: number; artistIx: number }>(), listeners: new Map<string, number>(), sources: new Map<string, number>() };
    const cached = <V>(cache: Map<string, V>, into: Map<string, V>, id: string): boolean => {
      const v = cache.get(id);
      if (v !== undefined) into.set(id, v);
      return v !== undefined;
    };
    const plan = new CatalogPlan(
      { artists: next[0]! + 1, tracks: next[1]! + 1, listeners: next[2]! + 1, playlists: next[3]! + 1, sources: next[4]! + 1 },
      { artist: (id) => known.artists.get(id), track: (id) => known.tracks.get(id), listener: (id) => known.listeners.get(id), source: (name) => known.sources.get(name) },
    );
    const events = batch.events ?? [];

    const artistData = (batch.artists ?? []).map((a) => a.id);
    const artistIds = new Set(artistData);
    for (const t of batch.tracks ?? []) for (const a of t.artists) if (!cached(this.artists, known.artists, a.id)) artistIds.add(a.id);
    for (const e of events) if (e.artistId !== undefined && !cached(this.artists, known.artists, e.artistId)) artistIds.add(e.artistId);
    // A table with no rows yet (max ix 0: a new store) has none of the ids: no need to ask.
    if (artistIds.size > 0 && next[0]! > 0) {
      for (const r of await q('SELECT ix, id, name, emerging, CASE WHEN id = ANY($2) THEN data END FROM artists WHERE id = ANY($1)', [[...artistIds], artistData])) {
        const e: ArtistEntry = { ix: r[0] as number, id: r[1] as string, name: r[2] as string, emerging: r[3] as number | null, data: r[4] as string | null, state: RowState.Loaded, genres: null };
        plan.artists.set(e.id, e);
      }
    }

    const trackData = (batch.tracks ?? []).map((t) => t.id);
    const trackIds = new Set(trackData);
    for (const p of batch.playlists ?? []) for (const id of p.trackIds) if (!cached(this.tracks, known.tracks, id)) trackIds.add(id);
    for (const e of events) if (e.trackId !== undefined && !cached(this.tracks, known.tracks, e.trackId)) trackIds.add(e.trackId);
    if (trackIds.size > 0 && next[1]! > 0) {
      const rows = await q(
        `SELECT t.ix, t.id, a.artist_ix, CASE WHEN t.id = ANY($2) THEN t.data END
         FROM tracks t LEFT JOIN track_artists a ON a.track_ix = t.ix AND a.position = 0 WHERE t.id = ANY($1)`,
        [[...trackIds], trackData],
      );
      for (const r of rows) {
        const e: TrackEntry = {
          ix: r[0] as number, id: r[1] as string, mainArtist: (r[2] as number | null) ?? -1, data: r[3] as string | null, state: RowState.Loaded,
          title: '', contentType: 0, releaseDate: null, durationMs: null, popularity: null, artists: null, genres: null,
        };
        plan.tracks.set(e.id, e);
      }
    }

    const listenerData = (batch.listeners ?? []).map((l) => l.id);
    const listenerIds = new Set(listenerData);
    // A listener known by its ix needs its row read only when an event may move its cursor (a session to derive).
    for (const e of events) if (!cached(this.listeners, known.listeners, e.listenerId) || (e.sessionId === undefined && e.type !== 'play_count')) listenerIds.add(e.listenerId);
    if (listenerIds.size > 0 && next[2]! > 0) {
      const rows = await q('SELECT ix, id, CASE WHEN id = ANY($2) THEN data END, last_ts, session_start, session_id FROM listeners WHERE id = ANY($1)', [[...listenerIds], listenerData]);
      for (const r of rows) {
        const cursor = { lastTs: (r[3] as number | null) ?? -Infinity, start: (r[4] as number | null) ?? -Infinity, id: r[5] as string | null, dirty: false };
        plan.listeners.set(r[1] as string, { ix: r[0] as number, id: r[1] as string, data: r[2] as string | null, state: RowState.Loaded, cursor, read: true });
      }
    }

    const playlistIds = (batch.playlists ?? []).map((p) => p.id);
    if (playlistIds.length > 0 && next[3]! > 0) {
      for (const r of await q('SELECT ix, id, name, data FROM playlists WHERE id = ANY($1)', [playlistIds])) {
        plan.playlists.set(r[1] as string, { ix: r[0] as number, id: r[1] as string, name: r[2] as string, data: r[3] as string, state: RowState.Loaded });
      }
    }

    const sourceNames = new Set<string>();
    for (const e of events) if (!cached(this.sources, known.sources, e.source)) sourceNames.add(e.source);
    if (sourceNames.size > 0 && next[4]! > 0) {
      for (const r of await q('SELECT ix, name FROM sources WHERE name = ANY($1)', [[...sourceNames]])) plan.sources.set(r[1] as string, r[0] as number);
    }
    return plan;
  }

  /** Write the plan's catalog rows: one statement per table and kind (insert, update, rewritten artists and genres). */
  private async flushCatalog(c: pg.PoolClient, plan: CatalogPlan): Promise<void> {
    const q = (text: string, values: unknown[]) => c.query(text, values);
    const changed = <E extends { state: RowState }>(m: Map<string, E>): E[] => [...m.values()].filter((e) => e.state === RowState.Changed);

    // Many new rows of a table go in by COPY, all tables' in one round trip at the end: after
    // the updates, and after the deletes of rewritten rows' genres and artists that their new
    // ones replace.
    const copies: CopyPart[] = [];
    const insert = async (table: string, columns: string, types: string, cells: Cell[][]): Promise<void> => {
      const copy = await insertRows(c, table, columns, types, cells);
      if (copy !== undefined) copies.push(copy);
    };
    const artists = changed(plan.artists);
    const a = plan.newArtists;
    await insert('artists', 'ix, id, name, emerging, data', 'bigint text text smallint text', [a.map((e) => e.ix), a.map((e) => e.id), a.map((e) => e.name), a.map((e) => e.emerging), a.map((e) => e.data)]);
    if (artists.length > 0) {
      await q(`UPDATE artists a SET name = u.name, emerging = u.emerging, data = u.data
               FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[]) AS u(ix, name, emerging, data) WHERE a.ix = u.ix`,
        [artists.map((e) => e.ix), artists.map((e) => e.name), artists.map((e) => e.emerging), artists.map((e) => e.data)]);
      await q('DELETE FROM artist_genres WHERE artist_ix = ANY($1)', [artists.map((e) => e.ix)]);
    }
    const ag = [...plan.newArtists, ...artists].filter((e) => e.genres !== null && e.genres.length > 0);
    await insert('artist_genres', 'artist_ix, genre', 'bigint text', [ag.flatMap((e) => e.genres!.map(() => e.ix)), ag.flatMap((e) => e.genres!)]);

    const tracks = changed(plan.tracks);
    const trackCols = (t: TrackEntry[]) => [t.map((e) => e.title), t.map((e) => e.contentType), t.map((e) => e.releaseDate), t.map((e) => e.durationMs), t.map((e) => e.popularity), t.map((e) => e.data)];
    const t = plan.newTracks;
    await insert('tracks', 'ix, id, title, content_type, release_date, duration_ms, popularity, data', 'bigint text text smallint text bigint float8 text',
      [t.map((e) => e.ix), t.map((e) => e.id), ...trackCols(t)]);
    if (tracks.length > 0) {
      await q(`UPDATE tracks t SET title = u.title, content_type = u.content_type, release_date = u.release_date, duration_ms = u.duration_ms,
                 popularity = u.popularity, data = u.data
               FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[], $5::bigint[], $6::float8[], $7::text[])
                 AS u(ix, title, content_type, release_date, duration_ms, popularity, data) WHERE t.ix = u.ix`,
        [tracks.map((e) => e.ix), ...trackCols(tracks)]);
      const ixs = tracks.map((e) => e.ix);
      await q('DELETE FROM track_artists WHERE track_ix = ANY($1)', [ixs]);
      await q('DELETE FROM track_genres WHERE track_ix = ANY($1)', [ixs]);
    }
    const touched = [...plan.newTracks, ...tracks];
    const ta = touched.filter((e) => e.artists !== null && e.artists.length > 0);
    await insert('track_artists', 'track_ix, position, artist_ix', 'bigint int bigint',
      [ta.flatMap((e) => e.artists!.map(() => e.ix)), ta.flatMap((e) => e.artists!.map((_, i) => i)), ta.flatMap((e) => e.artists!)]);
    const tg = touched.filter((e) => e.genres !== null && e.genres.length > 0);
    await insert('track_genres', 'track_ix, genre', 'bigint text', [tg.flatMap((e) => e.genres!.map(() => e.ix)), tg.flatMap((e) => e.genres!)]);

    // Listeners made by events are written here too: before the events and cursors that name them.
    const listeners = changed(plan.listeners);
    const l = plan.newListeners;
    await insert('listeners', 'ix, id, data', 'bigint text text', [l.map((e) => e.ix), l.map((e) => e.id), l.map((e) => e.data)]);
    if (listeners.length > 0) {
      await q('UPDATE listeners l SET data = u.data FROM unnest($1::bigint[], $2::text[]) AS u(ix, data) WHERE l.ix = u.ix', [listeners.map((e) => e.ix), listeners.map((e) => e.data)]);
    }

    const playlists = changed(plan.playlists);
    const p = plan.newPlaylists;
    await insert('playlists', 'ix, id, name, data', 'bigint text text text', [p.map((e) => e.ix), p.map((e) => e.id), p.map((e) => e.name), p.map((e) => e.data)]);
    if (playlists.length > 0) {
      await q('UPDATE playlists p SET name = u.name, data = u.data FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(ix, name, data) WHERE p.ix = u.ix',
        [playlists.map((e) => e.ix), playlists.map((e) => e.name), playlists.map((e) => e.data)]);
    }

    await insert('sources', 'ix, name', 'bigint text', [plan.newSources.map((s) => s.ix), plan.newSources.map((s) => s.name)]);
    // Keep each bigserial's sequence past the ixs written, for anything inserting by default.
    const grown: string[] = [];
    const last = (rows: Array<{ ix: number }>) => rows[rows.length - 1]!.ix;
    if (plan.newArtists.length > 0) grown.push(`setval('artists_ix_seq', ${last(plan.newArtists)})`);
    if (plan.newTracks.length > 0) grown.push(`setval('tracks_ix_seq', ${last(plan.newTracks)})`);
    if (plan.newListeners.length > 0) grown.push(`setval('listeners_ix_seq', ${last(plan.newListeners)})`);
    if (plan.newPlaylists.length > 0) grown.push(`setval('playlists_ix_seq', ${last(plan.newPlaylists)})`);
    if (plan.newSources.length > 0) grown.push(`setval('sources_ix_seq', ${last(plan.newSources)})`);
    const setvals = grown.length > 0 ? `SELECT ${grown.join(', ')}` : undefined;
    if (copies.length > 0) await copyIn(c, copies, setvals);
    else if (setvals !== undefined) await c.query(setvals);
  }

  /** Save the session cursors that the batch's events moved. */
  private async saveCursors(c: pg.PoolClient, plan: CatalogPlan): Promise<void> {
    const moved = [...plan.listeners.values()].filter((l) => l.cursor.dirty);
    if (moved.length === 0) return;
    await c.query(
      `UPDATE listeners l SET last_ts = u.last_ts, session_start = u.session_start, session_id = u.session_id
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS u(ix, last_ts, session_start, session_id) WHERE l.ix = u.ix`,
      [moved.map((l) => l.ix), moved.map((l) => l.cursor.lastTs), moved.map((l) => l.cursor.start), moved.map((l) => l.cursor.id)],
    );
  }
}
