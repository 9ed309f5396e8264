import { randomInt, randomUUID } from 'node:crypto';
import type { Context } from '../domain/index.js';
import { PLAYS } from '../features/index.js';
import { Rng } from '../math/index.js';
import { overridePolicy, PolicyError, type Policy } from '../sequencing/index.js';
import { shufflePolicy, SurfaceError, type SurfaceRequest, type SurfaceResponse } from '../surfaces/index.js';
import type { Serving } from '../server/index.js';
import type { Store } from '../store/index.js';
import type { Child, Library } from './library.js';
import { ErrorCode, intParam, required, SubsonicError, type Payload } from './protocol.js';

/** A list Segue answered: the tracks as served (final order) and how they were chosen. */
export interface Answered {
  requestId: string;
  surface: string;
  policyId: string;
  /** The experiments and variants that served it, as the surfaces assigned them. */
  experiment?: string;
  variant?: string;
  items: Array<{ trackId: string; score: number; propensity: number; source?: string }>;
}

/** The content-only radio behind getSonicSimilarTracks: candidates by content similarity alone. */
const SONIC_POLICY = { candidates: [{ source: 'content', k: 300 }], objectives: { satisfaction: 1, flow: 0, discovery: 0, variety: 0, emergingArtists: 0 } };

/**
 * The endpoints Segue answers itself, each through the Surfaces' serve path (the listener's
 * online state, so a skip in the session moves the next answer), and logged as an exposure
 * with the list exactly as the client receives it:
 *
 * | endpoint | surface | seed |
 * | --- | --- | --- |
 * | getSimilarSongs, getSimilarSongs2 | radio | the song, the artist, or the album's first song |
 * | getSonicSimilarTracks | radio, content candidates only | the song; ordered by content similarity |
 * | findSonicPath | sonic-path (content similarity, no surface) | the start and end songs |
 * | getRandomSongs | shuffle | the library (genre, fromYear, toYear filter it) |
 * | getTopSongs | top-songs | the artist's most played tracks in the store |
 *
 * Unknown ids are error 70; a Segue that cannot recommend yet (no catalog) is error 0 saying why.
 */
export class Answers {
  /** Each listener's latest answers, to attribute later plays to them (context.requestId). */
  private readonly recent = new Map<string, Array<{ at: number; context: Omit<Context, 'position'>; positions: Map<string, number> }>>();

  constructor(private readonly store: Store, private readonly serving: Serving, readonly library: Library) {}

  async similarSongs(listenerId: string, params: URLSearchParams, element: 'similarSongs' | 'similarSongs2'): Promise<Payload> {
    const id = required(params, 'id');
    const count = intParam(params, 'count', 50, 1, 500);
    const seed = this.seedOf(id, element === 'similarSongs');
    const res = await this.serve({ surface: 'radio', listenerId, n: count, ...seed }, element);
    return { [element]: { song: this.children(res.items) } };
  }

  async sonicSimilar(listenerId: string, params: URLSearchParams): Promise<Payload> {
    const id = required(params, 'id');
    const count = intParam(params, 'count', 10, 1, 500);
    if (this.library.child(id) === undefined) throw new SubsonicError(ErrorCode.notFound, `song not found: ${JSON.stringify(id)}`);
    const surfaces = await this.surfaces();
    const content = surfaces.reco.sources.get('content');
    if (content === undefined) throw new SubsonicError(ErrorCode.generic, 'no content model is trained on this store yet (the proxy trains one after each library sync that changes the catalog)');
    const policy: Policy = overridePolicy('radio', SONIC_POLICY, 'sonic similarity');
    const similarity = new Float64Array(content.trackIds.length);
    const seedIx = content.trackIndex(id);
    if (seedIx >= 0) content.scoreInto({ tracks: Int32Array.of(seedIx) }, similarity);
    // Cosine similarity to the seed, clamped to [0, 1] as sonicMatch asks.
    const simOf = (t: string): number => {
      const ix = content.trackIndex(t);
      return ix < 0 ? 0 : Number(Math.min(1, Math.max(0, similarity[ix]!)).toFixed(4));
    };
    // Most similar first (the endpoint's contract); the sequencer's order breaks ties.
    const res = await this.serve({ surface: 'radio', listenerId, n: count, seedTrack: id, policy }, 'getSonicSimilarTracks',
      (items) => items.map((x, k) => ({ x, k, s: simOf(x.trackId) })).sort((a, b) => b.s - a.s || a.k - b.k).map((y) => y.x));
    return { sonicMatch: res.items.map((x) => ({ entry: this.library.child(x.trackId)!, similarity: simOf(x.trackId) })) };
  }

