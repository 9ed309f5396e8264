/**
 * The console's view of the Prometheus metrics: counters and per-surface latency histograms
 * read from the text exposition (this process's, or the aggregate of every process of
 * `segue serve --workers N`), as JSON. Rates are the client's to take from two readings.
 */
export interface MetricsSummary {
  /** When the reading was taken (epoch ms). */
  at: number;
  events: { written: number; duplicate: number; rejected: number };
  /** HTTP requests answered, all routes. */
  requests: number;
  /** Per surface: recommendations answered, and the latency histogram of the 200s (cumulative buckets, seconds). */
  surfaces: Record<string, { count: number; sum: number; buckets: Array<{ le: number; count: number }> }>;
}

/** One sample line: `name{a="x",b="y"} value`; null for comments and blank lines. */
function sample(line: string): { name: string; labels: Record<string, string>; value: number } | null {
  if (line === '' || line.startsWith('#')) return null;
  // Label values escape backslash, double quote and line feed as \\, \" and \n (the text exposition format).
  const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
  if (!m) return null;
  const labels: Record<string, string> = {};
  for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
  return { name: m[1]!, labels, value };
}

export function summarizeMetrics(text: string, at = Date.now()): MetricsSummary {
  const out: MetricsSummary = { at, events: { written: 0, duplicate: 0, rejected: 0 }, requests: 0, surfaces: {} };
  const surface = (s: string) => (out.surfaces[s] ??= { count: 0, sum: 0, buckets: [] });
  for (const line of text.split('\n')) {
    const x = sample(line);
    if (x === null || !Number.isFinite(x.value)) continue;
    switch (x.name) {
      case 'segue_events_total': {
        const o = x.labels['outcome'] as keyof MetricsSummary['events'] | undefined;
        if (o !== undefined && o in out.events) out.events[o] += x.value;
        break;
      }
      case 'segue_http_request_duration_seconds_count':
        out.requests += x.value;
        break;
      case 'segue_recommend_duration_seconds_bucket': {
        const le = x.labels['le'] === '+Inf' ? Infinity : Number(x.labels['le']);
        if (x.labels['surface'] !== undefined && Number.isFinite(le)) surface(x.labels['surface']).buckets.push({ le, count: x.value });
        break;
      }
      case 'segue_recommend_duration_seconds_sum':
        if (x.labels['surface'] !== undefined) surface(x.labels['surface']).sum = x.value;
        break;
      case 'segue_recommend_duration_seconds_count':
        if (x.labels['surface'] !== undefined) surface(x.labels['surface']).count = x.value;
        break;
    }
  }
  for (const s of Object.values(out.surfaces)) s.buckets.sort((a, b) => a.le - b.le);
  return out;
}
