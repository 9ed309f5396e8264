import type { PolicyStore } from '../types.js';
import { Lock, type PgDb } from './db.js';

export class PgPolicies implements PolicyStore {
  constructor(private readonly db: PgDb) {}

  async put(name: string, policy: Record<string, unknown>): Promise<number> {
    // The lock on the name makes "next version" safe against another process saving the same policy.
    return this.db.tx(
      async (c) => {
        const v = (await c.query<{ v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM policies WHERE name = $1', [name])).rows[0]!.v;
        await c.query('INSERT INTO policies (name, version, created_at, policy) VALUES ($1, $2, $3, $4)', [name, v, Date.now(), JSON.stringify(policy)]);
        return v;
      },
      { lock: Lock.policies, name, doing: 'save a policy' },
    );
  }

  async get(name: string): Promise<{ name: string; version: number; policy: Record<string, unknown>; createdAt: number } | undefined> {
    const r = (await this.db.rows<{ name: string; version: number; policy: string; created_at: number }>('SELECT * FROM policies WHERE name = $1 ORDER BY version DESC LIMIT 1', [name]))[0];
    return r ? { name: r.name, version: r.version, policy: JSON.parse(r.policy) as Record<string, unknown>, createdAt: r.created_at } : undefined;
  }

  async list(): Promise<Array<{ name: string; version: number; createdAt: number }>> {
    return (await this.db.rows<{ name: string; version: number; created_at: number }>('SELECT name, max(version) AS version, max(created_at) AS created_at FROM policies GROUP BY name ORDER BY name'))
      .map((r) => ({ name: r.name, version: r.version, createdAt: r.created_at }));
  }
}