  /**
   * findSonicPath: `count` songs from the start song to the end song, each step the song not
   * yet on the path nearest (by content similarity) to the point that far along between the
   * two, the listener's bans left out. Not a surface: logged as an exposure of its own ('sonic-path').
   */
  async sonicPath(listenerId: string, params: URLSearchParams): Promise<Payload> {
    const start = required(params, 'startSongId');
    const end = required(params, 'endSongId');
    const count = intParam(params, 'count', 25, 2, 500);
    for (const id of [start, end]) if (this.library.child(id) === undefined) throw new SubsonicError(ErrorCode.notFound, `song not found: ${JSON.stringify(id)}`);
    const surfaces = await this.surfaces();
    const content = surfaces.reco.sources.get('content');
    if (content === undefined) throw new SubsonicError(ErrorCode.generic, 'no content model is trained on this store yet (the proxy trains one after each library sync that changes the catalog)');
    const si = content.trackIndex(start), ei = content.trackIndex(end);
    if (si < 0 || ei < 0) throw new SubsonicError(ErrorCode.generic, 'the content model does not know these songs yet (the next library sync trains it)');
    const view = await surfaces.reco.state.view(listenerId);
    const n = content.trackIds.length;
    const fromStart = new Float64Array(n), fromEnd = new Float64Array(n);
    content.scoreInto({ tracks: Int32Array.of(si) }, fromStart);
    content.scoreInto({ tracks: Int32Array.of(ei) }, fromEnd);
    const path = [start];
    const used = new Set([si, ei]);
    for (let k = 1; k < count - 1; k++) {
      // The point a of the way from start to end: similarity to it, blended from the two ends.
      const a = k / (count - 1);
      let best = -1, bestScore = -Infinity;
      for (let ix = 0; ix < n; ix++) {
        const score = (1 - a) * fromStart[ix]! + a * fromEnd[ix]!;
        if (used.has(ix) || !(score > bestScore)) continue;
        const id = content.trackIds[ix]!;
        const c = this.library.child(id);
        if (c === undefined || view.banned(id, typeof c.artistId === 'string' ? c.artistId : undefined)) continue;
        best = ix;
        bestScore = score;
      }
      if (best < 0) break;
      used.add(best);
      path.push(content.trackIds[best]!);
    }
    path.push(end);
    const sim = (id: string): number => Number(Math.min(1, Math.max(0, fromStart[content.trackIndex(id)]!)).toFixed(4));
    await this.log(listenerId, { requestId: randomUUID(), surface: 'sonic-path', policyId: 'sonic-path:content', items: path.map((trackId) => ({ trackId, score: sim(trackId), propensity: 1, source: 'content' })) }, Date.now());
    return { sonicMatch: path.map((id) => ({ entry: this.library.child(id)!, similarity: sim(id) })) };
  }

  async randomSongs(listenerId: string, params: URLSearchParams): Promise<Payload> {
    const size = intParam(params, 'size', 10, 1, 500);
    const genre = params.get('genre');
    const from = intParam(params, 'fromYear', -1, 0, 9999);
    const to = intParam(params, 'toYear', -1, 0, 9999);
    const pool: string[] = [];
    for (const id of this.library.songIds()) {
      const c = this.library.child(id)!;
      if (genre !== null && genre !== '' && !genresOf(c).some((g) => g.toLowerCase() === genre.toLowerCase())) continue;
      const year = typeof c.year === 'number' ? c.year : undefined;
      if ((from >= 0 || to >= 0) && year === undefined) continue;
      if (from >= 0 && year! < from) continue;
      if (to >= 0 && year! > to) continue;
      pool.push(id);
    }
    if (pool.length === 0) return { randomSongs: { song: [] } };
    // The shuffle surface orders a playlist: the pool (at most 2,000 tracks, a fresh random sample) is the listener's `segue-random` playlist.
    const seed = randomInt(2 ** 31);
    const sample = sampleOf(pool, 2_000, seed);
    const playlistId = `segue-random:${listenerId}`;
    const res = await this.shuffle(listenerId, playlistId, sample, size, seed, 'getRandomSongs');
    return { randomSongs: { song: this.children(res.items) } };
  }

