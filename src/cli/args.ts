import { existsSync, readFileSync } from 'node:fs';
import { CliError } from './errors.js';

/** A flag's value as a positive integer, or a one-line error naming the flag. */
export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new CliError(`${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/** A flag's value as an integer (any sign), or a one-line error naming the flag. */
export function integer(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliError(`${flag} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

/** An optional time flag: ISO-8601 or epoch ms. */
export function timeFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(t)) throw new CliError(`${flag} must be ISO-8601 or epoch ms, got ${JSON.stringify(v)}`);
  return t;
}

/**
 * A flag's value as JSON: the contents of a file by that name, else the value itself (inline
 * JSON); a one-line error naming the flag.
 *
 * @example jsonArg('<definition>', 'exp.json'); jsonArg('--policy', '{"length":20}')
 */
export function jsonArg(flag: string, v: string): unknown {
  const file = existsSync(v);
  const text = file ? readFileSync(v, 'utf8') : v;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`${flag}: ${file ? `${v} is not valid JSON` : 'neither a file nor valid JSON'} (${(err as Error).message})`);
  }
}
