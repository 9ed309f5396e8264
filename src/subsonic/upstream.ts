import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ErrorCode, SubsonicError } from './protocol.js';

/** How long Segue waits for the upstream to answer (its headers, for a stream) before giving up with error 0. */
export const UPSTREAM_TIMEOUT_MS = 10_000;

/** The auth parameters of a Subsonic request (u, p, t, s, apiKey) and the client's name (c). */
export const AUTH_PARAMS = ['u', 'p', 't', 's', 'apiKey', 'c', 'v'] as const;

/** The upstream did not answer (refused, timed out, not Subsonic): Subsonic error 0 with what happened. */
export class UpstreamDown extends SubsonicError {
  constructor(message: string) {
    super(ErrorCode.generic, message);
    this.name = 'UpstreamDown';
  }
}

/**
 * The Subsonic server behind the proxy. `call` is Segue's own request (always `f=json`, with
 * a timeout); `forward` passes a client's request through unchanged and pipes the answer back
 * as it arrives (a stream is never held in memory).
 *
 * @example
 *   const up = new Upstream('http://127.0.0.1:4040');
 *   const body = await up.call('getAlbum', auth, { id: 'al-1' }); // body.album.song[...]
 */
export class Upstream {
  readonly base: URL;
  /** The server's path prefix, without a trailing slash ('' at the root). */
  private readonly prefix: string;
  constructor(url: string, readonly timeoutMs = UPSTREAM_TIMEOUT_MS) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TypeError(`--upstream must be a URL such as http://127.0.0.1:4533, got ${JSON.stringify(url)}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`--upstream must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
    if (u.search !== '' || u.hash !== '') throw new TypeError(`--upstream is the server's base URL, without a query or fragment: got ${JSON.stringify(url)}`);
    this.prefix = u.pathname.replace(/\/+$/, '').replace(/\/rest$/, '');
    this.base = u;
  }

  /** The URL of an API method, with the given parameters. */
  url(method: string, params: URLSearchParams): URL {
    const u = new URL(`${this.prefix}/rest/${method}`, this.base.origin);
    u.search = params.toString();
    return u;
  }

  /**
   * Call an API method as JSON and return the `subsonic-response` body; a SubsonicError with
   * the upstream's own code when it answers `failed`, UpstreamDown when it does not answer.
   */
  async call(method: string, auth: URLSearchParams, extra: Record<string, string | number | readonly string[]> = {}): Promise<Record<string, unknown>> {
    const params = new URLSearchParams(auth);
    for (const [k, v] of Object.entries(extra)) {
      params.delete(k);
      if (Array.isArray(v)) for (const x of v) params.append(k, String(x));
      else params.set(k, String(v));
    }
    params.set('f', 'json');
    if (!params.has('v')) params.set('v', '1.16.1');
    if (!params.has('c')) params.set('c', 'segue');
    const body = await this.fetchJson(this.url(method, params));
    const r = body['subsonic-response'] as Record<string, unknown> | undefined;
    if (r === undefined || typeof r !== 'object') throw new UpstreamDown(`the upstream's ${method} did not answer as a Subsonic server (no subsonic-response)`);
    if (r.status !== 'ok') {
      const e = (r.error ?? {}) as { code?: unknown; message?: unknown };
      throw new SubsonicError(typeof e.code === 'number' ? e.code : ErrorCode.generic, typeof e.message === 'string' ? e.message : `the upstream's ${method} failed`);
    }
    return r;
  }

  private async fetchJson(url: URL): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
    } catch (err) {
      throw new UpstreamDown(downMessage(this.base, err, this.timeoutMs));
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new UpstreamDown(downMessage(this.base, err, this.timeoutMs));
    }
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new UpstreamDown(`the upstream Subsonic server at ${this.base.origin} answered HTTP ${res.status} that is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
    }
  }

  /**
   * Pass a client's request through: same method, path, query, headers (Range included) and
   * body; the answer's status, headers and body are piped back unchanged. When the upstream
   * does not answer within the timeout, `onDown` answers instead (Subsonic error 0).
   */
  forward(req: IncomingMessage, res: ServerResponse, pathAndQuery: string, body: Buffer | undefined, onDown: (err: UpstreamDown) => void): void {
    const target = new URL(`${this.prefix}${pathAndQuery}`, this.base.origin);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && k !== 'host' && k !== 'content-length') headers[k] = v;
    headers.host = target.host;
    if (body !== undefined) headers['content-length'] = String(body.length);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let answered = false;
    const up = send(target, { method: req.method ?? 'GET', headers, timeout: this.timeoutMs }, (ur) => {
      answered = true;
      up.setTimeout(0); // a long stream may pause (a client that buffers): only the wait for headers is bounded
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(ur.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(ur.statusCode ?? 502, out);
      ur.pipe(res);
      ur.on('error', () => res.destroy());
    });
    up.on('timeout', () => up.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
    up.on('error', (err) => {
      if (answered) res.destroy();
      else onDown(new UpstreamDown(downMessage(this.base, err, this.timeoutMs)));
    });
    // The client went away: stop reading from the upstream.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    up.end(body);
  }
}

/** Headers that belong to one connection, not to the message (RFC 9110, section 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function downMessage(base: URL, err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
  return `the upstream Subsonic server at ${base.origin} is unreachable (${why}); Segue answers again once it is back`;
}
