/** Earliest timestamp Segue accepts: 1990-01-01, before any digital listening log. */
export const MIN_TS = Date.UTC(1990, 0, 1);
/** Clock skew tolerated for timestamps in the future. */
export const MAX_FUTURE_MS = 24 * 3600 * 1000;

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parse a timestamp given as epoch milliseconds or an ISO-8601 string into epoch ms.
 * Returns an error sentence for anything else, or for a time outside [1990, now + 1 day].
 *
 * @example parseTimestamp('2023-02-25T11:20:37Z') // { ok: true, ms: 1677324037000 }
 */
export function parseTimestamp(value: unknown, now = Date.now()): { ok: true; ms: number } | { ok: false; error: string } {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, error: `must be a finite number, got ${value}` };
    ms = Math.round(value);
  } else if (typeof value === 'string') {
    if (!ISO.test(value)) return { ok: false, error: `must be ISO-8601 or epoch milliseconds, got ${JSON.stringify(value).slice(0, 40)}` };
    // A date-time without a zone is read as UTC: logs are exported in UTC.
    const zoned = /[T ]\d{2}:\d{2}/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
    ms = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isNaN(ms)) return { ok: false, error: `is not a valid date, got ${JSON.stringify(value)}` };
  } else {
    return { ok: false, error: `must be ISO-8601 or epoch milliseconds, got ${typeof value}` };
  }
  if (ms < MIN_TS) return { ok: false, error: `is before 1990-01-01 (${new Date(ms).toISOString()}); epoch seconds given as milliseconds?` };
  if (ms > now + MAX_FUTURE_MS) return { ok: false, error: `is in the future (${new Date(ms).toISOString()})` };
  return { ok: true, ms };
}
