import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth } from './auth.js';
import { FixtureUpstream } from './testing.js';
import { Upstream, UpstreamDown } from './upstream.js';

const token = (password: string, salt: string): string => createHash('md5').update(password + salt).digest('hex');

describe('Auth: logins checked against the upstream and cached briefly', () => {
  let up: FixtureUpstream;
  beforeAll(async () => {
    up = await new FixtureUpstream({ ann: 'sesame' }, { 'key-1': 'ann' }).start();
  });
  afterAll(() => up.close());

  it('passes a good token, and asks the upstream again only after the cache time', async () => {
    let now = 1_000_000;
    const auth = new Auth(new Upstream(up.url), 60_000, () => now);
    const params = new URLSearchParams({ u: 'ann', t: token('sesame', 'c19b2d'), s: 'c19b2d', c: 'test' });
    const pings = up.calls.get('ping') ?? 0;
    expect((await auth.check(params)).username).toBe('ann');
    expect((await auth.check(params)).username).toBe('ann');
    expect(up.calls.get('ping')).toBe(pings + 1);
    now += 60_001;
    await auth.check(params);
    expect(up.calls.get('ping')).toBe(pings + 2);
  });

  it('refuses a bad token or password with error 40, and does not cache it', async () => {
    const auth = new Auth(new Upstream(up.url));
    await expect(auth.check(new URLSearchParams({ u: 'ann', t: token('wrong', 'x'), s: 'x' }))).rejects.toMatchObject({ code: 40 });
    await expect(auth.check(new URLSearchParams({ u: 'ann', p: 'wrong' }))).rejects.toMatchObject({ code: 40 });
    expect((await auth.check(new URLSearchParams({ u: 'ann', p: `enc:${Buffer.from('sesame').toString('hex')}` }))).username).toBe('ann');
  });

  it('passes an API key as its user (OpenSubsonic tokenInfo), refuses a bad one with error 44, and a key with a user with 43', async () => {
    const auth = new Auth(new Upstream(up.url));
    expect((await auth.check(new URLSearchParams({ apiKey: 'key-1' }))).username).toBe('ann');
    await expect(auth.check(new URLSearchParams({ apiKey: 'nope' }))).rejects.toMatchObject({ code: 44 });
    await expect(auth.check(new URLSearchParams({ apiKey: 'key-1', u: 'ann' }))).rejects.toMatchObject({ code: 43 });
  });

  it('asks for the missing part of a login with error 10', async () => {
    const auth = new Auth(new Upstream(up.url));
    await expect(auth.check(new URLSearchParams({ p: 'x' }))).rejects.toMatchObject({ code: 10, message: 'required parameter is missing: u (or apiKey)' });
    await expect(auth.check(new URLSearchParams({ u: 'ann', t: 'abc' }))).rejects.toMatchObject({ code: 10, message: 'required parameter is missing: p, or t and s' });
  });

  it('says the upstream is unreachable (error 0) within the timeout, instead of hanging', async () => {
    const gone = new FixtureUpstream({ ann: 'sesame' });
    await gone.start();
    const url = gone.url;
    await gone.close();
    const t = Date.now();
    const err = await new Auth(new Upstream(url, 1_000)).check(new URLSearchParams({ u: 'ann', p: 'sesame' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamDown);
    expect(err).toMatchObject({ code: 0, message: expect.stringMatching(/is unreachable \(ECONNREFUSED\)/) });
    expect(Date.now() - t).toBeLessThan(1_500);
  });
});

describe('Upstream', () => {
  it('takes a base URL, with or without /rest, and refuses anything else clearly', () => {
    expect(new Upstream('http://127.0.0.1:4533/music/rest/').url('ping', new URLSearchParams('f=json')).href).toBe('http://127.0.0.1:4533/music/rest/ping?f=json');
    expect(new Upstream('http://127.0.0.1:4533').url('ping', new URLSearchParams()).href).toBe('http://127.0.0.1:4533/rest/ping');
    expect(() => new Upstream('ftp://127.0.0.1/music')).toThrow(/http:\/\/ or https:\/\/ URL/);
    expect(() => new Upstream('127.0.0.1:4533')).toThrow(/--upstream must be a URL such as/);
    expect(() => new Upstream('not a url')).toThrow(/--upstream must be a URL/);
    expect(() => new Upstream('http://h/?u=x')).toThrow(/without a query/);
  });
});
