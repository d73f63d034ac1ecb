/**
 * Reading WAL segments back (replay) and cutting a WAL at its first corruption (repair).
 *
 * replay() reads segments in index order, page by page in 1 MiB chunks, checks every fragment's
 * CRC32C and the fragment sequence, reassembles records and hands each to a callback. It stops at
 * the first corruption and reports where the corrupted record began; everything before it has
 * been delivered. A crash mid-write leaves a torn record at the end of the newest segment: that
 * is reported as reason 'torn-record', and repair() drops exactly that record.
 *
 * Zero bytes running to the end of a file (a page terminator in a partly written last page, or
 * space the file system allocated but never filled) end a segment cleanly: they hold no record.
 */

import { open, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { crc32c } from '../encoding/crc32c.js';
import { readBE32 } from '../encoding/encbuf.js';
import {
  FragmentType,
  HEADER_SIZE,
  PAGE_SIZE,
  SNAPPY_FLAG,
  TYPE_MASK,
  fsyncDir,
  listSegments,
  segmentPath,
  snappyCodec,
} from './segment.js';

export type CorruptionReason =
  /** The segment ends inside a record (a crash mid-write). */
  | 'torn-record'
  | 'crc-mismatch'
  /** A middle/last fragment without a first, or a first/full one inside a record. */
  | 'invalid-fragment-sequence'
  /** A type byte with unknown bits, or a fragment reaching past its page. */
  | 'invalid-fragment'
  /** A page terminator followed by non-zero bytes. */
  | 'non-zero-padding'
  | 'decompression-failed';

export interface Corruption {
  readonly segment: number;
  /** Byte offset in the segment where the corrupted record (or padding) begins. */
  readonly offset: number;
  readonly reason: CorruptionReason;
  readonly message: string;
}

export interface ReplayOptions {
  /** First segment to read (default: the first on disk). */
  readonly from?: number;
  /** Last segment to read, inclusive (default: the last on disk). */
  readonly to?: number;
}

export interface ReplayResult {
  readonly records: number;
  /** Segments opened; -1 for first/last when none was in range. */
  readonly segments: number;
  readonly first: number;
  readonly last: number;
  /** Bytes of segment files read up to the end or the corruption. */
  readonly bytes: number;
  readonly corruption: Corruption | null;
}

/**
 * Called once per record, in log order. `rec` is a view into the reader's buffers, valid only
 * until the callback returns (or its promise settles): copy what you keep. Returning a promise
 * pauses the replay until it settles; throwing (or rejecting) aborts the replay with that error.
 */
export type OnRecord = (rec: Uint8Array, segment: number, offset: number) => void | Promise<void>;

const CHUNK_SIZE = 32 * PAGE_SIZE;

class CorruptionError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: CorruptionReason,
    message: string,
  ) {
    super(message);
  }
}

/** Reassembles records from the fragments of one segment. */
class SegmentDecoder {
  records = 0;
  private inRecord = false;
  private recStart = 0;
  private compressed = false;
  private rec = new Uint8Array(64 * 1024);
  private recLen = 0;

  constructor(
    private readonly segment: number,
    private readonly onRecord: OnRecord,
  ) {}