  /**
   * The shuffle surface over `pool` (written first as the listener's playlist `playlistId`): a
   * seeded order that spreads artists as far as the pool's artists allow (a genre of two
   * artists still fills the list) and pushes recent plays back.
   */
  async shuffle(listenerId: string, playlistId: string, pool: readonly string[], n: number, seed: number, endpoint: string, now = Date.now()): Promise<SurfaceResponse> {
    await this.store.ingest({ playlists: [{ id: playlistId, name: `Segue: ${endpoint}`, ownerId: listenerId, trackIds: [...pool], modifiedAt: now }] });
    const artists = new Set(pool.map((id) => this.library.child(id)?.artistId));
    const spread = shufflePolicy().constraints.artistSeparation ?? 0;
    const policy = artists.size > spread ? undefined : overridePolicy('shuffle', { constraints: { artistSeparation: Math.max(0, artists.size - 1) } }, endpoint);
    return this.serve({ surface: 'shuffle', listenerId, now, n: Math.min(n, pool.length), playlistId, seed, ...(policy ? { policy } : {}) }, endpoint);
  }

  /**
   * The artist's most played tracks in the store (plays of every listener, decayed); undefined
   * when the store has no plays of the artist (the proxy then asks the upstream).
   */
  async topSongs(listenerId: string, params: URLSearchParams): Promise<Payload | undefined> {
    const id = params.get('id');
    const name = params.get('artist');
    if ((id === null || id === '') && (name === null || name === '')) throw new SubsonicError(ErrorCode.missingParameter, 'required parameter is missing: artist (or id)');
    const count = intParam(params, 'count', 50, 1, 500);
    const artists = id !== null && id !== '' ? (this.library.artistName(id) === undefined ? [] : [id]) : this.library.artistsNamed(name!);
    if (artists.length === 0) return undefined;
    const surfaces = await this.surfaces();
    const t = surfaces.reco.table;
    const view = await surfaces.reco.state.view(listenerId);
    const now = Date.now();
    const c = new Float64Array(4);
    const wanted = new Set(artists);
    const played: Array<{ trackId: string; plays: number }> = [];
    for (let ix = 0; ix < t.size; ix++) {
      if (!wanted.has(t.artist[ix]!) || this.library.child(t.ids[ix]!) === undefined) continue;
      view.countersInto('global', t.ids[ix]!, now, c, 0);
      if (c[PLAYS]! > 0) played.push({ trackId: t.ids[ix]!, plays: c[PLAYS]! });
    }
    if (played.length === 0) return undefined;
    played.sort((a, b) => b.plays - a.plays || (a.trackId < b.trackId ? -1 : 1));
    const top = played.slice(0, count);
    const answered: Answered = { requestId: randomUUID(), surface: 'top-songs', policyId: 'top-songs:store-plays', items: top.map((x) => ({ trackId: x.trackId, score: x.plays, propensity: 1, source: 'plays' })) };
    await this.log(listenerId, answered, now);
    return { topSongs: { song: top.map((x) => this.library.child(x.trackId)!) } };
  }

  /**
   * Serve a surface for a Subsonic answer: only tracks the upstream still lists; `order`
   * may reorder them; logged as an exposure in the final order (with the experiments and
   * variants the surfaces assigned), remembered for attribution. Served with `log: false`, so
   * the Surfaces neither log it themselves nor explore: a Subsonic answer is deterministic for
   * the same state, and logs no candidate set.
   */
  async serve(req: SurfaceRequest, endpoint: string, order?: (items: SurfaceResponse['items']) => SurfaceResponse['items']): Promise<SurfaceResponse> {
    const surfaces = await this.surfaces();
    let res: SurfaceResponse;
    try {
      res = await surfaces.serve({ ...req, log: false });
    } catch (err) {
      if (err instanceof SurfaceError) throw new SubsonicError(err.notFound ? ErrorCode.notFound : ErrorCode.generic, err.message);
      if (err instanceof PolicyError) throw new SubsonicError(ErrorCode.generic, `${endpoint}: ${err.message}`);
      throw err;
    }
    let items = res.items.filter((x) => this.library.child(x.trackId) !== undefined);
    if (order) items = order(items);
    items = items.map((x, k) => ({ ...x, position: k }));
    const answered: Answered = {
      requestId: res.requestId, surface: req.surface, policyId: res.policyId,
      ...(res.experiment !== undefined ? { experiment: res.experiment } : {}), ...(res.variant !== undefined ? { variant: res.variant } : {}),
      items: items.map((x) => ({ trackId: x.trackId, score: x.score, propensity: x.propensity, ...(x.explanation.sources[0] ? { source: x.explanation.sources[0] } : {}) })),
    };
    await this.log(req.listenerId, answered, req.now ?? Date.now(), req.sessionId);
    return { ...res, items };
  }

