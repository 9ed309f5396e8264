import type pg from 'pg';
import { StoreError } from '../types.js';
import { Lock, type PgDb } from './db.js';

/**
 * Versioned schema migrations of the PostgreSQL store. Append only: a released migration
 * never changes, a new schema is a new entry. Table and column names are SQLite's (the
 * reference schema, see ../tables.ts), with the same values (flags as 0/1, records as JSON
 * text kept byte for byte, so that an upsert compares the text as SQLite does). Text keys
 * are COLLATE "C": they order by their bytes, as SQLite's BINARY does, whatever the
 * database's collation, so every order (leaders by genre, names, keys) is the same.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'catalog, event log, listener state, exposures, models, API keys, experiments, policies',
    sql: `
      -- ix: dense integer ids in insertion order. The writer assigns them itself (max + 1
      -- under its lock, as SQLite's rowid does) and moves the sequence past them.
      CREATE TABLE artists (ix bigserial PRIMARY KEY, id text COLLATE "C" NOT NULL UNIQUE, name text NOT NULL,
        emerging smallint, emerging_derived smallint, data text NOT NULL);
      CREATE TABLE artist_genres (artist_ix bigint NOT NULL, genre text COLLATE "C" NOT NULL, PRIMARY KEY (artist_ix, genre));
      CREATE TABLE tracks (ix bigserial PRIMARY KEY, id text COLLATE "C" NOT NULL UNIQUE, title text NOT NULL,
        content_type smallint NOT NULL DEFAULT 0, release_date text, duration_ms bigint, popularity double precision, data text NOT NULL);
      CREATE TABLE track_artists (track_ix bigint NOT NULL, position integer NOT NULL, artist_ix bigint NOT NULL, PRIMARY KEY (track_ix, position));
      CREATE INDEX track_artists_artist ON track_artists (artist_ix);
      CREATE TABLE track_genres (track_ix bigint NOT NULL, genre text COLLATE "C" NOT NULL, PRIMARY KEY (track_ix, genre));
      -- last_ts, session_start, session_id: the listener's derived-session cursor (see the writer).
      CREATE TABLE listeners (ix bigserial PRIMARY KEY, id text COLLATE "C" NOT NULL UNIQUE, data text NOT NULL,
        last_ts bigint, session_start bigint, session_id text);
      CREATE TABLE playlists (ix bigserial PRIMARY KEY, id text COLLATE "C" NOT NULL UNIQUE, name text NOT NULL, data text NOT NULL);
      CREATE TABLE sources (ix bigserial PRIMARY KEY, name text COLLATE "C" NOT NULL UNIQUE);

      -- The event log, partitioned by month of ts: old months can be detached or dropped
      -- whole, and a time-window scan reads only its months. The writer creates a month's
      -- partition before writing its first event; the DEFAULT partition takes anything else
      -- (times outside the years partitions are made for), so no insert can fail for want
      -- of a partition.
      CREATE SEQUENCE events_seq AS bigint;
      CREATE TABLE events (
        seq bigint NOT NULL DEFAULT nextval('events_seq'),
        source_ix bigint NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        type smallint NOT NULL,
        listener_ix bigint NOT NULL,
        track_ix bigint,
        artist_ix bigint,
        ts bigint NOT NULL,
        ms_played bigint,
        skipped smallint,
        end_reason text,
        start_reason text,
        shuffle smallint,
        count bigint,
        playlist_id text,
        session_id text,
        session_derived smallint NOT NULL DEFAULT 0,  -- 1: session derived by gap (NULL while pending); 0: given, or none (play_count)
        context_type text,
        context_id text,
        surface text,
        request_id text,
        position integer,
        platform text
      ) PARTITION BY RANGE (ts);
      ALTER SEQUENCE events_seq OWNED BY events.seq;
      CREATE TABLE events_default PARTITION OF events DEFAULT;
      CREATE INDEX events_seq_ix ON events (seq);
      CREATE INDEX events_ts ON events (ts, seq);
      CREATE INDEX events_listener_ts ON events (listener_ix, ts);
      CREATE INDEX events_unsessioned ON events (listener_ix) WHERE session_id IS NULL AND session_derived = 1;
      -- The idempotency key of the log. A unique index on a partitioned table must contain
      -- the partition key, and (source_ix, event_id, ts) would let a repeat of an event with
      -- another ts in: so the key lives in this table of its own, not partitioned, written in
      -- the same transaction as the events (an event is in the log iff its key is here).
      CREATE TABLE event_keys (source_ix bigint NOT NULL, event_id text COLLATE "C" NOT NULL, PRIMARY KEY (source_ix, event_id));

      CREATE TABLE listener_state (listener_id text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, value bytea NOT NULL,
        updated_at bigint NOT NULL, PRIMARY KEY (listener_id, key));
      CREATE INDEX listener_state_key ON listener_state (key);
      CREATE TABLE exposures (ix bigserial PRIMARY KEY, request_id text COLLATE "C" NOT NULL UNIQUE, listener_id text COLLATE "C" NOT NULL,
        surface text NOT NULL, ts bigint NOT NULL, data text NOT NULL);
      CREATE INDEX exposures_listener_ts ON exposures (listener_id, ts, ix);
      CREATE INDEX exposures_ts ON exposures (ts, ix);
      -- An artifact up to 256 MiB is kept in data; a larger one in model_chunks (chunks > 0,
      -- data empty): a bytea value holds at most 1 GB, and a smaller piece is less to hold at
      -- once. Uncompressed (STORAGE EXTERNAL: weights hardly compress), so that a read of a
      -- slice (substring) fetches only that slice.
      CREATE TABLE models (name text COLLATE "C" NOT NULL, version integer NOT NULL, created_at bigint NOT NULL, bytes bigint NOT NULL,
        info text NOT NULL, data bytea NOT NULL, chunks integer NOT NULL DEFAULT 0, PRIMARY KEY (name, version));
      CREATE TABLE model_chunks (name text COLLATE "C" NOT NULL, version integer NOT NULL, chunk integer NOT NULL, data bytea NOT NULL,
        PRIMARY KEY (name, version, chunk));
      ALTER TABLE models ALTER data SET STORAGE EXTERNAL;
      ALTER TABLE model_chunks ALTER data SET STORAGE EXTERNAL;
      CREATE TABLE api_keys (id text COLLATE "C" PRIMARY KEY, name text NOT NULL, hash bytea NOT NULL, scopes text NOT NULL,
        rate_limit integer, created_at bigint NOT NULL, revoked_at bigint);
      CREATE TABLE experiments (name text COLLATE "C" PRIMARY KEY, def text NOT NULL, status text NOT NULL, created_at bigint NOT NULL,
        started_at bigint, stopped_at bigint, "offset" double precision NOT NULL DEFAULT 0, shipped_variant text);
      CREATE TABLE policies (name text COLLATE "C" NOT NULL, version integer NOT NULL, created_at bigint NOT NULL, policy text NOT NULL,
        PRIMARY KEY (name, version));
    `,
  },
  {
    version: 2,
    name: 'event log listener index on listener alone',
    // events.forListener reads one listener's events (hundreds) and sorts them by time: an
    // index on listener_ix alone finds them as fast as (listener_ix, ts) did (both plans are
    // a bitmap scan and a sort). It costs bulk ingest less: its entries are smaller and,
    // many per listener, deduplicated; the events of an import arrive interleaved across
    // listeners, so each entry lands in a random place either way.
    sql: `
      DROP INDEX events_listener_ts;
      CREATE INDEX events_listener ON events (listener_ix);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The schema version recorded in the database: 0 when it has none (no segue_schema table). */
