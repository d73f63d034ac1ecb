/**
 * The in-process ingester: per-tenant TSDBs (head, WAL, local blocks) behind the IngesterClient
 * seam, with the loops that cut blocks and ship them to the bucket. Constructing it does no
 * I/O; start() replays every tenant's WAL found on disk, stop() (optionally) cuts and ships
 * everything, then closes the WALs. Without a TSDB directory everything stays in memory.
 */

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, type Registry } from 'prom-client';
import { discardedMetadataCounter, discardedSamplesCounter } from '../distributor/metrics.js';
import type { Bucket } from '../objstore/bucket.js';
import type { MetricMetadata } from '../proto/write-batch.js';
import type { BlockMeta } from '../tsdb/block/meta.js';
import type { Labels } from '../tsdb/labels.js';
import { compareLabels } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { type SeriesSet, emptySeriesSet } from '../tsdb/storage.js';
import type { FsyncPolicy } from '../tsdb/wal/wal.js';
import type { Overrides } from '../util/limits.js';
import type { IngesterClient, IngesterPush, IngesterPushResult } from './client.js';
import type { AppendTally } from './head.js';
import { DEFAULT_CHUNK_RANGE_MS } from './series.js';
import { updateBucketIndex } from '../store/bucket-index.js';
import { Shipper } from './shipper.js';
import type { ExemplarTally, SeriesExemplars } from './exemplars.js';
import { TenantDB, type TenantDBLogger } from './tenant-db.js';
import { TsdbMetrics } from './tsdb-metrics.js';

export interface IngesterLogger extends TenantDBLogger {}

export interface IngesterTsdbOptions {
  readonly dir: string;
  readonly blockRangeMs: number;
  readonly retentionMs: number;
  readonly headCompactionIntervalMs: number;
  readonly shipIntervalMs: number;
  readonly shipConcurrency: number;
  readonly flushOnShutdown: boolean;
  readonly wal: { readonly fsync: FsyncPolicy; readonly fsyncIntervalMs: number; readonly segmentSize: number; readonly compress: boolean };
}

export interface IngesterOptions {
  readonly overrides: Overrides;
  readonly registry: Registry;
  readonly logger?: IngesterLogger;
  /** This ingester's id; shipped blocks carry it as `__ingester_id__`. */
  readonly id?: string;
  /** Durable storage; absent = memory only. */
  readonly tsdb?: IngesterTsdbOptions;
  /** Where blocks are shipped; absent = blocks stay local. */
  readonly bucket?: Bucket;
}

const silent: IngesterLogger = { info: () => {}, warn: () => {}, error: () => {} };

