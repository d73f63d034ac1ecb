/**
 * Chunk segment files, `<block>/chunks/000001…` (FORMAT.md beside this file): an 8-byte header,
 * then records `uvarint len | encoding | data | be32 CRC32C(encoding || data)`. A chunk's ref is
 * segmentIndex × 2^32 + byte offset of its record, kept as a JS number (exact: 2^53 allows
 * 2^21 segments).
 *
 * The writer buffers records and writes them in large pieces; the reader never reads a whole
 * file: it reads each chunk (or a run of nearby chunks) with positional reads.
 */

import { type FileHandle, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c, crc32cUpdate } from '../encoding/crc32c.js';
import type { ChunkData } from '../chunkenc/series-iterator.js';
import { Encbuf, readBE32 } from '../encoding/encbuf.js';

export const SEGMENT_MAGIC = 0x85bd40dd;
export const SEGMENT_VERSION = 1;
/** magic, version, 3 bytes of padding. */
export const SEGMENT_HEADER_SIZE = 8;
/** Prometheus's DefaultChunkSegmentSize. */
export const DEFAULT_SEGMENT_SIZE = 512 * 1024 * 1024;
/** A record's length uvarint (a 32-bit length) takes at most 5 bytes. */
export const MAX_LEN_FIELD = 5;
/** The CRC32C after each record's data. */
export const CRC_SIZE = 4;
const TWO32 = 0x1_0000_0000;
/** The writer hands the file system pieces of about this size. */
const FLUSH_SIZE = 4 * 1024 * 1024;

export function segmentFileName(seq: number): string {
  return String(seq).padStart(6, '0');
}

export function chunkRef(segmentIndex: number, offset: number): number {
  return segmentIndex * TWO32 + offset;
}

export class ChunkSegmentWriter {
  private file: FileHandle | null = null;
  private seq = 0;
  /** Bytes of the current segment, written or buffered. */
  private size = 0;
  private readonly buf = new Encbuf(64 * 1024);
  private readonly header = new Uint8Array([0x85, 0xbd, 0x40, 0xdd, SEGMENT_VERSION, 0, 0, 0]);
  /** Names of the segment files written, in order. */
  readonly files: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly segmentSize: number = DEFAULT_SEGMENT_SIZE,
  ) {}

  /** Append one chunk; returns its ref. */
  async write(encoding: number, data: Uint8Array): Promise<number> {
    const recordMax = MAX_LEN_FIELD + 1 + data.length + CRC_SIZE;
    if (this.file === null || (this.size > SEGMENT_HEADER_SIZE && this.size + recordMax > this.segmentSize)) await this.cut();
    if (this.size + recordMax > TWO32) throw new Error(`chunk of ${data.length} bytes does not fit a segment`);
    const ref = chunkRef(this.seq - 1, this.size);
    const b = this.buf;
    const start = b.len;
    b.putUvarint(data.length);
    b.putByte(encoding);
    b.putBytes(data);
    const crc = crc32cUpdate(crc32c(new Uint8Array([encoding])), data);
    b.putBE32(crc);
    this.size += b.len - start;
    if (b.len >= FLUSH_SIZE) await this.flush();
    return ref;
  }

  private async flush(): Promise<void> {
    if (this.file === null || this.buf.len === 0) return;
    const data = this.buf.get();
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.file.write(data, off, data.length - off);
      off += bytesWritten;
    }
    this.buf.reset();
  }

  private async finishFile(): Promise<void> {
    if (this.file === null) return;
    await this.flush();
    await this.file.sync();
    await this.file.close();
    this.file = null;
  }

  private async cut(): Promise<void> {
    await this.finishFile();
    if (this.seq === 0) await mkdir(this.dir, { recursive: true });
    this.seq++;
    const name = segmentFileName(this.seq);
    this.file = await open(join(this.dir, name), 'w');
    this.files.push(name);
    this.buf.putBytes(this.header);
    this.size = SEGMENT_HEADER_SIZE;
  }

  /** Flush, fsync and close the current segment. Writes no file if no chunk was written. */
  async close(): Promise<void> {
    await this.finishFile();
    if (this.seq === 0) await mkdir(this.dir, { recursive: true });
  }
}

export type { ChunkData };

interface Segment {
  readonly name: string;
  readonly file: FileHandle;
  readonly size: number;
}

/** Reads chunks of one block's chunks/ directory by ref. */
export class ChunkSegmentReader {
  private closed = false;

  private constructor(private readonly segments: readonly Segment[]) {}

  /** Opens every purely numeric file in `dir`, in name order, checking each header. */
  static async open(dir: string): Promise<ChunkSegmentReader> {
    const names = (await readdir(dir)).filter((n) => /^\d+$/.test(n)).sort();
    const segments: Segment[] = [];
    try {
      for (const name of names) {
        const file = await open(join(dir, name), 'r');
        let size = 0;
        try {
          size = (await file.stat()).size;
          if (size < SEGMENT_HEADER_SIZE) throw new Error(`invalid segment header in segment ${name}: size ${size}`);
          const h = new Uint8Array(SEGMENT_HEADER_SIZE);
          await readFully(file, h, 0);
          const magic = readBE32(h, 0);
          if (magic !== SEGMENT_MAGIC) throw new Error(`invalid magic number ${magic.toString(16)} in segment ${name}`);
          if (h[4] !== SEGMENT_VERSION) throw new Error(`invalid chunk format version ${h[4]} in segment ${name}`);
        } catch (e) {
          await file.close();
          throw e;
        }
        segments.push({ name, file, size });
      }
    } catch (e) {
      for (const s of segments) await s.file.close();
      throw e;
    }
    return new ChunkSegmentReader(segments);
  }

