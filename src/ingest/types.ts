import type { SegueRecord } from '../domain/index.js';

/**
 * Where a source item came from, for rejects and errors: `events.ndjson line 1832`.
 * `line` is the 1-based line of a line-based file (NDJSON, CSV, TSV: the line where the
 * record starts), and the 1-based index of the element for a JSON array (Spotify history,
 * a playlist of an MPD slice).
 */
export interface Where {
  file: string;
  line: number;
}

/**
 * One item read from an input (a line, a CSV row, an element of a JSON array) and what it
 * becomes: records to write (the last is the item's own record; earlier ones are catalog
 * entries it implies, such as a track named by a play; never empty: a format skips what it
 * ignores), or why it is refused.
 */
export type Parsed =
  | { where: Where; records: SegueRecord[]; raw?: string; error?: undefined }
  | { where: Where; error: string; raw?: string; records?: undefined };

export interface ReadContext {
  /** Events' source unless they name one; with the event id it makes re-imports idempotent. */
  source: string;
  /** Format-specific options from the command line (`--option key=value`). */
  options: Readonly<Record<string, string>>;
  /** Add to the known input size in bytes (for the progress bar). */
  addTotal(bytes: number): void;
  /** Report bytes consumed. */
  progress(bytes: number): void;
  now: number;
}

/** An importer of one input format: reads a file or a folder of files as a stream of items. */
export interface ImportFormat {
  name: string;
  description: string;
  /** The default `source` of events it produces. */
  defaultSource: string;
  read(path: string, ctx: ReadContext): AsyncIterable<Parsed[]>;
  /** Its rows may repeat a track under other genres: union genres in the store (IngestBatch.mergeGenres). */
  mergeGenres?: boolean;
}

export interface ImportSummary {
  format: string;
  path: string;
  read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectRate: number;
  /** Where the rejects were written; null when there were none. */
  rejectsFile: string | null;
  sessionized: { listeners: number; events: number };
  seconds: number;
  /** Items per second. */
  rate: number;
  /** Set when the import stopped before the end of its input. */
  aborted?: string;
}
