import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEvent, type SegueEvent } from '../domain/index.js';
import { trainModels } from '../models/index.js';
import { Serving } from '../server/index.js';
import type { Store } from '../store/index.js';
import { Answers } from './answers.js';
import { Auth, type Login } from './auth.js';
import { Library, type SyncReport } from './library.js';
import { annotationEvents, EVENT_SOURCE, Playback, PLAYBACK_STATES, type PlaybackState, type RawEvent } from './playback.js';
import { GeneratedPlaylists, isGenerated } from './playlists.js';
import { encode, envelope, ErrorCode, errorPayload, formatOf, intParam, methodOf, required, SubsonicError, type Format, type Payload } from './protocol.js';
import { Upstream, UPSTREAM_TIMEOUT_MS } from './upstream.js';

export interface ProxyOptions {
  /** The Subsonic server's base URL. */
  upstream: string;
  port: number;
  host: string;
  /** Library sync period (default 15 minutes); 0: only at start. */
  syncIntervalMs?: number;
  /** A login for the sync at start (kept in memory only); without it the first client login the upstream accepts starts the sync. */
  syncLogin?: { username: string; password: string };
  /** How long to wait for the upstream (default UPSTREAM_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Until a first sync succeeds, how often to try again (default 30 s). */
  retryMs?: number;
  /** How often to look for new model versions (default 30 s). */
  reloadIntervalMs?: number;
  log?: (msg: string) => void;
}

/** What Segue adds to the upstream's OpenSubsonic extensions. */
export const SEGUE_EXTENSIONS = [
  { name: 'playbackReport', versions: [1] },
  { name: 'sonicSimilarity', versions: [1] },
  { name: 'topSongsByArtistId', versions: [1] },
] as const;

/** The methods Segue answers or watches: their login is checked against the server (cached), and names the listener. */
const CHECKED = new Set([
  'ping', 'getSimilarSongs', 'getSimilarSongs2', 'getSonicSimilarTracks', 'findSonicPath', 'getRandomSongs', 'getTopSongs',
  'getPlaylists', 'getPlaylist', 'updatePlaylist', 'deletePlaylist', 'createPlaylist', 'scrobble', 'reportPlayback', 'star', 'unstar', 'setRating',
]);

const MAX_BODY = 1 << 20;
const VERSION = packageVersion();

/** Segue's version (the answers' `serverVersion`), from the package.json above this file (in src/ or dist/). */
function packageVersion(): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); d !== dirname(d); d = dirname(d)) {
    try {
      const p = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (p.name === 'segue' && typeof p.version === 'string') return p.version;
    } catch {
      // not here: look further up
    }
  }
  return 'unknown';
}

/**
 * `segue subsonic`: an OpenSubsonic-compatible proxy in front of a Subsonic server. Every
 * request is forwarded unchanged, streaming included, except what Segue answers (radio, random songs, top songs, sonic
 * similarity, its generated playlists, the extension list) or observes on the way (scrobble,
 * reportPlayback, star, unstar, setRating become events): their login is checked against the
 * upstream's `ping` (cached briefly) and names the listener. The library is synced into the
 * store at start and every `syncIntervalMs`.
 *
 * @example
 *   const proxy = await SubsonicProxy.start(store, { upstream: 'http://127.0.0.1:4040', port: 4533, host: '127.0.0.1' });
 *   await proxy.firstSync; // the catalog is in the store, the cold-start models trained
 */
export class SubsonicProxy {
  readonly url: string;
  /** Resolves after the sync at start (undefined when no sync login was given: the first client login starts it). */
  firstSync: Promise<SyncReport | undefined>;
  private readonly upstream: Upstream;
  private readonly auth: Auth;
  readonly library: Library;
  private readonly answers: Answers;
  readonly playlists: GeneratedPlaylists;
  private readonly playback: Playback;
  private syncAuth: Login | undefined;
  private syncing: Promise<SyncReport> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The sync login given at start (its password hex-encoded as `enc:`, in memory only). */
  private configured: URLSearchParams | undefined;
  private upstreamExtensions: Array<{ name: string; versions: number[] }> = [];