async function versionOf(c: pg.PoolClient): Promise<number> {
  const has = (await c.query<{ t: string | null }>(`SELECT to_regclass('segue_schema')::text AS t`)).rows[0]!.t !== null;
  if (!has) return 0;
  return (await c.query<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM segue_schema')).rows[0]!.v;
}

function tooNew(db: PgDb, version: number): StoreError {
  return new StoreError(`${db.where} has schema version ${version}, newer than this Segue knows (${SCHEMA_VERSION}): upgrade Segue`);
}

/**
 * Bring the database to the newest schema; refuse one with other tables and no Segue
 * schema, or one from a newer Segue. One transaction holding an advisory lock on a fixed
 * key, reading the version inside it: processes opening a new store at the same moment
 * migrate it exactly once (the others wait, then find it done).
 */
export async function migrate(db: PgDb): Promise<void> {
  await db.tx(
    async (c) => {
      let version = await versionOf(c);
      if (version === 0) {
        const n = (await c.query<{ n: number }>(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema()`)).rows[0]!.n;
        if (n > 0) throw new StoreError(`${db.where}: the database has tables but no Segue schema (no segue_schema table): use an empty database`);
        await c.query('CREATE TABLE segue_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      }
      if (version > SCHEMA_VERSION) throw tooNew(db, version);
      for (const m of MIGRATIONS) {
        if (m.version <= version) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO segue_schema (version, name) VALUES ($1, $2)', [m.version, m.name]);
        version = m.version;
      }
    },
    { lock: Lock.migrate, doing: 'migrate the schema' },
  );
}

/** For a read-only open: the schema must be there and be this Segue's. */
export async function checkSchema(db: PgDb): Promise<void> {
  await db.tx(
    async (c) => {
      const version = await versionOf(c);
      if (version === 0) throw new StoreError(`${db.where}: no Segue store in this database (create one with segue import or segue simulate)`);
      if (version > SCHEMA_VERSION) throw tooNew(db, version);
      if (version < SCHEMA_VERSION) throw new StoreError(`${db.where} has schema version ${version}, older than this Segue's (${SCHEMA_VERSION}): open it once without read-only to migrate it`);
    },
    { write: false },
  );
}
