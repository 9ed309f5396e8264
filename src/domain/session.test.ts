import { describe, it, expect } from 'vitest';
import { DEFAULT_SESSION_GAP_MS, advanceSession, sessionId, sessionStarts, sessionStep, startsSession, type SessionCursor } from './session.js';

const MIN = 60_000;

describe('the session rule', () => {
  it('cuts at a gap strictly longer than the session gap', () => {
    expect(DEFAULT_SESSION_GAP_MS).toBe(30 * MIN);
    expect(startsSession(0, 30 * MIN, DEFAULT_SESSION_GAP_MS)).toBe(false);
    expect(startsSession(0, 30 * MIN + 1, DEFAULT_SESSION_GAP_MS)).toBe(true);
  });

  it('names a session by its listener and first event', () => {
    expect(sessionId('u1', 1714557600000)).toBe('u1@1714557600000');
  });

  it('opens, joins, and leaves a late event pending', () => {
    const c: SessionCursor = { id: null, start: -Infinity, lastTs: -Infinity };
    expect(sessionStep(c, 100 * MIN, 30 * MIN)).toBe('new');
    expect(advanceSession(c, 'u', 100 * MIN, 30 * MIN)).toBe(`u@${100 * MIN}`);
    // Within the gap of the latest event, also when out of order inside the span.
    expect(advanceSession(c, 'u', 120 * MIN, 30 * MIN)).toBe(`u@${100 * MIN}`);
    expect(advanceSession(c, 'u', 110 * MIN, 30 * MIN)).toBe(`u@${100 * MIN}`);
    expect(c.lastTs).toBe(120 * MIN);
    // Before the session's start: late, pending, and the cursor does not move.
    expect(sessionStep(c, 99 * MIN, 30 * MIN)).toBe('late');
    expect(advanceSession(c, 'u', 99 * MIN, 30 * MIN)).toBeNull();
    expect(c).toEqual({ id: `u@${100 * MIN}`, start: 100 * MIN, lastTs: 120 * MIN });
    // Past the gap: a new session.
    expect(advanceSession(c, 'u', 151 * MIN, 30 * MIN)).toBe(`u@${151 * MIN}`);
  });

  it('gives session starts over rows sorted by listener and time', () => {
    const listener = Int32Array.from([0, 0, 0, 1, 1]);
    const ts = Float64Array.from([0, 10 * MIN, 50 * MIN, 55 * MIN, 60 * MIN]);
    expect(Array.from(sessionStarts(listener, ts, 30 * MIN))).toEqual([0, 2, 3, 5]);
    expect(Array.from(sessionStarts([], [], 30 * MIN))).toEqual([0]);
  });
});
