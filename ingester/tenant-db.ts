/**
 * One tenant's TSDB on an ingester: the in-memory head, its WAL, and the blocks cut from it that
 * are still on local disk. Directory layout (Cortex's): `<tsdb dir>/<tenant>/wal/` (segments and
 * checkpoints), `<tsdb dir>/<tenant>/<ULID>/` (blocks), `thanos.shipper.json` (the shipper's).
 *
 * Write: head append (synchronous) with an AppendLog that builds one Series and one Samples WAL
 * record per push, then one WAL log() whose group commit acknowledges the push.
 * Cut: when the head spans more than 1.5 block ranges (or on flush), the oldest range becomes a
 * block, the head forgets it, and the WAL is checkpointed and truncated.
 */

import { mkdir, readdir, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { MetricMetadata, WriteBatch } from '../proto/write-batch.js';
import { type Block, openBlock } from '../tsdb/block/reader.js';
import type { BlockMeta } from '../tsdb/block/meta.js';
import { writeBlock } from '../tsdb/block/writer.js';
import { Encoding } from '../tsdb/chunkenc/xor.js';
import { type Labels, uniqueSorted } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { mergeSeriesSets } from '../tsdb/merge.js';
import type { SeriesSet } from '../tsdb/storage.js';
import { isULID } from '../tsdb/ulid.js';
import { WAL, type FsyncPolicy } from '../tsdb/wal/wal.js';
import type { Limits } from '../util/limits.js';
import { type ExemplarTally, ExemplarStore, batchExemplars, exemplarSeriesKey } from './exemplars.js';
import { type AppendTally, type ExemplarSink, TenantHead } from './head.js';
import { WalAppendLog, replayWal, truncateWal } from './head-wal.js';
import type { TsdbMetrics } from './tsdb-metrics.js';
import { MetadataStore } from './metadata.js';

export interface TenantDBLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TenantDBOptions {
  readonly tenant: string;
  /** This tenant's directory; null keeps everything in memory (no WAL, no blocks). */
  readonly dir: string | null;
  readonly blockRange: number;
  readonly ingesterId: string;
  readonly wal: {
    readonly fsync: FsyncPolicy;
    readonly fsyncIntervalMs: number;
    readonly segmentSize: number;
    readonly compress: boolean;
  };
  readonly logger: TenantDBLogger;
  readonly metrics: TsdbMetrics;
  /** Exemplars kept in memory (`max_exemplars` when opened; 0 keeps none). */
  readonly maxExemplars: number;
}

export class TenantDB {
  readonly head: TenantHead;
  private wal: WAL | null = null;
  private readonly log = new WalAppendLog();
  readonly metadata = new MetadataStore();
  readonly exemplars: ExemplarStore;
  /** Local blocks, oldest first. */
  private blocks: Block[] = [];
  /** Serialises cuts and block deletions. */
  private cutting: Promise<unknown> = Promise.resolve();
  /** WAL refs that replay mapped onto another series with the same labels (kept until truncation). */
  private aliases = new Map<number, number>();

  private constructor(private readonly opts: TenantDBOptions) {
    this.head = new TenantHead(opts.tenant, opts.blockRange);
    this.exemplars = new ExemplarStore(opts.maxExemplars);
  }

  get tenant(): string {
    return this.opts.tenant;
  }

  get dir(): string | null {
    return this.opts.dir;
  }

  /** Open local blocks, replay the WAL into the head, then start a new WAL segment. */
  static async open(opts: TenantDBOptions): Promise<TenantDB> {
    const db = new TenantDB(opts);
    const dir = opts.dir;
    if (dir === null) return db;
    await mkdir(dir, { recursive: true });
    for (const name of (await readdir(dir)).sort()) {
      if (!isULID(name)) continue;
      try {
        db.blocks.push(await openBlock(join(dir, name)));
      } catch (e) {
        opts.logger.error({ tenant: opts.tenant, block: name, err: (e as Error).message }, 'cannot open local block; leaving it out');
      }
    }
    db.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime);
    const lastBlockEnd = db.blocks.length > 0 ? db.blocks[db.blocks.length - 1]!.meta.maxTime : Number.NEGATIVE_INFINITY;
    db.head.setMinValidTime(lastBlockEnd);
    const walDir = join(dir, 'wal');
    const started = performance.now();
    const r = await replayWal(walDir, db.head, db.exemplars, db.aliases, opts.logger, opts.tenant);
    for (const md of r.metadata) db.metadata.restore(md);
    opts.metrics.replaySeconds.inc((performance.now() - started) / 1000);
    opts.metrics.replayedSamples.inc(r.samples);
    if (r.droppedRecords > 0 || r.corrupt) opts.metrics.walCorruptions.inc();
    db.wal = await WAL.open(walDir, {
      fsync: opts.wal.fsync,
      fsyncIntervalMs: opts.wal.fsyncIntervalMs,
      segmentSize: opts.wal.segmentSize,
      compress: opts.wal.compress,
      onError: (e) => opts.logger.error({ tenant: opts.tenant, err: e.message }, 'WAL failed; pushes to this tenant fail until restart'),
    });
    opts.metrics.registerWal(opts.tenant, db.wal);
    return db;
  }

  /**
   * Append to the head and log it; resolves once the WAL holds it (the push may be
   * acknowledged). Returns the metadata entries refused by limits, with their reasons.
   */
  async append(
    batch: WriteBatch,
    indices: Uint32Array,
    count: number,
    limits: Limits,
    tally: AppendTally,
    metadata: readonly MetricMetadata[],
    exemplarTally: ExemplarTally,
  ): Promise<string[]> {
    const refused: string[] = [];
    this.exemplars.resize(limits.max_exemplars);
    const log = this.wal ? this.log : null;
    log?.reset();
    const sink: ExemplarSink | null =
      this.exemplars.capacity > 0 && batch.exemplarTotal > 0
        ? (s, b, i) => {
            for (const e of batchExemplars(b, i)) {
              const r = this.exemplars.add(exemplarSeriesKey(s.key), () => s.labels(), s.ref, e);
              if (r === 'added') {
                exemplarTally.appended++;
                log?.exemplar(s.ref, e);
              } else if (r === 'out-of-order') exemplarTally.outOfOrder++;
            }
          }
        : null;
    if (!this.wal || !log) {
      this.head.append(batch, indices, count, limits, tally, null, sink);
      for (const md of metadata) {
        const reason = this.metadata.add(md, limits);
        if (reason) refused.push(reason);
      }
      return refused;
    }
    this.head.append(batch, indices, count, limits, tally, log, sink);
    for (const md of metadata) {
      const reason = this.metadata.add(md, limits);
      if (reason) refused.push(reason);
      else log.metadata(md);
    }
    const records = log.records();
    if (records.length > 0) await this.wal.log(records);
    return refused;
  }

  // ---- reads ----

  /** Sorted series from local blocks and the head over [mint, maxt]. */
  async select(mint: number, maxt: number, matchers: readonly Matcher[], seriesOnly = false): Promise<SeriesSet> {
    const sets: SeriesSet[] = [];
    for (const b of this.blocks) {
      if (b.meta.maxTime <= mint || b.meta.minTime > maxt) continue;
      const q = b.querier(mint, maxt);
      sets.push(await q.select(true, { start: mint, end: maxt, seriesOnly }, matchers));
    }
    sets.push(this.head.select(mint, maxt, matchers));
    return mergeSeriesSets(sets);
  }

  async series(mint: number, maxt: number, matchers: readonly Matcher[]): Promise<Labels[]> {
    if (!this.blocksOverlap(mint, maxt)) return this.head.matching(mint, maxt, matchers).map((s) => s.labels());
    const set = await this.select(mint, maxt, matchers, true);
    const out: Labels[] = [];
    while (set.next()) out.push(set.at().labels);
    return out;
  }

  async labelNames(mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]> {
    const names = new Set(this.head.labelNames(mint, maxt, matchers));
    for (const b of this.overlapping(mint, maxt)) for (const n of await b.querier(mint, maxt).labelNames(matchers)) names.add(n);
    return uniqueSorted(names);
  }

  async labelValues(name: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]> {
    const values = new Set(this.head.labelValues(name, mint, maxt, matchers));
    for (const b of this.overlapping(mint, maxt)) for (const v of await b.querier(mint, maxt).labelValues(name, matchers)) values.add(v);
    return uniqueSorted(values);
  }

  private overlapping(mint: number, maxt: number): Block[] {
    return this.blocks.filter((b) => b.meta.maxTime > mint && b.meta.minTime <= maxt);
  }

  private blocksOverlap(mint: number, maxt: number): boolean {
    return this.overlapping(mint, maxt).length > 0;
  }

  localBlocks(): readonly BlockMeta[] {
    return this.blocks.map((b) => b.meta);
  }

  // ---- cutting blocks ----

  /** True when the head spans more than 1.5 block ranges (Prometheus's rule). */
  compactable(): boolean {
    const span = this.head.maxTime() - this.head.minTime();
    return Number.isFinite(span) && span > (this.opts.blockRange / 2) * 3;
  }

  /**
   * Cut blocks from the head: while it is compactable, or (force) until it is empty. Resolves
   * with the blocks written. Cuts of one tenant never overlap.
   */
  cut(force: boolean): Promise<BlockMeta[]> {
    const run = this.cutting.then(() => this.cutNow(force));
    this.cutting = run.catch(() => undefined);
    return run;
  }

  private async cutNow(force: boolean): Promise<BlockMeta[]> {
    const out: BlockMeta[] = [];
    const dir = this.opts.dir;
    if (dir === null) return out;
    const range = this.opts.blockRange;
    let cutTo = Number.NEGATIVE_INFINITY;
    while (force ? Number.isFinite(this.head.minTime()) : this.compactable()) {
      const mint = this.head.minTime();
      const maxt = Math.floor(mint / range) * range + range;
      // No sample may land in the range from here on: it is being written out.
      this.head.setMinValidTime(maxt);
      const series = this.head.blockSeries(mint, maxt);
      const started = performance.now();
      if (series.length > 0) {
        const meta = await writeBlock(dir, {
          series: series.map((s) => ({
            labels: s.labels,
            chunks: s.chunks.map((c) => ({ minT: c.minT, maxT: c.maxT, encoding: Encoding.XOR, data: c.bytes })),
          })),
          minTime: mint,
          maxTime: maxt,
          thanos: {
            labels: { __org_id__: this.opts.tenant, __ingester_id__: this.opts.ingesterId },
            downsample: { resolution: 0 },
            source: 'receive',
          },
        });
        this.blocks.push(await openBlock(join(dir, meta.ulid)));
        out.push(meta);
        this.opts.metrics.blocksCut.inc();
        this.opts.logger.info(
          { tenant: this.opts.tenant, block: meta.ulid, minTime: mint, maxTime: maxt, series: meta.stats.numSeries, samples: meta.stats.numSamples, ms: Math.round(performance.now() - started) },
          'cut block from head',
        );
      }
      this.opts.metrics.headTruncatedSeries.inc(this.head.truncate(maxt));
      cutTo = maxt;
      if (this.head.minTime() < maxt) {
        // Only a chunk crossing the range end could hold the head back; chunks are cut at range
        // boundaries, so this is a bug: stop rather than cut the same range forever.
        this.opts.logger.error({ tenant: this.opts.tenant, maxTime: maxt, headMinTime: this.head.minTime() }, 'head still holds samples before the cut; stopping this cut');
        break;
      }
    }
    if (Number.isFinite(cutTo) && this.wal) {
      const all = this.metadata.get(null);
      await truncateWal(this.wal, this.head, this.aliases, cutTo, () => {
        if (all.length === 0) return [];
        const relog = new WalAppendLog();
        for (const md of all) relog.metadata(md);
        return relog.records();
      });
    }
    return out;
  }

  /** Close and delete local blocks that are shipped and ended before `before`. */
  deleteBlocks(shouldDelete: (meta: BlockMeta) => boolean): Promise<string[]> {
    const run = this.cutting.then(async () => {
      const gone: string[] = [];
      const kept: Block[] = [];
      for (const b of this.blocks) {
        if (!shouldDelete(b.meta)) {
          kept.push(b);
          continue;
        }
        await b.close();
        if (this.opts.dir !== null) await rm(join(this.opts.dir, b.meta.ulid), { recursive: true, force: true });
        gone.push(b.meta.ulid);
      }
      this.blocks = kept;
      return gone;
    });
    this.cutting = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.cutting;
    if (this.wal) {
      this.opts.metrics.unregisterWal(this.opts.tenant);
      await this.wal.close();
      this.wal = null;
    }
    for (const b of this.blocks) await b.close();
    this.blocks = [];
  }
}
