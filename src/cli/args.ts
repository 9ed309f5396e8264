import { CliError } from './errors.js';

/** A flag's value as a positive integer, or a one-line error naming the flag. */
export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new CliError(`${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}
