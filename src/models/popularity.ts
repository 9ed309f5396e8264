import type { PlayLog } from './dataset.js';

export interface PopularityConfig {
  /** Half-life of a play's weight in days; 0 for no decay (plain counts). Default 0. */
  halfLifeDays: number;
  /** Window of the trending list, in days before the latest play. Default 7. */
  trendingDays: number;
  /** A track released at most this many days before the latest play is a new release. Default 28. */
  newReleaseDays: number;
}
export const DEFAULT_POPULARITY: PopularityConfig = { halfLifeDays: 0, trendingDays: 7, newReleaseDays: 28 };

const DAY = 86_400_000;

/**
 * Play counts per track over the given rows, optionally time-decayed toward `asOf`:
 * weight 2^(-(asOf - ts) / halfLife). The baseline every evaluation includes.
 *
 * @param rows 1 for rows to count (e.g. the training rows of a split); all rows when absent
 */
export function popularity(log: PlayLog, rows?: Uint8Array, cfg: Partial<PopularityConfig> = {}, asOf = Infinity): Float64Array {
  const c = { ...DEFAULT_POPULARITY, ...cfg };
  const out = new Float64Array(log.trackIds.length);
  const lambda = c.halfLifeDays > 0 ? Math.LN2 / (c.halfLifeDays * DAY) : 0;
  let ref = asOf;
  if (lambda > 0 && !Number.isFinite(ref)) ref = latest(log, rows);
  for (let i = 0; i < log.length; i++) {
    if (rows && !rows[i]) continue;
    out[log.track[i]!]! += log.weight[i]! * (lambda > 0 ? Math.exp(-lambda * (ref - log.ts[i]!)) : 1);
  }
  return out;
}

function latest(log: PlayLog, rows?: Uint8Array): number {
  let ref = -Infinity;
  for (let i = 0; i < log.length; i++) if ((!rows || rows[i]) && log.ts[i]! > ref) ref = log.ts[i]!;
  return ref;
}

/** The three lists of the popularity model, one score per track ix (0: not on the list). */
export interface PopularityTables {
  /** Time-decayed play counts (`halfLifeDays`). */
  popular: Float64Array;
  /**
   * Trending: r * ln((r + 1) / (e + 1)) when positive, where r is the track's plays in the
   * latest `trendingDays` and e the plays its earlier rate predicts for such a window.
   */
  trending: Float64Array;
  /** New releases: 1 + popular for tracks released in the latest `newReleaseDays`, else 0. */
  fresh: Float64Array;
  /** The latest play's time (epoch ms) the lists are computed at. */
  asOf: number;
}

// The release time of a track is the domain's (features' track table reads it too).
export { releaseMs } from '../domain/index.js';

/**
 * Popular, trending and new-release lists from the plays (and, for new releases, each
 * track's release time in epoch ms, NaN when unknown).
 *
 * @example popularityTables(log, releases, { trendingDays: 7 }).trending
 */
export function popularityTables(log: PlayLog, release: Float64Array, cfg: Partial<PopularityConfig> = {}, rows?: Uint8Array): PopularityTables {
  const c = { ...DEFAULT_POPULARITY, ...cfg };
  const n = log.trackIds.length;
  const asOf = latest(log, rows);
  const popular = popularity(log, rows, c, asOf);
  const trending = new Float64Array(n), fresh = new Float64Array(n);
  if (!Number.isFinite(asOf)) return { popular, trending, fresh, asOf: 0 };
  let first = Infinity;
  for (let i = 0; i < log.length; i++) if ((!rows || rows[i]) && log.ts[i]! < first) first = log.ts[i]!;
  const cut = asOf - c.trendingDays * DAY;
  const recent = new Float64Array(n), before = new Float64Array(n);
  for (let i = 0; i < log.length; i++) {
    if (rows && !rows[i]) continue;
    (log.ts[i]! > cut ? recent : before)[log.track[i]!]! += log.weight[i]!;
  }
  const span = Math.max(0, cut - first);
  const scale = span > 0 ? (c.trendingDays * DAY) / span : 0;
  for (let t = 0; t < n; t++) {
    const r = recent[t]!;
    if (r === 0) continue;
    const v = r * Math.log((r + 1) / (before[t]! * scale + 1));
    trending[t] = v > 0 ? v : 0;
  }
  const from = asOf - c.newReleaseDays * DAY;
  for (let t = 0; t < n && t < release.length; t++) {
    const r = release[t]!;
    if (r > from && r <= asOf + DAY) fresh[t] = 1 + popular[t]!;
  }
  return { popular, trending, fresh, asOf };
}
