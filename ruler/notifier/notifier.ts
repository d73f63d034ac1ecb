/**
 * The ruler's Alertmanager notifier, after Prometheus 2.42's notifier.Manager with Cortex's ruler
 * options: `send` queues alerts at once (never blocks); one loop takes batches of at most 64
 * alerts of one tenant and POSTs each batch to every Alertmanager in parallel (one request at a
 * time per Alertmanager), as a v2 PostableAlerts body with `X-Scope-OrgID: <tenant>`. A batch is
 * delivered when at least one Alertmanager accepted it; otherwise its alerts count as dropped.
 * `stop` sends what is queued for at most the drain bound, then drops the rest.
 */

import { Agent } from 'undici';
import type { Registry } from 'prom-client';
import { AlertmanagerEndpoint, type DeliveryResult } from './alertmanager-client.js';
import { NotifierMetrics } from './metrics.js';
import { labelsToSend, type NotifierAlert, postableAlertJSON, postableAlertsBody } from './payload.js';
import { AlertQueue, type QueuedAlert } from './queue.js';

export type { NotifierAlert } from './payload.js';

/** Prometheus's maxBatchSize: alerts per POST, at most. */
export const MAX_BATCH_SIZE = 64;

/** The part of a logger the notifier uses (pino's Logger fits). */
export interface NotifierLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface NotifierOptions {
  /** -ruler.alertmanager-url: base URLs, each with its path prefix. */
  readonly alertmanagerURLs: readonly string[];
  /** -ruler.notification-queue-capacity */
  readonly queueCapacity: number;
  /** -ruler.notification-timeout: bound on one batch's delivery to one Alertmanager, retries included. */
  readonly timeoutMs: number;
  /** -ruler.external-labels: added to each alert lacking a label of that name. */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** -ruler.alertmanager-tenant-label: set to the tenant on every alert; empty: not set. */
  readonly tenantLabel: string;
  readonly registry: Registry;
  readonly logger?: NotifierLogger;
  /** Default `Vigil`. */
  readonly userAgent?: string;
  /** Longest `stop` keeps sending queued alerts; default timeoutMs. */
  readonly drainTimeoutMs?: number;
}

export class Notifier {
  private readonly queue: AlertQueue;
  private readonly endpoints: readonly AlertmanagerEndpoint[];
  private readonly agent = new Agent({ keepAliveTimeout: 30_000 });
  private readonly metrics: NotifierMetrics;
  /** Aborted when the drain bound passes: requests in flight end, the loop stops. */
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private draining = false;
  private stopped: Promise<void> | null = null;

  /** No I/O here. */
  constructor(private readonly opts: NotifierOptions) {
    this.queue = new AlertQueue(opts.queueCapacity);
    const ua = opts.userAgent ?? 'Vigil';
    const byURL = new Map<string, AlertmanagerEndpoint>();
    for (const u of opts.alertmanagerURLs) {
      const ep = new AlertmanagerEndpoint(u, this.agent, ua);
      if (!byURL.has(ep.url)) byURL.set(ep.url, ep);
    }
    this.endpoints = [...byURL.values()];
    this.metrics = new NotifierMetrics(
      opts.registry,
      opts.queueCapacity,
      () => this.queue.length,
      this.endpoints.map((e) => e.url),
    );
  }

  /** The URLs alerts are POSTed to (deduplicated). */
  alertmanagers(): string[] {
    return this.endpoints.map((e) => e.url);
  }

  /** Alerts waiting to be sent. */
  queueLength(): number {
    return this.queue.length;
  }

  /** Queues the tenant's alerts (external and tenant labels applied now); never blocks. */
  send(tenant: string, alerts: readonly NotifierAlert[]): void {
    if (alerts.length === 0) return;
    if (this.draining || this.endpoints.length === 0) {
      this.metrics.dropped.inc(alerts.length);
      return;
    }
    const { externalLabels, tenantLabel } = this.opts;
    const items: QueuedAlert[] = alerts.map((a) => ({ tenant, json: postableAlertJSON(a, labelsToSend(a, externalLabels, tenantLabel, tenant)) }));
    const dropped = this.queue.push(items);
    if (dropped > 0) {
      this.metrics.dropped.inc(dropped);
      this.opts.logger?.warn({ dropped, capacity: this.queue.capacity }, 'alert notification queue full, dropping the oldest alerts');
    }
    this.signal();
  }

  /** Starts the send loop. */
  start(): void {
    if (this.loop !== null || this.stopped !== null) return;
    this.loop = this.run();
  }

  /** Sends what is queued for at most the drain bound, drops the rest, closes connections. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.draining = true;
    this.signal();
    const bound = setTimeout(() => this.abort.abort(), this.opts.drainTimeoutMs ?? this.opts.timeoutMs);
    try {
      if (this.loop !== null) await this.loop;
    } finally {
      clearTimeout(bound);
    }
    this.abort.abort();
    const left = this.queue.clear();
    if (left > 0) {
      this.metrics.dropped.inc(left);
      this.opts.logger?.warn({ dropped: left }, 'alerts still queued at shutdown were dropped');
    }
    await this.agent.close();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async run(): Promise<void> {
    const stop = this.abort.signal;
    while (!stop.aborted) {
      if (this.queue.length === 0) {
        if (this.draining) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      const batch = this.queue.takeBatch(MAX_BATCH_SIZE);
      try {
        await this.sendAll(batch, stop);
      } catch (e) {
        // Not expected (deliver reports failures as results); keep the loop alive regardless.
        this.metrics.dropped.inc(batch.length);
        this.opts.logger?.error({ err: e }, 'sending alerts failed');
      }
    }
  }

  /** One batch to every Alertmanager at once; true when at least one accepted it. */
  private async sendAll(batch: readonly QueuedAlert[], stop: AbortSignal): Promise<boolean> {
    const tenant = batch[0]!.tenant;
    const body = postableAlertsBody(batch.map((a) => a.json));
    const results = await Promise.all(this.endpoints.map((ep) => this.sendOne(ep, tenant, body, batch.length, stop)));
    const ok = results.some((r) => r.ok);
    if (!ok) this.metrics.dropped.inc(batch.length);
    return ok;
  }

  private async sendOne(ep: AlertmanagerEndpoint, tenant: string, body: string, count: number, stop: AbortSignal): Promise<DeliveryResult> {
    const begin = performance.now();
    const r = await ep.deliver(tenant, body, this.opts.timeoutMs, stop);
    this.metrics.latency.labels(ep.url).observe((performance.now() - begin) / 1000);
    if (r.ok) {
      this.metrics.sent.labels(ep.url).inc(count);
    } else {
      this.metrics.errors.labels(ep.url).inc();
      this.opts.logger?.error({ alertmanager: ep.url, tenant, count, attempts: r.attempts, err: r.error }, 'error sending alerts');
    }
    return r;
  }
}
