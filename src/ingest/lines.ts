import { createReadStream } from 'node:fs';
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

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
