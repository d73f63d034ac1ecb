/**
 * Reads chunk records of one block straight from the bucket with ranged GETs: the bucket
 * counterpart of tsdb/chunks/segments.ts's ChunkSegmentReader. A ref is segmentIndex × 2^32 +
 * byte offset of the record (`uvarint len | encoding | data | be32 CRC32C(encoding || data)`)
 * in `<tenant>/<ULID>/chunks/NNNNNN`, where NNNNNN = segmentIndex + 1, six digits.
 *
 * Refs are sorted and, per segment, runs whose records start less than `gap` bytes after the
 * previous one are fetched with one getRange of at most `maxRead` bytes. The length of a run's
 * last record is not known before reading it, so `lastChunkGuess` bytes are asked for; a record
 * cut short by that guess is completed with one more ranged read. Every record's CRC32C is
 * checked; a mismatch is an error naming the block and the ref.
 */

import type { Bucket } from '../objstore/bucket.js';
import type { ChunkData } from '../tsdb/chunkenc/series-iterator.js';
import { CRC_SIZE, MAX_LEN_FIELD, SEGMENT_HEADER_SIZE, segmentFileName, chunkLengthField, verifiedChunk } from '../tsdb/chunks/segments.js';

const TWO32 = 0x1_0000_0000;

export interface ChunkReadOptions {
  /** Records closer than this (bytes from one record's start to the next's) share a read. */
  readonly gap?: number;
  /** Upper bound of one coalesced read. */
  readonly maxRead?: number;
  /** Bytes asked for beyond a run's last record start (XOR chunks of 120 samples are usually smaller). */
  readonly lastChunkGuess?: number;
  /** Ranged reads in flight at once. */
  readonly concurrency?: number;
}

export interface ChunkReadStats {
  getRangeCalls: number;
  bytes: number;
  chunks: number;
}

const DEFAULTS = { gap: 16 * 1024, maxRead: 4 * 1024 * 1024, lastChunkGuess: 1024, concurrency: 8 } as const;

interface Run {
  readonly segment: number;
  readonly start: number;
  readonly end: number;
  /** Positions in the caller's refs array. */
  readonly members: readonly number[];
}

/** The key of segment `idx` (0-based) of a block. */
export function segmentKey(blockPrefix: string, idx: number): string {
  return `${blockPrefix}chunks/${segmentFileName(idx + 1)}`;
}

export class BucketChunkReader {
  private readonly opts: Required<ChunkReadOptions>;

  /**
   * @param blockPrefix `<tenant>/<ULID>/`
   * @param blockName how errors name the block (its ULID, with the tenant)
   */
  constructor(
    private readonly bucket: Bucket,
    private readonly blockPrefix: string,
    private readonly blockName: string,
    private readonly stats: ChunkReadStats,
    opts: ChunkReadOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** The chunks of `refs`, in that order, CRC checked. */
  async readMany(refs: readonly number[]): Promise<ChunkData[]> {
    const out = new Array<ChunkData>(refs.length);
    const runs = this.plan(refs);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < runs.length) {
        const run = runs[next++]!;
        await this.readRun(run, refs, out);
      }
    };
    const n = Math.min(this.opts.concurrency, runs.length);
    await Promise.all(Array.from({ length: n }, () => worker()));
    return out;
  }

  private plan(refs: readonly number[]): Run[] {
    const order = refs.map((_, i) => i).sort((a, b) => refs[a]! - refs[b]!);
    const runs: Run[] = [];
    let i = 0;
    while (i < order.length) {
      const first = refs[order[i]!]!;
      const segment = Math.floor(first / TWO32);
      const start = first % TWO32;
      this.checkRef(first);
      const members = [order[i]!];
      let last = start;
      let j = i + 1;
      while (j < order.length) {
        const r = refs[order[j]!]!;
        const off = r % TWO32;
        if (Math.floor(r / TWO32) !== segment || off - last > this.opts.gap || off + this.opts.lastChunkGuess - start > this.opts.maxRead) break;
        members.push(order[j]!);
        last = off;
        j++;
      }
      runs.push({ segment, start, end: last + this.opts.lastChunkGuess, members });
      i = j;
    }
    return runs;
  }

  private checkRef(ref: number): void {
    if (!Number.isSafeInteger(ref) || ref < 0 || ref % TWO32 < SEGMENT_HEADER_SIZE) {
      throw new Error(`block ${this.blockName}: invalid chunk ref ${ref}`);
    }
  }

  private async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    this.stats.getRangeCalls++;
    const b = await this.bucket.getRange(key, offset, length);
    this.stats.bytes += b.length;
    return b;
  }

  private async readRun(run: Run, refs: readonly number[], out: ChunkData[]): Promise<void> {
    const key = segmentKey(this.blockPrefix, run.segment);
    const buf = await this.getRange(key, run.start, run.end - run.start);
    for (const idx of run.members) {
      const ref = refs[idx]!;
      const off = ref % TWO32;
      let c = this.decode(buf, off - run.start, ref, false);
      if (c === null) c = await this.readOne(key, ref, buf, off - run.start);
      out[idx] = c!;
      this.stats.chunks++;
    }
  }

  /** A record the run's read cut short: learn its length if needed, then read it whole. */
  private async readOne(key: string, ref: number, buf: Uint8Array, at: number): Promise<ChunkData> {
    const off = ref % TWO32;
    let { value: len, n } = chunkLengthField(buf, at);
    if (n === 0) {
      const h = await this.getRange(key, off, MAX_LEN_FIELD);
      ({ value: len, n } = chunkLengthField(h, 0));
      if (n <= 0) return this.decode(h, 0, ref, true)!;
    }
    const whole = await this.getRange(key, off, n + 1 + len + CRC_SIZE);
    return this.decode(whole, 0, ref, true)!;
  }

  /** The record at buf[at]; null when buf ends first (an error when `final`). */
  private decode(buf: Uint8Array, at: number, ref: number, final: boolean): ChunkData | null {
    const where = (): string => `block ${this.blockName}: chunk ref ${ref} (segment ${segmentFileName(Math.floor(ref / TWO32) + 1)}, offset ${ref % TWO32})`;
    const { value: len, n } = chunkLengthField(buf, at);
    if (n < 0) throw new Error(`${where()}: invalid chunk length`);
    if (n === 0) {
      if (final) throw new Error(`${where()}: segment ends before the chunk length`);
      return null;
    }
    const encPos = at + n;
    const end = encPos + 1 + len;
    if (end + CRC_SIZE > buf.length) {
      if (final) throw new Error(`${where()}: segment ends before the chunk's ${len} bytes`);
      return null;
    }
    return verifiedChunk(buf, encPos, end, (problem) => `${where()}: ${problem}`);
  }
}
