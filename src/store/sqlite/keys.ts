import type Database from 'better-sqlite3';
import { SCOPES, type ApiKeyMeta, type ApiKeyStore, type Scope } from '../types.js';
import { newKey, parseKey, secretMatches } from '../keys.js';

interface KeyRow { id: string; name: string; hash: Buffer; scopes: string; rate_limit: number | null; created_at: number; revoked_at: number | null }
const meta = (r: KeyRow): ApiKeyMeta => ({ id: r.id, name: r.name, scopes: JSON.parse(r.scopes) as Scope[], rateLimit: r.rate_limit, createdAt: r.created_at, revokedAt: r.revoked_at });

export class SqliteKeys implements ApiKeyStore {
  private byId: Database.Statement<[string], KeyRow> | undefined;
  constructor(private readonly db: Database.Database) {}
  async create(opts: { scopes: Scope[]; name?: string; rateLimit?: number }): Promise<{ meta: ApiKeyMeta; key: string }> {
    const scopes = [...new Set(opts.scopes)];
    if (scopes.length === 0 || scopes.some((s) => !(SCOPES as readonly string[]).includes(s))) throw new RangeError(`scopes must be one or more of ${SCOPES.join(', ')}, got ${JSON.stringify(opts.scopes)}`);
    if (opts.rateLimit !== undefined && !(Number.isInteger(opts.rateLimit) && opts.rateLimit > 0)) throw new RangeError(`rateLimit must be a positive integer, got ${opts.rateLimit}`);
    const k = newKey();
    const row: KeyRow = { id: k.id, name: opts.name ?? '', hash: k.hash, scopes: JSON.stringify(scopes), rate_limit: opts.rateLimit ?? null, created_at: Date.now(), revoked_at: null };
    this.db.prepare('INSERT INTO api_keys (id, name, hash, scopes, rate_limit, created_at) VALUES (@id, @name, @hash, @scopes, @rate_limit, @created_at)').run(row);
    return { meta: meta(row), key: k.key };
  }
  async verify(key: string): Promise<ApiKeyMeta | undefined> {
    const p = parseKey(key);
    if (!p) return undefined;
    this.byId ??= this.db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?');
    const row = this.byId.get(p.id);
    if (!row || row.revoked_at !== null) return undefined;
    return secretMatches(p.secret, row.hash) ? meta(row) : undefined;
  }
  async revoke(id: string): Promise<boolean> {
    const info = this.db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(Date.now(), id);
    return info.changes > 0;
  }
  async list(): Promise<ApiKeyMeta[]> {
    return this.db.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id').all().map(meta);
  }
}
