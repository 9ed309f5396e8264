import { createHash } from 'node:crypto';
import { ErrorCode, SubsonicError } from './protocol.js';
import { UpstreamDown, type Upstream } from './upstream.js';

/** How long a login the upstream accepted is trusted without asking it again. */
export const AUTH_CACHE_MS = 60_000;

/** Who a request is from: the Subsonic username (Segue's listener id), and the auth parameters to pass on. */
export interface Login {
  username: string;
  /** u, p, t, s or apiKey (and c, v) exactly as the client sent them, for Segue's own calls upstream. */
  params: URLSearchParams;
}

/**
 * Checks a client's Subsonic login against the upstream (`ping`), whatever the scheme:
 * `u` + `p` (plain or `enc:` hex), `u` + `t` + `s` (token and salt), or OpenSubsonic `apiKey`.
 * An accepted login is remembered for AUTH_CACHE_MS under a hash of its parameters; no
 * password, token or key is written anywhere. A refused one is error 40 (44 for an apiKey).
 *
 * @example
 *   const auth = new Auth(upstream);
 *   const login = await auth.check(new URLSearchParams('u=ann&t=26719a1196d2a940705a59634eb18eab&s=c19b2d'));
 *   login.username // 'ann'
 */
export class Auth {
  private readonly cache = new Map<string, { username: string; until: number }>();
  constructor(private readonly upstream: Upstream, private readonly ttlMs = AUTH_CACHE_MS, private readonly now: () => number = Date.now) {}

  async check(request: URLSearchParams): Promise<Login> {
    const params = new URLSearchParams();
    for (const k of ['u', 'p', 't', 's', 'apiKey', 'c', 'v']) {
      const v = request.get(k);
      if (v !== null) params.set(k, v);
    }
    const apiKey = params.get('apiKey');
    const u = params.get('u');
    if (apiKey !== null && (u !== null || params.has('p') || params.has('t'))) throw new SubsonicError(ErrorCode.conflictingAuth, 'multiple conflicting authentication mechanisms provided: give apiKey alone, or u with p or with t and s');
    if (apiKey === null && (u === null || u === '')) throw new SubsonicError(ErrorCode.missingParameter, 'required parameter is missing: u (or apiKey)');
    if (apiKey === null && !params.has('p') && !(params.has('t') && params.has('s'))) throw new SubsonicError(ErrorCode.missingParameter, 'required parameter is missing: p, or t and s');
    const key = credentialKey(params);
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.until > now) return { username: hit.username, params };
    try {
      await this.upstream.call('ping', params);
    } catch (err) {
      if (err instanceof UpstreamDown || !(err instanceof SubsonicError)) throw err;
      this.cache.delete(key);
      throw refused(err, apiKey !== null, params.has('t'));
    }
    const username = apiKey === null ? u! : await this.apiKeyUser(params, apiKey);
    if (this.cache.size > 10_000) this.prune(now);
    this.cache.set(key, { username, until: now + this.ttlMs });
    return { username, params };
  }

  /** The user an API key belongs to (OpenSubsonic `tokenInfo`); a stable name derived from the key where the upstream cannot say. */
  private async apiKeyUser(params: URLSearchParams, apiKey: string): Promise<string> {
    try {
      const r = await this.upstream.call('tokenInfo', params);
      const name = (r.tokenInfo as { username?: unknown } | undefined)?.username;
      if (typeof name === 'string' && name !== '') return name;
    } catch (err) {
      if (err instanceof UpstreamDown) throw err;
    }
    return `apikey-${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
  }

  private prune(now: number): void {
    for (const [k, v] of this.cache) if (v.until <= now) this.cache.delete(k);
  }
}

/** The cache key of a login: a hash of the tuple, so that the map holds no credential. */
function credentialKey(p: URLSearchParams): string {
  return createHash('sha256').update(JSON.stringify(['u', 'p', 't', 's', 'apiKey'].map((k) => p.get(k)))).digest('hex');
}

/**
 * The upstream refused a login: its own auth errors (40 to 44) pass as they are; any other
 * (a server without token auth asks for `p`, error 10) is a refused login, error 40 (44 for a
 * key), saying what the upstream said.
 */
function refused(err: SubsonicError, apiKey: boolean, token: boolean): SubsonicError {
  if (err.code >= 40 && err.code <= 44) return new SubsonicError(apiKey && err.code === ErrorCode.wrongLogin ? ErrorCode.invalidApiKey : err.code, err.message);
  const hint = token ? '; it may not support token authentication: set the client to send the password (legacy authentication)' : '';
  return new SubsonicError(apiKey ? ErrorCode.invalidApiKey : ErrorCode.wrongLogin, `the upstream server refused this login (its error ${err.code}: ${err.message})${hint}`);
}
