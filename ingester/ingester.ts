/**
 * The in-process ingester: per-tenant heads behind the IngesterClient seam. Holds data in
 * memory only (the WAL and blocks are the next step); constructing it does no I/O.
 */

import { Counter, Gauge, type Registry } from 'prom-client';
import { discardedMetadataCounter, discardedSamplesCounter } from '../distributor/metrics.js';
import type { MetricMetadata } from '../proto/write-batch.js';
import type { Labels } from '../tsdb/labels.js';
import { compareLabels } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { type SeriesSet, emptySeriesSet } from '../tsdb/storage.js';
import type { Overrides } from '../util/limits.js';
import type { IngesterClient, IngesterPush, IngesterPushResult } from './client.js';
import { type AppendTally, TenantHead } from './head.js';
import { MetadataStore } from './metadata.js';

export interface IngesterLogger {
  warn(obj: object, msg: string): void;
}

export interface IngesterOptions {
  readonly overrides: Overrides;
  readonly registry: Registry;
  readonly logger?: IngesterLogger;
}

export class Ingester implements IngesterClient {
  private readonly heads = new Map<string, TenantHead>();
  private readonly metadataStores = new Map<string, MetadataStore>();
  private readonly memSeries: Gauge;
  private readonly memUsers: Gauge;
  private readonly created: Counter<'user'>;
  private readonly ingested: Counter;
  private readonly ingestedFailures: Counter;
  private readonly discarded: Counter<'reason' | 'user'>;
  private readonly discardedMetadata: Counter<'reason' | 'user'>;
  private seriesTotal = 0;

  constructor(private readonly opts: IngesterOptions) {
    const r = [opts.registry];
    this.memSeries = new Gauge({ name: 'vigil_ingester_memory_series', help: 'Series held in memory by the ingester.', registers: r, collect: () => this.memSeries.set(this.seriesTotal) });
    this.memUsers = new Gauge({ name: 'vigil_ingester_memory_users', help: 'Tenants with series in memory.', registers: r, collect: () => this.memUsers.set(this.heads.size) });
    this.created = new Counter({ name: 'vigil_ingester_memory_series_created_total', help: 'Series created in memory, per tenant.', labelNames: ['user'], registers: r });
    this.ingested = new Counter({ name: 'vigil_ingester_ingested_samples_total', help: 'Samples stored by the ingester.', registers: r });
    this.ingestedFailures = new Counter({ name: 'vigil_ingester_ingested_samples_failures_total', help: 'Samples the ingester refused.', registers: r });
    this.discarded = discardedSamplesCounter(opts.registry);
    this.discardedMetadata = discardedMetadataCounter(opts.registry);
  }

  private head(tenant: string): TenantHead {
    let h = this.heads.get(tenant);
    if (!h) {
      h = new TenantHead(tenant);
      this.heads.set(tenant, h);
    }
    return h;
  }

  async push(tenant: string, req: IngesterPush): Promise<IngesterPushResult> {
    const limits = this.opts.overrides.forTenant(tenant);
    const head = this.head(tenant);
    const tally: AppendTally = { appended: 0, discarded: 0, firstError: null, reasons: new Map(), createdSeries: 0 };
    head.append(req.batch, req.series, req.seriesCount, limits, tally);
    if (tally.createdSeries > 0) {
      this.seriesTotal += tally.createdSeries;
      this.created.inc({ user: tenant }, tally.createdSeries);
    }
    if (tally.appended > 0) this.ingested.inc(tally.appended);
    let refused = 0;
    for (const [reason, n] of tally.reasons) {
      this.discarded.inc({ reason, user: tenant }, n);
      refused += n;
    }
    if (refused > 0) this.ingestedFailures.inc(refused);
    if (req.metadata.length > 0) {
      let store = this.metadataStores.get(tenant);
      if (!store) {
        store = new MetadataStore();
        this.metadataStores.set(tenant, store);
      }
      for (const md of req.metadata) {
        const reason = store.add(md, limits);
        if (reason) this.discardedMetadata.inc({ reason, user: tenant });
      }
    }
    return { samplesAppended: tally.appended, samplesDiscarded: refused, firstError: tally.firstError };
  }

  async select(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesSet> {
    return this.heads.get(tenant)?.select(mint, maxt, matchers) ?? emptySeriesSet;
  }

  async series(tenant: string, mint: number, maxt: number, matcherSets: readonly (readonly Matcher[])[]): Promise<Labels[]> {
    const head = this.heads.get(tenant);
    if (!head) return [];
    const seen = new Set<number>();
    const out: Labels[] = [];
    for (const ms of matcherSets) {
      for (const s of head.matching(mint, maxt, ms)) {
        if (seen.has(s.ref)) continue;
        seen.add(s.ref);
        out.push(s.labels());
      }
    }
    return matcherSets.length > 1 ? out.sort(compareLabels) : out;
  }

  async labelNames(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]> {
    return this.heads.get(tenant)?.labelNames(mint, maxt, matchers) ?? [];
  }

  async labelValues(tenant: string, name: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]> {
    return this.heads.get(tenant)?.labelValues(name, mint, maxt, matchers) ?? [];
  }

  async metadata(tenant: string, metric: string | null): Promise<MetricMetadata[]> {
    return this.metadataStores.get(tenant)?.get(metric) ?? [];
  }
}
