import { leftEndReason, type Context } from '../domain/index.js';

/** An event as Segue's ingest takes it (checked by the domain's checkEvent before it is stored). */
export interface RawEvent {
  type: 'play_start' | 'play_end' | 'like' | 'unlike' | 'ban';
  eventId: string;
  source: string;
  listenerId: string;
  ts: number;
  trackId?: string;
  artistId?: string;
  msPlayed?: number;
  endReason?: string;
  context?: Context;
  platform?: string;
}

export type PlaybackState = 'starting' | 'playing' | 'paused' | 'stopped';
export const PLAYBACK_STATES: readonly PlaybackState[] = ['starting', 'playing', 'paused', 'stopped'];

/** One client's current track, as its scrobbles and playback reports tell it. */
interface Playing {
  trackId: string;
  /** Position at `at` (ms), and whether the clock runs since (playing) and how fast. */
  positionMs: number;
  at: number;
  running: boolean;
  rate: number;
  /** A `scrobble` submission counted this play already: leaving it adds nothing. */
  submitted: boolean;
}

/** Events are idempotent by (source, eventId): a retried call counts once. */
export const EVENT_SOURCE = 'subsonic';

/**
 * Turns what Subsonic clients report into Segue events, per listener and client (`c`):
 *
 * - `scrobble` with `submission=false` ("now playing") starts a play; the client's previous
 *   track, if it was not submitted, was left at the time it played, and ends by the domain's
 *   rule (`leftEndReason`: left early is `fwdbtn`, a skip);
 * - `scrobble` with `submission=true` is a play that counted (`trackdone`), at `time` if given;
 * - OpenSubsonic `reportPlayback`: `starting` (and `playing` of another track) starts a play,
 *   `stopped` ends it at `positionMs` by the same rule; `ignoreScrobble=true` records nothing.
 *
 * `durationOf` gives a track's duration (ms) from the catalog; `attribute` the Segue answer
 * (surface, request, position) that served the track to the listener, if one did.
 *
 * @example
 *   const p = new Playback(durationOf, attribute);
 *   p.scrobble('ann', 'dsub', ['s1'], [], false, t0);          // [play_start s1]
 *   p.scrobble('ann', 'dsub', ['s2'], [], false, t0 + 4_000);  // [play_end s1 fwdbtn 4000 ms, play_start s2]
 */
export class Playback {
  private readonly playing = new Map<string, Playing>();

  constructor(
    private readonly durationOf: (trackId: string) => number | undefined,
    private readonly attribute: (listenerId: string, trackId: string) => Context | undefined = () => undefined,
  ) {}

  scrobble(listenerId: string, client: string, ids: readonly string[], times: ReadonlyArray<number | undefined>, submission: boolean, now: number): RawEvent[] {
    const key = `${listenerId}\u0000${client}`;
    const out: RawEvent[] = [];
    if (!submission) {
      const id = ids[ids.length - 1];
      if (id === undefined) return out;
      const cur = this.playing.get(key);
      if (cur !== undefined && cur.trackId === id && now - cur.at < 5_000) return out; // a repeated notification
      if (cur !== undefined) this.leave(listenerId, client, cur, now, out);
      this.playing.set(key, { trackId: id, positionMs: 0, at: now, running: true, rate: 1, submitted: false });
      out.push(this.event('play_start', listenerId, client, id, now));
      this.prune(now);
      return out;
    }
    ids.forEach((id, i) => {
      const ts = times[i] ?? now;
      out.push({ ...this.event('play_end', listenerId, client, id, ts), endReason: 'trackdone' });
      const cur = this.playing.get(key);
      if (cur !== undefined && cur.trackId === id) cur.submitted = true;
    });
    return out;
  }

