import { describe, it, expect } from 'vitest';
import type { PlayLog } from '../models/index.js';
import { splitSessions } from './split.js';

const MIN = 60_000;
function log(rows: Array<[number, number, number]>): PlayLog {
  return {
    trackIds: [], listenerIds: [], length: rows.length,
    listener: Int32Array.from(rows, (r) => r[0]), track: Int32Array.from(rows, (r) => r[1]), ts: Float64Array.from(rows, (r) => r[2]),
    skipped: new Int8Array(rows.length), weight: new Float32Array(rows.length).fill(1),
  };
}

describe('splitSessions', () => {
  it('cuts sessions at gaps over 30 minutes and per listener, and tests on the latest 20%', () => {
    // Listener 0: sessions at t=0 (3 plays), t=100 min (2 plays); listener 1: t=10 (1 play), t=50, t=500 min.
    const l = log([
      [0, 1, 0], [0, 2, 3 * MIN], [0, 3, 6 * MIN], [0, 4, 100 * MIN], [0, 5, 103 * MIN],
      [1, 1, 10 * MIN], [1, 2, 50 * MIN], [1, 3, 500 * MIN],
    ]);
    const s = splitSessions(l);
    expect(s.sessions).toBe(5);
    expect(Array.from(s.start)).toEqual([0, 3, 5, 6, 7, 8]);
    // By start time: 0 (t0), 2 (t10), 3 (t50), 1 (t100), 4 (t500); 20% of 5 = 1 test session: the last.
    expect(s.testSessions).toBe(1);
    expect(Array.from(s.isTest)).toEqual([0, 0, 0, 0, 1]);
    expect(s.cutoffTs).toBe(500 * MIN);
    expect(Array.from(s.trainRow)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    // A gap of exactly 30 minutes does not cut.
    expect(splitSessions(log([[0, 1, 0], [0, 2, 30 * MIN]])).sessions).toBe(1);
    expect(splitSessions(log([[0, 1, 0], [0, 2, 30 * MIN + 1]])).sessions).toBe(2);
    expect(() => splitSessions(l, { testShare: 2 })).toThrow(/testShare/);
  });
});
