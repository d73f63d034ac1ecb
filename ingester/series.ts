/**
 * One in-memory series: its labels (interned strings, flat name/value pairs), the canonical key
 * bytes it is found by, and its chunks — closed ones as immutable bytes, the open one appendable.
 */

import { type Labels } from '../tsdb/labels.js';
import { type ChunkData, SeriesChunksIterator, readChunksInto } from '../tsdb/chunkenc/series-iterator.js';
import { Encoding, SAMPLES_PER_CHUNK, XorChunk } from '../tsdb/chunkenc/xor.js';
import type { SampleBuffer, SampleIterator } from '../tsdb/storage.js';

/** Chunks never cross a multiple of the head's chunk range (epoch aligned), as Prometheus cuts them; by default the block range. */
export const DEFAULT_CHUNK_RANGE_MS = 2 * 3600_000;

export interface ClosedChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly bytes: Uint8Array;
}

export class MemSeries {
  /** Flat [name0, value0, name1, value1, …], sorted by name. */
  readonly pairs: readonly string[];
  head: XorChunk | null = null;
  headEnd = 0;
  closed: ClosedChunk[] = [];
  minT = Number.POSITIVE_INFINITY;
  maxT = Number.NEGATIVE_INFINITY;
  lastHi = 0;
  lastLo = 0;
  /** Next series with the same key hash. */
  collision: MemSeries | null = null;

  constructor(
    readonly ref: number,
    readonly hash: number,
    readonly key: Uint8Array,
    pairs: string[],
    readonly metricName: string,
  ) {
    this.pairs = pairs;
  }

  labels(): Labels {
    const out = [];
    for (let i = 0; i < this.pairs.length; i += 2) out.push({ name: this.pairs[i]!, value: this.pairs[i + 1]! });
    return out;
  }

  labelValue(name: string): string {
    for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i] === name) return this.pairs[i + 1]!;
    return '';
  }

  /** Append a sample already known to be newer than maxT; chunks are cut at multiples of chunkRange. */
  append(t: number, hi: number, lo: number, chunkRange: number): void {
    let head = this.head;
    if (head === null || head.numSamples() >= SAMPLES_PER_CHUNK || t >= this.headEnd) {
      if (head !== null) this.closed.push({ minT: head.minT, maxT: head.maxT(), bytes: head.bytes() });
      head = this.head = new XorChunk();
      this.headEnd = (Math.floor(t / chunkRange) + 1) * chunkRange;
    }
    head.append(t, hi, lo);
    if (t < this.minT) this.minT = t;
    this.maxT = t;
    this.lastHi = hi >>> 0;
    this.lastLo = lo >>> 0;
  }

  /** Chunks wholly inside [mint, maxt): closed ones as they are, the open one copied. */
  chunksWithin(mint: number, maxt: number): ClosedChunk[] {
    const out: ClosedChunk[] = [];
    for (const c of this.closed) if (c.minT >= mint && c.maxT < maxt) out.push(c);
    const h = this.head;
    if (h && h.minT >= mint && h.maxT() < maxt) out.push({ minT: h.minT, maxT: h.maxT(), bytes: h.bytes() });
    return out;
  }

  /** Drop every chunk that ends before mint. True when the series holds no chunk afterwards. */
  truncateBefore(mint: number): boolean {
    if (this.closed.length > 0 && this.closed[0]!.maxT < mint) this.closed = this.closed.filter((c) => c.maxT >= mint);
    if (this.head && this.head.maxT() < mint) this.head = null;
    if (this.closed.length > 0) this.minT = this.closed[0]!.minT;
    else if (this.head) this.minT = this.head.minT;
    return this.closed.length === 0 && this.head === null;
  }

  sizeBytes(): number {
    let n = 200 + this.key.length + this.pairs.length * 8;
    for (const c of this.closed) n += c.bytes.length + 64;
    if (this.head) n += this.head.sizeBytes();
    return n;
  }

  /** How many chunks hold samples in [mint, maxt] (what iterator(mint, maxt) reads). */
  chunkCountWithin(mint: number, maxt: number): number {
    let n = 0;
    for (const c of this.closed) if (c.maxT >= mint && c.minT <= maxt) n++;
    if (this.head && this.head.maxT() >= mint && this.head.minT <= maxt) n++;
    return n;
  }

  /** The chunks holding samples in [mint, maxt], in time order. */
  private chunkData(mint: number, maxt: number): ChunkData[] {
    const chunks: ChunkData[] = [];
    for (const c of this.closed) if (c.maxT >= mint && c.minT <= maxt) chunks.push({ encoding: Encoding.XOR, data: c.bytes });
    if (this.head && this.head.maxT() >= mint && this.head.minT <= maxt) chunks.push({ encoding: Encoding.XOR, data: this.head.bytes() });
    return chunks;
  }

  /** Series.readInto: the samples in [mint, maxt] appended to buf in one call. */
  readInto(buf: SampleBuffer, mint: number, maxt: number): Error | null {
    return readChunksInto(this.chunkData(mint, maxt), buf, mint, maxt);
  }

  /** Samples in [mint, maxt] across all chunks. */
  iterator(mint: number, maxt: number): SampleIterator {
    return new SeriesChunksIterator(this.chunkData(mint, maxt), mint, maxt);
  }
}
