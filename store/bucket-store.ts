/**
 * The store: the querier-side reader of the blocks in the bucket (and, served over HTTP later,
 * the store-gateway role). Per tenant it keeps the list of blocks to serve:
 *
 *  - from the tenant's bucket index (`<tenant>/bucket-index.json.gz`, store/bucket-index.ts) when
 *    it exists and is not older than `indexMaxStaleMs`; otherwise from a listing of the bucket
 *    (store/bucket-index.ts's buildBucketIndex, kept in memory so the next listing reads only new
 *    meta.json files);
 *  - without the blocks marked for deletion;
 *  - refreshed at most every `syncIntervalMs`: by a query that finds the list older than that,
 *    and by a timer started with `start()` that also discovers tenants by listing the bucket
 *    root (every directory but `__markers__`). A tenant is also discovered on its first query.
 *
 * A query reads each overlapping block's index through the IndexCache (downloaded lazily into
 * `cacheDir/<tenant>/<ULID>/index`, bounded by `maxCacheBytes`), one block at a time so that a
 * query pins one index, then fetches the chunks of the selected series that overlap the range
 * with coalesced ranged reads (store/chunk-reader.ts, CRC checked). Blocks are merged with
 * tsdb/merge.ts: series sorted by labels, one series per label set across blocks, samples in
 * time order with duplicate timestamps (replicas' blocks) given once. Times are inclusive ms,
 * as in the Querier seam; blocks are [minTime, maxTime).
 *
 * The constructor does no I/O.
 */

import type { Bucket } from '../objstore/bucket.js';
import { compareLabels, type Labels, uniqueSorted } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { mergeSeriesSets } from '../tsdb/merge.js';
import { ListSeriesSet, emptySeriesSet, type Series, type SeriesSet } from '../tsdb/storage.js';
import { validateTenantId } from '../util/tenant.js';
import { blockLabelNames, blockLabelValues, ChunksSeries, overlaps, pickSeries, type PickedSeries, type StoreBlock } from './bucket-block.js';
import { type BucketIndex, bucketIndexKey, buildBucketIndex, readBucketIndex } from './bucket-index.js';
import { BucketChunkReader, type ChunkReadOptions, type ChunkReadStats } from './chunk-reader.js';
import { IndexCache, type IndexCacheStats } from './index-cache.js';
import type { IndexReader } from '../tsdb/index/reader.js';

export type { StoreBlock } from './bucket-block.js';

export interface BucketStoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface BucketStoreOptions {
  readonly bucket: Bucket;
  /** Where index files are cached, as `<tenant>/<ULID>/index`. */
  readonly cacheDir: string;
  /** Bound of the bytes of cached index files. */
  readonly maxCacheBytes: number;
  /** A tenant's block list is refreshed at most this often. */
  readonly syncIntervalMs: number;
  /** A bucket index older than this is not trusted: the bucket is listed instead. */
  readonly indexMaxStaleMs: number;
  readonly logger?: BucketStoreLogger;
  /** Coalescing of chunk reads (tests change it). */
  readonly chunkRead?: ChunkReadOptions;
  /** Clock (ms); tests set it. */
  readonly now?: () => number;
}

export interface SelectOptions {
  /** Only labels are wanted: no chunk is read and the iterators are empty. */
  readonly seriesOnly?: boolean;
}

export interface BucketStoreStats extends IndexCacheStats {
  /** Syncs of a tenant's block list. */
  syncs: number;
  /** Syncs that used the bucket index. */
  bucketIndexLoads: number;
  /** Syncs that listed the bucket (index missing, stale or corrupt). */
  listingFallbacks: number;
  chunkGetRangeCalls: number;
  chunkBytesDownloaded: number;
  chunksFetched: number;
}

interface TenantState {
  blocks: readonly StoreBlock[];
  /** When the list was last refreshed (ms); -Infinity before the first sync. */
  syncedAt: number;
  syncing: Promise<void> | null;
  /** The index built from the last listing, so the next listing reads only new meta.json. */
  listed: BucketIndex | null;
  /** The bucket index's last-modified time (ms) as the last sync saw it, and when it was last looked at since. */
  indexModified: string | null;
  indexCheckedAt: number;
}

