#!/usr/bin/env node
import cluster from 'node:cluster';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { CliError } from './errors.js';

/** Run `segue` on `argv`; returns the exit code (a failure printed as one line `segue: <message>`). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (usage errors, --help, --version).
      return err.exitCode;
    }
    const debug = argv.includes('--debug');
    const e = err as Error;
    process.stderr.write(`segue: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack ?? ''}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

const code = await main(process.argv);
process.exitCode = code;
// A `serve --workers` worker: its IPC channel to the primary would keep it alive after a
// failure (a port in use) or a stop; the primary sees the exit and its code.
if (cluster.isWorker) process.exit(code);
