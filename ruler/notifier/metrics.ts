/**
 * The notifier's self-metrics, Prometheus's prometheus_notifications_* with the vigil_ruler_
 * prefix. Unlike Prometheus 2.42, `sent_total` counts alerts an Alertmanager accepted (2.42
 * also counted failed sends); `errors_total` counts failed deliveries of a batch (after retries);
 * `dropped_total` counts alerts lost to a full queue, to a batch no Alertmanager accepted, or to
 * shutdown.
 */

import { Counter, Gauge, type Registry, Summary } from 'prom-client';

export class NotifierMetrics {
  readonly sent: Counter<'alertmanager'>;
  readonly errors: Counter<'alertmanager'>;
  readonly dropped: Counter;
  readonly queueLength: Gauge;
  readonly queueCapacity: Gauge;
  readonly latency: Summary<'alertmanager'>;

  constructor(registry: Registry, capacity: number, queueLength: () => number, alertmanagers: readonly string[]) {
    const registers = [registry];
    const labelNames = ['alertmanager'] as const;
    this.sent = new Counter({ name: 'vigil_ruler_notifications_sent_total', help: 'Alerts an Alertmanager accepted.', labelNames, registers });
    this.errors = new Counter({ name: 'vigil_ruler_notifications_errors_total', help: 'Batches of alerts that could not be delivered to an Alertmanager, retries included.', labelNames, registers });
    this.dropped = new Counter({ name: 'vigil_ruler_notifications_dropped_total', help: 'Alerts dropped: queue full, no Alertmanager accepted their batch, or still queued at shutdown.', registers });
    this.queueLength = new Gauge({
      name: 'vigil_ruler_notifications_queue_length',
      help: 'Alerts waiting in the queue.',
      registers,
      collect() {
        this.set(queueLength());
      },
    });
    this.queueCapacity = new Gauge({ name: 'vigil_ruler_notifications_queue_capacity', help: 'Capacity of the alert queue.', registers });
    this.queueCapacity.set(capacity);
    this.latency = new Summary({
      name: 'vigil_ruler_notifications_latency_seconds',
      help: 'Time to deliver a batch of alerts to an Alertmanager, retries included.',
      labelNames,
      percentiles: [0.5, 0.9, 0.99],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers,
    });
    for (const am of alertmanagers) {
      this.sent.labels(am).inc(0);
      this.errors.labels(am).inc(0);
    }
  }
}
