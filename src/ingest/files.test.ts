import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputFiles, inputStat } from './files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'segue-files-'));
  mkdirSync(join(dir, 'sub'));
  for (const f of ['b.csv', 'a.csv', 'notes.txt', 'sub/c.csv']) writeFileSync(join(dir, f), '');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('inputFiles', () => {
  it('lists the matching files of a folder by name; a file stands for itself', async () => {
    expect(await inputFiles(dir, /\.csv$/i, 'CSV files')).toEqual([join(dir, 'a.csv'), join(dir, 'b.csv')]);
    expect(await inputFiles(join(dir, 'notes.txt'), /\.csv$/i, 'CSV files')).toEqual([join(dir, 'notes.txt')]);
  });

  it('searches subfolders when recursive; a function sees the relative path', async () => {
    expect(await inputFiles(dir, /\.csv$/i, 'CSV files', { recursive: true })).toEqual(['a.csv', 'b.csv', 'sub/c.csv'].map((f) => join(dir, f)));
    expect(await inputFiles(dir, (n) => n.startsWith('sub/'), 'CSV files', { recursive: true })).toEqual([join(dir, 'sub/c.csv')]);
  });

  it('says what it expected, and when the path does not exist', async () => {
    await expect(inputFiles(dir, /\.json$/, 'JSON files')).rejects.toThrow(`${dir}: no JSON files in this folder (expected names like \\.json$)`);
    await expect(inputFiles(dir, /\.json$/, 'JSON files', { expected: 'x.json' })).rejects.toThrow(/\(expected x\.json\)$/);
    await expect(inputStat(join(dir, 'nope'))).rejects.toThrow(/nope: no such file or folder$/);
  });
});
