import { beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../store/index.js';
import { runImport, type ImportOptions } from '../pipeline.js';
import type { ImportFormat, ImportSummary } from '../types.js';

/** One line of a rejects file, as the pipeline writes it. */
export interface Reject {
  file: string;
  line: number;
  reason: string;
  raw: string;
}

/** What a format test works with: a fresh store in a fresh temp folder for every test. */
export interface ImportHarness {
  /** The temp folder of the current test (removed after it). */
  readonly dir: string;
  /** The store of the current test, in `dir` (closed after it). */
  readonly store: Store;
  /** `dir/rejects.ndjson`, where importPath writes its rejects. */
  readonly rejectsFile: string;
  /** Import `path` with the harness's format into the store; rejects go to rejectsFile. */
  importPath(path: string, options?: Record<string, string>, more?: Partial<ImportOptions>): Promise<ImportSummary>;
  /** The lines of rejectsFile. */
  rejects(): Reject[];
  /** The rejects as [the last `pathParts` parts of file, line, reason], for compact expectations. */
  rejectRows(pathParts?: number): Array<[string, number, string]>;
}

/**
 * Registers beforeEach/afterEach hooks that give each test of the calling file a new temp
 * folder and an embedded store, and returns accessors for them. Call it at the top of a test file.
 *
 * @example
 * const h = importHarness(mpd);
 * it('imports', async () => {
 *   expect(await h.importPath('test/fixtures/mpd')).toMatchObject({ rejected: 3 });
 *   expect(h.rejectRows()[0]).toEqual(['mpd.slice.0-4.json', 3, 'tracks[1]...']);
 * });
 */
export function importHarness(format: ImportFormat, prefix = 'segue-'): ImportHarness {
  let dir: string | undefined;
  let store: Store | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = await openStore(join(dir, 's.db'));
  });
  afterEach(async () => {
    await store?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    store = undefined;
  });
  const current = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`importHarness: no ${what} outside a test`);
    return v;
  };
  const h: ImportHarness = {
    get dir() {
      return current(dir, 'dir');
    },
    get store() {
      return current(store, 'store');
    },
    get rejectsFile() {
      return join(h.dir, 'rejects.ndjson');
    },
    importPath: (path, options = {}, more = {}) =>
      runImport({ store: h.store, format, path, options, rejectsFile: h.rejectsFile, ...more }),
    rejects: () =>
      readFileSync(h.rejectsFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Reject),
    rejectRows: (pathParts = 1) => h.rejects().map((r) => [r.file.split('/').slice(-pathParts).join('/'), r.line, r.reason]),
  };
  return h;
}
