import type { PlayLog } from '../models/index.js';
import { DEFAULT_SESSION_GAP_MS, sessionStarts } from '../domain/index.js';

/**
 * The temporal next-track protocol of issue 3 (comparable with published session-based
 * figures, e.g. Ludewig and Jannach 2018): plays ordered by time per listener, sessions cut
 * at gaps over `gapMs` (30 minutes), the last `testShare` (20%) of sessions by start time
 * form the test set, everything before is training.
 */
export interface SessionSplit {
  /** Session boundaries over the log's rows: session s is rows start[s] .. start[s + 1). */
  start: Int32Array;
  /** 1 for a test session. */
  isTest: Uint8Array;
  /** 1 for a training row. */
  trainRow: Uint8Array;
  /** Start time of the first test session: training is everything before it. */
  cutoffTs: number;
  sessions: number;
  testSessions: number;
}

export function splitSessions(log: PlayLog, opts: { gapMs?: number; testShare?: number } = {}): SessionSplit {
  const gap = opts.gapMs ?? DEFAULT_SESSION_GAP_MS;
  const share = opts.testShare ?? 0.2;
  if (!(share >= 0 && share <= 1)) throw new RangeError(`testShare must be in [0, 1], got ${share}`);
  const start = sessionStarts(log.listener, log.ts, gap);
  const sessions = start.length - 1;
  // Sessions by start time (ties by position in the log): the last share are the test set.
  const order = Uint32Array.from({ length: sessions }, (_, i) => i).sort((a, b) => log.ts[start[a]!]! - log.ts[start[b]!]! || a - b);
  const testSessions = Math.round(sessions * share);
  const isTest = new Uint8Array(sessions);
  for (let r = sessions - testSessions; r < sessions; r++) isTest[order[r]!] = 1;
  const cutoffTs = testSessions > 0 ? log.ts[start[order[sessions - testSessions]!]!]! : Infinity;
  const trainRow = new Uint8Array(log.length);
  for (let s = 0; s < sessions; s++) if (!isTest[s]) trainRow.fill(1, start[s]!, start[s + 1]!);
  return { start, isTest, trainRow, cutoffTs, sessions, testSessions };
}
