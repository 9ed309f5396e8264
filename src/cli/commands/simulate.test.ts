import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseStartDate, registerSimulate } from './simulate.js';
import type { GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `segue simulate ...` in-process; returns what it printed. */
async function run(args: string[]): Promise<string> {
  const program = new Command();
  program.option('--store <path>', '', join(dir, 'default.db')).option('--json', '', false).option('--debug', '', false).exitOverride();
  registerSimulate(program, () => program.opts<GlobalOptions>());
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'segue', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('segue simulate', () => {
  it('writes NDJSON and reports a summary', async () => {
    const file = join(dir, 'sim.ndjson');
    const out = JSON.parse(await run(['--json', 'simulate', '--listeners', '20', '--tracks', '500', '--days', '2', '--seed', '3', '--ndjson', file]));
    expect(out).toMatchObject({ format: 'ndjson', listeners: 20, tracks: 500, seed: 3, days: 2, startDate: '2025-06-02', rejected: 0 });
    expect(out.events).toBeGreaterThan(0);
    expect(out.skipRate).toBeGreaterThan(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.length).toBe(out.events + out.tracks + out.artists + out.shows + out.listeners + out.playlists);
    // Same flags, same bytes.
    const file2 = join(dir, 'sim2.ndjson');
    await run(['--json', 'simulate', '--listeners', '20', '--tracks', '500', '--days', '2', '--seed', '3', '--ndjson', file2]);
    expect(readFileSync(file2)).toEqual(readFileSync(file));
  });

  it('writes into the store', async () => {
    const store = join(dir, 'store.db');
    const text = await run(['--store', store, 'simulate', '--listeners', '10', '--tracks', '300', '--days', '1', '--start-date', '2024-03-01']);
    expect(text).toMatch(/simulated 10 listeners over 1 days from 2024-03-01/);
    expect(text).toMatch(/skip rate: 0\.\d{3}/);
    expect(existsSync(store)).toBe(true);
  });

  it('refuses bad flags with one clear line', async () => {
    const bad: Array<[string[], RegExp]> = [
      [['--listeners', 'many'], /--listeners must be an integer from 1 to 10,000,000, got "many"/],
      [['--listeners', '0'], /--listeners must be an integer/],
      [['--tracks', '12.5'], /--tracks must be an integer/],
      [['--days', '-3'], /--days must be an integer/],
      [['--seed', '1e3'], /--seed must be an integer/],
      [['--start-date', '2024-02-30'], /--start-date must be a date YYYY-MM-DD, got "2024-02-30"/],
      [['--start-date', 'yesterday'], /--start-date must be a date/],
      [['--start-date', '2999-01-01'], /runs past yesterday/],
      [['--ndjson', join(dir, 'no', 'such', 'dir.ndjson'), '--listeners', '2', '--tracks', '100', '--days', '1'], /cannot write .*dir\.ndjson/],
    ];
    for (const [args, message] of bad) {
      const p = run(['simulate', ...args]);
      await expect(p).rejects.toThrow(message);
      await expect(p).rejects.toBeInstanceOf(CliError);
    }
  });

  it('parseStartDate keeps events out of the future', () => {
    const now = Date.parse('2025-01-10T12:00:00Z');
    expect(parseStartDate('2025-01-01', 8, now)).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(() => parseStartDate('2025-01-01', 9, now)).toThrow(/runs past yesterday/);
    expect(() => parseStartDate('1989-12-31', 1, now)).toThrow(/1990/);
  });
});
