import { describe, expect, it } from 'vitest';
import { checkEvent, leftEndReason, SHORT_PLAY_MS } from '../domain/index.js';
import { annotationEvents, Playback } from './playback.js';

const T0 = Date.UTC(2026, 11, 1, 20);
const durations: Record<string, number> = { a: 180_000, b: 200_000, c: 4_000 };
const brief = (events: ReturnType<Playback['scrobble']>): unknown[] => events.map((e) => [e.type, e.trackId, e.msPlayed, e.endReason, e.ts - T0]);

describe('the short-play rule', () => {
  it('is a skip (fwdbtn) before 30 s or half a shorter track, trackdone in the last second, else endplay', () => {
    expect(leftEndReason(SHORT_PLAY_MS - 1, 180_000)).toBe('fwdbtn');
    expect(leftEndReason(SHORT_PLAY_MS, 180_000)).toBe('endplay');
    expect(leftEndReason(179_500, 180_000)).toBe('trackdone');
    expect(leftEndReason(1_900, 4_000)).toBe('fwdbtn');
    expect(leftEndReason(2_000, 4_000)).toBe('endplay');
    expect(leftEndReason(10_000, undefined)).toBe('fwdbtn');
    // The domain derives the skip flag from the end reason: one rule.
    const e = checkEvent({ type: 'play_end', eventId: 'x', listenerId: 'u', ts: T0, trackId: 'a', msPlayed: 4_000, endReason: leftEndReason(4_000, 180_000) }, 'subsonic');
    expect(e.ok && e.value.skipped).toBe(true);
  });
});

describe('Playback: what Subsonic clients report, as events', () => {
  it('scrobble: "now playing" starts a play; the next one ends the previous where it was left', () => {
    const p = new Playback((id) => durations[id]);
    expect(brief(p.scrobble('ann', 'dsub', ['a'], [], false, T0))).toEqual([['play_start', 'a', undefined, undefined, 0]]);
    expect(brief(p.scrobble('ann', 'dsub', ['a'], [], false, T0 + 1_000))).toEqual([]); // a repeated notification
    expect(brief(p.scrobble('ann', 'dsub', ['b'], [], false, T0 + 12_000))).toEqual([['play_end', 'a', 12_000, 'fwdbtn', 12_000], ['play_start', 'b', undefined, undefined, 12_000]]);
    expect(brief(p.scrobble('ann', 'dsub', ['a'], [], false, T0 + 112_000))).toEqual([['play_end', 'b', 100_000, 'endplay', 112_000], ['play_start', 'a', undefined, undefined, 112_000]]);
    // Another client of the same listener is a separate player.
    expect(brief(p.scrobble('ann', 'feishin', ['c'], [], false, T0 + 113_000))).toEqual([['play_start', 'c', undefined, undefined, 113_000]]);
  });

  it('scrobble: a submission is a play that counted, at its time; leaving the track then adds nothing', () => {
    const p = new Playback((id) => durations[id]);
    p.scrobble('ann', 'dsub', ['a'], [], false, T0);
    expect(brief(p.scrobble('ann', 'dsub', ['a'], [], true, T0 + 90_000))).toEqual([['play_end', 'a', undefined, 'trackdone', 90_000]]);
    expect(brief(p.scrobble('ann', 'dsub', ['b'], [], false, T0 + 95_000))).toEqual([['play_start', 'b', undefined, undefined, 95_000]]);
    // Offline plays submitted later, with their times.
    expect(brief(p.scrobble('ann', 'dsub', ['a', 'c'], [T0 - 5_000, T0 - 1_000], true, T0 + 96_000))).toEqual([['play_end', 'a', undefined, 'trackdone', -5_000], ['play_end', 'c', undefined, 'trackdone', -1_000]]);
  });

  it('reportPlayback: starting, playing, paused and stopped; the position runs only while playing, at the playback rate', () => {
    const p = new Playback((id) => durations[id]);
    const r = (mediaId: string, positionMs: number, state: 'starting' | 'playing' | 'paused' | 'stopped', at: number, playbackRate = 1, ignoreScrobble = false) => brief(p.report('ann', 'amperfy', { mediaId, positionMs, state, playbackRate, ignoreScrobble }, T0 + at));
    expect(r('a', 0, 'starting', 0)).toEqual([['play_start', 'a', undefined, undefined, 0]]);
    expect(r('a', 0, 'playing', 500)).toEqual([]);
    expect(r('a', 60_000, 'paused', 60_500)).toEqual([]);
    // Another track starts while a is paused at 60 s: a ends there (not a skip).
    expect(r('b', 0, 'starting', 300_000)).toEqual([['play_end', 'a', 60_000, 'endplay', 300_000], ['play_start', 'b', undefined, undefined, 300_000]]);
    expect(r('b', 0, 'playing', 300_000, 2)).toEqual([]);
    // c starts 5 s later with no stop of b: b ran 5 s at double speed, 10 s in: a skip.
    expect(r('c', 0, 'playing', 305_000)).toEqual([['play_end', 'b', 10_000, 'fwdbtn', 305_000], ['play_start', 'c', undefined, undefined, 305_000]]);
    expect(r('c', 3_990, 'stopped', 309_000)).toEqual([['play_end', 'c', 3_990, 'trackdone', 309_000]]);
    // ignoreScrobble: the state is followed, nothing is recorded.
    expect(r('a', 0, 'starting', 400_000, 1, true)).toEqual([]);
    expect(r('a', 1_000, 'stopped', 401_000, 1, true)).toEqual([]);
  });

  it('attributes events to the Segue answer that served the track, with deterministic event ids', () => {
    const p = new Playback((id) => durations[id], (l, t) => (t === 'a' ? { type: 'radio', surface: 'radio', requestId: `r-${l}`, position: 3 } : undefined));
    const [start] = p.scrobble('ann', 'dsub', ['a'], [], false, T0);
    expect(start).toMatchObject({ source: 'subsonic', eventId: `ann/play_start/a/${T0}`, platform: 'dsub', context: { type: 'radio', surface: 'radio', requestId: 'r-ann', position: 3 } });
  });
});

