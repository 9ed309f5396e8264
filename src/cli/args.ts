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
