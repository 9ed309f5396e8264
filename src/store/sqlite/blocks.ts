import type Database from 'better-sqlite3';
import { StoreError } from '../types.js';
import { prepared } from './statements.js';

/**
 * The event log's time summary: a block-range index (PostgreSQL's BRIN, by hand). Each row
 * of `event_blocks` covers a run of consecutive seqs and holds the least and greatest `ts`
 * in it. A write of events extends the newest block, or starts one once it holds
 * BLOCK_SEQS seqs: one small row per batch instead of a (ts) B-tree entry per event, which
 * had cost bulk ingest about 15%. Events arrive roughly in time order, so blocks cover
 * narrow, mostly disjoint time ranges and a window scan reads few of them.
 */
export const BLOCK_SEQS = 8192;

/** Rows per block read at once when merging (bounds a scan's memory: open blocks times this). */
const PAGE = 4096;

/**
 * Record that events with seqs first..last (and times minTs..maxTs) were written, inside
 * the writing transaction. Seqs only grow: a write appends after every block.
 */
export function noteEventBlock(db: Database.Database, first: number, last: number, minTs: number, maxTs: number): void {
  const newest = prepared<[], [number, number, number, number]>(db, 'SELECT first_seq, last_seq, min_ts, max_ts FROM event_blocks ORDER BY first_seq DESC LIMIT 1')
    .raw(true)
    .get();
  if (newest !== undefined && newest[1] < first && last - newest[0] < BLOCK_SEQS) {
    prepared(db, 'UPDATE event_blocks SET last_seq = ?, min_ts = ?, max_ts = ? WHERE first_seq = ?').run(
      last, Math.min(newest[2], minTs), Math.max(newest[3], maxTs), newest[0],
    );
  } else {
    // Blocks must not share a seq, or a window scan would give its event twice.
    if (newest !== undefined && first <= newest[1]) throw new StoreError(`event seqs ${first}..${last} written before the log's last block (${newest[0]}..${newest[1]}): seqs must grow`);
    prepared(db, 'INSERT INTO event_blocks (first_seq, last_seq, min_ts, max_ts) VALUES (?, ?, ?, ?)').run(first, last, minTs, maxTs);
  }
}

/** noteEventBlock for events already written with seqs in first..last, their times read back. */
export function noteWrittenEvents(db: Database.Database, first: number, last: number): void {
  const r = prepared<[number, number], [number | null, number | null]>(db, 'SELECT min(ts), max(ts) FROM events WHERE seq BETWEEN ? AND ?').raw(true).get(first, last)!;
  if (r[0] !== null) noteEventBlock(db, first, last, r[0], r[1]!);
}

/** One block's rows in the window, in (ts, seq) order, read a page at a time. */
interface Stream {
  lo: number;
  hi: number;
  rows: unknown[][];
  at: number;
}

/**
 * Rows of `select` (which must select seq first and ts eighth, as the log's SELECT_IX, and
 * end in `WHERE`) with since <= ts < until and seq > afterSeq, in (ts, seq) order, `size`
 * at a time. A k-way merge of the blocks that overlap the window, each read in (ts, seq)
 * order: a block is opened only once the merge reaches its least ts, so a row is emitted
 * only when no unopened block can hold an earlier one.
 */
export function* windowRows(db: Database.Database, select: string, filter: string, since: number, until: number, afterSeq: number, size: number): Generator<unknown[][]> {
  const blocks = prepared<[number, number, number], [number, number, number]>(
    db,
    'SELECT first_seq, last_seq, min_ts FROM event_blocks WHERE max_ts >= ? AND min_ts < ? AND last_seq > ? ORDER BY min_ts, first_seq',
  )
    .raw(true)
    .all(since, until, afterSeq);
  const page = prepared<[number, number, number, number, number, number, number], unknown[]>(
    db,
    `${select} e.seq BETWEEN ? AND ? AND e.ts >= ? AND e.ts < ? AND (e.ts, e.seq) > (?, ?) ${filter} ORDER BY e.ts, e.seq LIMIT ?`,
  ).raw(true);
  const read = (s: Stream, ts: number, seq: number): boolean => {
    s.rows = page.all(s.lo, s.hi, since, until, ts, seq, PAGE);
    s.at = 0;
    return s.rows.length > 0;
  };
  const heap: Stream[] = [];
  const key = (s: Stream): unknown[] => s.rows[s.at]!;
  const less = (a: Stream, b: Stream): boolean => {
    const x = key(a), y = key(b);
    return (x[7] as number) < (y[7] as number) || ((x[7] as number) === (y[7] as number) && (x[0] as number) < (y[0] as number));
  };
  const push = (s: Stream): void => {
    heap.push(s);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const siftDown = (): void => {
    for (let i = 0; ; ) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  let next = 0;
  let out: unknown[][] = [];
  for (;;) {
    while (next < blocks.length && (heap.length === 0 || blocks[next]![2] <= (key(heap[0]!)[7] as number))) {
      const [first, last] = blocks[next++]!;
      const s: Stream = { lo: Math.max(first, afterSeq + 1), hi: last, rows: [], at: 0 };
      if (read(s, -Number.MAX_SAFE_INTEGER, 0)) push(s);
    }
    if (heap.length === 0) break;
    const top = heap[0]!;
    const row = key(top);
    out.push(row);
    if (++top.at === top.rows.length && !read(top, row[7] as number, row[0] as number)) {
      const end = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = end;
        siftDown();
      }
    } else {
      siftDown();
    }
    if (out.length === size) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
