import { vi } from 'vitest';
import { buildProgram } from './program.js';

/**
 * Test support of the CLI (not part of the build): run `segue ...args` in-process, the real
 * program with every command, and return what it wrote to stdout. A failure throws (a
 * CliError for the one-line errors) instead of printing `segue: ...`, so a test can check its
 * type and message.
 *
 * @example const out = await runSegue(['--store', db, 'stats', '--top', '3']);
 */
export async function runSegue(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await buildProgram().parseAsync(['node', 'segue', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}
