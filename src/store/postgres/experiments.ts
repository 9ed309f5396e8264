import type { ExperimentStore, StoredExperiment } from '../types.js';
import type { PgDb } from './db.js';

interface Row { name: string; def: string; status: string; created_at: number; started_at: number | null; stopped_at: number | null; offset: number; shipped_variant: string | null }
const fromRow = (r: Row): StoredExperiment => ({
  name: r.name, def: JSON.parse(r.def) as Record<string, unknown>, status: r.status, createdAt: r.created_at,
  startedAt: r.started_at, stoppedAt: r.stopped_at, offset: r.offset, shippedVariant: r.shipped_variant,
});

/** Patchable fields and their columns ("offset" is a reserved word in PostgreSQL: quoted). */
const COLUMNS: Record<string, string> = { status: 'status', startedAt: 'started_at', stoppedAt: 'stopped_at', offset: '"offset"', shippedVariant: 'shipped_variant' };

export class PgExperiments implements ExperimentStore {
  constructor(private readonly db: PgDb) {}

  async create(x: StoredExperiment): Promise<boolean> {
    const n = await this.db.run(
      'INSERT INTO experiments (name, def, status, created_at, started_at, stopped_at, "offset", shipped_variant) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name) DO NOTHING',
      [x.name, JSON.stringify(x.def), x.status, x.createdAt, x.startedAt, x.stoppedAt, x.offset, x.shippedVariant],
      'create an experiment',
    );
    return n > 0;
  }

  async get(name: string): Promise<StoredExperiment | undefined> {
    const r = (await this.db.rows<Row>('SELECT * FROM experiments WHERE name = $1', [name]))[0];
    return r ? fromRow(r) : undefined;
  }

  async list(): Promise<StoredExperiment[]> {
    return (await this.db.rows<Row>('SELECT * FROM experiments ORDER BY created_at, name')).map(fromRow);
  }

  async update(name: string, patch: Partial<Omit<StoredExperiment, 'name' | 'def' | 'createdAt'>>): Promise<boolean> {
    const sets: string[] = [], vals: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const c = COLUMNS[k];
      if (c === undefined) throw new RangeError(`experiments.update: unknown field ${k}`);
      vals.push(v);
      sets.push(`${c} = $${vals.length}`);
    }
    if (sets.length === 0) return (await this.get(name)) !== undefined;
    vals.push(name);
    return (await this.db.run(`UPDATE experiments SET ${sets.join(', ')} WHERE name = $${vals.length}`, vals, 'update an experiment')) > 0;
  }
}