  /**
   * Decode the fragments of b[0, n), which starts at file offset `base` (a page boundary).
   * `eof` says the file ends at n. Returns nothing; throws CorruptionError.
   */
  async chunk(b: Uint8Array, n: number, base: number, eof: boolean): Promise<void> {
    for (let pageStart = 0; pageStart < n; pageStart += PAGE_SIZE) {
      const pageEnd = Math.min(pageStart + PAGE_SIZE, n);
      const partial = pageEnd - pageStart < PAGE_SIZE;
      let p = pageStart;
      while (p < pageEnd) {
        const typByte = b[p]!;
        if (typByte === FragmentType.PageTerm) {
          for (let i = p + 1; i < pageEnd; i++) {
            if (b[i] !== 0) {
              throw new CorruptionError(this.inRecord ? this.recStart : base + p, 'non-zero-padding', `non-zero byte at offset ${base + i} in page padding`);
            }
          }
          break;
        }
        const at = base + p;
        const recOffset = this.inRecord ? this.recStart : at;
        if ((typByte & ~(TYPE_MASK | SNAPPY_FLAG)) !== 0 || (typByte & TYPE_MASK) > FragmentType.Last) {
          throw new CorruptionError(recOffset, 'invalid-fragment', `invalid fragment type byte 0x${typByte.toString(16)} at offset ${at}`);
        }
        if (p + HEADER_SIZE > pageEnd) {
          if (partial && eof) throw new CorruptionError(recOffset, 'torn-record', `fragment header cut off at offset ${at}`);
          throw new CorruptionError(recOffset, 'invalid-fragment', `fragment header crosses the page at offset ${at}`);
        }
        const len = (b[p + 1]! << 8) | b[p + 2]!;
        const crc = readBE32(b, p + 3);
        const start = p + HEADER_SIZE;
        const end = start + len;
        if (end > pageEnd) {
          if (partial && eof && pageStart + PAGE_SIZE >= end) {
            throw new CorruptionError(recOffset, 'torn-record', `fragment at offset ${at} cut off by the end of the segment`);
          }
          throw new CorruptionError(recOffset, 'invalid-fragment', `fragment of ${len} bytes at offset ${at} crosses the page`);
        }
        if (crc32c(b, start, end) !== crc) {
          throw new CorruptionError(recOffset, 'crc-mismatch', `CRC32C mismatch in fragment at offset ${at}`);
        }
        const typ = typByte & TYPE_MASK;
        const compressed = (typByte & SNAPPY_FLAG) !== 0;
        switch (typ) {
          case FragmentType.Full:
            if (this.inRecord) throw new CorruptionError(recOffset, 'invalid-fragment-sequence', `full fragment inside a record at offset ${at}`);
            await this.deliver(b.subarray(start, end), compressed, at);
            break;
          case FragmentType.First:
            if (this.inRecord) throw new CorruptionError(recOffset, 'invalid-fragment-sequence', `first fragment inside a record at offset ${at}`);
            this.inRecord = true;
            this.recStart = at;
            this.compressed = compressed;
            this.recLen = 0;
            this.append(b, start, end);
            break;
          case FragmentType.Middle:
          case FragmentType.Last:
            if (!this.inRecord) {
              throw new CorruptionError(at, 'invalid-fragment-sequence', `${typ === FragmentType.Last ? 'last' : 'middle'} fragment without a first at offset ${at}`);
            }
            this.append(b, start, end);
            if (typ === FragmentType.Last) {
              this.inRecord = false;
              await this.deliver(this.rec.subarray(0, this.recLen), this.compressed, this.recStart);
            }
            break;
        }
        p = end;
      }
    }
  }

  /** The segment ended; a record still open is torn. */
  finish(): void {
    if (this.inRecord) throw new CorruptionError(this.recStart, 'torn-record', `segment ends inside the record at offset ${this.recStart}`);
  }

  private append(b: Uint8Array, start: number, end: number): void {
    const need = this.recLen + (end - start);
    if (need > this.rec.length) {
      const r = new Uint8Array(Math.max(need, this.rec.length * 2));
      r.set(this.rec.subarray(0, this.recLen));
      this.rec = r;
    }
    this.rec.set(b.subarray(start, end), this.recLen);
    this.recLen = need;
  }

  private async deliver(rec: Uint8Array, compressed: boolean, offset: number): Promise<void> {
    let out = rec;
    if (compressed) {
      try {
        out = snappyCodec().uncompress(rec);
      } catch (e) {
        throw new CorruptionError(offset, 'decompression-failed', `record at offset ${offset}: ${(e as Error).message}`);
      }
    }
    this.records++;
    const r = this.onRecord(out, this.segment, offset);
    if (r !== undefined) await r;
  }
}

