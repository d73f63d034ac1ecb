/**
 * The read seam (after Prometheus's storage/interface.go). A Queryable opens a Querier over a
 * time range; select returns a SeriesSet whose iterators are synchronous: `await` happens once,
 * at the I/O boundary of select, never per sample.
 *
 * Contracts:
 *  - SeriesSet: call next() before at(); at() is valid until the next call to next(); err() is
 *    checked once next() returns false. Series come sorted by labels when `sorted` was asked.
 *  - SampleIterator: next() advances and returns false at the end; seek(t) advances to the first
 *    sample with timestamp >= t (never backwards) and returns whether one exists; atT()/atV()
 *    read the current sample. Values are JS numbers; use isStaleNaN to recognise the stale marker
 *    (it survives the quieting of signalling NaNs because its payload is kept).
 */

import type { Labels } from './labels.js';
import type { Matcher } from './matchers.js';

export interface SampleIterator {
  next(): boolean;
  seek(t: number): boolean;
  atT(): number;
  atV(): number;
  err(): Error | null;
}

/**
 * Where a series' samples are read in bulk (Series.readInto): times and value bits appended at
 * index n, stale markers' indexes listed. Values are written as bits, so NaN payloads stay exact.
 */
export class SampleBuffer {
  ts: Float64Array;
  vs: Float64Array;
  /** vs as little-endian 32-bit words: value k is (vBits[2k+1], vBits[2k]) = (hi, lo). */
  vBits: Uint32Array;
  n = 0;
  stale: number[] | null = null;

  constructor(capacity = 1024) {
    this.ts = new Float64Array(capacity);
    this.vs = new Float64Array(capacity);
    this.vBits = new Uint32Array(this.vs.buffer);
  }

  reset(): void {
    this.n = 0;
    this.stale = null;
  }

  /** Appends a sample given as value bits. */
  push(t: number, hi: number, lo: number): void {
    const k = this.n;
    if (k === this.ts.length) this.grow();
    this.ts[k] = t;
    this.vBits[2 * k] = lo;
    this.vBits[2 * k + 1] = hi;
    if (isStaleBits(hi, lo)) (this.stale ??= []).push(k);
    this.n = k + 1;
  }

  /** Appends a sample given as a number; a stale marker is recognised here, before storing may lose its payload. */
  pushValue(t: number, v: number): void {
    const k = this.n;
    if (k === this.ts.length) this.grow();
    this.ts[k] = t;
    this.vs[k] = v;
    if (v !== v && isStaleNaN(v)) (this.stale ??= []).push(k);
    this.n = k + 1;
  }

  private grow(): void {
    const ts = new Float64Array(this.ts.length * 2);
    ts.set(this.ts);
    const vs = new Float64Array(this.vs.length * 2);
    vs.set(this.vs);
    this.ts = ts;
    this.vs = vs;
    this.vBits = new Uint32Array(vs.buffer);
  }
}

export interface Series {
  readonly labels: Labels;
  /**
   * Appends the samples in [mint, maxt] to `buf` in one call, where the source can (chunks in
   * time order): null when done, an Error when the data is damaged, false when the caller must
   * use iterator() instead (buf may hold part of the series then; reset it). Samples already in
   * the buffer before index n are not the series': leave them alone.
   */
  readInto?(buf: SampleBuffer, mint: number, maxt: number): Error | null | false;
  /** How many chunks the samples are read from, where the source stores chunks (per-query limits count them). */
  readonly chunkCount?: number;
  iterator(reuse?: SampleIterator): SampleIterator;
}

export interface SeriesSet {
  next(): boolean;
  at(): Series;
  err(): Error | null;
  readonly warnings: readonly string[];
}

export interface SelectHints {
  readonly start: number;
  readonly end: number;
  /** Only labels are wanted (the series API): the iterator may be empty. */
  readonly seriesOnly?: boolean;
  readonly limit?: number;
}

export interface Querier {
  select(sorted: boolean, hints: SelectHints | null, matchers: readonly Matcher[]): Promise<SeriesSet>;
  labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]>;
  labelNames(matchers: readonly Matcher[]): Promise<string[]>;
  close(): void;
}

export interface Queryable {
  querier(mint: number, maxt: number): Querier;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Prometheus's staleness marker: NaN with payload 2 (bits 0x7FF0000000000002, or quieted 0x7FF8000000000002). */
export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

/** The staleness marker as a JS number (V8 keeps the NaN payload through loads and stores). */
export const STALE_NAN: number = (() => {
  u32[0] = STALE_NAN_LO;
  u32[1] = STALE_NAN_HI;
  return f64[0]!;
})();

export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  f64[0] = v;
  return u32[0] === STALE_NAN_LO && (u32[1]! & 0xfff7ffff) === STALE_NAN_HI;
}

/** The number whose IEEE-754 bits are (hi, lo). */
export function valueFromBits(hi: number, lo: number): number {
  u32[0] = lo;
  u32[1] = hi;
  return f64[0]!;
}

export function isStaleBits(hi: number, lo: number): boolean {
  return lo === STALE_NAN_LO && (hi & 0xfff7ffff) === STALE_NAN_HI;
}

/** A SeriesSet over series already in memory, in the order given. */
export class ListSeriesSet implements SeriesSet {
  private i = -1;
  readonly warnings: readonly string[] = [];

  constructor(private readonly list: readonly Series[]) {}

  next(): boolean {
    if (this.i < this.list.length) this.i++;
    return this.i < this.list.length;
  }

  at(): Series {
    const s = this.list[this.i];
    if (!s) throw new Error('at() without a successful next()');
    return s;
  }

  err(): Error | null {
    return null;
  }
}

export const emptySeriesSet: SeriesSet = {
  next: () => false,
  at: () => {
    throw new Error('at() on an empty SeriesSet');
  },
  err: () => null,
  warnings: [],
};

/** A SampleIterator over samples held in memory (parallel timestamp and value arrays), within [mint, maxt]. */
export class ArraySampleIterator implements SampleIterator {
  private i = -1;
  constructor(
    private readonly ts: ArrayLike<number>,
    private readonly vs: ArrayLike<number>,
    mint: number,
    private readonly maxt: number,
  ) {
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]! < mint) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo - 1;
  }
  next(): boolean {
    if (this.i + 1 >= this.ts.length || this.ts[this.i + 1]! > this.maxt) {
      this.i = this.ts.length;
      return false;
    }
    this.i++;
    return true;
  }
  seek(t: number): boolean {
    if (this.i < 0 && !this.next()) return false;
    while (this.i < this.ts.length && this.ts[this.i]! < t) if (!this.next()) return false;
    return this.i < this.ts.length;
  }
  atT(): number {
    return this.ts[this.i]!;
  }
  atV(): number {
    return this.vs[this.i]!;
  }
  err(): Error | null {
    return null;
  }
  /** The index of the current sample in the arrays. */
  protected position(): number {
    return this.i;
  }
}