export class Ingester implements IngesterClient {
  private readonly dbs = new Map<string, TenantDB>();
  private readonly opening = new Map<string, Promise<TenantDB>>();
  private readonly shippers = new Map<string, Shipper>();
  private readonly logger: IngesterLogger;
  private readonly tsdbMetrics: TsdbMetrics;
  private readonly memSeries: Gauge;
  private readonly memUsers: Gauge;
  private readonly created: Counter<'user'>;
  private readonly ingested: Counter;
  private readonly ingestedFailures: Counter;
  private readonly discarded: Counter<'reason' | 'user'>;
  private readonly discardedMetadata: Counter<'reason' | 'user'>;
  private readonly exemplarsAppended: Counter<'user'>;
  private readonly exemplarsOutOfOrder: Counter<'user'>;
  private timers: NodeJS.Timeout[] = [];
  private compacting: Promise<unknown> = Promise.resolve();
  private shipping: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: IngesterOptions) {
    this.logger = opts.logger ?? silent;
    const r = [opts.registry];
    this.memSeries = new Gauge({
      name: 'vigil_ingester_memory_series',
      help: 'Series held in memory by the ingester.',
      registers: r,
      collect: () => {
        let n = 0;
        for (const db of this.dbs.values()) n += db.head.numSeries();
        this.memSeries.set(n);
      },
    });
    this.memUsers = new Gauge({ name: 'vigil_ingester_memory_users', help: 'Tenants with series in memory.', registers: r, collect: () => this.memUsers.set(this.dbs.size) });
    this.created = new Counter({ name: 'vigil_ingester_memory_series_created_total', help: 'Series created in memory, per tenant.', labelNames: ['user'], registers: r });
    this.ingested = new Counter({ name: 'vigil_ingester_ingested_samples_total', help: 'Samples stored by the ingester.', registers: r });
    this.ingestedFailures = new Counter({ name: 'vigil_ingester_ingested_samples_failures_total', help: 'Samples the ingester refused.', registers: r });
    this.discarded = discardedSamplesCounter(opts.registry);
    this.discardedMetadata = discardedMetadataCounter(opts.registry);
    this.tsdbMetrics = new TsdbMetrics(opts.registry);
    this.exemplarsAppended = new Counter({ name: 'vigil_ingester_tsdb_exemplar_exemplars_appended_total', help: 'Exemplars stored, per tenant.', labelNames: ['user'], registers: r });
    this.exemplarsOutOfOrder = new Counter({
      name: 'vigil_ingester_tsdb_exemplar_out_of_order_exemplars_total',
      help: 'Exemplars refused because they were not newer than the newest of their series, per tenant.',
      labelNames: ['user'],
      registers: r,
    });
    const inStorage: Gauge<'user'> = new Gauge({
      name: 'vigil_ingester_tsdb_exemplar_exemplars_in_storage',
      help: 'Exemplars held in memory, per tenant (at most its max_exemplars).',
      labelNames: ['user'],
      registers: r,
      collect: () => {
        inStorage.reset();
        for (const db of this.dbs.values()) if (db.exemplars.capacity > 0) inStorage.set({ user: db.tenant }, db.exemplars.size);
      },
    });
  }

  private get id(): string {
    return this.opts.id ?? 'ingester';
  }

  private tenantDir(tenant: string): string | null {
    return this.opts.tsdb ? join(this.opts.tsdb.dir, tenant) : null;
  }

  private db(tenant: string): TenantDB | Promise<TenantDB> {
    const db = this.dbs.get(tenant);
    if (db) return db;
    let p = this.opening.get(tenant);
    if (!p) {
      const t = this.opts.tsdb;
      p = TenantDB.open({
        tenant,
        dir: this.tenantDir(tenant),
        blockRange: t?.blockRangeMs ?? DEFAULT_CHUNK_RANGE_MS,
        ingesterId: this.id,
        wal: t?.wal ?? { fsync: 'never', fsyncIntervalMs: 1000, segmentSize: 128 << 20, compress: false },
        logger: this.logger,
        metrics: this.tsdbMetrics,
        maxExemplars: this.opts.overrides.forTenant(tenant).max_exemplars,
      }).then(
        (d) => {
          this.dbs.set(tenant, d);
          this.opening.delete(tenant);
          return d;
        },
        (e: unknown) => {
          this.opening.delete(tenant);
          throw e;
        },
      );
      this.opening.set(tenant, p);
    }
    return p;
  }

  // ---- lifecycle ----

  /** Replay every tenant found on disk, then start the cut and ship loops. */
  async start(): Promise<void> {
    const t = this.opts.tsdb;
    if (!t) return;
    let names: string[] = [];
    try {
      names = await readdir(t.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      await this.db(name);
    }
    if (t.headCompactionIntervalMs > 0) {
      this.timers.push(setInterval(() => void this.cutAll(false).catch((e: unknown) => this.logger.error({ err: (e as Error).message }, 'head compaction failed')), t.headCompactionIntervalMs));
    }
    if (t.shipIntervalMs > 0 && this.opts.bucket) {
      this.timers.push(setInterval(() => void this.shipAll().catch((e: unknown) => this.logger.error({ err: (e as Error).message }, 'shipping failed')), t.shipIntervalMs));
    }
    for (const timer of this.timers) timer.unref();
  }

  /** Stop the loops; cut and ship everything when configured; close every WAL. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await Promise.allSettled([...this.opening.values()]);
    if (this.opts.tsdb?.flushOnShutdown) await this.flush();
    else await Promise.allSettled([this.compacting, this.shipping]);
    for (const db of this.dbs.values()) await db.close();
    this.dbs.clear();
  }

  /** Cut every head completely into blocks and ship them (`/ingester/flush`, shutdown). */
  async flush(tenants?: readonly string[]): Promise<BlockMeta[]> {
    const cut = await this.cutAll(true, tenants);
    await this.shipAll(tenants);
    return cut;
  }

  /** Cut blocks from heads that span enough (or everything, when forced). */
  cutAll(force: boolean, tenants?: readonly string[]): Promise<BlockMeta[]> {
    const run = this.compacting.then(async () => {
      const out: BlockMeta[] = [];
      for (const db of this.selected(tenants)) out.push(...(await db.cut(force)));
      return out;
    });
    this.compacting = run.catch(() => undefined);
    return run;
  }

  /** Upload what is not in the bucket yet, then delete shipped blocks past the retention period. */
  shipAll(tenants?: readonly string[]): Promise<void> {
    const run = this.shipping.then(async () => {
      const bucket = this.opts.bucket;
      const t = this.opts.tsdb;
      if (!bucket || !t) return;
      const queue = this.selected(tenants);
      const worker = async (): Promise<void> => {
        for (let db = queue.shift(); db; db = queue.shift()) await this.shipTenant(db, bucket, t.retentionMs);
      };
      await Promise.all(Array.from({ length: Math.max(1, t.shipConcurrency) }, worker));
    });
    this.shipping = run.catch(() => undefined);
    return run;
  }

  private async shipTenant(db: TenantDB, bucket: Bucket, retentionMs: number): Promise<void> {
    const dir = db.dir;
    if (dir === null) return;
    let shipper = this.shippers.get(db.tenant);
    if (!shipper) {
      shipper = new Shipper({ bucket, tenant: db.tenant, dir, logger: this.logger });
      this.shippers.set(db.tenant, shipper);
    }
    const r = await shipper.sync(db.localBlocks());
    this.tsdbMetrics.shippedBlocks.inc(r.uploaded.length);
    this.tsdbMetrics.shipFailures.inc(r.failed.length);
    if (r.uploaded.length > 0) {
      // Queriers find blocks through the bucket index; a failed update is repaired by the next one
      // (each rebuild lists the bucket), and queriers fall back to listing a stale index.
      await updateBucketIndex(bucket, db.tenant).catch((e: unknown) =>
        this.logger.warn({ tenant: db.tenant, err: (e as Error).message }, 'cannot update the bucket index'),
      );
    }
    const shipped = await shipper.shipped();
    const horizon = Date.now() - retentionMs;
    const gone = await db.deleteBlocks((m) => shipped.has(m.ulid) && m.maxTime < horizon);
    this.tsdbMetrics.deletedBlocks.inc(gone.length);
  }

  private selected(tenants?: readonly string[]): TenantDB[] {
    const all = [...this.dbs.values()];
    return tenants && tenants.length > 0 ? all.filter((d) => tenants.includes(d.tenant)) : all;
  }

  // ---- IngesterClient ----

  async push(tenant: string, req: IngesterPush): Promise<IngesterPushResult> {
    const limits = this.opts.overrides.forTenant(tenant);
    const got = this.db(tenant);
    const db = got instanceof TenantDB ? got : await got;
    const tally: AppendTally = { appended: 0, discarded: 0, firstError: null, reasons: new Map(), createdSeries: 0 };
    const exemplars: ExemplarTally = { appended: 0, outOfOrder: 0 };
    const refusedMetadata = await db.append(req.batch, req.series, req.seriesCount, limits, tally, req.metadata, exemplars);
    if (exemplars.appended > 0) this.exemplarsAppended.inc({ user: tenant }, exemplars.appended);
    if (exemplars.outOfOrder > 0) this.exemplarsOutOfOrder.inc({ user: tenant }, exemplars.outOfOrder);
    if (tally.createdSeries > 0) this.created.inc({ user: tenant }, tally.createdSeries);
    if (tally.appended > 0) this.ingested.inc(tally.appended);
    let refused = 0;
    for (const [reason, n] of tally.reasons) {
      this.discarded.inc({ reason, user: tenant }, n);
      refused += n;
    }
    if (refused > 0) this.ingestedFailures.inc(refused);
    for (const reason of refusedMetadata) this.discardedMetadata.inc({ reason, user: tenant });
    return { samplesAppended: tally.appended, samplesDiscarded: refused, exemplarsAppended: exemplars.appended, firstError: tally.firstError };
  }

  async select(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesSet> {
    return (await this.dbs.get(tenant)?.select(mint, maxt, matchers)) ?? emptySeriesSet;
  }

  async series(tenant: string, mint: number, maxt: number, matcherSets: readonly (readonly Matcher[])[]): Promise<Labels[]> {
    const db = this.dbs.get(tenant);
    if (!db) return [];
    if (matcherSets.length === 1) return db.series(mint, maxt, matcherSets[0]!);
    // Several sets: their union, sorted, each series once.
    const all = (await Promise.all(matcherSets.map((ms) => db.series(mint, maxt, ms)))).flat().sort(compareLabels);
    return all.filter((ls, i) => i === 0 || compareLabels(all[i - 1]!, ls) !== 0);
  }

  async labelNames(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]> {
    return (await this.dbs.get(tenant)?.labelNames(mint, maxt, matchers)) ?? [];
  }

  async labelValues(tenant: string, name: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]> {
    return (await this.dbs.get(tenant)?.labelValues(name, mint, maxt, matchers)) ?? [];
  }

  async exemplars(tenant: string, start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): Promise<SeriesExemplars[]> {
    return this.dbs.get(tenant)?.exemplars.select(start, end, matcherSets) ?? [];
  }

  async metadata(tenant: string, metric: string | null): Promise<MetricMetadata[]> {
    return this.dbs.get(tenant)?.metadata.get(metric) ?? [];
  }
}
