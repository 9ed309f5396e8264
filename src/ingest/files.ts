import { stat, readdir } from 'node:fs/promises';
import { createReadStream, type ReadStream, type Stats } from 'node:fs';
import type { Writable } from 'node:stream';
import { basename, join } from 'node:path';
import { ImportError } from './errors.js';

/**
 * The stat of an import's input path; ImportError "no such file or folder" when there is none.
 *
 * @example if (!(await inputStat(path)).isDirectory()) throw new ImportError(`${path}: expected a folder`);
 */
export async function inputStat(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch {
    throw new ImportError(`${path}: no such file or folder`);
  }
}

export interface InputFilesOptions {
  /**
   * Search subfolders too. Entries are then listed as readdir's recursive mode gives them:
   * paths relative to the folder, without telling files from folders.
   */
  recursive?: boolean;
  /** The order of the names (relative paths); default: by UTF-16 code units. */
  compare?: (a: string, b: string) => number;
  /** What the "no files" error says was expected; default: names like the pattern. */
  expected?: string;
}

/**
 * The files an import reads: the path itself if it is a file, else the files of the folder
 * whose names match, sorted by name so that the order is stable. A RegExp is tested on a
 * file's own name; a function gets its path relative to the folder.
 *
 * @example await inputFiles(dir, /\.csv$/i, 'CSV files') // ['dir/a.csv', 'dir/b.csv']
 * @example await inputFiles(dir, /^tf_.*\.csv$/i, 'MSSD files', { recursive: true }) // ['dir/track_features/tf_0.csv']
 */
export async function inputFiles(
  path: string,
  match: RegExp | ((relativePath: string) => boolean),
  what: string,
  opts: InputFilesOptions = {},
): Promise<string[]> {
  const st = await inputStat(path);
  if (st.isFile()) return [path];
  const names = opts.recursive
    ? (await readdir(path, { recursive: true })).map(String)
    : (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  const test = typeof match === 'function' ? match : (n: string): boolean => match.test(basename(n));
  const found = names.filter(test).sort(opts.compare);
  if (found.length === 0) {
    throw new ImportError(`${path}: no ${what} in this folder (expected ${opts.expected ?? (typeof match === 'function' ? 'other names' : `names like ${match.source}`)})`);
  }
  return found.map((n) => join(path, n));
}

/**
 * A file streamed into a parser, counting bytes. A read error destroys the parser with it,
 * so the parser's consumer sees it end; `readError()` then tells a file that cannot be read
 * (which stops an import) from one that does not parse (which is one reject).
 *
 * @example
 * const input = new FileInput(file, parser, ctx.progress);
 * try { for await (const r of parser) ... } catch (err) { throw input.readError() ?? err; } finally { input.close(); }
 */
export class FileInput {
  private readonly stream: ReadStream;
  private failure: Error | undefined;

  constructor(
    readonly file: string,
    into: Writable,
    onBytes?: (n: number) => void,
  ) {
    this.stream = createReadStream(file);
    this.stream.on('error', (err) => {
      this.failure = err;
      into.destroy(err);
    });
    if (onBytes !== undefined) this.stream.on('data', (c) => onBytes(c.length));
    this.stream.pipe(into);
  }

  /** `<file>: cannot read: <reason>` when reading failed, else undefined. */
  readError(): ImportError | undefined {
    return this.failure === undefined ? undefined : new ImportError(`${this.file}: cannot read: ${this.failure.message}`);
  }

  close(): void {
    this.stream.destroy();
  }
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
