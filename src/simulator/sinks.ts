import { open } from 'node:fs/promises';
import type { Store } from '../store/index.js';
import type { Simulation } from './sessions.js';
import { catalogBatches, catalogNdjson, SIM_SOURCE, toEvents } from './records.js';
import { eventsNdjson } from './ndjson.js';

/**
 * Where a simulation goes: a Segue NDJSON file or a store. Both stream: catalog first, then
 * event batches as they are generated, so memory stays flat however many events there are.
 */

export interface SinkProgress {
  /** Days fully generated, of `totalDays`. */
  days: number;
  totalDays: number;
  events: number;
}

export interface SinkOptions {
  onProgress?: (p: SinkProgress) => void;
  /** Stops after the current batch; the result says `aborted`. */
  signal?: AbortSignal;
}

export interface SinkResult {
  /** Catalog records written (artists, tracks, listeners, playlists). */
  catalog: number;
  events: number;
  /** Records the store refused (0 for a file); the first few reasons in `rejects`. */
  rejected: number;
  rejects: string[];
  aborted: boolean;
}

/**
 * Write a simulation as Segue NDJSON: catalog lines first (artists, tracks, listeners,
 * editorial playlists), then events, ts in epoch ms. Rejects when the file cannot be written.
 *
 * @example await writeNdjson(simulate({ listeners: 100, days: 3 }), 'sim.ndjson');
 */
export async function writeNdjson(sim: Simulation, file: string, opts: SinkOptions = {}): Promise<SinkResult> {
  // A file handle and awaited writes, not a stream: eventsNdjson reuses its buffer, and each
  // write completes before the next batch is encoded.
  const fh = await open(file, 'w');
  const w = sim.world;
  const result: SinkResult = { catalog: w.artists + w.tracks + w.listeners.count + w.playlists, events: 0, rejected: 0, rejects: [], aborted: false };
  try {
    for (const chunk of catalogNdjson(w)) await fh.write(chunk);
    for (const b of sim) {
      const bytes = eventsNdjson(b, SIM_SOURCE);
      for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
      result.events += b.length;
      opts.onProgress?.({ days: sim.stats.days, totalDays: sim.days, events: result.events });
      if (opts.signal?.aborted) {
        result.aborted = true;
        break;
      }
    }
  } finally {
    await fh.close();
  }
  return result;
}

/**
 * Write a simulation into a store: the catalog in batches, then each event batch in its
 * own transaction (store.ingest).
 */
export async function writeToStore(sim: Simulation, store: Store, opts: SinkOptions & { batchSize?: number } = {}): Promise<SinkResult> {
  const result: SinkResult = { catalog: 0, events: 0, rejected: 0, rejects: [], aborted: false };
  const note = (r: { rejected: Array<{ kind: string; index: number; reason: string }> }): void => {
    result.rejected += r.rejected.length;
    for (const x of r.rejected) if (result.rejects.length < 5) result.rejects.push(`${x.kind} ${x.index}: ${x.reason}`);
  };
  for (const batch of catalogBatches(sim.world, opts.batchSize ?? 5000)) {
    const r = await store.ingest(batch);
    note(r);
    result.catalog += r.accepted + r.duplicates;
  }
  for (const b of sim) {
    const r = await store.ingest({ events: toEvents(b) });
    note(r);
    result.events += r.accepted + r.duplicates;
    opts.onProgress?.({ days: sim.stats.days, totalDays: sim.days, events: result.events });
    if (opts.signal?.aborted) {
      result.aborted = true;
      break;
    }
  }
  return result;
}