  segmentNames(): string[] {
    return this.segments.map((s) => s.name);
  }

  /** Total bytes of all segment files. */
  size(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  private segment(ref: number): { seg: Segment; off: number } {
    if (this.closed) throw new Error('chunk reader is closed');
    const idx = Math.floor(ref / TWO32);
    const off = ref % TWO32;
    const seg = this.segments[idx];
    if (seg === undefined) throw new Error(`segment index ${idx} out of range`);
    if (off < SEGMENT_HEADER_SIZE || off + MAX_LEN_FIELD > seg.size) {
      throw new Error(`segment doesn't include enough bytes to read the chunk size data field - required:${off + MAX_LEN_FIELD}, available:${seg.size}`);
    }
    return { seg, off };
  }

  /** One chunk, CRC checked. */
  async read(ref: number): Promise<ChunkData> {
    const out = await this.readMany([ref]);
    return out[0]!;
  }

  /**
   * Many chunks, in the order of `refs`, CRC checked. Refs are sorted and runs of chunks less
   * than `gap` bytes apart in one segment are fetched with one read of at most `maxRead` bytes.
   */
  async readMany(refs: readonly number[], gap = 16 * 1024, maxRead = 1024 * 1024): Promise<ChunkData[]> {
    const order = refs.map((_, i) => i).sort((a, b) => refs[a]! - refs[b]!);
    const out = new Array<ChunkData>(refs.length);
    let i = 0;
    while (i < order.length) {
      const first = this.segment(refs[order[i]!]!);
      let j = i + 1;
      let last = first.off;
      while (j < order.length) {
        const next = this.segment(refs[order[j]!]!);
        if (next.seg !== first.seg || next.off - last > gap || next.off - first.off > maxRead) break;
        last = next.off;
        j++;
      }
      // Guess 512 bytes for the last chunk of the run; read more if it is longer.
      const end = Math.min(first.seg.size, last + 512);
      const buf = new Uint8Array(end - first.off);
      await readFully(first.seg.file, buf, first.off);
      for (let k = i; k < j; k++) {
        const idx = order[k]!;
        const ref = refs[idx]!;
        const off = ref % TWO32;
        let c = decodeRecord(buf, off - first.off, first.seg, off);
        if (c === null) {
          // Only the run's last chunk can be cut short by the guess: read it on its own.
          const need = await this.recordLength(first.seg, off);
          const one = new Uint8Array(need);
          await readFully(first.seg.file, one, off);
          c = decodeRecord(one, 0, first.seg, off);
          if (c === null) throw new Error(`segment ${first.seg.name} doesn't include enough bytes to read the chunk at ${off}`);
        }
        out[idx] = c;
      }
      i = j;
    }
    return out;
  }

  private async recordLength(seg: Segment, off: number): Promise<number> {
    const h = new Uint8Array(Math.min(MAX_LEN_FIELD, seg.size - off));
    await readFully(seg.file, h, off);
    const { value, n } = chunkLengthField(h, 0);
    if (n <= 0) throw new Error(`segment ${seg.name}: invalid chunk length at ${off}`);
    const total = n + 1 + value + CRC_SIZE;
    if (off + total > seg.size) throw new Error(`segment doesn't include enough bytes to read the chunk - required:${off + total}, available:${seg.size}`);
    return total;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.segments) await s.file.close();
  }
}

/** Decodes the record at buf[at]; null when buf ends before the record does. Throws on a bad CRC. */
function decodeRecord(buf: Uint8Array, at: number, seg: Segment, fileOff: number): ChunkData | null {
  const { value: len, n } = chunkLengthField(buf, at);
  if (n === 0) return null;
  if (n < 0) throw new Error(`segment ${seg.name}: invalid chunk length at ${fileOff}`);
  const encPos = at + n;
  const end = encPos + 1 + len;
  if (end + CRC_SIZE > buf.length) {
    if (fileOff + n + 1 + len + CRC_SIZE > seg.size) {
      throw new Error(`segment doesn't include enough bytes to read the chunk - required:${fileOff + n + 1 + len + CRC_SIZE}, available:${seg.size}`);
    }
    return null;
  }
  return verifiedChunk(buf, encPos, end, (problem) => `${problem} (chunk ${seg.name}:${fileOff})`);
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, '0');
}

/**
 * The chunk of a record whose encoding byte is at buf[encPos] and whose data ends at `end`, after
 * checking the CRC32C that follows; a mismatch throws, its text shaped by `describe`.
 */
export function verifiedChunk(buf: Uint8Array, encPos: number, end: number, describe: (problem: string) => string): ChunkData {
  const want = readBE32(buf, end);
  const got = crc32c(buf, encPos, end);
  if (want !== got) throw new Error(describe(`checksum mismatch expected:${hex32(want)}, actual:${hex32(got)}`));
  return { encoding: buf[encPos]!, data: buf.subarray(encPos + 1, end) };
}

/** A record's length field at b[at]: n = bytes used, 0 when the buffer ends first, -1 when longer than 5 bytes. */
export function chunkLengthField(b: Uint8Array, at: number): { value: number; n: number } {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < MAX_LEN_FIELD; i++) {
    if (at < 0 || at + i >= b.length) return { value: 0, n: 0 };
    const c = b[at + i]!;
    v += (c & 0x7f) * mul;
    if (c < 0x80) return { value: v, n: i + 1 };
    mul *= 128;
  }
  return { value: 0, n: -1 };
}

async function readFully(file: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesRead } = await file.read(buf, off, buf.length - off, position + off);
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${position + off}`);
    off += bytesRead;
  }
}
