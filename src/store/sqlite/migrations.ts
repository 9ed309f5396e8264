import type Database from 'better-sqlite3';
import { StoreError } from '../types.js';

/** 'SEGU': marks a SQLite file as a Segue store. */
export const APPLICATION_ID = 0x53454755;

/**
 * Versioned schema migrations. Append only: a released migration never changes, a new
 * schema is a new entry. Each runs in its own transaction with PRAGMA user_version.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'catalog, event log, listener state, exposures, models',
    sql: `
      CREATE TABLE artists (
        ix INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        emerging INTEGER,            -- set by the service: 1, 0, or NULL when not set
        emerging_derived INTEGER,    -- derived from plays and debut (deriveEmerging)
        data TEXT NOT NULL           -- the Artist record as JSON
      );
      CREATE TABLE artist_genres (artist_ix INTEGER NOT NULL, genre TEXT NOT NULL, PRIMARY KEY (artist_ix, genre)) WITHOUT ROWID;
      CREATE TABLE tracks (
        ix INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        content_type INTEGER NOT NULL DEFAULT 0,  -- 0 music, 1 podcast episode
        release_date TEXT,
        duration_ms INTEGER,
        popularity REAL,
        data TEXT NOT NULL
      );
      CREATE TABLE track_artists (track_ix INTEGER NOT NULL, position INTEGER NOT NULL, artist_ix INTEGER NOT NULL, PRIMARY KEY (track_ix, position)) WITHOUT ROWID;
      CREATE INDEX track_artists_artist ON track_artists (artist_ix);
      CREATE TABLE track_genres (track_ix INTEGER NOT NULL, genre TEXT NOT NULL, PRIMARY KEY (track_ix, genre)) WITHOUT ROWID;
      -- last_ts, session_start, session_id: the listener's derived-session cursor (see SqliteWriter).
      CREATE TABLE listeners (ix INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, data TEXT NOT NULL,
        last_ts INTEGER, session_start INTEGER, session_id TEXT);
      CREATE TABLE playlists (ix INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, data TEXT NOT NULL);
      CREATE TABLE sources (ix INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        source_ix INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        type INTEGER NOT NULL,
        listener_ix INTEGER NOT NULL,
        track_ix INTEGER,
        artist_ix INTEGER,
        ts INTEGER NOT NULL,
        ms_played INTEGER,
        skipped INTEGER,
        end_reason TEXT,
        start_reason TEXT,
        shuffle INTEGER,
        count INTEGER,
        playlist_id TEXT,
        session_id TEXT,
        session_derived INTEGER NOT NULL DEFAULT 0,  -- 1: session derived by gap (NULL while pending); 0: given, or none (play_count)
        context_type TEXT,
        context_id TEXT,
        surface TEXT,
        request_id TEXT,
        position INTEGER,
        platform TEXT
      );
      CREATE UNIQUE INDEX events_idempotency ON events (source_ix, event_id);
      -- No (listener, ts) index on purpose: events arrive interleaved across listeners, and
      -- such an index halves bulk-ingest speed. Sessions are derived as events arrive (the
      -- cursor on listeners); per-listener reads scan, and serving reads listener state.
      CREATE INDEX events_unsessioned ON events (listener_ix) WHERE session_id IS NULL AND session_derived = 1;
      CREATE TABLE listener_state (listener_id TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (listener_id, key)) WITHOUT ROWID;
      CREATE TABLE exposures (ix INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, listener_id TEXT NOT NULL, surface TEXT NOT NULL, ts INTEGER NOT NULL, data TEXT NOT NULL);
      CREATE INDEX exposures_listener_ts ON exposures (listener_id, ts);
      CREATE TABLE models (name TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, bytes INTEGER NOT NULL, info TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (name, version));
    `,
  },
  {
    version: 2,
    name: 'API keys',
    sql: `
      CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, hash BLOB NOT NULL, scopes TEXT NOT NULL,
        rate_limit INTEGER, created_at INTEGER NOT NULL, revoked_at INTEGER);
    `,
  },
  {
    version: 3,
    name: 'experiments',
    sql: `
      CREATE TABLE experiments (name TEXT PRIMARY KEY, def TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL,
        started_at INTEGER, stopped_at INTEGER, offset REAL NOT NULL DEFAULT 0, shipped_variant TEXT);
      CREATE INDEX exposures_ts ON exposures (ts);
    `,
  },
  {
    version: 4,
    name: 'named policies',
    sql: `
      CREATE TABLE policies (name TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, policy TEXT NOT NULL, PRIMARY KEY (name, version));
    `,
  },
  {
    version: 5,
    name: 'event log time index',
    // For scans of a time window (events.scan({ since, until })). Unlike a (listener, ts)
    // index it costs bulk ingest little: events arrive roughly in time order, so its inserts
    // land near the end of the index. Being on ts alone, it holds the rowid (seq) after ts:
    // the (ts, seq) order of a window scan, with no sort.
    sql: `
      CREATE INDEX events_ts ON events (ts);
    `,
  },
  {
    version: 6,
    name: 'event log time summary instead of its time index',
    // A (ts) index cost bulk ingest about 15%; window scans read a block-range summary
    // instead (blocks.ts). Blocks of an existing log are made from its rows.
    sql: `
      DROP INDEX events_ts;
      CREATE TABLE event_blocks (first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL);
      INSERT INTO event_blocks SELECT min(seq), max(seq), min(ts), max(ts) FROM events GROUP BY (seq - 1) / 8192;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Bring a database to the newest schema; refuse a file from another program or a newer
 * Segue. Runs in one IMMEDIATE transaction that reads the version inside it, so processes
 * opening a new store at the same moment migrate it exactly once.
 */
export function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (appId !== 0 && appId !== APPLICATION_ID) {
      throw new StoreError(`${path} is a SQLite database of another program (application_id ${appId}), not a Segue store`);
    }
    if (appId === 0 && version === 0) {
      const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number };
      if (tables.n > 0) throw new StoreError(`${path} is a SQLite database with tables but not a Segue store`);
    }
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`${path} has schema version ${version}, newer than this Segue knows (${SCHEMA_VERSION}): upgrade Segue`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= version) continue;
      db.exec(m.sql);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}
