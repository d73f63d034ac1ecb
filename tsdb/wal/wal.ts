/**
 * The write-ahead log writer: Prometheus's wlog segment format (FORMAT.md) with group commit.
 *
 * log() frames its records synchronously into the pending buffer (so callers may reuse their
 * record buffers as soon as log() returns its promise) and joins the next batch. One batch is
 * written at a time: while a write (and, with fsync 'always', its fsync) is in flight, every
 * other caller's records pile up in the other buffer and go out together in one write. A
 * log() promise resolves once the write holding its records completed (the OS has the bytes,
 * which survive kill -9) and, with 'always', was fsynced (survives a power loss).
 *
 * Like Prometheus, open() never appends to an existing segment, which may end in a torn record:
 * it starts a new segment after the last one. Replay and repair (reader.ts) therefore run
 * BEFORE open(): open() followed by a repair of an earlier segment would delete the segment
 * open() created.
 */

import { open as openFile, mkdir, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { crc32c } from '../encoding/crc32c.js';
import { Encbuf } from '../encoding/encbuf.js';
import {
  DEFAULT_SEGMENT_SIZE,
  FragmentType,
  HEADER_SIZE,
  PAGE_SIZE,
  SNAPPY_FLAG,
  fsyncDir,
  listCheckpoints,
  listSegments,
  segmentPath,
  snappyCodec,
} from './segment.js';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface WALOptions {
  /** Bytes per segment, a multiple of the 32 KiB page; default 128 MiB. */
  readonly segmentSize?: number;
  /**
   * always: fsync before log() resolves — loses nothing acknowledged, even on power loss.
   * interval: fsync every fsyncIntervalMs if something was written — a power loss (not a process
   *   crash) may lose up to that interval of acknowledged records.
   * never: fsync only when a segment is closed — a power loss may lose the open segment's
   *   unsynced part; a process crash loses nothing acknowledged.
   */
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs?: number;
  /** Snappy-compress each record when that makes it smaller (fragment flag bit 3). */
  readonly compress?: boolean;
  /** Called once when the WAL fails (a write, fsync or open failed); later log() calls reject. */
  readonly onError?: (e: Error) => void;
}

/** Counters for the ingester's self-metrics; monotonic, never reset. */
export interface WALStats {
  /** log() calls and records accepted. */
  logCalls: number;
  records: number;
  /** Record bytes before framing and compression. */
  recordBytes: number;
  /** Records stored compressed. */
  compressedRecords: number;
  /** Bytes written to segment files (fragments and page padding). */
  bytesWritten: number;
  /** write syscalls issued; group commit keeps this far below logCalls under load. */
  writes: number;
  /** Time spent in write calls (batches), for a write-latency metric. */
  writeSeconds: number;
  fsyncs: number;
  fsyncSeconds: number;
  segmentsCreated: number;
}

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

/** A run of the pending buffer that belongs to one segment. */
interface Span {
  seg: number;
  start: number;
  end: number;
}

interface Batch {
  buf: Encbuf;
  spans: Span[];
  waiters: Waiter[];
}

const DEFAULT_FSYNC_INTERVAL_MS = 1000;
const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

export class WAL {
  readonly stats: WALStats = {
    logCalls: 0,
    records: 0,
    recordBytes: 0,
    compressedRecords: 0,
    bytesWritten: 0,
    writes: 0,
    writeSeconds: 0,
    fsyncs: 0,
    fsyncSeconds: 0,
    segmentsCreated: 0,
  };

  private readonly segmentSize: number;
  private readonly pagesPerSegment: number;
  /** Most record bytes one empty segment can hold. */
  private readonly maxRecordSize: number;
  private readonly policy: FsyncPolicy;
  private readonly compress: boolean;
  private readonly onError: ((e: Error) => void) | undefined;

  /** Framing position: the segment being framed into and its logical length. */
  private seg: number;
  private segOffset = 0;

  private pending: Batch = { buf: new Encbuf(64 * 1024), spans: [], waiters: [] };
  private spare: Batch = { buf: new Encbuf(64 * 1024), spans: [], waiters: [] };

  private file: FileHandle | null = null;
  private fileSeg = -1;
  private fileOffset = 0;
  /** Bytes written to the open file since its last fsync. */
  private unsynced = false;

  private flushing = false;
  private syncRequested = false;
  private drained: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private error: Error | null = null;
  private closing = false;

  private constructor(
    readonly dir: string,
    opts: WALOptions,
    firstSegment: number,
  ) {
    this.segmentSize = opts.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.pagesPerSegment = this.segmentSize / PAGE_SIZE;
    this.maxRecordSize = this.pagesPerSegment * (PAGE_SIZE - HEADER_SIZE);
    this.policy = opts.fsync;
    this.compress = opts.compress ?? false;
    this.onError = opts.onError;
    this.seg = firstSegment;
  }

  /**
   * Create dir if needed and start a new segment after the last existing one — and after the
   * last checkpoint, whose replay skips every segment up to its index.
   */
  static async open(dir: string, opts: WALOptions): Promise<WAL> {
    const size = opts.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new Error(`wal: segment size ${size} is not a positive multiple of the ${PAGE_SIZE}-byte page`);
    }
    const interval = opts.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS;
    if (opts.fsync === 'interval' && !(interval > 0)) {
      throw new Error(`wal: fsync interval ${interval} ms must be positive`);
    }
    await mkdir(dir, { recursive: true });
    const segs = await listSegments(dir);
    const cps = await listCheckpoints(dir);
    const last = Math.max(segs.length > 0 ? segs[segs.length - 1]! : -1, cps.length > 0 ? cps[cps.length - 1]!.index : -1);
    const w = new WAL(dir, opts, last + 1);
    await w.openSegment(last + 1);
    if (opts.fsync === 'interval') {
      w.timer = setInterval(() => w.requestSync(), interval);
      w.timer.unref();
    }
    return w;
  }

  /** Framed bytes waiting for the next write (for back-pressure: stop accepting pushes above a limit). */
  get pendingBytes(): number {
    return this.pending.buf.len;
  }

  /** Index of the segment new records go into. */
  get currentSegment(): number {
    return this.seg;
  }

  /**
   * Append records; those of one call are contiguous and in order, and calls are ordered as
   * made. The record bytes are copied before this returns.
   */
  log(records: readonly Uint8Array[]): Promise<void> {
    if (this.error !== null) return Promise.reject(this.error);
    if (this.closing) return Promise.reject(new Error('wal: log after close'));
    const b = this.pending;
    const mark = { len: b.buf.len, spans: b.spans.length, seg: this.seg, segOffset: this.segOffset };
    const lastSpanEnd = b.spans.length > 0 ? b.spans[b.spans.length - 1]!.end : 0;
    try {
      for (const rec of records) this.frame(rec);
    } catch (e) {
      // A record too large: undo this call's framing so the log stays as it was.
      b.buf.len = mark.len;
      b.spans.length = mark.spans;
      if (b.spans.length > 0) b.spans[b.spans.length - 1]!.end = lastSpanEnd;
      this.seg = mark.seg;
      this.segOffset = mark.segOffset;
      return Promise.reject(e as Error);
    }
    this.stats.logCalls++;
    this.stats.records += records.length;
    for (const rec of records) this.stats.recordBytes += rec.length;
    return this.enqueueWaiter();
  }

  /** Close the current segment (padding its last page) and start the next; its index. */
  async nextSegment(): Promise<number> {
    if (this.error !== null) throw this.error;
    if (this.closing) throw new Error('wal: nextSegment after close');
    this.switchSegment();
    await this.enqueueWaiter();
    return this.seg;
  }

  /** First and last segment index on disk, -1 for both when there is none. */
  async segmentRange(): Promise<{ first: number; last: number }> {
    const segs = await listSegments(this.dir);
    if (segs.length === 0) return { first: -1, last: -1 };
    return { first: segs[0]!, last: segs[segs.length - 1]! };
  }

  /**
   * Delete segments with index < before (never the one being written). Returns how many went.
   * Call after a checkpoint covering them: `truncate(checkpointIndex + 1)`.
   */
  async truncate(before: number): Promise<number> {
    const limit = Math.min(before, this.fileSeg, this.seg);
    let n = 0;
    for (const s of await listSegments(this.dir)) {
      if (s >= limit) break;
      await rm(segmentPath(this.dir, s), { force: true });
      n++;
    }
    if (n > 0 && this.policy !== 'never') await fsyncDir(this.dir);
    return n;
  }

  /** Write what is pending, pad the last page, fsync and close. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) {
      await this.waitDrained();
      return;
    }
    this.closing = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.error === null) {
      this.padPage();
      try {
        await this.enqueueWaiter();
      } catch {
        // The error is sticky and reported through onError; closing still releases the file.
      }
    }
    await this.waitDrained();
    const f = this.file;
    this.file = null;
    if (f !== null) {
      try {
        if (this.error === null && this.unsynced) await this.sync(f);
      } finally {
        await f.close();
      }
    }
    if (this.error !== null) throw this.error;
  }

  // ---- framing (synchronous) ----

  private frame(rec: Uint8Array): void {
    let data = rec;
    let flag = 0;
    if (this.compress && rec.length > 0) {
      const c = snappyCodec().compress(rec);
      if (c.length < rec.length) {
        data = c;
        flag = SNAPPY_FLAG;
        this.stats.compressedRecords++;
      }
    }
    if (data.length > this.maxRecordSize) {
      throw new Error(`wal: record of ${data.length} bytes exceeds a ${this.segmentSize}-byte segment`);
    }
    const left = this.spaceLeft();
    if (left === 0 || data.length > left) this.switchSegment();

    const buf = this.pending.buf;
    this.ensureSpan();
    let pos = 0;
    let first = true;
    do {
      const room = PAGE_SIZE - (this.segOffset % PAGE_SIZE) - HEADER_SIZE;
      const l = Math.min(data.length - pos, room);
      const last = pos + l === data.length;
      const typ = first ? (last ? FragmentType.Full : FragmentType.First) : last ? FragmentType.Last : FragmentType.Middle;
      buf.putByte(typ | flag);
      buf.putBE16(l);
      buf.putBE32(crc32c(data, pos, pos + l));
      buf.putBytes(l === data.length ? data : data.subarray(pos, pos + l));
      this.segOffset += HEADER_SIZE + l;
      pos += l;
      first = false;
      // A page that can't hold a header and one byte more is finished with zeros.
      const rem = PAGE_SIZE - (this.segOffset % PAGE_SIZE);
      if (rem !== PAGE_SIZE && rem <= HEADER_SIZE) this.padPage();
    } while (pos < data.length);
    this.pending.spans[this.pending.spans.length - 1]!.end = buf.len;
  }

  /** Record bytes the current segment can still take. */
  private spaceLeft(): number {
    const inPage = this.segOffset % PAGE_SIZE;
    let left = 0;
    let donePages = Math.floor(this.segOffset / PAGE_SIZE);
    if (inPage !== 0) {
      const rem = PAGE_SIZE - inPage;
      if (rem > HEADER_SIZE) left += rem - HEADER_SIZE;
      donePages++;
    }
    return left + Math.max(0, this.pagesPerSegment - donePages) * (PAGE_SIZE - HEADER_SIZE);
  }

  private ensureSpan(): void {
    const spans = this.pending.spans;
    const lastSpan = spans[spans.length - 1];
    if (lastSpan === undefined || lastSpan.seg !== this.seg) {
      const at = this.pending.buf.len;
      spans.push({ seg: this.seg, start: at, end: at });
    }
  }

  /** Zero-fill the rest of the current page (no-op at a page boundary). */
  private padPage(): void {
    const inPage = this.segOffset % PAGE_SIZE;
    if (inPage === 0) return;
    this.ensureSpan();
    const n = PAGE_SIZE - inPage;
    const buf = this.pending.buf;
    buf.putBytes(ZERO_PAGE.subarray(0, n));
    this.segOffset += n;
    this.pending.spans[this.pending.spans.length - 1]!.end = buf.len;
  }

  private switchSegment(): void {
    this.padPage();
    this.seg++;
    this.segOffset = 0;
    // An empty span, so the writer creates the file even if nothing is logged into it yet.
    this.ensureSpan();
  }

  private enqueueWaiter(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  // ---- writing (one batch in flight) ----

  private kick(): void {
    if (this.flushing) return;
    this.flushing = true;
    // A microtask, so that callers logging in the same tick share the first write.
    queueMicrotask(() => void this.flushLoop());
  }

  private requestSync(): void {
    if (!this.unsynced) return;
    this.syncRequested = true;
    this.kick();
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.error === null && (this.pending.waiters.length > 0 || this.pending.spans.length > 0 || this.syncRequested)) {
        const batch = this.pending;
        this.pending = this.spare;
        this.spare = batch;
        try {
          await this.writeBatch(batch);
          if (this.file !== null && this.unsynced && (this.policy === 'always' || this.syncRequested)) {
            await this.sync(this.file);
          }
          this.syncRequested = false;
        } catch (e) {
          this.fail(e as Error);
          for (const w of batch.waiters) w.reject(this.error ?? (e as Error));
          batch.waiters.length = 0;
          break;
        }
        for (const w of batch.waiters) w.resolve();
        batch.waiters.length = 0;
        batch.spans.length = 0;
        batch.buf.reset();
      }
      if (this.error !== null) {
        for (const w of this.pending.waiters) w.reject(this.error);
        this.pending.waiters.length = 0;
      }
    } finally {
      this.flushing = false;
      const d = this.drained;
      this.drained = [];
      for (const w of d) w.resolve();
    }
  }

  private async writeBatch(batch: Batch): Promise<void> {
    const t0 = performance.now();
    for (const s of batch.spans) {
      if (s.seg !== this.fileSeg) await this.openSegment(s.seg);
      let at = s.start;
      while (at < s.end) {
        const f = this.file;
        if (f === null) throw new Error('wal: no open segment');
        const { bytesWritten } = await f.write(batch.buf.buf, at, s.end - at, this.fileOffset);
        this.stats.writes++;
        if (bytesWritten <= 0) throw new Error('wal: write made no progress');
        at += bytesWritten;
        this.fileOffset += bytesWritten;
        this.stats.bytesWritten += bytesWritten;
        this.unsynced = true;
      }
    }
    this.stats.writeSeconds += (performance.now() - t0) / 1000;
  }

  /** Close (fsyncing) the open segment and create segment `index`. */
  private async openSegment(index: number): Promise<void> {
    const old = this.file;
    if (old !== null) {
      this.file = null;
      try {
        if (this.unsynced) await this.sync(old);
      } finally {
        await old.close();
      }
    }
    const path = segmentPath(this.dir, index);
    // 'wx': a segment is always new; finding one there means two writers share the directory.
    this.file = await openFile(path, 'wx');
    this.fileSeg = index;
    this.fileOffset = 0;
    this.unsynced = false;
    this.stats.segmentsCreated++;
    if (this.policy !== 'never') await fsyncDir(this.dir);
  }

  private async sync(f: FileHandle): Promise<void> {
    const t0 = performance.now();
    await f.sync();
    this.stats.fsyncs++;
    this.stats.fsyncSeconds += (performance.now() - t0) / 1000;
    if (f === this.file) this.unsynced = false;
  }

  private fail(e: Error): void {
    if (this.error !== null) return;
    this.error = new Error(`wal: ${e.message}`, { cause: e });
    this.onError?.(this.error);
  }

  private waitDrained(): Promise<void> {
    if (!this.flushing) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.drained.push({ resolve, reject }));
  }
}

/** Total size in bytes of the segment files in dir (for tests and tooling). */
export async function segmentsSize(dir: string): Promise<number> {
  let n = 0;
  for (const s of await listSegments(dir)) n += (await stat(segmentPath(dir, s))).size;
  return n;
}
