import { describe, it, expect, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { segue } from './cli.js';
import { testServerUrl, withDatabase as databaseUrl } from '../../src/store/testing.js';
import { pgUp, tempDir, withDatabase } from './postgres.js';

/**
 * How the CLI fails on PostgreSQL: one line `segue: …` and a non-zero exit, a stack trace only
 * with --debug, and never a password, whether in the URL's authority or a `password` parameter.
 */
const dir = tempDir('segue-pg-errors-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STACK = /\n\s+at /;

/** The output of a failing `segue …`: exit non-zero, nothing on stdout, one line on stderr (returned). */
function fails(args: string[], opts: { cwd?: string } = {}): string {
  const r = segue(args, opts);
  expect(r.status, r.stdout).not.toBe(0);
  expect(r.status).not.toBeNull();
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe.runIf(pgUp)('CLI errors on PostgreSQL', () => {
  it('a database that does not exist: one line naming it, exit 1, no stack trace', () => {
    const missing = databaseUrl(testServerUrl(), 'segue_no_such_db'); // postgres://postgres@127.0.0.1:5432/segue_no_such_db
    const line = fails(['--store', missing, 'stats']);
    expect(line).toBe(`segue: ${missing}: database "segue_no_such_db" does not exist`);
    expect(segue(['--store', missing, 'stats']).status).toBe(1);
    // Every command opens the store the same way.
    expect(fails(['--store', missing, 'import', 'ndjson', join(import.meta.dirname, '../fixtures/ndjson/small.ndjson'), '--rejects', join(dir, 'r.ndjson')]))
      .toBe(line);
  });

  it('an unreachable server: one line saying so', () => {
    expect(fails(['--store', 'postgres://postgres@127.0.0.1:1/x', 'stats'])).toBe('segue: postgres://postgres@127.0.0.1:1/x: connection refused: is PostgreSQL running and listening there?');
  });

  it('a password in the URL never appears; --debug adds the stack trace', () => {
    for (const url of ['postgres://postgres:hunter2@127.0.0.1:1/x', 'postgres://postgres@127.0.0.1:1/x?password=hunter2']) {
      const line = fails(['--store', url, 'stats']);
      expect(line).toMatch(/^segue: postgres:\/\/postgres@127\.0\.0\.1:1\/x.*: connection refused/);
      expect(line).not.toContain('hunter2');
      const debug = segue(['--store', url, 'stats', '--debug']);
      expect(debug.status).toBe(1);
      expect(debug.stderr.split('\n')[0]).toBe(line);
      expect(debug.stderr).toMatch(STACK);
      expect(debug.stdout + debug.stderr).not.toContain('hunter2');
    }
  });

  it('commands that print the store location hide its password too', async () => {
    const small = join(dir, 'small.db');
    expect(segue(['--store', small, 'import', 'ndjson', join(import.meta.dirname, '../fixtures/ndjson/small.ndjson'), '--rejects', join(dir, 'r.ndjson')]).status).toBe(0);
    await withDatabase(async (db) => {
      const inAuthority = new URL(db.url);
      inAuthority.password = 'hunter2'; // the test server trusts its user: the password is not checked
      for (const url of [inAuthority.toString(), `${db.url}?password=hunter2`]) {
        // store copy prints where it copies from and to, as progress and in its JSON.
        const copy = segue(['store', 'copy', '--from', small, '--to', url]);
        expect(copy.status, copy.stderr).toBe(0);
        expect(copy.stderr).toMatch(/^segue store copy: .*small\.db -> postgres:\/\/[^:@\s]+(:\*\*\*)?@[^/\s]+\/segue_test_\w+(\?password=\*\*\*)?\n/);
        const json = segue(['store', 'copy', '--from', small, '--to', url, '--json']);
        expect(json.status).toBe(0);
        expect((JSON.parse(json.stdout) as { to: string }).to).toMatch(/\*\*\*/);
        // simulate refuses a store that holds events, naming it; demo one that holds another store.
        const refusals = [
          fails(['--store', url, 'simulate', '--listeners', '5', '--tracks', '100', '--days', '1']),
          fails(['--store', url, 'demo', '--no-serve'], { cwd: dir }),
          fails(['--store', url, 'demo', '--fresh', '--no-serve'], { cwd: dir }),
        ];
        expect(refusals[0]).toMatch(/^segue: postgres:\/\/.*segue_test_\w+.* already holds 6 events: simulate into a new store/);
        expect(refusals[1]).toMatch(/^segue: postgres:\/\/.*segue_test_\w+.* holds data but no complete demo world/);
        expect(refusals[2]).toMatch(/^segue: --fresh deletes only the default \.\/segue-demo\.db; remove postgres:\/\/.*segue_test_\w+.* yourself/);
        for (const text of [copy.stdout, copy.stderr, json.stdout, json.stderr, ...refusals]) expect(text).not.toContain('hunter2');
      }
    });
  });
});