describe('annotations as events', () => {
  const isTrack = (id: string): boolean => id.startsWith('t');
  const isArtist = (id: string): boolean => id.startsWith('ar');
  it('star and unstar of songs are like and unlike; albums and artists are left to the upstream', () => {
    const ev = annotationEvents('star', 'ann', new URLSearchParams('id=t1&id=t2&albumId=al1&artistId=ar1'), isTrack, isArtist, T0);
    expect(ev.map((e) => [e.type, e.trackId])).toEqual([['like', 't1'], ['like', 't2']]);
    expect(annotationEvents('unstar', 'ann', new URLSearchParams('id=t1'), isTrack, isArtist, T0).map((e) => e.type)).toEqual(['unlike']);
  });
  it('setRating 1 bans a song or an artist; other ratings record nothing', () => {
    expect(annotationEvents('setRating', 'ann', new URLSearchParams('id=t1&rating=1'), isTrack, isArtist, T0)).toMatchObject([{ type: 'ban', trackId: 't1' }]);
    expect(annotationEvents('setRating', 'ann', new URLSearchParams('id=ar1&rating=1'), isTrack, isArtist, T0)).toMatchObject([{ type: 'ban', artistId: 'ar1' }]);
    expect(annotationEvents('setRating', 'ann', new URLSearchParams('id=t1&rating=2'), isTrack, isArtist, T0)).toEqual([]);
    for (const e of annotationEvents('setRating', 'ann', new URLSearchParams('id=ar1&rating=1'), isTrack, isArtist, T0)) expect(checkEvent(e, 'subsonic').ok).toBe(true);
  });
});
