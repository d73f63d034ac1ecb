/**
 * Checkpoints, after Prometheus's tsdb/wlog/checkpoint.go: the still-needed content of the last
 * checkpoint plus segments [from, to], condensed into `checkpoint.<to>` — a directory of WAL
 * segments in the ordinary format holding the series records of kept refs, their samples and
 * exemplars at or after mint, and the latest metadata of each kept ref.
 *
 * Replay order after a restart:
 *   1. lastCheckpoint(walDir) → replay(cp.dir, {}) — every segment of the checkpoint;
 *   2. replay(walDir, { from: cp.index + 1 }) — the segments after it.
 * With no checkpoint, replay(walDir, {}). The caller truncates the WAL after a checkpoint with
 * `wal.truncate(to + 1)`; a crash between checkpoint and truncate only leaves segments that the
 * replay order above skips.
 */

import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DecodedRecord,
  type ExemplarEntry,
  type MetadataEntry,
  RecordDecodeError,
  SamplesRecordBuilder,
  SamplesScratch,
  SeriesRecordBuilder,
  decodeRecord,
  encodeExemplars,
  encodeMetadata,
} from './records.js';
import { replay } from './reader.js';
import type { Corruption } from './reader.js';
import { fsyncDir, listCheckpoints } from './segment.js';
import { WAL } from './wal.js';

const CHECKPOINT_PREFIX = 'checkpoint.';
/** Output records are cut at about this size, as checkpoint.go batches at 1 MiB. */
const FLUSH_BYTES = 1024 * 1024;
const METADATA_BATCH = 10_000;

export interface CheckpointStats {
  totalSeries: number;
  droppedSeries: number;
  totalSamples: number;
  droppedSamples: number;
  totalMetadata: number;
  droppedMetadata: number;
  totalExemplars: number;
  droppedExemplars: number;
  /** Records of types a checkpoint does not carry (tombstones, histograms…). */
  droppedOtherRecords: number;
  /** Records written into the checkpoint. */
  recordsWritten: number;
}

export interface CheckpointOptions {
  /** Segment size of the checkpoint's own segments (default 128 MiB). */
  readonly segmentSize?: number;
  readonly compress?: boolean;
}

export class CheckpointError extends Error {
  constructor(
    message: string,
    readonly corruption: Corruption | null = null,
    options?: ErrorOptions,
  ) {
    super(`wal checkpoint: ${message}`, options);
    this.name = 'CheckpointError';
  }
}

export function checkpointDirName(index: number): string {
  return CHECKPOINT_PREFIX + String(index).padStart(8, '0');
}

/** The checkpoint with the highest index, ignoring unfinished `.tmp` directories. */
export async function lastCheckpoint(walDir: string): Promise<{ dir: string; index: number } | null> {
  const cps = await listCheckpoints(walDir);
  const last = cps[cps.length - 1];
  return last === undefined ? null : { dir: join(walDir, last.name), index: last.index };
}

/** Delete checkpoints with index < before. Returns how many were removed. */
export async function deleteCheckpoints(walDir: string, before: number): Promise<number> {
  let n = 0;
  for (const cp of await listCheckpoints(walDir)) {
    if (cp.index >= before) break;
    await rm(join(walDir, cp.name), { recursive: true, force: true });
    n++;
  }
  return n;
}

/**
 * Write checkpoint.<to> from the last checkpoint and segments [from, to] of walDir, then delete
 * older checkpoints. `keep(ref)` says whether a series is still live; samples of kept series
 * with t >= mint are kept. Fails (leaving the previous checkpoint in place) on any corruption
 * in its input. Must not run concurrently with another checkpoint of the same WAL.
 */
