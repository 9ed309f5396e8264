import { stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportError } from './errors.js';

/**
 * The files an import reads: the path itself if it is a file, else the files of the folder
 * (not recursive) whose names match, sorted by name so that the order is stable.
 */
export async function inputFiles(path: string, match: RegExp, what: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new ImportError(`${path}: no such file or folder`);
  }
  if (st.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && match.test(e.name)).map((e) => e.name).sort();
  if (names.length === 0) throw new ImportError(`${path}: no ${what} in this folder (expected names like ${match.source})`);
  return names.map((n) => join(path, n));
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
