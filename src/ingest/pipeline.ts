import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SegueRecord } from '../domain/index.js';
import { WriteStatus, type IngestBatch, type IngestResult, type RecordKind, type Store } from '../store/index.js';
import type { ImportFormat, ImportSummary, Parsed, Where } from './types.js';
import { ImportError } from './errors.js';

export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface ImportOptions {
  store: Store;
  format: ImportFormat;
  path: string;
  /** Defaults to the format's own source name. */
  source?: string;
  options?: Record<string, string>;
  /** Where rejected items go (NDJSON: file, line, reason, raw). Opened only when something is rejected. */
  rejectsFile: string;
  /** Fail when rejected / read exceeds this (0..1). */
  maxRejectRate?: number;
  /** Items per transaction (default: the store's `bulkIngest.batchSize`, else 5,000). */
  batchSize?: number;
  /** Gap that ends a derived session. */
  sessionGapMs?: number;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
  now?: number;
}

/** After this many items, a reject rate above --max-reject-rate stops the import early. */
const EARLY_ABORT_AFTER = 10_000;

/** Writes rejected items to an NDJSON file, created (or truncated) on the first reject. */
class RejectsWriter {
  private out: FileHandle | undefined;
  private buffered: string[] = [];
  count = 0;
  constructor(readonly path: string) {}
  async write(where: Where, reason: string, raw: string | undefined): Promise<void> {
    this.count++;
    this.buffered.push(JSON.stringify({ file: where.file, line: where.line, reason, raw: raw === undefined ? undefined : raw.slice(0, 2000) }) + '\n');
    if (this.buffered.length >= 1000) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    if (this.out === undefined) {
      try {
        this.out = await open(this.path, 'w');
      } catch (err) {
        throw new ImportError(`cannot write the rejects file ${this.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    const text = this.buffered.join('');
    this.buffered = [];
    await this.out.write(text);
  }
  async close(): Promise<void> {
    await this.flush();
    await this.out?.close();
  }
}

interface Pending {
  where: Where;
  raw: string | undefined;
  /** This item's records are refs[refStart .. refEnd) in (kind code, index in the batch) pairs; the last is its own. */
  refStart: number;
  refEnd: number;
}

const KINDS: readonly RecordKind[] = ['track', 'artist', 'listener', 'playlist', 'event'];
const KIND_CODE: Readonly<Record<RecordKind, number>> = { track: 0, artist: 1, listener: 2, playlist: 3, event: 4 };
const LISTS: Record<RecordKind, keyof IngestBatch> = { track: 'tracks', artist: 'artists', listener: 'listeners', playlist: 'playlists', event: 'events' };

/**
 * Import one input into a store: stream items from the format, write them in batches
 * (each batch one transaction, so a killed import leaves whole batches and a re-run
 * completes it: events are idempotent on (source, eventId) and catalog upserts on id),
 * send rejected items to the rejects file, then sessionize what has no session.
 *
 * An item counts as accepted when its own record was written, as a duplicate when it was
 * already there, as rejected when it could not be parsed or refers to unknown ids.
 */
export async function runImport(opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const batchSize = opts.batchSize ?? opts.store.bulkIngest?.batchSize ?? 5000;
  const readAhead = opts.store.bulkIngest?.readAhead === true;
  if (resolve(opts.rejectsFile) === resolve(opts.path)) throw new ImportError(`--rejects ${opts.rejectsFile} is the input itself: choose another file`);
  const rejects = new RejectsWriter(opts.rejectsFile);
  const progress: ImportProgress = { bytes: 0, totalBytes: 0, read: 0, accepted: 0, duplicates: 0, rejected: 0 };
  let aborted: string | undefined;
  const ctx = {
    source: opts.source ?? opts.format.defaultSource,
    options: opts.options ?? {},
    now: opts.now ?? Date.now(),
    addTotal: (n: number) => {
      progress.totalBytes += n;
    },
    progress: (n: number) => {
      progress.bytes += n;
    },
  };

  const sessionGapMs = opts.sessionGapMs;
  const mergeGenres = opts.format.mergeGenres === true;
  const newBatch = (): IngestBatch => ({ ...(sessionGapMs === undefined ? {} : { sessionGapMs }), ...(mergeGenres ? { mergeGenres } : {}) });
  let batch: IngestBatch = newBatch();
  let pending: Pending[] = [];
  let size = 0;

  // Flat (kind code, index) pairs of every pending item's records: no array per item.
  let refs: number[] = [];
  // Reading ahead: the batch being written (its results recorded at the next flush, or at the end).
  let writing: { result: Promise<IngestResult>; pending: Pending[]; refs: number[] } | undefined;
  let sinceYield = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const sent = { pending, refs };
    if (!readAhead) {
      await record(await opts.store.ingest(batch), sent);
    } else {
      // One batch written at a time, in order: the previous one has committed before this one goes.
      await settle();
      const result = opts.store.ingest(batch);
      result.catch(() => {}); // a failure is thrown where the result is awaited (settle)
      writing = { result, ...sent };
    }
    batch = newBatch();
    pending = [];
    refs = [];
    size = 0;
  };
  const settle = async (): Promise<void> => {
    if (writing === undefined) return;
    const w = writing;
    writing = undefined;
    await record(await w.result, w);
  };
  const record = async (result: IngestResult, { pending, refs }: { pending: Pending[]; refs: number[] }): Promise<void> => {
    const reasons = new Map<string, string>();
    for (const r of result.rejected) reasons.set(`${r.kind}:${r.index}`, r.reason);
    for (const p of pending) {
      let rejectedBy: string | undefined;
      if (reasons.size > 0) {
        for (let r = p.refStart; r < p.refEnd; r += 2) {
          const kind = KINDS[refs[r]!]!;
          if (result.status[kind][refs[r + 1]!] === WriteStatus.Rejected) {
            rejectedBy = reasons.get(`${kind}:${refs[r + 1]}`);
            break;
          }
        }
      }
      if (rejectedBy !== undefined) {
        progress.rejected++;
        await rejects.write(p.where, rejectedBy, p.raw);
        continue;
      }
      const own = p.refEnd - 2;
      if (result.status[KINDS[refs[own]!]!][refs[own + 1]!] === WriteStatus.Written) progress.accepted++;
      else progress.duplicates++;
    }
    opts.onProgress?.(progress);
  };

  const add = (item: Parsed & { records: SegueRecord[] }): void => {
    const refStart = refs.length;
    for (let i = 0; i < item.records.length; i++) {
      const r = item.records[i]!;
      const list = ((batch[LISTS[r.kind]] as unknown[] | undefined) ??= []);
      refs.push(KIND_CODE[r.kind], list.length);
      list.push(r.value);
    }
    pending.push({ where: item.where, raw: item.raw, refStart, refEnd: refs.length });
    size += item.records.length;
  };

  try {
    outer: for await (const items of opts.format.read(opts.path, ctx)) {
      for (const item of items) {
        progress.read++;
        if (item.error !== undefined) {
          progress.rejected++;
          await rejects.write(item.where, item.error, item.raw);
        } else if (item.records.length === 0) {
          // Formats skip what they ignore rather than yield it: an empty item is a format bug.
          throw new Error(`format ${opts.format.name} yielded an item with no records at ${item.where.file} line ${item.where.line}`);
        } else {
          add(item);
          if (size >= batchSize) await flush();
          // While a batch is being written, let its I/O in every so often: parsing a chunk of
          // input takes milliseconds, and the store's server would wait that long for each reply.
          else if (writing !== undefined && (++sinceYield & 255) === 0) await new Promise((r) => setImmediate(r));
        }
      }
      if (opts.signal?.aborted) {
        aborted = 'interrupted';
        break outer;
      }
      if (opts.maxRejectRate !== undefined && progress.read >= EARLY_ABORT_AFTER && progress.rejected > opts.maxRejectRate * progress.read) {
        aborted = `stopped after ${progress.read} items: reject rate ${(progress.rejected / progress.read).toFixed(3)} exceeds --max-reject-rate ${opts.maxRejectRate}`;
        break outer;
      }
    }
    await flush();
    await settle();
  } finally {
    // A batch still being written when the import fails: let it finish before the rejects file closes.
    if (writing !== undefined) await writing.result.catch(() => {});
    // Rejects found so far are kept even when the import fails.
    await rejects.close().catch((err: Error) => {
      if (err instanceof ImportError) throw err;
    });
  }
  const sessionized = await opts.store.events.sessionize(opts.sessionGapMs === undefined ? {} : { gapMs: opts.sessionGapMs });
  opts.onProgress?.(progress);
  const seconds = (performance.now() - started) / 1000;
  const summary: ImportSummary = {
    format: opts.format.name,
    path: opts.path,
    read: progress.read,
    accepted: progress.accepted,
    duplicates: progress.duplicates,
    rejected: progress.rejected,
    rejectRate: progress.read > 0 ? progress.rejected / progress.read : 0,
    rejectsFile: rejects.count > 0 ? rejects.path : null,
    sessionized,
    seconds,
    rate: seconds > 0 ? progress.read / seconds : 0,
  };
  if (aborted !== undefined) summary.aborted = aborted;
  return summary;
}

/** Validate a --max-reject-rate value. */
export function parseRejectRate(value: string): number {
  const r = /^\s*(0|1|0?\.\d+|1\.0*|0\.\d*)\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new ImportError(`--max-reject-rate must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  return r;
}
