import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { csvRecords, type CsvItem } from './csv.js';
import { ImportError } from './errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'segue-csv-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(path: string, size?: number): Promise<Array<Array<CsvItem<string[]>>>> {
  const out: Array<Array<CsvItem<string[]>>> = [];
  for await (const batch of csvRecords<string[]>(path, parse({ info: true, raw: true }), size === undefined ? {} : { size })) out.push(batch);
  return out;
}

describe('csvRecords', () => {
  it('streams records with their raw text and line, in batches of size', async () => {
    const path = join(dir, 'a.csv');
    writeFileSync(path, 'id,name\n1,a\n2,"b\nc"\n3,d\n');
    const batches = await collect(path, 3);
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
    expect(batches.flat().map((r) => (r.error === undefined ? [r.record, r.info.lines] : r.error))).toEqual([[['id', 'name'], 1], [['1', 'a'], 2], [['2', 'b\nc'], 4], [['3', 'd'], 5]]);
    const second = batches[0]![1]!;
    expect(second.error === undefined && second.raw).toBe('1,a\n');
  });

  it('gives the records before an unclosed quote, then one error', async () => {
    const path = join(dir, 't.csv');
    writeFileSync(path, 'id,name\n1,a\n2,"b');
    const all = (await collect(path)).flat();
    expect(all.map((r) => r.record)).toEqual([['id', 'name'], ['1', 'a'], undefined]);
    expect(all[2]!.error?.message).toMatch(/Quote Not Closed/);
  });

  it('throws ImportError when the file cannot be read', async () => {
    await expect(collect(dir)).rejects.toThrow(ImportError);
  });
});
