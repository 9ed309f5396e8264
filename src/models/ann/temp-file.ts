import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `fn` with a path in a fresh temporary folder, removed afterwards. The native
 * libraries serialize only to files, so save and load go through one.
 */
export function withTempFile<T>(fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'segue-ann-'));
  try {
    return fn(join(dir, 'index.bin'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bytes a library writes to a file. */
export function bytesVia(write: (path: string) => void): Uint8Array {
  return withTempFile((path) => {
    write(path);
    return new Uint8Array(readFileSync(path));
  });
}

/** Hands saved bytes to a library that reads a file. */
export function readVia<T>(bytes: Uint8Array, read: (path: string) => T): T {
  return withTempFile((path) => {
    writeFileSync(path, bytes);
    return read(path);
  });
}
