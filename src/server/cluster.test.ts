import { describe, it, expect } from 'vitest';
import { LocalCounters } from './cluster.js';

describe('LocalCounters (rate limits and the invalid-key lockout, per fixed window)', () => {
  it('counts hits in a window from the first one, reports the time left, and starts over after it', async () => {
    let now = 1_000;
    const c = new LocalCounters(() => now);
    expect(await c.peek('k', 60_000)).toEqual({ count: 0, ttl: 0 });
    expect(await c.hit('k', 60_000)).toEqual({ count: 1, ttl: 60_000 });
    now += 10_000;
    expect(await c.hit('k', 60_000)).toEqual({ count: 2, ttl: 50_000 });
    expect(await c.peek('k', 60_000)).toEqual({ count: 2, ttl: 50_000 });
    expect(await c.peek('other', 60_000)).toEqual({ count: 0, ttl: 0 });
    now += 50_000; // the window closes
    expect(await c.peek('k', 60_000)).toEqual({ count: 0, ttl: 0 });
    expect(await c.hit('k', 60_000)).toEqual({ count: 1, ttl: 60_000 });
  });

  it('drops closed windows when many keys pile up, and keeps the open ones', () => {
    let now = 0;
    const c = new LocalCounters(() => now);
    for (let i = 0; i < 10_000; i++) c.hitNow(`old${i}`, 1_000);
    now = 500;
    c.hitNow('live', 1_000);
    c.hitNow('live', 1_000);
    now = 1_200; // every old window is closed; 'live' is open until 1,500
    c.hitNow('new', 1_000); // a new key at the bound: the closed ones go
    expect((c as unknown as { windows: Map<string, unknown> }).windows.size).toBe(2);
    expect(c.peekNow('live', 1_000)).toEqual({ count: 2, ttl: 300 });
  });
});
