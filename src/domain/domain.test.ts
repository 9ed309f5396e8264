import { describe, it, expect } from 'vitest';
import { checkEvent, checkRecord, parseTimestamp, trackValidator, artistValidator, listenerValidator, deriveEmerging } from './index.js';

const NOW = Date.UTC(2026, 0, 1);
const base = { type: 'play_end', eventId: 'e1', listenerId: 'u1', ts: '2024-05-01T10:00:00Z', trackId: 't1', msPlayed: 1000, endReason: 'trackdone' };

describe('events at the boundary', () => {
  it('accepts a good play_end and normalizes time, source and skip', () => {
    const r = checkEvent({ ...base }, 'app', NOW);
    expect(r).toEqual({ ok: true, value: { ...base, ts: Date.UTC(2024, 4, 1, 10), source: 'app', skipped: false } });
    const skip = checkEvent({ ...base, endReason: 'fwdbtn' }, 'app', NOW);
    expect(skip.ok && skip.value.skipped).toBe(true);
    const flagged = checkEvent({ ...base, endReason: 'fwdbtn', skipped: false, source: 'mine' }, 'app', NOW);
    expect(flagged.ok && [flagged.value.skipped, flagged.value.source]).toEqual([false, 'mine']);
    const scrobble = checkEvent({ type: 'play_end', eventId: 'e', listenerId: 'u', ts: 1714557600000, trackId: 't' }, 'x', NOW);
    expect(scrobble.ok && scrobble.value.skipped).toBeUndefined();
  });

  it.each([
    [{ ...base, msPlayed: -4 }, /^msPlayed: .*greater or equal to 0, got -4$/],
    [{ ...base, msPlayed: 'abc' }, /^msPlayed: .*got "abc"$/],
    [{ ...base, endReason: 'bored' }, /^endReason: /],
    [{ ...base, trackId: undefined }, /^trackId: .*missing$/],
    [{ ...base, extra: 1 }, /extra/],
    [{ ...base, ts: 'yesterday' }, /^ts: must be ISO-8601 or epoch milliseconds/],
    [{ ...base, ts: 1714557600 }, /^ts: is before 1990.*epoch seconds given as milliseconds\?/],
    [{ ...base, ts: '2030-01-01T00:00:00Z' }, /^ts: is in the future/],
    [{ ...base, type: 'dance' }, /^type: expected one of play_start, .*got "dance"$/],
    [{ ...base, context: { type: 'elevator' } }, /^context.type: /],
    [{ type: 'ban', eventId: 'e', listenerId: 'u', ts: 1714557600000 }, /ban needs exactly one of trackId or artistId/],
    [{ type: 'play_count', eventId: 'e', listenerId: 'u', ts: 1714557600000, artistId: 'a', count: 0 }, /^count: /],
    [[1, 2], /expected a JSON object/],
    [null, /expected a JSON object/],
  ])('rejects %j with a precise reason', (raw, reason) => {
    const r = checkEvent(raw, 'app', NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });

  it('accepts each event type in its minimal form', () => {
    const common = { eventId: 'e', listenerId: 'u', ts: 1714557600000 };
    for (const e of [
      { type: 'play_start', trackId: 't' },
      { type: 'skip', trackId: 't' },
      { type: 'like', trackId: 't' },
      { type: 'unlike', trackId: 't' },
      { type: 'save', trackId: 't' },
      { type: 'ban', artistId: 'a' },
      { type: 'add_to_playlist', trackId: 't', playlistId: 'p' },
      { type: 'play_count', trackId: 't', count: 3 },
    ]) {
      expect(checkEvent({ ...common, ...e }, 's', NOW).ok, e.type).toBe(true);
    }
  });
});

describe('catalog records', () => {
  const track = { id: 't1', title: 'Song', artists: [{ id: 'a1', name: 'A' }] };
  it('validates tracks: audio feature ranges, dates, markets, business attributes', () => {
    expect(trackValidator.check({ ...track, audio: { tempo: 120, energy: 0.4, key: 11, mode: 0 }, releaseDate: '2019', markets: ['US'], costTier: 2, promoted: { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' } }).ok).toBe(true);
    const bad = (x: object) => { const r = trackValidator.check({ ...track, ...x }); return r.ok ? 'ok' : r.error; };
    expect(bad({ audio: { energy: 1.5 } })).toMatch(/^audio.energy: .*got 1.5$/);
    expect(bad({ audio: { key: 12 } })).toMatch(/^audio.key: /);
    expect(bad({ releaseDate: '14/06/2019' })).toMatch(/^releaseDate: /);
    expect(bad({ markets: ['usa'] })).toMatch(/^markets.0: /);
    expect(bad({ promoted: { from: 'soon', to: '2024-02-01T00:00:00Z' } })).toMatch(/^promoted.from: /);
    expect(bad({ contentType: 'video' })).toMatch(/^contentType: /);
    expect(bad({ artists: [{ id: 'a1' }] })).toMatch(/^artists.0.name: .*missing$/);
  });
  it('validates artists and listeners', () => {
    expect(artistValidator.check({ id: 'a', name: 'A', emerging: true, debut: '2023-05' }).ok).toBe(true);
    expect(artistValidator.check({ id: 'a', name: '' }).ok).toBe(false);
    expect(listenerValidator.check({ id: 'u', country: 'SE', birthYear: 1990 }).ok).toBe(true);
    expect(listenerValidator.check({ id: 'u', country: 'Sweden' }).ok).toBe(false);
  });
  it('tells catalog lines from events by type in the NDJSON format', () => {
    const r = checkRecord({ type: 'track', ...track }, 's', NOW);
    expect(r.ok && r.record.kind).toBe('track');
    expect(r.ok && 'type' in r.record.value).toBe(false);
    const e = checkRecord({ ...base }, 's', NOW);
    expect(e.ok && e.record.kind).toBe('event');
    const u = checkRecord({ type: 'album', id: 'x' }, 's', NOW);
    expect(!u.ok && u.error).toMatch(/^type: expected one of track, artist, listener, playlist, play_start/);
  });
});

describe('timestamps', () => {
  it('reads ISO-8601 with and without zone, and epoch ms', () => {
    expect(parseTimestamp('2024-05-01T10:00:00Z', NOW)).toEqual({ ok: true, ms: Date.UTC(2024, 4, 1, 10) });
    expect(parseTimestamp('2024-05-01 10:00:00', NOW)).toEqual({ ok: true, ms: Date.UTC(2024, 4, 1, 10) });
    expect(parseTimestamp('2024-05-01T12:00:00+02:00', NOW)).toEqual({ ok: true, ms: Date.UTC(2024, 4, 1, 10) });
    expect(parseTimestamp(Date.UTC(2024, 4, 1), NOW)).toEqual({ ok: true, ms: Date.UTC(2024, 4, 1) });
    expect(parseTimestamp('2024-02-30T00:00:00Z', NOW).ok).toBe(true); // JS rolls it over; the shape is valid
    expect(parseTimestamp(Number.NaN, NOW).ok).toBe(false);
  });
});

describe('deriveEmerging', () => {
  it('honours a set flag, and otherwise needs few plays and a recent debut', () => {
    const now = Date.UTC(2025, 0, 1);
    const artists = [{ emerging: true }, {}, {}, { debut: '2010' }, {}];
    const plays = new Float64Array([1000, 1000, 1, 1, 5]);
    expect(Array.from(deriveEmerging(artists, plays, now))).toEqual([1, 0, 1, 0, 1]);
    expect(() => deriveEmerging(artists, new Float64Array(2), now)).toThrow(/5 artists but 2 play counts/);
    expect(deriveEmerging([], new Float64Array(0), now).length).toBe(0);
  });
});
