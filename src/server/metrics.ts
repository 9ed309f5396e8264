import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { Serving } from './serving.js';

/** Prometheus metrics of one server (its own registry: several servers in a process do not collide). */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly duration = new Histogram({
    name: 'segue_http_request_duration_seconds', help: 'HTTP request latency by route and status', labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  private readonly surfaceDuration = new Histogram({
    name: 'segue_recommend_duration_seconds', help: 'Latency of recommend requests answered 200, by surface', labelNames: ['surface'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  private readonly ingested = new Counter({ name: 'segue_events_total', help: 'Events received over HTTP, by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  private readonly served = new Counter({ name: 'segue_recommendations_total', help: 'Recommendation responses, by surface', labelNames: ['surface'] as const, registers: [this.registry] });
  private readonly modelVersion = new Gauge({ name: 'segue_model_version', help: 'Model version the server answers with (the oldest, across the processes of --workers)', labelNames: ['model'] as const, registers: [this.registry], aggregator: 'min' });
  private readonly ready = new Gauge({ name: 'segue_ready', help: '1 when the server has models to serve (every process of --workers)', registers: [this.registry], aggregator: 'min' });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'segue_' });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observe(method: string, route: string, status: number, seconds: number, surface?: string): void {
    this.duration.observe({ method, route, status: String(status) }, seconds);
    if (surface !== undefined && status === 200 && route === '/v1/recommend/:surface') this.surfaceDuration.observe({ surface }, seconds);
  }

  events(written: number, duplicates: number, rejected: number): void {
    if (written) this.ingested.inc({ outcome: 'written' }, written);
    if (duplicates) this.ingested.inc({ outcome: 'duplicate' }, duplicates);
    if (rejected) this.ingested.inc({ outcome: 'rejected' }, rejected);
  }

  recommendation(surface: string): void {
    this.served.inc({ surface });
  }

  async render(serving: Serving): Promise<string> {
    this.update(serving);
    // On a stateless node: the cluster's fold latency, which the workers keep in Redis.
    const state = serving.surfaces?.reco.state as { cluster?: { foldLatencyMetric(): Promise<string> } } | undefined;
    const fold = (await state?.cluster?.foldLatencyMetric().catch(() => '')) ?? '';
    return (await this.registry.metrics()) + fold;
  }

  /** The metrics as objects, for the aggregate of several processes. */
  async snapshot(serving: Serving): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    this.update(serving);
    return this.registry.getMetricsAsJSON();
  }

  private update(serving: Serving): void {
    this.ready.set(serving.surfaces ? 1 : 0);
    this.modelVersion.reset();
    for (const [model, v] of Object.entries(serving.surfaces?.reco.versions ?? {})) this.modelVersion.set({ model }, v);
  }
}
