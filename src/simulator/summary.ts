import type { SimStats } from './sessions.js';

/**
 * Statistics to hold a simulation against real logs (REFERENCES.md, Simulation: compare skip
 * rate, session lengths, repeat share and the popularity curve with real histories).
 */
export interface SimSummary {
  plays: number;
  sessions: number;
  /** Skips / plays. */
  skipRate: number;
  /** Tracks per session: median, 90th percentile, mean. */
  sessionMedian: number;
  sessionP90: number;
  sessionMean: number;
  /** Share of plays going to the most played 1% of tracks. */
  top1PercentShare: number;
  /** Least-squares slope of ln(plays) on ln(rank) over the top 10% of tracks (Zipf's exponent, negated). */
  popularitySlope: number;
  /** Share of catalog tracks played at least once. */
  coverage: number;
  emergingShare: number;
  podcastShare: number;
  repeatShare: number;
  likesPerPlay: number;
  minutesPerSession: number;
}

/** The q-quantile (0..1) of a histogram whose bucket i counts items of value i. */
export function histogramQuantile(hist: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i]!;
  if (total === 0) return NaN;
  let c = 0;
  for (let i = 0; i < hist.length; i++) {
    c += hist[i]!;
    if (c >= q * total) return i;
  }
  return hist.length - 1;
}

/** Play counts sorted from most to least played. */
export function rankFrequency(plays: ArrayLike<number>): Float64Array {
  return Float64Array.from(plays).sort().reverse();
}

/** Share of all plays that go to the top `fraction` of items (at least one item). */
export function topShare(plays: ArrayLike<number>, fraction: number): number {
  const sorted = rankFrequency(plays);
  const k = Math.max(1, Math.ceil(sorted.length * fraction));
  let top = 0;
  let all = 0;
  for (let i = 0; i < sorted.length; i++) {
    all += sorted[i]!;
    if (i < k) top += sorted[i]!;
  }
  return all > 0 ? top / all : NaN;
}

/**
 * Slope of the log-log rank-frequency curve between ranks `from` and `to` (1-based,
 * inclusive; ranks with no plays are left out). Zipf's law with exponent s gives -s.
 */
export function rankFrequencySlope(plays: ArrayLike<number>, from: number, to: number): number {
  const sorted = rankFrequency(plays);
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let r = Math.max(1, from); r <= Math.min(to, sorted.length); r++) {
    const y = sorted[r - 1]!;
    if (y <= 0) break;
    const x = Math.log(r);
    const ly = Math.log(y);
    n++;
    sx += x;
    sy += ly;
    sxx += x * x;
    sxy += x * ly;
  }
  const den = n * sxx - sx * sx;
  return n < 2 || den === 0 ? NaN : (n * sxy - sx * sy) / den;
}

/** The summary of a simulation's running totals. */
export function summarize(s: SimStats): SimSummary {
  const T = s.trackPlays.length;
  let played = 0;
  for (let t = 0; t < T; t++) if (s.trackPlays[t]! > 0) played++;
  const per = (x: number, n: number): number => (n > 0 ? x / n : NaN);
  return {
    plays: s.plays,
    sessions: s.sessions,
    skipRate: per(s.skips, s.plays),
    sessionMedian: histogramQuantile(s.sessionLengths, 0.5),
    sessionP90: histogramQuantile(s.sessionLengths, 0.9),
    sessionMean: per(s.plays, s.sessions),
    top1PercentShare: topShare(s.trackPlays, 0.01),
    popularitySlope: rankFrequencySlope(s.trackPlays, 1, Math.ceil(T / 10)),
    coverage: per(played, T),
    emergingShare: per(s.emergingPlays, s.plays),
    podcastShare: per(s.podcastPlays, s.plays),
    repeatShare: per(s.repeatPlays, s.plays),
    likesPerPlay: per(s.likes, s.plays),
    minutesPerSession: per(s.msPlayed / 60_000, s.sessions),
  };
}
