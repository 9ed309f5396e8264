import pg from 'pg';
import { StoreError } from '../types.js';

/** First half of every advisory lock key Segue takes ('SEGU'), so that its locks stay apart from another program's. */
const LOCK_SPACE = 0x53454755;

/**
 * Advisory locks, held to the end of a transaction (pg_advisory_xact_lock). `writer`
 * serializes ingest batches and sessionize, as SQLite's single writer does: a batch draws
 * its seqs only once it holds the lock, so seqs increase in commit order and a reader
 * folding the log from a cursor skips nothing.
 */
export const Lock = { migrate: 1, writer: 2, models: 3, policies: 4 } as const;

/** The URL with any password taken out (of the authority and of a `password` parameter), for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1@').replace(/password=[^&]*/g, 'password=***');
  }
}

function passwordOf(url: string): string {
  try {
    const u = new URL(url);
    return decodeURIComponent(u.password) || (u.searchParams.get('password') ?? '');
  } catch {
    return /\/\/[^:/@]*:([^@/]*)@/.exec(url)?.[1] ?? '';
  }
}

/** int8 as a JS number: Segue's ixs, seqs and millisecond times all fit in 2^53. */
function parseInt8(s: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new StoreError(`PostgreSQL returned the integer ${s}, past the 2^53 a JS number holds exactly`);
  return n;
}

/** Type parsers of one pool (pg's defaults elsewhere in the process are left alone). */
function poolTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, parseInt8);
  // Sums of int8 are numeric; every such sum here (plays, counts) is an integer well under 2^53.
  types.setTypeParser(pg.types.builtins.NUMERIC, Number);
  return types;
}

/** One line saying why a connection failed, from pg's or the socket's error. */
function connectProblem(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string; errors?: Array<{ code?: string }> };
  const code = e.code ?? e.errors?.[0]?.code;
  const msg = e.message ?? String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: is PostgreSQL running and listening there?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case '3D000': // invalid_catalog_name: database "x" does not exist
    case '28P01': // invalid_password
    case '28000': // invalid_authorization_specification (pg_hba)
    case '53300': // too_many_connections
    case '57P03': // cannot_connect_now (starting up, shutting down)
      return msg;
    default:
      break;
  }
  if (/client password must be a string|SASL: SCRAM/.test(msg)) return 'the server asks for a password and the URL gives none';
  if (/timeout/i.test(msg) && /connect/i.test(msg)) return 'timed out connecting';
  if (/Connection terminated/i.test(msg)) return 'the server closed the connection';
  return undefined;
}

/**
 * The pool of one store, with the helpers every part of the store uses: queries whose
 * connection failures become one clear StoreError naming the URL (never its password),
 * transactions, advisory locks and a read-only mode.
 */
export class PgDb {
  readonly pool: pg.Pool;
  /** The URL as messages show it (no password). */
  readonly where: string;
  private readonly password: string;

