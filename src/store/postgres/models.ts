import type pg from 'pg';
import type { ModelMeta, ModelStore } from '../types.js';
import { Lock, type PgDb } from './db.js';

const MIB = 1024 * 1024;

type MetaRow = [name: string, version: number, createdAt: number, bytes: number, info: string, chunks: number];
const meta = (r: MetaRow): ModelMeta => ({ name: r[0], version: r[1], createdAt: r[2], bytes: r[3], info: JSON.parse(r[4]) as Record<string, unknown> });

/**
 * Model artifacts as bytea. One over `chunkBytes` (256 MiB) is stored in pieces of that size
 * in model_chunks and put back together on get. Reads go in slices of `readBytes` (64 MiB):
 * pg returns bytea as hex text, and a JS string holds at most 2^29 characters, so a value
 * past 256 MiB cannot come back in one piece (the columns are STORAGE EXTERNAL, so a slice
 * reads only its own part of the value).
 */
export class PgModels implements ModelStore {
  /** Artifacts larger than this are chunked, in chunks of this size (changed by tests only). */
  chunkBytes = 256 * MIB;
  /** Bytes per read of a stored value (changed by tests only). */
  readBytes = 64 * MIB;

  constructor(private readonly db: PgDb) {}

  async put(name: string, data: Uint8Array, info: Record<string, unknown> = {}): Promise<ModelMeta> {
    const createdAt = Date.now();
    const infoText = JSON.stringify(info);
    // The lock on the name makes "next version" safe against another process saving the same model.
    const version = await this.db.tx(
      async (c) => {
        const v = (await c.query<{ v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM models WHERE name = $1', [name])).rows[0]!.v;
        await this.insert(c, name, v, createdAt, data.byteLength, infoText, data);
        return v;
      },
      { lock: Lock.models, name, doing: 'save a model' },
    );
    return { name, version, createdAt, bytes: data.byteLength, info };
  }

  /**
   * Store one version as given (a copied store's row: its version and time kept); false,
   * and nothing written, when that version is there already.
   */
  async insertVersion(name: string, version: number, createdAt: number, bytes: number, info: string, data: Uint8Array): Promise<boolean> {
    return this.db.tx(
      async (c) => {
        const present = (await c.query('SELECT 1 FROM models WHERE name = $1 AND version = $2', [name, version])).rowCount! > 0;
        if (!present) await this.insert(c, name, version, createdAt, bytes, info, data);
        return !present;
      },
      { lock: Lock.models, name, doing: 'save a model' },
    );
  }

  /** The row and, for a large artifact, its chunks. */
  private async insert(c: pg.PoolClient, name: string, version: number, createdAt: number, bytes: number, info: string, data: Uint8Array): Promise<void> {
    const chunked = data.byteLength > this.chunkBytes;
    const chunks = chunked ? Math.ceil(data.byteLength / this.chunkBytes) : 0;
    await c.query('INSERT INTO models (name, version, created_at, bytes, info, data, chunks) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      name, version, createdAt, bytes, info, chunked ? Buffer.alloc(0) : data, chunks,
    ]);
    for (let i = 0; i < chunks; i++) {
      const part = data.subarray(i * this.chunkBytes, Math.min(data.byteLength, (i + 1) * this.chunkBytes));
      await c.query('INSERT INTO model_chunks (name, version, chunk, data) VALUES ($1, $2, $3, $4)', [name, version, i, part]);
    }
  }

  async get(name: string, version?: number): Promise<{ meta: ModelMeta; data: Uint8Array } | undefined> {
    const cols = 'name, version, created_at, bytes, info, chunks';
    const rows =
      version === undefined
        ? await this.db.arrays(`SELECT ${cols} FROM models WHERE name = $1 ORDER BY version DESC LIMIT 1`, [name])
        : await this.db.arrays(`SELECT ${cols} FROM models WHERE name = $1 AND version = $2`, [name, version]);
    const r = rows[0] as MetaRow | undefined;
    if (r === undefined) return undefined;
    const m = meta(r);
    const out = new Uint8Array(m.bytes);
    if (r[5] === 0) {
      await this.readInto(out, 0, m.bytes, 'SELECT substring(data FROM $3 FOR $4) FROM models WHERE name = $1 AND version = $2', [m.name, m.version]);
    } else {
      for (let i = 0, at = 0; i < r[5]; i++) {
        const len = Math.min(this.chunkBytes, m.bytes - at);
        await this.readInto(out, at, len, 'SELECT substring(data FROM $3 FOR $4) FROM model_chunks WHERE name = $1 AND version = $2 AND chunk = $5', [m.name, m.version, i]);
        at += len;
      }
    }
    return { meta: m, data: out };
  }

  /** Copy `len` bytes of one stored value into out at `at`, a slice per query (substring counts from 1). */
  private async readInto(out: Uint8Array, at: number, len: number, sql: string, key: [string, number, ...unknown[]]): Promise<void> {
    const [name, version, ...rest] = key;
    for (let off = 0; off < len; off += this.readBytes) {
      const n = Math.min(this.readBytes, len - off);
      const piece = await this.db.value<Buffer>(sql, [name, version, off + 1, n, ...rest]);
      if (piece === undefined || piece.byteLength !== n) throw new Error(`model ${name}@${version}: the stored artifact is shorter than its recorded ${len} bytes`);
      out.set(piece, at + off);
    }
  }

  async list(name?: string): Promise<ModelMeta[]> {
    const cols = 'name, version, created_at, bytes, info, chunks';
    const rows =
      name === undefined
        ? await this.db.arrays(`SELECT ${cols} FROM models ORDER BY name, version`)
        : await this.db.arrays(`SELECT ${cols} FROM models WHERE name = $1 ORDER BY version`, [name]);
    return rows.map((r) => meta(r as MetaRow));
  }
}
