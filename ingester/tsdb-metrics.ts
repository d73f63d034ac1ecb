/** Self-metrics of the ingesters' TSDBs: WAL, replay, block cutting and shipping. */

import { Counter, type Registry } from 'prom-client';
import type { WAL } from '../tsdb/wal/wal.js';

export class TsdbMetrics {
  readonly replaySeconds: Counter;
  readonly replayedSamples: Counter;
  readonly walCorruptions: Counter;
  readonly blocksCut: Counter;
  readonly headTruncatedSeries: Counter;
  readonly shippedBlocks: Counter;
  readonly shipFailures: Counter;
  readonly deletedBlocks: Counter;
  private readonly wals = new Map<string, WAL>();
  /** WAL counters of closed WALs, so the totals stay monotonic. */
  private readonly closed = { bytes: 0, writes: 0, fsyncs: 0, fsyncSeconds: 0, records: 0 };

  constructor(registry: Registry) {
    const r = [registry];
    this.replaySeconds = new Counter({ name: 'vigil_ingester_wal_replay_duration_seconds_total', help: 'Time spent replaying WALs at start.', registers: r });
    this.replayedSamples = new Counter({ name: 'vigil_ingester_wal_replayed_samples_total', help: 'Samples restored from WALs at start.', registers: r });
    this.walCorruptions = new Counter({ name: 'vigil_ingester_wal_corruptions_total', help: 'WALs found torn or corrupt at start (the records before the damage were kept).', registers: r });
    this.blocksCut = new Counter({ name: 'vigil_ingester_tsdb_compactions_total', help: 'Blocks cut from heads.', registers: r });
    this.headTruncatedSeries = new Counter({ name: 'vigil_ingester_tsdb_head_series_removed_total', help: 'Series removed from heads because all their samples went into blocks.', registers: r });
    this.shippedBlocks = new Counter({ name: 'vigil_ingester_shipper_uploads_total', help: 'Blocks uploaded to the bucket.', registers: r });
    this.shipFailures = new Counter({ name: 'vigil_ingester_shipper_upload_failures_total', help: 'Block uploads that failed after their retries (tried again at the next ship interval).', registers: r });
    this.deletedBlocks = new Counter({ name: 'vigil_ingester_tsdb_blocks_deleted_total', help: 'Shipped blocks deleted from local disk after the retention period.', registers: r });
    const sum = (f: (w: WAL) => number): number => {
      let n = 0;
      for (const w of this.wals.values()) n += f(w);
      return n;
    };
    const walCounter = (name: string, help: string, f: (w: WAL) => number, closed: () => number): void => {
      const c: Counter = new Counter({
        name,
        help,
        registers: r,
        collect: () => {
          c.reset();
          c.inc(sum(f) + closed());
        },
      });
    };
    walCounter('vigil_ingester_wal_written_bytes_total', 'Bytes written to WAL segments.', (w) => w.stats.bytesWritten, () => this.closed.bytes);
    walCounter('vigil_ingester_wal_writes_total', 'Write calls to WAL segments (group commit joins many pushes into one).', (w) => w.stats.writes, () => this.closed.writes);
    walCounter('vigil_ingester_wal_records_total', 'Records logged to WALs.', (w) => w.stats.records, () => this.closed.records);
    walCounter('vigil_ingester_wal_fsyncs_total', 'WAL fsync calls.', (w) => w.stats.fsyncs, () => this.closed.fsyncs);
    walCounter('vigil_ingester_wal_fsync_duration_seconds_total', 'Time spent in WAL fsync calls.', (w) => w.stats.fsyncSeconds, () => this.closed.fsyncSeconds);
  }

  registerWal(tenant: string, wal: WAL): void {
    this.wals.set(tenant, wal);
  }

  unregisterWal(tenant: string): void {
    const w = this.wals.get(tenant);
    if (!w) return;
    this.closed.bytes += w.stats.bytesWritten;
    this.closed.writes += w.stats.writes;
    this.closed.fsyncs += w.stats.fsyncs;
    this.closed.fsyncSeconds += w.stats.fsyncSeconds;
    this.closed.records += w.stats.records;
    this.wals.delete(tenant);
  }
}
