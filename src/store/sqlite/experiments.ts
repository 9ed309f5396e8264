import type Database from 'better-sqlite3';
import type { ExperimentStore, PolicyStore, StoredExperiment } from '../types.js';

interface Row { name: string; def: string; status: string; created_at: number; started_at: number | null; stopped_at: number | null; offset: number; shipped_variant: string | null }
const fromRow = (r: Row): StoredExperiment => ({
  name: r.name, def: JSON.parse(r.def) as Record<string, unknown>, status: r.status, createdAt: r.created_at,
  startedAt: r.started_at, stoppedAt: r.stopped_at, offset: r.offset, shippedVariant: r.shipped_variant,
});

export class SqliteExperiments implements ExperimentStore {
  constructor(private readonly db: Database.Database) {}
  async create(x: StoredExperiment): Promise<boolean> {
    const info = this.db
      .prepare('INSERT INTO experiments (name, def, status, created_at, started_at, stopped_at, offset, shipped_variant) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING')
      .run(x.name, JSON.stringify(x.def), x.status, x.createdAt, x.startedAt, x.stoppedAt, x.offset, x.shippedVariant);
    return info.changes > 0;
  }
  async get(name: string): Promise<StoredExperiment | undefined> {
    const r = this.db.prepare<[string], Row>('SELECT * FROM experiments WHERE name = ?').get(name);
    return r ? fromRow(r) : undefined;
  }
  async list(): Promise<StoredExperiment[]> {
    return this.db.prepare<[], Row>('SELECT * FROM experiments ORDER BY created_at, name').all().map(fromRow);
  }
  async update(name: string, patch: Partial<Omit<StoredExperiment, 'name' | 'def' | 'createdAt'>>): Promise<boolean> {
    const cols: Record<string, string> = { status: 'status', startedAt: 'started_at', stoppedAt: 'stopped_at', offset: 'offset', shippedVariant: 'shipped_variant' };
    const sets: string[] = [], vals: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const c = cols[k];
      if (c === undefined) throw new RangeError(`experiments.update: unknown field ${k}`);
      sets.push(`${c} = ?`);
      vals.push(v);
    }
    if (sets.length === 0) return (await this.get(name)) !== undefined;
    return this.db.prepare(`UPDATE experiments SET ${sets.join(', ')} WHERE name = ?`).run(...vals, name).changes > 0;
  }
}

export class SqlitePolicies implements PolicyStore {
  constructor(private readonly db: Database.Database) {}
  async put(name: string, policy: Record<string, unknown>): Promise<number> {
    return this.db.transaction(() => {
      const v = (this.db.prepare<[string], { v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM policies WHERE name = ?').get(name)!).v;
      this.db.prepare('INSERT INTO policies (name, version, created_at, policy) VALUES (?, ?, ?, ?)').run(name, v, Date.now(), JSON.stringify(policy));
      return v;
    }).immediate();
  }
  async get(name: string): Promise<{ name: string; version: number; policy: Record<string, unknown>; createdAt: number } | undefined> {
    const r = this.db.prepare<[string], { name: string; version: number; policy: string; created_at: number }>('SELECT * FROM policies WHERE name = ? ORDER BY version DESC LIMIT 1').get(name);
    return r ? { name: r.name, version: r.version, policy: JSON.parse(r.policy) as Record<string, unknown>, createdAt: r.created_at } : undefined;
  }
  async list(): Promise<Array<{ name: string; version: number; createdAt: number }>> {
    return this.db.prepare<[], { name: string; version: number; created_at: number }>('SELECT name, max(version) AS version, max(created_at) AS created_at FROM policies GROUP BY name ORDER BY name').all()
      .map((r) => ({ name: r.name, version: r.version, createdAt: r.created_at }));
  }
}
