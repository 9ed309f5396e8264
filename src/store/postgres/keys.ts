import { SCOPES, type ApiKeyMeta, type ApiKeyStore, type Scope } from '../types.js';
import { newKey, parseKey, secretMatches } from '../keys.js';
import type { PgDb } from './db.js';

interface KeyRow { id: string; name: string; hash: Buffer; scopes: string; rate_limit: number | null; created_at: number; revoked_at: number | null }
const meta = (r: KeyRow): ApiKeyMeta => ({ id: r.id, name: r.name, scopes: JSON.parse(r.scopes) as Scope[], rateLimit: r.rate_limit, createdAt: r.created_at, revokedAt: r.revoked_at });

/** API keys, hashed as in ../keys.ts (the same records as SQLite's). */
export class PgKeys implements ApiKeyStore {
  constructor(private readonly db: PgDb) {}

  async create(opts: { scopes: Scope[]; name?: string; rateLimit?: number }): Promise<{ meta: ApiKeyMeta; key: string }> {
    const scopes = [...new Set(opts.scopes)];
    if (scopes.length === 0 || scopes.some((s) => !(SCOPES as readonly string[]).includes(s))) throw new RangeError(`scopes must be one or more of ${SCOPES.join(', ')}, got ${JSON.stringify(opts.scopes)}`);
    if (opts.rateLimit !== undefined && !(Number.isInteger(opts.rateLimit) && opts.rateLimit > 0)) throw new RangeError(`rateLimit must be a positive integer, got ${opts.rateLimit}`);
    const k = newKey();
    const row: KeyRow = { id: k.id, name: opts.name ?? '', hash: k.hash, scopes: JSON.stringify(scopes), rate_limit: opts.rateLimit ?? null, created_at: Date.now(), revoked_at: null };
    await this.db.run('INSERT INTO api_keys (id, name, hash, scopes, rate_limit, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [row.id, row.name, row.hash, row.scopes, row.rate_limit, row.created_at], 'create an API key');
    return { meta: meta(row), key: k.key };
  }

  async verify(key: string): Promise<ApiKeyMeta | undefined> {
    const p = parseKey(key);
    if (!p) return undefined;
    const row = (await this.db.rows<KeyRow>('SELECT * FROM api_keys WHERE id = $1', [p.id]))[0];
    if (!row || row.revoked_at !== null) return undefined;
    return secretMatches(p.secret, row.hash) ? meta(row) : undefined;
  }

  async revoke(id: string): Promise<boolean> {
    return (await this.db.run('UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2', [Date.now(), id], 'revoke an API key')) > 0;
  }

  async list(): Promise<ApiKeyMeta[]> {
    return (await this.db.rows<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id')).map(meta);
  }
}
