/**
 * The head's side of the WAL: building each push's records (one Series record for the series
 * it created, one Samples record for the samples it stored, one Metadata record), replaying a
 * WAL into a head at start (last checkpoint first, then the segments after it; a torn or
 * corrupt record ends the replay, the WAL is repaired there and the loss is logged), and
 * checkpointing + truncating it after a block was cut.
 */

import type { MetricMetadata } from '../proto/write-batch.js';
import { checkpoint, lastCheckpoint } from '../tsdb/wal/checkpoint.js';
import { type Corruption, repair, replay } from '../tsdb/wal/reader.js';
import {
  type ExemplarEntry,
  type MetadataEntry,
  RecordDecodeError,
  SamplesRecordBuilder,
  SamplesScratch,
  SeriesRecordBuilder,
  decodeRecord,
  encodeExemplars,
  encodeMetadata,
} from '../tsdb/wal/records.js';
import type { WAL } from '../tsdb/wal/wal.js';
import type { AppendLog, TenantHead } from './head.js';
import type { MemSeries } from './series.js';
import { type Exemplar, type ExemplarStore, exemplarSeriesKey } from './exemplars.js';

/** Builds the WAL records of one push; reused from push to push (WAL.log copies the bytes). */
export class WalAppendLog implements AppendLog {
  private readonly seriesRec = new SeriesRecordBuilder();
  private readonly samplesRec = new SamplesRecordBuilder(64 * 1024);
  private meta: MetadataEntry[] = [];
  private exemplars: ExemplarEntry[] = [];

  reset(): void {
    this.seriesRec.reset();
    this.samplesRec.reset();
    this.meta = [];
    this.exemplars = [];
  }

  series(s: MemSeries): void {
    this.seriesRec.addKey(s.ref, s.key, s.pairs.length / 2);
  }

  sample(ref: number, t: number, hi: number, lo: number): void {
    this.samplesRec.add(ref, t, hi, lo);
  }

  exemplar(ref: number, e: Exemplar): void {
    this.exemplars.push({ ref, t: e.t, hi: e.hi, lo: e.lo, labels: e.labels });
  }

  /** Metric-family metadata travels with ref 0 and the family name in its own field. */
  metadata(md: MetricMetadata): void {
    this.meta.push({ ref: 0, type: md.type, unit: md.unit, help: md.help, family: md.metricFamilyName });
  }

  /** The records to log, series first (views valid until the next reset). */
  records(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.seriesRec.count > 0) out.push(this.seriesRec.bytes());
    if (this.samplesRec.count > 0) out.push(this.samplesRec.bytes());
    if (this.exemplars.length > 0) out.push(encodeExemplars(this.exemplars));
    if (this.meta.length > 0) out.push(encodeMetadata(this.meta));
    return out;
  }
}

export interface ReplayLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WalReplayResult {
  readonly series: number;
  readonly samples: number;
  readonly records: number;
  /** Records that could not be decoded (skipped). */
  readonly droppedRecords: number;
  /** Where the replay stopped early, when it did. */
  readonly corrupt: Corruption | null;
  readonly metadata: readonly MetricMetadata[];
}

/**
 * Replay walDir into head (and its exemplars into `exemplars`). `aliases` receives refs whose
 * label set was already present under another ref. A corruption is repaired (everything before
 * it kept) and reported.
 */
export async function replayWal(
  walDir: string,
  head: TenantHead,
  exemplars: ExemplarStore,
  aliases: Map<number, number>,
  logger: ReplayLogger,
  tenant: string,
): Promise<WalReplayResult> {
  let series = 0;
  let samples = 0;
  let records = 0;
  let droppedRecords = 0;
  const metadata: MetricMetadata[] = [];
  const scratch = new SamplesScratch();
  const onRecord = (rec: Uint8Array): void => {
    records++;
    let r;
    try {
      r = decodeRecord(rec, scratch);
    } catch (e) {
      if (!(e instanceof RecordDecodeError)) throw e;
      droppedRecords++;
      return;
    }
    switch (r.type) {
      case 'series':
        for (const e of r.series) {
          const s = head.restoreSeries(e.ref, e.labels);
          if (s.ref !== e.ref) aliases.set(e.ref, s.ref);
          series++;
        }
        return;
      case 'samples': {
        for (let i = 0; i < r.count; i++) {
          const ref = r.refs[i]!;
          const s = head.seriesByRef(aliases.get(ref) ?? ref);
          if (s && head.restoreSample(s, r.ts[i]!, r.hi[i]!, r.lo[i]!)) samples++;
        }
        return;
      }
      case 'exemplars':
        for (const e of r.exemplars) {
          const s = head.seriesByRef(aliases.get(e.ref) ?? e.ref);
          if (s) exemplars.add(exemplarSeriesKey(s.key), () => s.labels(), s.ref, e);
        }
        return;
      case 'metadata':
        for (const m of r.metadata) {
          if (m.family) metadata.push({ type: m.type as MetricMetadata['type'], metricFamilyName: m.family, help: m.help, unit: m.unit });
        }
        return;
      case 'unknown':
        return;
    }
  };

  const cp = await lastCheckpoint(walDir);
  let corrupt: Corruption | null = null;
  if (cp) {
    const r = await replay(cp.dir, {}, onRecord);
    if (r.corruption) {
      // A checkpoint is written whole and renamed into place, so this is damage on disk.
      throw new Error(`WAL checkpoint ${cp.dir} is corrupt at segment ${r.corruption.segment} offset ${r.corruption.offset}: ${r.corruption.message}`);
    }
  }
  const r = await replay(walDir, cp ? { from: cp.index + 1 } : {}, onRecord);
  if (r.corruption) {
    corrupt = r.corruption;
    const fixed = await repair(walDir, r.corruption);
    logger.warn(
      {
        tenant,
        segment: r.corruption.segment,
        offset: r.corruption.offset,
        reason: r.corruption.reason,
        droppedBytes: fixed.droppedBytes,
        deletedSegments: fixed.deletedSegments,
        err: r.corruption.message,
      },
      'WAL ends in a torn or corrupt record: kept every record before it and dropped the rest',
    );
  }
  if (droppedRecords > 0) logger.warn({ tenant, droppedRecords }, 'WAL records that could not be decoded were skipped');
  if (records > 0) logger.info({ tenant, series, samples, records, checkpoint: cp?.dir ?? null }, 'replayed WAL');
  return { series, samples, records, droppedRecords, corrupt, metadata };
}

/**
 * After a cut up to mint: close the open segment, checkpoint every closed one (keeping series
 * the head still holds and samples from mint on), then delete them. New pushes go on landing in
 * the new segment meanwhile. `relog` gives records to write into the new segment first (the
 * tenant's metric metadata, which is per family and not per series, so checkpoints skip it).
 */
export async function truncateWal(wal: WAL, head: TenantHead, aliases: Map<number, number>, mint: number, relog: () => Uint8Array[]): Promise<void> {
  const current = await wal.nextSegment();
  const again = relog();
  if (again.length > 0) await wal.log(again);
  const { first } = await wal.segmentRange();
  if (first >= current) return;
  const keep = (ref: number): boolean => head.seriesByRef(aliases.get(ref) ?? ref) !== undefined;
  await checkpoint(wal.dir, first, current - 1, keep, mint);
  await wal.truncate(current);
  for (const [ref, to] of aliases) if (!head.seriesByRef(to)) aliases.delete(ref);
}