  private constructor(private readonly store: Store, readonly serving: Serving, private readonly server: Server, private readonly opts: ProxyOptions, upstream: Upstream) {
    this.upstream = upstream;
    this.auth = new Auth(upstream);
    this.library = new Library(store, upstream);
    this.answers = new Answers(store, serving, this.library);
    this.playlists = new GeneratedPlaylists(store, this.answers);
    this.playback = new Playback((id) => this.durationMs(id), (l, t) => this.answers.attribute(l, t));
    const a = server.address() as AddressInfo;
    this.url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    this.firstSync = Promise.resolve(undefined);
  }

  static async start(store: Store, opts: ProxyOptions): Promise<SubsonicProxy> {
    const upstream = new Upstream(opts.upstream, opts.timeoutMs ?? UPSTREAM_TIMEOUT_MS);
    const log = opts.log ?? (() => {});
    const serving = new Serving(store, { info: log, error: log });
    await serving.start(opts.reloadIntervalMs ?? 30_000);
    serving.flushEvery(5_000);
    const holder: { proxy?: SubsonicProxy } = {};
    const server = createServer((req, res) => void holder.proxy!.handle(req, res));
    server.headersTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    }).catch(async (err: NodeJS.ErrnoException) => {
      await serving.close();
      throw new Error(err.code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.host} is in use: pass --port to choose another` : `cannot listen on ${opts.host}:${opts.port}: ${err.message}`);
    });
    const proxy = new SubsonicProxy(store, serving, server, opts, upstream);
    holder.proxy = proxy;
    if (opts.syncLogin) {
      proxy.configured = new URLSearchParams({ u: opts.syncLogin.username, p: `enc:${Buffer.from(opts.syncLogin.password, 'utf8').toString('hex')}`, c: 'segue-sync', v: '1.16.1' });
      proxy.firstSync = proxy.syncNow();
      proxy.firstSync.catch((err: unknown) => log(`library sync failed: ${(err as Error).message}`));
    }
    proxy.schedule();
    return proxy;
  }

  /** Read the library now (one sync at a time: a call during a sync waits for it). */
  sync(): Promise<SyncReport> {
    if (this.syncing) return this.syncing;
    const login = this.syncAuth;
    if (login === undefined) return Promise.reject(new Error('no login to sync with yet: give one at start, or wait for a client to log in'));
    this.syncing = (async () => {
      this.upstreamExtensions = await this.fetchExtensions();
      const r = await this.library.sync(login.params, login.username).catch((err: unknown) => {
        this.library.lastError = (err as Error).message;
        throw err;
      });
      this.library.lastError = undefined;
      const trained = new Set((await this.store.models.list()).map((m) => m.name));
      // Cold start: content similarity (genres, and audio features where the catalog has them) and popularity need no listening history.
      let models = '';
      if (r.written.tracks > 0 || r.written.artists > 0 || !trained.has('content') || !trained.has('popularity')) {
        const t0 = performance.now();
        await trainModels(this.store, ['content', 'popularity']);
        models = `; trained content and popularity in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
      }
      await this.serving.refresh();
      this.opts.log?.(`library synced: ${r.tracks} tracks, ${r.albums} albums, ${r.artists} artists, ${r.genres} genres, ${r.listeners} listeners; wrote ${r.written.tracks} tracks, ${r.written.artists} artists, ${r.written.listeners} listeners in ${r.seconds.toFixed(1)} s${models}`);
      return r;
    })().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  /** Sync with the login at hand: the sync login given at start (checked first), else the first client's. */
  private async syncNow(): Promise<SyncReport | undefined> {
    if (this.syncAuth === undefined && this.configured !== undefined) this.syncAuth = await this.auth.check(this.configured);
    return this.syncAuth === undefined ? undefined : this.sync();
  }

  /**
   * Sync every `syncIntervalMs`; until a first sync succeeds (the server was away at start),
   * try again every `retryMs` (30 seconds), also with `syncIntervalMs` 0.
   */
  private schedule(): void {
    const every = this.opts.syncIntervalMs ?? 15 * 60_000;
    if (this.stopped || (every <= 0 && this.library.synced)) return;
    const retry = this.opts.retryMs ?? 30_000;
    const wait = this.library.synced ? every : every <= 0 ? retry : Math.min(every, retry);
    this.timer = setTimeout(() => {
      this.syncNow().catch((err: unknown) => this.opts.log?.(`library sync failed: ${(err as Error).message}`)).finally(() => this.schedule());
    }, wait);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // Requests in flight finish (a stream gets five seconds); idle keep-alive connections close now.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const cut = setTimeout(() => this.server.closeAllConnections(), 5_000);
    await closed;
    clearTimeout(cut);
    await this.syncing?.catch(() => undefined);
    await this.serving.close();
  }

  private durationMs(trackId: string): number | undefined {
    const d = this.library.child(trackId)?.duration;
    return typeof d === 'number' ? d * 1000 : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    let body: Buffer | undefined;
    let f: { format: Format; callback?: string } = { format: 'xml' };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') body = await readBody(req);
      const method = methodOf(url.pathname);
      if (method === undefined) return this.forward(req, res, url, body, f);
      const params = new URLSearchParams(url.search);
      if (body !== undefined && /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
      f = formatOf(params);
      if (method === 'getOpenSubsonicExtensions') return this.reply(res, f, { openSubsonicExtensions: this.extensions() });
      // Calls Segue neither answers nor watches go straight to the server, which checks their login itself:
      // no extra round trip per stream (clients that salt every token anew would miss the login cache every time).
      if (!CHECKED.has(method)) return this.forward(req, res, url, body, f);
      const login = await this.auth.check(params);
      if (this.syncAuth === undefined) {
        // No sync login was given: the first accepted login reads the library (kept in memory only).
        this.syncAuth = login;
        this.firstSync = this.sync();
        this.firstSync.catch((err: unknown) => this.opts.log?.(`library sync failed: ${(err as Error).message}`));
      }
      const answer = await this.answer(method, login, params, req, res, url, body, f);
      if (answer !== undefined) this.reply(res, f, answer);
    } catch (err) {
      const e = err instanceof SubsonicError ? err : new SubsonicError(ErrorCode.generic, `Segue failed: ${(err as Error).message}`);
      if (!(err instanceof SubsonicError)) this.opts.log?.(`${url.pathname}: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) this.send(res, f, errorPayload(e, VERSION));
    }
  }

  /** Answer or observe one API call; undefined when the answer was forwarded. */
  private async answer(method: string, login: Login, params: URLSearchParams, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer | undefined, f: { format: Format; callback?: string }): Promise<Payload | undefined> {
    const who = login.username;
    const now = Date.now();
    switch (method) {
      case 'ping':
        return {}; // the login check was a ping of the server
      case 'getSimilarSongs':
      case 'getSimilarSongs2':
        return this.answers.similarSongs(who, params, method === 'getSimilarSongs' ? 'similarSongs' : 'similarSongs2');
      case 'getSonicSimilarTracks':
        return this.answers.sonicSimilar(who, params);
      case 'findSonicPath':
        return this.answers.sonicPath(who, params);
      case 'getRandomSongs':
        return this.answers.randomSongs(who, params);
      case 'getTopSongs': {
        const top = await this.answers.topSongs(who, params);
        if (top !== undefined) return top;
        break;
      }
      case 'getPlaylists': {
        const owner = params.get('username') ?? who;
        const up = await this.upstream.call('getPlaylists', login.params, owner !== who ? { username: owner } : {});
        const theirs = ((up.playlists as { playlist?: unknown[] } | undefined)?.playlist ?? []) as Payload[];
        return { playlists: { playlist: [...(await this.playlists.summaries(owner, now)), ...theirs] } };
      }
      case 'getPlaylist':
        if (isGenerated(required(params, 'id'))) return this.playlists.playlist(who, params.get('id')!, now);
        break;
      case 'updatePlaylist':
      case 'deletePlaylist':
      case 'createPlaylist': {
        const id = params.get('playlistId') ?? params.get('id');
        if (id !== null && isGenerated(id)) throw new SubsonicError(ErrorCode.notAuthorized, `${id} is generated by Segue every day and cannot be changed; copy its songs into a playlist of your own`);
        break;
      }
      case 'scrobble': {
        const ids = params.getAll('id');
        if (ids.length === 0) throw new SubsonicError(ErrorCode.missingParameter, 'required parameter is missing: id');
        const times = params.getAll('time').map((t) => (/^\d+$/.test(t) ? Number(t) : undefined));
        await this.record(this.playback.scrobble(who, params.get('c') ?? '', ids, times, params.get('submission') !== 'false', now));
        break;
      }
      case 'reportPlayback': {
        const r = playbackReport(params);
        await this.record(this.playback.report(who, params.get('c') ?? '', r, now));
        if (this.upstreamExtensions.some((x) => x.name === 'playbackReport')) break;
        // The upstream does not know reportPlayback: Segue answers, and keeps the upstream's play counts with the scrobbles it knows.
        if (!r.ignoreScrobble && r.mediaType === 'song' && (r.state === 'starting' || r.state === 'stopped')) {
          const submission = r.state === 'stopped' && (this.durationMs(r.mediaId) === undefined || r.positionMs >= Math.min(240_000, this.durationMs(r.mediaId)! / 2));
          if (r.state === 'starting' || submission) this.upstream.call('scrobble', login.params, { id: r.mediaId, submission: String(submission) }).catch(() => undefined);
        }
        return {};
      }
      case 'star':
      case 'unstar':
      case 'setRating':
        await this.record(annotationEvents(method, who, params, (id) => this.library.child(id) !== undefined, (id) => this.library.artistName(id) !== undefined, now));
        break;
      default:
        break;
    }
    this.forward(req, res, url, body, f);
    return undefined;
  }

  /** Check and store events, then fold them into the online state (the next answer sees them). */
  private async record(raw: readonly RawEvent[]): Promise<void> {
    const events: SegueEvent[] = [];
    for (const r of raw) {
      const c = checkEvent(r, EVENT_SOURCE);
      if (c.ok) events.push(c.value);
      else this.opts.log?.(`event not recorded: ${c.error}`);
    }
    if (events.length === 0) return;
    // Events of tracks not in the catalog (synced since) are refused by the store and left out.
    await this.store.ingest({ events });
    await this.serving.fold();
  }

  private forward(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer | undefined, f: { format: Format; callback?: string }): void {
    this.upstream.forward(req, res, `${url.pathname}${url.search}`, body, (err) => {
      if (!res.headersSent) this.send(res, f, errorPayload(err, VERSION));
      else res.destroy();
    });
  }

  private extensions(): Array<{ name: string; versions: readonly number[] }> {
    const ours = new Set<string>(SEGUE_EXTENSIONS.map((x) => x.name));
    return [...SEGUE_EXTENSIONS, ...this.upstreamExtensions.filter((x) => !ours.has(x.name))];
  }

  /** The upstream's own extensions (public; none when it is not an OpenSubsonic server). */
  private async fetchExtensions(): Promise<Array<{ name: string; versions: number[] }>> {
    try {
      const r = await this.upstream.call('getOpenSubsonicExtensions', new URLSearchParams());
      const list = r.openSubsonicExtensions;
      return Array.isArray(list) ? (list as Array<{ name: string; versions: number[] }>).filter((x) => typeof x?.name === 'string') : [];
    } catch {
      return [];
    }
  }

  private reply(res: ServerResponse, f: { format: Format; callback?: string }, payload: Payload): void {
    this.send(res, f, { ...envelope('ok', VERSION), ...payload });
  }

  private send(res: ServerResponse, f: { format: Format; callback?: string }, response: Payload): void {
    const { contentType, body } = encode(f, response);
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}

function playbackReport(params: URLSearchParams): { mediaId: string; mediaType: string; positionMs: number; state: PlaybackState; playbackRate: number; ignoreScrobble: boolean } {
  const mediaId = required(params, 'mediaId');
  const mediaType = required(params, 'mediaType');
  if (mediaType !== 'song' && mediaType !== 'podcast') throw new SubsonicError(ErrorCode.generic, `mediaType must be song or podcast, got ${JSON.stringify(mediaType)}`);
  required(params, 'positionMs');
  const positionMs = intParam(params, 'positionMs', 0, 0, 24 * 3_600_000);
  const state = required(params, 'state') as PlaybackState;
  if (!PLAYBACK_STATES.includes(state)) throw new SubsonicError(ErrorCode.generic, `state must be one of ${PLAYBACK_STATES.join(', ')}, got ${JSON.stringify(state)}`);
  const rateText = params.get('playbackRate');
  const playbackRate = rateText === null || rateText === '' ? 1 : Number(rateText);
  if (!(Number.isFinite(playbackRate) && playbackRate > 0 && playbackRate <= 16)) throw new SubsonicError(ErrorCode.generic, `playbackRate must be a number in (0, 16], got ${JSON.stringify(rateText)}`);
  return { mediaId, mediaType, positionMs, state, playbackRate, ignoreScrobble: params.get('ignoreScrobble') === 'true' };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        reject(new SubsonicError(ErrorCode.generic, `request body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
