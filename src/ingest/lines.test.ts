import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines } from './lines.js';

async function lines(content: Buffer | string, encoding?: BufferEncoding): Promise<Array<[number, string]>> {
  const dir = mkdtempSync(join(tmpdir(), 'segue-lines-'));
  const f = join(dir, 'x.txt');
  writeFileSync(f, content);
  const out: Array<[number, string]> = [];
  let bytes = 0;
  for await (const { first, lines } of readLines(f, (n) => (bytes += n), encoding)) lines.forEach((l, i) => out.push([first + i, l]));
  rmSync(dir, { recursive: true });
  expect(bytes).toBe(Buffer.byteLength(content));
  return out;
}

describe('readLines', () => {
  it('numbers lines, drops CR before LF, keeps a last line without newline', async () => {
    expect(await lines('a\r\nb\n\nc')).toEqual([[1, 'a'], [2, 'b'], [3, ''], [4, 'c']]);
    expect(await lines('')).toEqual([]);
    expect(await lines('only\n')).toEqual([[1, 'only']]);
  });

  it('decodes multi-byte characters split across 1 MiB chunks, next to pure-ASCII chunks', async () => {
    const pad = 'x'.repeat((1 << 20) - 1);
    // 'é' (2 bytes) straddles the first chunk boundary; then a long ASCII run; then more UTF-8.
    const text = `${pad}é\n${'y'.repeat(1 << 20)}\nСлот ✓\n`;
    const got = await lines(text);
    expect(got.map(([, l]) => l.length)).toEqual([pad.length + 1, 1 << 20, 6]);
    expect(got[0]![1].endsWith('xé')).toBe(true);
    expect(got[2]![1]).toBe('Слот ✓');
  });

  it('reads Latin-1 files when asked', async () => {
    expect(await lines(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), 'latin1')).toEqual([[1, 'café']]);
  });
});
