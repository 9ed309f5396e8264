import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FOLD_BUCKETS } from '../features/index.js';

/** Prometheus metrics of one worker (its own registry), served on --metrics-port. */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly latency = new Histogram({
    name: 'segue_fold_latency_seconds', help: 'From publish on the bus to folded into the Redis state and persisted, per event',
    buckets: FOLD_BUCKETS, registers: [this.registry],
  });
  private readonly events = new Counter({ name: 'segue_worker_events_total', help: 'Events consumed, by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  private readonly exposures = new Counter({ name: 'segue_worker_exposures_total', help: 'Exposures logged', registers: [this.registry] });
  private readonly retries = new Counter({ name: 'segue_worker_retries_total', help: 'Retries of a service that did not answer', labelNames: ['service'] as const, registers: [this.registry] });
  readonly lag = new Gauge({ name: 'segue_consumer_lag', help: 'Messages of a partition not yet delivered (pending) or delivered and not acked (unacked)', labelNames: ['stream', 'partition', 'kind'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'segue_worker_' });
  }

  foldLatency(seconds: number): void {
    this.latency.observe(seconds);
  }
  persisted(written: number, duplicates: number): void {
    if (written) this.events.inc({ outcome: 'written' }, written);
    if (duplicates) this.events.inc({ outcome: 'duplicate' }, duplicates);
  }
  folded(n: number): void {
    if (n) this.events.inc({ outcome: 'folded' }, n);
  }
  heldBack(n: number): void {
    if (n) this.events.inc({ outcome: 'held_back' }, n);
  }
  refused(): void {
    this.events.inc({ outcome: 'refused' });
  }
  exposure(): void {
    this.exposures.inc();
  }
  retry(service: string): void {
    this.retries.inc({ service });
  }
}