  constructor(url: string, readonly readonly: boolean) {
    this.where = redactUrl(url);
    this.password = passwordOf(url);
    this.pool = new pg.Pool({ connectionString: url, max: 4, types: poolTypes(), connectionTimeoutMillis: 10_000, application_name: 'segue' });
    // An idle connection that the server closes (restart, idle timeout) is an error event on
    // the pool: without a listener it would end the process. The pool drops that connection
    // and the next query opens another.
    this.pool.on('error', () => {});
    // Read-only: every transaction of the session is read-only, so no write gets past the
    // server even if one slipped past `writable()`.
    if (readonly) this.pool.on('connect', (c) => void c.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY').catch(() => {}));
  }

  /** The error to throw for `err`: connection and read-only failures as StoreErrors, others as they are. */
  fail(err: unknown, doing?: string): Error {
    if (err instanceof StoreError) return err;
    const problem = connectProblem(err);
    if (problem !== undefined) return new StoreError(this.scrub(`${this.where}: ${problem}`), { cause: err });
    const e = err as { code?: string; message?: string };
    if (e.code === '25006') return new StoreError(`${this.where}: the store is open read-only${doing ? `: cannot ${doing}` : ''}`, { cause: err });
    // 0x00 in text: PostgreSQL's text cannot hold it (SQLite's can), so such a record cannot be stored here.
    if (e.code === '22021' && /0x00/.test(e.message ?? '')) return new StoreError(`${this.where}: cannot ${doing ?? 'write'}: a text value holds a NUL character (\u0000), which PostgreSQL cannot store`, { cause: err });
    if (err instanceof Error && this.password !== '' && err.message.includes(this.password)) err.message = this.scrub(err.message);
    return err instanceof Error ? err : new Error(String(err));
  }

  private scrub(s: string): string {
    return this.password === '' ? s : s.split(this.password).join('***');
  }

  /** Refuse a write on a read-only store before it reaches the server. */
  writable(doing: string): void {
    if (this.readonly) throw new StoreError(`${this.where}: the store is open read-only: cannot ${doing}`);
  }

  /** Rows as objects. */
  async rows<R>(text: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query(text, values)).rows as R[];
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Rows as arrays of cells in column order: no object per row. */
  async arrays(text: string, values: unknown[] = []): Promise<unknown[][]> {
    try {
      return (await this.pool.query({ text, values, rowMode: 'array' })).rows as unknown[][];
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** The first cell of the first row (undefined when no row). */
  async value<V>(text: string, values: unknown[] = []): Promise<V | undefined> {
    const rows = await this.arrays(text, values);
    return rows[0]?.[0] as V | undefined;
  }

  /** Rows changed. */
  async run(text: string, values: unknown[] = [], doing = 'write'): Promise<number> {
    this.writable(doing);
    try {
      return (await this.pool.query(text, values)).rowCount ?? 0;
    } catch (err) {
      throw this.fail(err, doing);
    }
  }

  /**
   * Run `fn` in one transaction on one connection: committed when it returns, rolled back
   * when it throws. `lock` takes that advisory lock first (held to the end), for one `name`
   * when given (models, policies: the next version of a name). `write: false` for a
   * transaction that only reads (allowed on a read-only store). `first`: a statement without
   * parameters run in the same round trip as BEGIN and a lock without `name`, its rows (as
   * arrays) handed to `fn`.
   */
  async tx<T>(
    fn: (c: pg.PoolClient, first: unknown[][]) => Promise<T>,
    opts: { lock?: number; name?: string; doing?: string; write?: boolean; first?: string } = {},
  ): Promise<T> {
    const doing = opts.doing ?? 'write';
    if (opts.write !== false) this.writable(doing);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.fail(err, doing);
    }
    let broken: Error | undefined;
    // A checked-out client whose server goes away emits 'error': unheard, it would end the
    // process. Heard, the query in flight fails (and the transaction with it) and the
    // client is not handed back.
    const lost = (e: Error): void => {
      broken = e;
    };
    client.on('error', lost);
    try {
      // BEGIN, a lock of fixed key and `first` in one round trip (statements of constants).
      const begin = ['BEGIN'];
      if (opts.lock !== undefined && opts.name === undefined) begin.push(`SELECT pg_advisory_xact_lock(${LOCK_SPACE}, ${Math.trunc(opts.lock)})`);
      if (opts.first !== undefined && (opts.lock === undefined || opts.name === undefined)) begin.push(opts.first);
      const started = await client.query({ text: begin.join('; '), rowMode: 'array' });
      let first = opts.first === undefined ? [] : ((Array.isArray(started) ? started[started.length - 1] : started) as pg.QueryResult).rows as unknown[][];
      if (opts.lock !== undefined && opts.name !== undefined) {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE + opts.lock, opts.name]);
        if (opts.first !== undefined) first = (await client.query({ text: opts.first, rowMode: 'array' })).rows as unknown[][];
      }
      const out = await fn(client, first);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (e) {
        broken = e instanceof Error ? e : new Error(String(e)); // the connection is gone: do not hand it back to the pool
      }
      throw this.fail(err, doing);
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
