import type { PlayLog } from './dataset.js';

export interface PopularityConfig {
  /** Half-life of a play's weight in days; 0 for no decay (plain counts). Default 0. */
  halfLifeDays: number;
}
export const DEFAULT_POPULARITY: PopularityConfig = { halfLifeDays: 0 };

/**
 * Play counts per track over the given rows, optionally time-decayed toward `asOf`:
 * weight 2^(-(asOf - ts) / halfLife). The baseline every evaluation includes.
 *
 * @param rows 1 for rows to count (e.g. the training rows of a split); all rows when absent
 */
export function popularity(log: PlayLog, rows?: Uint8Array, cfg: Partial<PopularityConfig> = {}, asOf = Infinity): Float64Array {
  const c = { ...DEFAULT_POPULARITY, ...cfg };
  const out = new Float64Array(log.trackIds.length);
  const lambda = c.halfLifeDays > 0 ? Math.LN2 / (c.halfLifeDays * 86_400_000) : 0;
  let ref = asOf;
  if (lambda > 0 && !Number.isFinite(ref)) {
    ref = -Infinity;
    for (let i = 0; i < log.length; i++) if ((!rows || rows[i]) && log.ts[i]! > ref) ref = log.ts[i]!;
  }
  for (let i = 0; i < log.length; i++) {
    if (rows && !rows[i]) continue;
    out[log.track[i]!]! += log.weight[i]! * (lambda > 0 ? Math.exp(-lambda * (ref - log.ts[i]!)) : 1);
  }
  return out;
}