  /** The answer as an exposure (where the Surfaces log theirs: the store, or the bus), and remembered for attribution. */
  private async log(listenerId: string, a: Answered, now: number, sessionId?: string): Promise<void> {
    const surfaces = await this.surfaces();
    await surfaces.logExposures({
      requestId: a.requestId, listenerId, surface: a.surface, ts: now, policyId: a.policyId.slice(0, 128), ...(sessionId ? { sessionId } : {}),
      ...(a.experiment !== undefined ? { experiment: a.experiment.slice(0, 128) } : {}), ...(a.variant !== undefined ? { variant: a.variant.slice(0, 128) } : {}),
      items: a.items.map((x, k) => ({ trackId: x.trackId, position: k, score: Number.isFinite(x.score) ? x.score : 0, propensity: x.propensity, ...(x.source ? { source: x.source.slice(0, 64) } : {}) })),
    });
    const list = this.recent.get(listenerId) ?? [];
    const type = a.surface === 'radio' ? 'radio' : a.surface === 'shuffle' || a.surface === 'top-songs' ? 'other' : 'mix';
    list.push({ at: now, context: { type, surface: a.surface, requestId: a.requestId }, positions: new Map(a.items.map((x, k) => [x.trackId, k])) });
    while (list.length > 10 || (list.length > 0 && now - list[0]!.at > 6 * 3_600_000)) list.shift();
    this.recent.set(listenerId, list);
  }

  /** The latest Segue answer that served this track to this listener, as an event's context. */
  attribute(listenerId: string, trackId: string): Context | undefined {
    const list = this.recent.get(listenerId);
    for (let i = (list?.length ?? 0) - 1; i >= 0; i--) {
      const pos = list![i]!.positions.get(trackId);
      if (pos !== undefined) return { ...list![i]!.context, position: pos };
    }
    return undefined;
  }

  /** The served tracks as the upstream's own Child elements. */
  children(items: ReadonlyArray<{ trackId: string }>): Child[] {
    return items.map((x) => this.library.child(x.trackId)).filter((c): c is Child => c !== undefined);
  }

  async surfaces(): Promise<NonNullable<Serving['surfaces']>> {
    await this.serving.foldForRead();
    const s = this.serving.surfaces;
    if (s === undefined || !this.library.synced) {
      const why = this.library.synced ? this.serving.problem : this.library.lastError !== undefined ? `the library sync failed (${this.library.lastError}); it is tried again at the next sync` : 'the first library sync is still running';
      throw new SubsonicError(ErrorCode.generic, `Segue cannot answer yet: ${why}`);
    }
    return s;
  }

  /** A radio seed from a song, artist or (getSimilarSongs only) album id; error 70 for none. */
  private seedOf(id: string, albums: boolean): { seedTrack: string } | { seedArtist: string } {
    if (this.library.child(id) !== undefined) return { seedTrack: id };
    if (this.library.artistName(id) !== undefined) return { seedArtist: id };
    const first = albums ? this.library.albumTracks(id)?.[0] : undefined;
    if (first !== undefined) return { seedTrack: first };
    throw new SubsonicError(ErrorCode.notFound, `${albums ? 'artist, album or song' : 'artist or song'} not found: ${JSON.stringify(id)}`);
  }
}

function genresOf(c: Child): string[] {
  if (Array.isArray(c.genres)) return (c.genres as Array<{ name?: unknown }>).map((g) => g.name).filter((g): g is string => typeof g === 'string');
  return typeof c.genre === 'string' ? [c.genre] : [];
}

/** At most `k` of `ids`, a seeded random sample (a partial Fisher-Yates shuffle). */
function sampleOf(ids: readonly string[], k: number, seed: number): string[] {
  const a = [...ids];
  const rng = new Rng(seed);
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}
