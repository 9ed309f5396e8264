import type { ListenerStateStore } from '../types.js';
import type { PgDb } from './db.js';

const UPSERT = `INSERT INTO listener_state (listener_id, key, value, updated_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (listener_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;

/** Entries per statement of putMany. */
const PUT_CHUNK = 5000;

/** bytea comes back as a Buffer: hand it on as plain bytes of its own. */
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b);

export class PgListenerState implements ListenerStateStore {
  constructor(private readonly db: PgDb) {}

  async get(listenerId: string, key: string): Promise<Uint8Array | undefined> {
    const v = await this.db.value<Buffer>('SELECT value FROM listener_state WHERE listener_id = $1 AND key = $2', [listenerId, key]);
    return v === undefined ? undefined : bytes(v);
  }

  async put(listenerId: string, key: string, value: Uint8Array): Promise<void> {
    await this.db.run(UPSERT, [listenerId, key, value, Date.now()], 'write listener state');
  }

  async putMany(entries: Iterable<{ listenerId: string; key: string; value: Uint8Array }>): Promise<number> {
    this.db.writable('write listener state');
    // Read them all first: an entry that throws leaves nothing written. A key given twice
    // keeps its last value, as one upsert after another would (and one statement may not
    // update a row twice).
    const last = new Map<string, { listenerId: string; key: string; value: Uint8Array }>();
    let n = 0;
    for (const e of entries) {
      const entry = { listenerId: e.listenerId, key: e.key, value: e.value };
      const k = JSON.stringify([entry.listenerId, entry.key]);
      last.delete(k);
      last.set(k, entry);
      n++;
    }
    if (n === 0) return 0;
    const all = [...last.values()];
    const now = Date.now();
    await this.db.tx(
      async (c) => {
        for (let i = 0; i < all.length; i += PUT_CHUNK) {
          const part = all.slice(i, i + PUT_CHUNK);
          await c.query(
            `INSERT INTO listener_state (listener_id, key, value, updated_at)
             SELECT l, k, v, $4 FROM unnest($1::text[], $2::text[], $3::bytea[]) AS u(l, k, v)
             ON CONFLICT (listener_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
            [part.map((e) => e.listenerId), part.map((e) => e.key), part.map((e) => e.value), now],
          );
        }
      },
      { doing: 'write listener state' },
    );
    return n;
  }

  async delete(listenerId: string, key: string): Promise<void> {
    await this.db.run('DELETE FROM listener_state WHERE listener_id = $1 AND key = $2', [listenerId, key], 'delete listener state');
  }

  /**
   * The row is locked before it is read, in one statement: an upsert that inserts a
   * placeholder (updated_at -1, which no stored value has) or, when the row exists, "updates"
   * it to itself, locking it either way and returning what was there. A concurrent update,
   * from this process or another, waits on that lock until this transaction ends, so `fn`
   * runs once and no write comes between its read and its write.
   */
  async update(listenerId: string, key: string, fn: (old: Uint8Array | undefined) => Uint8Array): Promise<Uint8Array> {
    return this.db.tx(
      async (c) => {
        const row = (await c.query<{ value: Buffer; updated_at: number }>(
          `INSERT INTO listener_state (listener_id, key, value, updated_at) VALUES ($1, $2, '\\x', -1)
           ON CONFLICT (listener_id, key) DO UPDATE SET updated_at = listener_state.updated_at
           RETURNING value, updated_at`,
          [listenerId, key],
        )).rows[0]!;
        const value = fn(row.updated_at === -1 ? undefined : bytes(row.value));
        await c.query('UPDATE listener_state SET value = $3, updated_at = $4 WHERE listener_id = $1 AND key = $2', [listenerId, key, value, Date.now()]);
        return value;
      },
      { doing: 'update listener state' },
    );
  }

  async snapshot(opts: { keys: readonly string[]; listenerIds: readonly string[] }): Promise<Array<{ listenerId: string; key: string; value: Uint8Array }>> {
    if (opts.keys.length === 0 && opts.listenerIds.length === 0) return [];
    // One statement sees one snapshot: a concurrent putMany (one transaction) is in it whole or not at all.
    const rows = await this.db.arrays('SELECT listener_id, key, value FROM listener_state WHERE key = ANY($1) OR listener_id = ANY($2)', [[...opts.keys], [...opts.listenerIds]]);
    return rows.map((r) => ({ listenerId: r[0] as string, key: r[1] as string, value: bytes(r[2] as Buffer) }));
  }
}
