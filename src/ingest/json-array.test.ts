import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonArrayElements, type ArrayElement } from './json-array.js';
import { ImportError } from './errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'segue-json-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(path: string, opts: Parameters<typeof jsonArrayElements>[1] = {}): Promise<ArrayElement[][]> {
  const out: ArrayElement[][] = [];
  for await (const batch of jsonArrayElements(path, opts)) out.push(batch);
  return out;
}

describe('jsonArrayElements', () => {
  it('streams a top-level array in batches of size, with indexes and byte counts', async () => {
    const path = join(dir, 'a.json');
    const text = JSON.stringify(Array.from({ length: 25 }, (_, i) => ({ i })));
    writeFileSync(path, text);
    let bytes = 0;
    const batches = await collect(path, { size: 10, onBytes: (n) => (bytes += n) });
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat().map((e) => [e.index, e.value])).toEqual(Array.from({ length: 25 }, (_, i) => [i, { i }]));
    expect(bytes).toBe(Buffer.byteLength(text));
  });

  it('streams the array at a key with pick', async () => {
    const path = join(dir, 'slice.json');
    writeFileSync(path, JSON.stringify({ info: { n: 2 }, playlists: [{ pid: 0 }, { pid: 1 }] }));
    expect((await collect(path, { pick: 'playlists' })).flat()).toEqual([{ index: 0, value: { pid: 0 } }, { index: 1, value: { pid: 1 } }]);
  });

  it('gives every element before the damage of a truncated file, then one error at the next index', async () => {
    // Large enough for several read chunks: elements parsed in the failing chunk are kept.
    const whole = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i, pad: 'x'.repeat(20) })));
    const truncated = whole.slice(0, whole.lastIndexOf('{"i":4999') + 5);
    writeFileSync(join(dir, 'array.json'), truncated);
    writeFileSync(join(dir, 'object.json'), `{"a":${truncated}`);
    for (const [file, opts] of [['array.json', {}], ['object.json', { pick: 'a' }]] as const) {
      const all = (await collect(join(dir, file), opts)).flat();
      expect(all.length).toBe(5000);
      expect(all.slice(0, -1).every((e, i) => e.index === i && e.error === undefined)).toBe(true);
      expect(all.at(-1)).toMatchObject({ index: 4999, error: expect.any(Error) });
    }
  });

  it('throws ImportError when the file cannot be read', async () => {
    await expect(collect(dir)).rejects.toThrow(ImportError);
    await expect(collect(dir, { pick: 'playlists' })).rejects.toThrow(/cannot read: .*EISDIR/);
  });
});