export async function checkpoint(
  walDir: string,
  from: number,
  to: number,
  keep: (ref: number) => boolean,
  mint: number,
  opts: CheckpointOptions = {},
): Promise<{ dir: string; index: number; stats: CheckpointStats }> {
  const stats: CheckpointStats = {
    totalSeries: 0,
    droppedSeries: 0,
    totalSamples: 0,
    droppedSamples: 0,
    totalMetadata: 0,
    droppedMetadata: 0,
    totalExemplars: 0,
    droppedExemplars: 0,
    droppedOtherRecords: 0,
    recordsWritten: 0,
  };
  const prev = await lastCheckpoint(walDir);
  if (prev !== null) {
    if (from > prev.index + 1) {
      throw new CheckpointError(`unexpected gap to the last checkpoint: expected segment ${prev.index + 1}, requested ${from}`);
    }
    // Segments at or below the last checkpoint are already in it.
    from = prev.index + 1;
  }
  if (to < from - 1) throw new CheckpointError(`segment range [${from}, ${to}] is empty and behind the last checkpoint`);

  const finalDir = join(walDir, checkpointDirName(to));
  const tmpDir = finalDir + '.tmp';
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });

  const wopts: { segmentSize?: number; compress?: boolean } = {};
  if (opts.segmentSize !== undefined) wopts.segmentSize = opts.segmentSize;
  if (opts.compress !== undefined) wopts.compress = opts.compress;
  const out = await WAL.open(tmpDir, { ...wopts, fsync: 'never' });
  let closed = false;
  try {
    const series = new SeriesRecordBuilder(FLUSH_BYTES + 64 * 1024);
    const samples = new SamplesRecordBuilder(FLUSH_BYTES + 64 * 1024);
    const scratch = new SamplesScratch();
    // Latest entry per ref (per ref and family for Vigil's family entries).
    const metadata = new Map<number | string, MetadataEntry>();
    let exemplars: ExemplarEntry[] = [];

    const flush = async (): Promise<void> => {
      const recs: Uint8Array[] = [];
      if (series.count > 0) recs.push(series.bytes());
      if (samples.count > 0) recs.push(samples.bytes());
      if (exemplars.length > 0) recs.push(encodeExemplars(exemplars));
      if (recs.length === 0) return;
      // log() copies the bytes before returning, so the builders can be reset right away.
      const done = out.log(recs);
      stats.recordsWritten += recs.length;
      series.reset();
      samples.reset();
      exemplars = [];
      await done;
    };

    const onRecord = (rec: Uint8Array): Promise<void> | undefined => {
      let d: DecodedRecord;
      try {
        d = decodeRecord(rec, scratch);
      } catch (e) {
        if (e instanceof RecordDecodeError) throw new CheckpointError(`decode record: ${e.message}`, null, { cause: e });
        throw e;
      }
      switch (d.type) {
        case 'series':
          for (const s of d.series) {
            stats.totalSeries++;
            if (keep(s.ref)) series.add(s.ref, s.labels);
            else stats.droppedSeries++;
          }
          break;
        case 'samples':
          for (let i = 0; i < d.count; i++) {
            stats.totalSamples++;
            const ref = d.refs[i]!;
            const t = d.ts[i]!;
            if (t >= mint && keep(ref)) samples.add(ref, t, d.hi[i]!, d.lo[i]!);
            else stats.droppedSamples++;
          }
          break;
        case 'metadata':
          for (const m of d.metadata) {
            stats.totalMetadata++;
            if (keep(m.ref)) metadata.set(m.family === undefined ? m.ref : `${m.ref}\u0000${m.family}`, m);
            else stats.droppedMetadata++;
          }
          break;
        case 'exemplars':
          for (const e of d.exemplars) {
            stats.totalExemplars++;
            if (e.t >= mint && keep(e.ref)) exemplars.push(e);
            else stats.droppedExemplars++;
          }
          break;
        case 'unknown':
          stats.droppedOtherRecords++;
          break;
      }
      if (series.size + samples.size + exemplars.length * 64 >= FLUSH_BYTES) return flush();
      return undefined;
    };

    const inputs: { dir: string; from?: number; to?: number }[] = [];
    if (prev !== null) inputs.push({ dir: prev.dir });
    inputs.push({ dir: walDir, from, to });
    for (const input of inputs) {
      const r = await replay(input.dir, input.from === undefined ? {} : { from: input.from, to: to }, onRecord);
      if (r.corruption !== null) {
        throw new CheckpointError(`input is corrupted: ${r.corruption.message}`, r.corruption);
      }
      if (input.dir === walDir && to >= from && (r.first !== from || r.last !== to)) {
        throw new CheckpointError(`segments [${from}, ${to}] requested, found [${r.first}, ${r.last}] in ${walDir}`);
      }
    }
    await flush();
    // Metadata last, latest value per kept ref, as checkpoint.go writes it.
    const entries = [...metadata.values()];
    stats.droppedMetadata += stats.totalMetadata - stats.droppedMetadata - entries.length;
    for (let i = 0; i < entries.length; i += METADATA_BATCH) {
      await out.log([encodeMetadata(entries.slice(i, i + METADATA_BATCH))]);
      stats.recordsWritten++;
    }
    closed = true;
    await out.close();
  } catch (e) {
    if (!closed) await out.close().catch(() => undefined);
    await rm(tmpDir, { recursive: true, force: true });
    throw e;
  }

  await fsyncDir(tmpDir);
  await rm(finalDir, { recursive: true, force: true });
  await rename(tmpDir, finalDir);
  await fsyncDir(walDir);
  await deleteCheckpoints(walDir, to);
  return { dir: finalDir, index: to, stats };
}
