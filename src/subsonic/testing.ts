import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A song of the fixture library, in Subsonic's Child shape. */
export type FixtureSong = Record<string, unknown> & { id: string; albumId: string };

/**
 * A small Subsonic server for unit tests of the proxy's parts: token (`t` = md5(password +
 * `s`)), password and apiKey logins (with OpenSubsonic `tokenInfo`), and a library read by
 * getArtists, getAlbumList2 and getAlbum. `calls` counts each method; `songs` may be changed
 * between syncs. (The end-to-end tests run against Debian's supysonic instead.)
 */
export class FixtureUpstream {
  readonly calls = new Map<string, number>();
  songs: FixtureSong[] = [];
  artists: Array<Record<string, unknown>> = [];
  users = ['ann', 'bob'];
  /** Methods answered by a handler of the test's own (a slow stream, a server that never answers). */
  readonly handlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  private server!: Server;
  url = '';

  constructor(private readonly passwords: Record<string, string>, private readonly apiKeys: Record<string, string> = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const method = /^\/rest\/(\w+?)(?:\.view)?$/.exec(u.pathname)?.[1] ?? '';
      this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
      const own = this.handlers.get(method);
      if (own !== undefined) return own(req, res);
      const body = this.answer(method, u.searchParams);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ 'subsonic-response': { version: '1.16.1', ...body } }));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private login(p: URLSearchParams): string | undefined {
    const key = p.get('apiKey');
    if (key !== null) return this.apiKeys[key];
    const u = p.get('u') ?? '';
    const pw = this.passwords[u];
    if (pw === undefined) return undefined;
    const t = p.get('t');
    if (t !== null) return createHash('md5').update(pw + (p.get('s') ?? '')).digest('hex') === t ? u : undefined;
    const given = p.get('p') ?? '';
    return (given.startsWith('enc:') ? Buffer.from(given.slice(4), 'hex').toString('utf8') : given) === pw ? u : undefined;
  }

  private answer(method: string, p: URLSearchParams): Record<string, unknown> {
    const user = this.login(p);
    if (user === undefined) return { status: 'failed', error: { code: p.has('apiKey') ? 44 : 40, message: 'Wrong username or password' } };
    const ok = (x: Record<string, unknown> = {}): Record<string, unknown> => ({ status: 'ok', ...x });
    switch (method) {
      case 'ping': return ok();
      case 'tokenInfo': return ok({ tokenInfo: { username: user } });
      case 'getUsers': return ok({ users: { user: this.users.map((username) => ({ username })) } });
      case 'getArtists': return ok({ artists: { index: [{ name: 'A', artist: this.artists }] } });
      case 'getAlbumList2': {
        const albums = [...new Set(this.songs.map((s) => s.albumId))].sort();
        const offset = Number(p.get('offset') ?? 0), size = Number(p.get('size') ?? 10);
        return ok({ albumList2: { album: albums.slice(offset, offset + size).map((id) => ({ id, name: id })) } });
      }
      case 'getAlbum': {
        const id = p.get('id');
        return ok({ album: { id, musicBrainzId: '3f8a5e5b-7c42-4d6e-8a1f-2b9c0d1e2f30', song: this.songs.filter((s) => s.albumId === id) } });
      }
      default: return { status: 'failed', error: { code: 0, message: 'Unknown method' } };
    }
  }
}
