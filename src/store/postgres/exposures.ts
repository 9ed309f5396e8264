import type { Exposure } from '../../domain/index.js';
import type { ExposureStore } from '../types.js';
import type { PgDb } from './db.js';

interface Pending {
  x: Exposure;
  resolve: (isNew: boolean) => void;
  reject: (err: unknown) => void;
}

export class PgExposures implements ExposureStore {
  private queue: Pending[] = [];

  constructor(private readonly db: PgDb) {}

  /**
   * Group commit: appends made in the same turn of the event loop (a server's concurrent
   * responses) are written by one statement, in the order they were made (the first of a
   * repeated request id is the one stored); each promise resolves once it is committed.
   */
  append(x: Exposure): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ x, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => void this.commit());
    });
  }

  private async commit(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    let stored: Set<string>;
    try {
      this.db.writable('log exposures');
      const rows = await this.db.arrays(
        `INSERT INTO exposures (request_id, listener_id, surface, ts, data)
         SELECT r, l, s, t, d FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) WITH ORDINALITY AS u(r, l, s, t, d, ord)
         ORDER BY ord
         ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
        [batch.map((b) => b.x.requestId), batch.map((b) => b.x.listenerId), batch.map((b) => b.x.surface), batch.map((b) => b.x.ts), batch.map((b) => JSON.stringify(b.x))],
      );
      stored = new Set(rows.map((r) => r[0] as string));
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    for (const b of batch) b.resolve(stored.delete(b.x.requestId));
  }

  async get(requestId: string): Promise<Exposure | undefined> {
    const data = await this.db.value<string>('SELECT data FROM exposures WHERE request_id = $1', [requestId]);
    return data === undefined ? undefined : (JSON.parse(data) as Exposure);
  }

  async *scan(opts: { since?: number; until?: number; batchSize?: number } = {}): AsyncIterable<Exposure[]> {
    const size = opts.batchSize ?? 5000;
    const since = opts.since ?? 0, until = opts.until ?? Number.MAX_SAFE_INTEGER;
    let ts = -Number.MAX_SAFE_INTEGER, ix = 0;
    for (;;) {
      const rows = await this.db.arrays('SELECT ix, ts, data FROM exposures WHERE ts >= $1 AND ts < $2 AND (ts, ix) > ($3, $4) ORDER BY ts, ix LIMIT $5', [since, until, ts, ix, size]);
      if (rows.length === 0) return;
      yield rows.map((r) => JSON.parse(r[2] as string) as Exposure);
      const last = rows[rows.length - 1]!;
      ix = last[0] as number;
      ts = last[1] as number;
      if (rows.length < size) return;
    }
  }

  async forListener(listenerId: string, opts: { since?: number; limit?: number } = {}): Promise<Exposure[]> {
    const rows = await this.db.arrays('SELECT data FROM exposures WHERE listener_id = $1 AND ts >= $2 ORDER BY ts, ix LIMIT $3', [listenerId, opts.since ?? 0, opts.limit ?? 100_000]);
    return rows.map((r) => JSON.parse(r[0] as string) as Exposure);
  }
}
