import { describe, it, expect } from 'vitest';
import { openStore, parseStoreLocation, redactLocation } from './index.js';

describe('openStore locations', () => {
  it('dispatches on the location', () => {
    expect(parseStoreLocation('./segue.db')).toEqual({ kind: 'sqlite', path: './segue.db' });
    expect(parseStoreLocation('sqlite:./x.db')).toEqual({ kind: 'sqlite', path: './x.db' });
    expect(parseStoreLocation('sqlite:///tmp/x.db')).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
    expect(parseStoreLocation(':memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseStoreLocation('postgres://u@h:5432/db')).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db' });
    expect(parseStoreLocation('postgresql://u@h/db').kind).toBe('postgres');
  });

  it('refuses an unknown scheme without printing its password', () => {
    expect(() => parseStoreLocation('mysql://root:hunter2@h/db')).toThrow(/mysql:\/\/root:\*\*\*@h\/db: unknown kind of store/);
    expect(() => parseStoreLocation('mysql://root:hunter2@h/db')).not.toThrow(/hunter2/);
    expect(() => parseStoreLocation('sqlite:')).toThrow(/needs a file path/);
  });

  it('redacts passwords only', () => {
    expect(redactLocation('postgres://segue:s3cret@127.0.0.1:5432/x')).toBe('postgres://segue:***@127.0.0.1:5432/x');
    expect(redactLocation('postgres://segue@127.0.0.1:5432/x')).toBe('postgres://segue@127.0.0.1:5432/x');
    expect(redactLocation('./a:b@c.db')).toBe('./a:b@c.db');
    expect(redactLocation('postgres://segue@127.0.0.1:5432/x?sslmode=disable&password=s3cret')).toBe('postgres://segue@127.0.0.1:5432/x?sslmode=disable&password=***');
    expect(redactLocation('./x?password=1.db')).toBe('./x?password=1.db');
  });

  it('opens an in-memory embedded store, and refuses a missing file read-only', async () => {
    const s = await openStore(':memory:');
    expect(await s.events.count()).toBe(0);
    await s.close();
    await expect(openStore('/nonexistent/segue.db', { readonly: true })).rejects.toThrow(/no such store/);
  });
});
