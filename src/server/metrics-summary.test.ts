import { describe, it, expect } from 'vitest';
import { summarizeMetrics } from './metrics-summary.js';

describe('summarizeMetrics', () => {
  it('reads counters and per-surface histograms from the Prometheus text, whatever the label values hold', () => {
    const text = [
      '# HELP segue_events_total Events received over HTTP, by outcome',
      '# TYPE segue_events_total counter',
      'segue_events_total{outcome="written"} 12',
      'segue_events_total{outcome="duplicate"} 3',
      'segue_events_total{outcome="rejected"} 1',
      'segue_events_total{outcome="invented"} 100',
      'segue_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/search",status="200"} 5',
      'segue_http_request_duration_seconds_count{method="GET",route="/v1/search",status="200"} 5',
      'segue_http_request_duration_seconds_count{method="POST",route="/v1/recommend/:surface",status="200"} 7',
      '',
      // Buckets out of order are sorted; +Inf is the count, not a bucket.
      'segue_recommend_duration_seconds_bucket{le="0.01",surface="radio"} 2',
      'segue_recommend_duration_seconds_bucket{le="0.005",surface="radio"} 1',
      'segue_recommend_duration_seconds_bucket{le="+Inf",surface="radio"} 3',
      'segue_recommend_duration_seconds_sum{surface="radio"} 0.0123',
      'segue_recommend_duration_seconds_count{surface="radio"} 3',
      // Escaped label values (text format: \\, \" and \n), with a comma and braces inside.
      'segue_recommend_duration_seconds_bucket{le="0.001",surface="say \\"hi\\", {x}"} 4',
      'segue_recommend_duration_seconds_count{surface="say \\"hi\\", {x}"} 4',
      'segue_recommend_duration_seconds_count{surface="back\\\\slash\\nline"} 2 1700000000000',
      'segue_recommend_duration_seconds_count 9',
    ].join('\n');
    expect(summarizeMetrics(text, 42)).toEqual({
      at: 42,
      events: { written: 12, duplicate: 3, rejected: 1 },
      requests: 12,
      surfaces: {
        radio: { count: 3, sum: 0.0123, buckets: [{ le: 0.005, count: 1 }, { le: 0.01, count: 2 }] },
        'say "hi", {x}': { count: 4, sum: 0, buckets: [{ le: 0.001, count: 4 }] },
        'back\\slash\nline': { count: 2, sum: 0, buckets: [] },
      },
    });
  });

  it('is empty for no metrics', () => {
    expect(summarizeMetrics('', 1)).toEqual({ at: 1, events: { written: 0, duplicate: 0, rejected: 0 }, requests: 0, surfaces: {} });
  });
});