  report(listenerId: string, client: string, r: { mediaId: string; positionMs: number; state: PlaybackState; playbackRate: number; ignoreScrobble: boolean }, now: number): RawEvent[] {
    const key = `${listenerId}\u0000${client}`;
    const out: RawEvent[] = [];
    const cur = this.playing.get(key);
    const other = cur !== undefined && cur.trackId !== r.mediaId;
    if (r.state === 'starting' || (r.state === 'playing' && (cur === undefined || other))) {
      if (cur !== undefined) this.leave(listenerId, client, cur, now, out);
      this.playing.set(key, { trackId: r.mediaId, positionMs: r.positionMs, at: now, running: r.state === 'playing', rate: r.playbackRate, submitted: r.ignoreScrobble });
      out.push(this.event('play_start', listenerId, client, r.mediaId, now));
    } else if (r.state === 'stopped') {
      if (cur !== undefined && other) this.leave(listenerId, client, cur, now, out);
      if (cur === undefined || !other) {
        if (cur === undefined || !cur.submitted) out.push(this.ended(listenerId, client, r.mediaId, r.positionMs, now));
      }
      this.playing.delete(key);
    } else if (cur !== undefined) {
      cur.positionMs = r.positionMs;
      cur.at = now;
      cur.running = r.state === 'playing';
      cur.rate = r.playbackRate;
    }
    this.prune(now);
    return r.ignoreScrobble ? [] : out;
  }

  /** The client moved on from `cur`: a play_end where it was left, unless a submission counted it. */
  private leave(listenerId: string, client: string, cur: Playing, now: number, out: RawEvent[]): void {
    this.playing.delete(`${listenerId}\u0000${client}`);
    if (cur.submitted) return;
    const position = cur.positionMs + (cur.running ? (now - cur.at) * cur.rate : 0);
    out.push(this.ended(listenerId, client, cur.trackId, position, now));
  }

  private ended(listenerId: string, client: string, trackId: string, positionMs: number, now: number): RawEvent {
    const dur = this.durationOf(trackId);
    const msPlayed = Math.max(0, Math.round(dur === undefined ? positionMs : Math.min(positionMs, dur)));
    return { ...this.event('play_end', listenerId, client, trackId, now), msPlayed, endReason: leftEndReason(msPlayed, dur) };
  }

  private event(type: RawEvent['type'], listenerId: string, client: string, trackId: string, ts: number): RawEvent {
    const context = this.attribute(listenerId, trackId);
    return {
      type, source: EVENT_SOURCE, eventId: `${listenerId}/${type}/${trackId}/${ts}`, listenerId, trackId, ts,
      ...(client !== '' ? { platform: client.slice(0, 64) } : {}), ...(context ? { context } : {}),
    };
  }

  /** Forget clients silent for a day (a player closed without a stop). */
  private prune(now: number): void {
    if (this.playing.size < 1_000) return;
    for (const [k, v] of this.playing) if (now - v.at > 86_400_000) this.playing.delete(k);
  }
}

/**
 * The events of an annotation: `star` and `unstar` of songs are like and unlike; `setRating`
 * 1 of a song or an artist is a ban (other ratings are left to the upstream).
 */
export function annotationEvents(method: 'star' | 'unstar' | 'setRating', listenerId: string, params: URLSearchParams, isTrack: (id: string) => boolean, isArtist: (id: string) => boolean, now: number): RawEvent[] {
  const base = (type: RawEvent['type'], field: 'trackId' | 'artistId', id: string): RawEvent => ({ type, source: EVENT_SOURCE, eventId: `${listenerId}/${type}/${id}/${now}`, listenerId, ts: now, [field]: id });
  if (method === 'setRating') {
    const id = params.get('id');
    if (id === null || params.get('rating') !== '1') return [];
    return isTrack(id) ? [base('ban', 'trackId', id)] : isArtist(id) ? [base('ban', 'artistId', id)] : [];
  }
  const type = method === 'star' ? 'like' : 'unlike';
  return params.getAll('id').filter(isTrack).map((id) => base(type, 'trackId', id));
}
