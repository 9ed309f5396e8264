import { createReadStream } from 'node:fs';
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import type { Parsed, Where } from './types.js';

/**
 * Read a text file as lines, in chunks, without loading it whole: yields arrays of lines
 * with the 1-based number of the first. Splits on LF and drops a CR before it; a final
 * line without a newline is yielded too (a truncated file shows as a bad last line).
 *
 * @param onBytes called with the number of bytes consumed, for progress
 * @example for await (const { first, lines } of readLines('events.ndjson')) { ... }
 */
export async function* readLines(
  path: string,
  onBytes: (n: number) => void = () => {},
  encoding: BufferEncoding = 'utf8',
): AsyncIterable<{ first: number; lines: string[] }> {
  let carry = '';
  let lineNo = 1;
  const utf8 = encoding === 'utf8' || encoding === 'utf-8';
  const decoder = new StringDecoder(encoding);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    // Pure-ASCII chunks (most logs) skip UTF-8 decoding: Latin-1 decodes ASCII identically and
    // twice as fast. A chunk that continues a split multi-byte character is never ASCII, so the
    // decoder's pending bytes are always completed by the decoder.
    const decoded = utf8 && isAscii(chunk) ? chunk.toString('latin1') : decoder.write(chunk);
    // Split the chunk alone and glue the carried partial line to its first line: concatenating
    // first would copy the whole chunk once more.
    const parts = decoded.split('\n');
    if (carry.length > 0) parts[0] = carry + parts[0]!;
    carry = parts.pop()!;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.length > 0 && p.charCodeAt(p.length - 1) === 13) parts[i] = p.slice(0, -1);
    }
    if (parts.length > 0) {
      yield { first: lineNo, lines: parts };
      lineNo += parts.length;
    }
  }
  carry += decoder.end();
  if (carry.length > 0) {
    if (carry.charCodeAt(carry.length - 1) === 13) carry = carry.slice(0, -1);
    yield { first: lineNo, lines: [carry] };
  }
}

/**
 * Read a file of JSON lines as items: yields, for each chunk of lines from readLines, the
 * item `toItem` makes of each line's value. Blank lines are skipped; a line that is not
 * JSON becomes a reject `invalid JSON: <parser message>` with the line as raw.
 *
 * @example for await (const items of jsonLines('listens.jsonl', ctx.progress, (v, where, raw) => ({ where, records: [], raw }))) { ... }
 */
export async function* jsonLines(
  path: string,
  onBytes: (n: number) => void,
  toItem: (value: unknown, where: Where, raw: string) => Parsed,
): AsyncIterable<Parsed[]> {
  for await (const { first, lines } of readLines(path, onBytes)) {
    const out: Parsed[] = [];
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      // The common case, a line starting with `{`, skips the trim.
      if (raw.length === 0 || (raw.charCodeAt(0) <= 32 && raw.trim().length === 0)) continue;
      const where = { file: path, line: first + i };
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (err) {
        out.push({ where, error: `invalid JSON: ${(err as Error).message}`, raw });
        continue;
      }
      out.push(toItem(value, where, raw));
    }
    yield out;
  }
}