const INDEX_CHECK_INTERVAL_MS = 1000;

const silent: BucketStoreLogger = { info: () => {}, warn: () => {} };
const MARKERS_TENANT = '__markers__';

export class BucketStore {
  readonly stats: BucketStoreStats = {
    indexCacheHits: 0,
    indexCacheMisses: 0,
    indexBytesDownloaded: 0,
    indexEvictions: 0,
    syncs: 0,
    bucketIndexLoads: 0,
    listingFallbacks: 0,
    chunkGetRangeCalls: 0,
    chunkBytesDownloaded: 0,
    chunksFetched: 0,
  };
  private readonly bucket: Bucket;
  private readonly logger: BucketStoreLogger;
  private readonly now: () => number;
  private readonly cache: IndexCache;
  private readonly tenantStates = new Map<string, TenantState>();
  private readonly chunkStats: ChunkReadStats = { getRangeCalls: 0, bytes: 0, chunks: 0 };
  private cacheReady: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private background: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: BucketStoreOptions) {
    if (!(opts.maxCacheBytes >= 0)) throw new Error(`store: maxCacheBytes must be >= 0, got ${opts.maxCacheBytes}`);
    if (!(opts.syncIntervalMs >= 0)) throw new Error(`store: syncIntervalMs must be >= 0, got ${opts.syncIntervalMs}`);
    if (!(opts.indexMaxStaleMs >= 0)) throw new Error(`store: indexMaxStaleMs must be >= 0, got ${opts.indexMaxStaleMs}`);
    if (opts.cacheDir === '') throw new Error('store: cacheDir must not be empty');
    this.bucket = opts.bucket;
    this.logger = opts.logger ?? silent;
    this.now = opts.now ?? Date.now;
    this.cache = new IndexCache(opts.bucket, opts.cacheDir, opts.maxCacheBytes, this.stats, this.logger);
  }

  /** Adopts the cache directory, discovers the tenants, syncs them and starts the sync timer. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.ready();
    await this.syncAll();
    this.schedule();
  }

  /** Stops the timer, waits for syncs under way and releases the in-memory indexes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.background;
    await Promise.allSettled([...this.tenantStates.values()].map((s) => s.syncing));
    await this.cache.close();
  }

  private schedule(): void {
    if (this.stopped || this.opts.syncIntervalMs <= 0) return;
    this.timer = setTimeout(() => {
      this.background = this.syncAll()
        .catch((e: unknown) => this.logger.warn({ err: (e as Error).message }, 'store sync failed'))
        .finally(() => {
          this.background = null;
          this.schedule();
        });
    }, this.opts.syncIntervalMs);
    this.timer.unref();
  }

  private ready(): Promise<void> {
    this.cacheReady ??= this.cache.init().catch((e: unknown) => {
      this.cacheReady = null;
      throw new Error(`store: cache directory ${this.opts.cacheDir}: ${(e as Error).message}`, { cause: e });
    });
    return this.cacheReady;
  }

  private checkRunning(): void {
    if (this.stopped) throw new Error('store: stopped');
  }

  private state(tenant: string): TenantState {
    const bad = validateTenantId(tenant);
    if (bad !== null) throw new Error(`store: ${bad}`);
    let s = this.tenantStates.get(tenant);
    if (!s) {
      s = { blocks: [], syncedAt: -Infinity, syncing: null, listed: null, indexModified: null, indexCheckedAt: -Infinity };
      this.tenantStates.set(tenant, s);
    }
    return s;
  }

  /** The tenants the bucket holds (directories at its root, but `__markers__`), plus those already known. */
  async tenants(): Promise<string[]> {
    for await (const entry of this.bucket.iter('')) {
      if (!entry.endsWith('/')) continue;
      const t = entry.slice(0, -1);
      if (t === MARKERS_TENANT || validateTenantId(t) !== null) continue;
      this.state(t);
    }
    return [...this.tenantStates.keys()].sort();
  }

  /** Discovers tenants, then refreshes every tenant's block list now. */
  async syncAll(): Promise<void> {
    const tenants = await this.tenants();
    const results = await Promise.allSettled(tenants.map((t) => this.sync(t)));
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') this.logger.warn({ tenant: tenants[i], err: (r.reason as Error).message }, 'tenant block sync failed');
    }
  }

  /** Refreshes a tenant's block list now (a sync already under way is joined). */
  sync(tenant: string): Promise<void> {
    const s = this.state(tenant);
    s.syncing ??= this.syncTenant(tenant, s).finally(() => {
      s.syncing = null;
    });
    return s.syncing;
  }

  private async syncTenant(tenant: string, s: TenantState): Promise<void> {
    const started = this.now();
    this.stats.syncs++;
    // Looked at before the index is read: a rewrite in between shows as a change next time.
    const modified = await this.indexModifiedTime(tenant);
    let idx: BucketIndex | null = null;
    try {
      idx = await readBucketIndex(this.bucket, tenant);
    } catch (e) {
      this.logger.warn({ tenant, err: (e as Error).message }, 'unreadable bucket index; listing the bucket');
    }
    let stale: BucketIndex | null = null;
    if (idx !== null && started - idx.updated_at * 1000 > this.opts.indexMaxStaleMs) {
      this.logger.warn({ tenant, updatedAt: idx.updated_at }, 'bucket index is stale; listing the bucket');
      stale = idx;
      idx = null;
    }
    if (idx !== null) {
      this.stats.bucketIndexLoads++;
    } else {
      this.stats.listingFallbacks++;
      // A stale index still knows the (immutable) metas of the blocks it lists.
      idx = await buildBucketIndex(this.bucket, tenant, s.listed ?? stale, { logger: this.logger, nowMs: started });
      s.listed = idx;
    }
    const deleted = new Set(idx.block_deletion_marks.map((m) => m.block_id));
    const blocks: StoreBlock[] = idx.blocks
      .filter((b) => !deleted.has(b.block_id))
      .map((b) => ({
        tenant,
        ulid: b.block_id,
        minTime: b.min_time,
        maxTime: b.max_time,
        ...(b.segments_num ? { segmentsNum: b.segments_num } : {}),
        uploadedAt: b.uploaded_at,
      }))
      .sort((a, b) => a.minTime - b.minTime || (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0));
    const kept = new Set(blocks.map((b) => b.ulid));
    const gone = s.blocks.filter((b) => !kept.has(b.ulid));
    s.blocks = blocks;
    s.syncedAt = started;
    s.indexModified = modified;
    for (const b of gone) await this.cache.drop(tenant, b.ulid);
    if (gone.length > 0) this.logger.info({ tenant, blocks: gone.map((b) => b.ulid) }, 'store stopped serving blocks');
  }

  /**
   * The tenant's blocks, refreshed first when the list is older than syncIntervalMs, or when the
   * bucket index changed since the last sync (an import or a shipper upload): that is checked by
   * its attributes at most once a second, so new blocks are served by the next query.
   */
  async blocks(tenant: string): Promise<readonly StoreBlock[]> {
    this.checkRunning();
    const s = this.state(tenant);
    if (!s.syncing && this.now() - s.syncedAt < this.opts.syncIntervalMs && (await this.indexChanged(tenant, s))) s.syncedAt = -Infinity;
    if (s.syncing || this.now() - s.syncedAt >= this.opts.syncIntervalMs) {
      try {
        await this.sync(tenant);
      } catch (e) {
        if (s.syncedAt === -Infinity) throw e;
        this.logger.warn({ tenant, err: (e as Error).message }, 'block sync failed; serving the previous block list');
      }
    }
    return s.blocks;
  }

  /** Whether the bucket index was rewritten after the last sync read it (checked at most once a second). */
  private async indexChanged(tenant: string, s: TenantState): Promise<boolean> {
    const now = this.now();
    if (now - s.indexCheckedAt < INDEX_CHECK_INTERVAL_MS) return false;
    s.indexCheckedAt = now;
    const modified = await this.indexModifiedTime(tenant);
    if (modified === null) return false; // no index (listing is used) or the bucket is unreachable: the interval decides
    return modified !== s.indexModified;
  }

  /**
   * The bucket index's size and last-modified time (S3 gives whole seconds, so two rewrites in
   * one second are told apart by size), or null when they cannot be had.
   */
  private async indexModifiedTime(tenant: string): Promise<string | null> {
    try {
      const a = await this.bucket.attributes(bucketIndexKey(tenant));
      return `${a.size}@${a.lastModified.getTime()}`;
    } catch {
      return null;
    }
  }

  private async queryBlocks(tenant: string, mint: number, maxt: number): Promise<StoreBlock[]> {
    const all = await this.blocks(tenant);
    await this.ready();
    return all.filter((b) => overlaps(b, mint, maxt));
  }

  /** Runs `f` over the block's index, holding it in the cache meanwhile; errors name the block. */
  private async withIndex<T>(b: StoreBlock, f: (index: IndexReader) => T): Promise<T> {
    const lease = await this.cache.acquire(b.tenant, b.ulid);
    try {
      return f(lease.reader);
    } catch (e) {
      throw new Error(`block ${b.tenant}/${b.ulid}: ${(e as Error).message}`, { cause: e });
    } finally {
      lease.release();
    }
  }

  /**
   * The series the matchers select with samples in [mint, maxt] (inclusive), sorted by labels,
   * each label set once across blocks. Chunks are read here; the iterators are synchronous.
   */
  async select(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[], opts: SelectOptions = {}): Promise<SeriesSet> {
    const blocks = await this.queryBlocks(tenant, mint, maxt);
    const picked: { block: StoreBlock; series: PickedSeries[] }[] = [];
    for (const b of blocks) {
      const series = await this.withIndex(b, (ix) => pickSeries(ix, matchers, mint, maxt));
      if (series.length > 0) picked.push({ block: b, series });
    }
    if (picked.length === 0) return emptySeriesSet;
    let sets: SeriesSet[];
    if (opts.seriesOnly) {
      sets = picked.map((p) => new ListSeriesSet(p.series.map((s) => new ChunksSeries(s.labels, [], mint, maxt))));
    } else {
      sets = await Promise.all(picked.map((p) => this.readSeries(p.block, p.series, mint, maxt)));
    }
    return mergeSeriesSets(sets);
  }

  private async readSeries(b: StoreBlock, series: readonly PickedSeries[], mint: number, maxt: number): Promise<SeriesSet> {
    const refs: number[] = [];
    for (const s of series) for (const c of s.chunks) refs.push(c.ref);
    const reader = new BucketChunkReader(this.bucket, `${b.tenant}/${b.ulid}/`, `${b.tenant}/${b.ulid}`, this.chunkStats, this.opts.chunkRead ?? {});
    const data = await reader.readMany(refs).finally(() => this.syncChunkStats());
    const out: Series[] = [];
    let k = 0;
    for (const s of series) {
      out.push(new ChunksSeries(s.labels, data.slice(k, k + s.chunks.length), mint, maxt));
      k += s.chunks.length;
    }
    return new ListSeriesSet(out);
  }

  private syncChunkStats(): void {
    this.stats.chunkGetRangeCalls = this.chunkStats.getRangeCalls;
    this.stats.chunkBytesDownloaded = this.chunkStats.bytes;
    this.stats.chunksFetched = this.chunkStats.chunks;
  }

  /** The label sets `select` would return, without reading chunks. */
  async series(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<Labels[]> {
    const set = await this.select(tenant, mint, maxt, matchers, { seriesOnly: true });
    const out: Labels[] = [];
    while (set.next()) out.push(set.at().labels);
    const err = set.err();
    if (err) throw err;
    return out.sort(compareLabels);
  }

  /** Label names of the blocks overlapping [mint, maxt] (of the matching series when matchers are given), sorted. */
  async labelNames(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]> {
    const lists: string[][] = [];
    for (const b of await this.queryBlocks(tenant, mint, maxt)) lists.push(await this.withIndex(b, (ix) => blockLabelNames(ix, matchers)));
    return uniqueSorted(lists.flat());
  }

  /** Values of label `name` in the blocks overlapping [mint, maxt] (of the matching series when matchers are given), sorted. */
  async labelValues(tenant: string, name: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]> {
    const lists: string[][] = [];
    for (const b of await this.queryBlocks(tenant, mint, maxt)) lists.push(await this.withIndex(b, (ix) => blockLabelValues(ix, name, matchers)));
    return uniqueSorted(lists.flat());
  }

  /** Bytes of index files in the cache directory. */
  cacheBytes(): number {
    return this.cache.bytes();
  }
}