async function readFull(f: FileHandle, b: Uint8Array, position: number): Promise<number> {
  let n = 0;
  while (n < b.length) {
    const { bytesRead } = await f.read(b, n, b.length - n, position + n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n;
}

/**
 * Replay one segment file. Returns the bytes read and the corruption, if any.
 * Exported for tools; most callers want replay().
 */
export async function replaySegment(
  dir: string,
  segment: number,
  onRecord: OnRecord,
): Promise<{ records: number; bytes: number; corruption: Corruption | null }> {
  const f = await open(segmentPath(dir, segment), 'r');
  const dec = new SegmentDecoder(segment, onRecord);
  const buf = new Uint8Array(CHUNK_SIZE);
  let pos = 0;
  try {
    for (;;) {
      const n = await readFull(f, buf, pos);
      if (n === 0) break;
      await dec.chunk(buf, n, pos, n < CHUNK_SIZE);
      pos += n;
      if (n < CHUNK_SIZE) break;
    }
    dec.finish();
    return { records: dec.records, bytes: pos, corruption: null };
  } catch (e) {
    if (!(e instanceof CorruptionError)) throw e;
    return {
      records: dec.records,
      bytes: pos,
      corruption: { segment, offset: e.offset, reason: e.reason, message: `segment ${segment}: ${e.message}` },
    };
  } finally {
    await f.close();
  }
}

/**
 * Replay the segments of dir in [from, to]. Throws when the segments in range are not
 * consecutive (one missing in the middle is not something repair can fix) or on I/O errors;
 * corruption is returned, not thrown.
 */
export async function replay(dir: string, opts: ReplayOptions, onRecord: OnRecord): Promise<ReplayResult> {
  const from = opts.from ?? 0;
  const to = opts.to ?? Number.MAX_SAFE_INTEGER;
  const segs = (await listSegments(dir)).filter((s) => s >= from && s <= to);
  for (let i = 1; i < segs.length; i++) {
    if (segs[i]! !== segs[i - 1]! + 1) {
      throw new Error(`wal: segments in ${dir} are not sequential: ${segs[i - 1]} is followed by ${segs[i]}`);
    }
  }
  let records = 0;
  let bytes = 0;
  let segments = 0;
  for (const s of segs) {
    const r = await replaySegment(dir, s, onRecord);
    records += r.records;
    bytes += r.bytes;
    segments++;
    if (r.corruption !== null) {
      return { records, segments, first: segs[0]!, last: s, bytes, corruption: r.corruption };
    }
  }
  return {
    records,
    segments,
    first: segs.length > 0 ? segs[0]! : -1,
    last: segs.length > 0 ? segs[segs.length - 1]! : -1,
    bytes,
    corruption: null,
  };
}

export interface RepairResult {
  /** The segment cut at the corruption. */
  readonly segment: number;
  /** Its new length (the corruption offset rounded up to a page, zero-filled). */
  readonly keptBytes: number;
  /** Bytes dropped from it plus the sizes of the deleted later segments. */
  readonly droppedBytes: number;
  readonly deletedSegments: readonly number[];
}

/**
 * Cut the WAL at a corruption that replay() reported, as Prometheus's Repair does: every record
 * before the corrupted one stays, the corrupted segment ends there (its last page zero-filled,
 * so it is page-aligned like a closed segment) and all later segments are deleted. Run it while
 * no WAL writer has the directory open, before WAL.open().
 */
export async function repair(dir: string, c: Corruption): Promise<RepairResult> {
  if (!Number.isInteger(c.segment) || c.segment < 0 || !Number.isInteger(c.offset) || c.offset < 0) {
    throw new Error(`wal: repair needs a corruption position, got segment ${c.segment} offset ${c.offset}`);
  }
  let dropped = 0;
  const deleted: number[] = [];
  // Later segments first: a crash halfway through leaves a WAL that still replays to the cut.
  const later = (await listSegments(dir)).filter((s) => s > c.segment).reverse();
  for (const s of later) {
    const p = segmentPath(dir, s);
    dropped += (await stat(p)).size;
    await rm(p);
    deleted.push(s);
  }
  deleted.reverse();
  const f = await open(segmentPath(dir, c.segment), 'r+');
  let kept: number;
  try {
    const size = (await f.stat()).size;
    const cut = Math.min(c.offset, size);
    kept = Math.ceil(cut / PAGE_SIZE) * PAGE_SIZE;
    dropped += Math.max(0, size - cut);
    // Truncate at the record, then extend with zeros to the page end: a valid page terminator.
    await f.truncate(cut);
    if (kept > cut) await f.truncate(kept);
    await f.sync();
  } finally {
    await f.close();
  }
  await fsyncDir(dir);
  return { segment: c.segment, keptBytes: kept, droppedBytes: dropped, deletedSegments: deleted };
}
