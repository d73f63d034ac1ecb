/**
 * A tenant's in-memory head: series found by the bytes of their labels straight from the push
 * (hash, then a byte comparison against the stored key — no strings for known series), their
 * samples appended to XOR chunks with Cortex's out-of-order and duplicate rules, the postings
 * index, and the series limits.
 */

import type { WriteBatch } from '../proto/write-batch.js';
import { type Labels, compareLabels, compareStrings, goQuote } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { type Series, type SeriesSet, valueFromBits } from '../tsdb/storage.js';
import type { Limits } from '../util/limits.js';
import { Postings } from './postings.js';
import { type ClosedChunk, DEFAULT_CHUNK_RANGE_MS, MemSeries } from './series.js';

const SEP = 0xff;

/** Mix a byte range into h, four bytes at a time (murmur3's block step), then the tail. */
function mixRange(buf: Uint8Array, off: number, len: number, h: number): number {
  let i = off;
  const end = off + len;
  for (; i + 4 <= end; i += 4) {
    let k = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = SEP;
  for (let shift = 8; i < end; i++, shift += 8) k |= buf[i]! << shift;
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  return (Math.imul(h ^ len, 0x85ebca6b) + 0x27d4eb2f) | 0;
}

/**
 * A hash of every label's name and value, straight from the request bytes. 30 bits, so it is a
 * small integer to V8 (a Smi): a larger one would be a heap number, slower as a Map key.
 */
export function hashLabelBytes(buf: Uint8Array, pos: Uint32Array, l0: number, n: number): number {
  let h = 0x811c9dc5;
  for (let j = l0, end = l0 + n; j < end; j++) {
    h = mixRange(buf, pos[4 * j]!, pos[4 * j + 1]!, h);
    h = mixRange(buf, pos[4 * j + 2]!, pos[4 * j + 3]!, h);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x3fffffff;
}

function keyEquals(key: Uint8Array, buf: Uint8Array, pos: Uint32Array, l0: number, n: number): boolean {
  let k = 0;
  for (let j = l0, end = l0 + n; j < end; j++) {
    for (let q = 0; q < 2; q++) {
      const off = pos[4 * j + 2 * q]!;
      const len = pos[4 * j + 2 * q + 1]!;
      if (k + len + 1 > key.length) return false;
      for (let i = 0; i < len; i++) if (key[k + i] !== buf[off + i]) return false;
      k += len;
      if (key[k++] !== SEP) return false;
    }
  }
  return k === key.length;
}

/**
 * Receives what an append changed, in order, so it can be written to the WAL before the push is
 * acknowledged: each new series before any of its samples.
 */
export interface AppendLog {
  series(s: MemSeries): void;
  sample(ref: number, t: number, hi: number, lo: number): void;
}

/**
 * Hears each series of a push that carries exemplars, once the series is known: created or found
 * with its samples, or found (never created) when the entry holds only exemplars, as remote
 * write sends them.
 */
export type ExemplarSink = (s: MemSeries, batch: WriteBatch, i: number) => void;

/** A series and its chunks wholly inside a block's range, for the block writer. */
export interface BlockSeriesInput {
  readonly labels: Labels;
  readonly chunks: readonly ClosedChunk[];
}

export interface AppendError {
  readonly status: number;
  readonly reason: string;
  readonly message: string;
}

export interface AppendTally {
  appended: number;
  discarded: number;
  firstError: AppendError | null;
  /** Discarded samples by reason. */
  readonly reasons: Map<string, number>;
  createdSeries: number;
}

function rfc3339(t: number): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().replace(/\.(\d*?)0+Z$/, '.$1Z').replace(/\.Z$/, 'Z');
}

/** Go's %g-like text of a float for messages. */
function floatText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Label text from the request bytes; ASCII (the common case) takes the cheaper latin1 path. */
function decodeText(b: Buffer, off: number, len: number): string {
  for (let i = off, end = off + len; i < end; i++) if (b[i]! >= 0x80) return b.toString('utf8', off, end);
  return b.toString('latin1', off, off + len);
}

export class TenantHead {
  private readonly byHash = new Map<number, MemSeries>();
  private readonly series: (MemSeries | undefined)[] = [];
  private readonly postings = new Postings();
  private readonly perMetric = new Map<string, number>();
  private readonly strings = new Map<string, string>();
  private nextRef = 0;
  /** A Buffer view of the batch being appended, made on the first new series. */
  private text: Buffer | null = null;
  /** Series keys are carved out of shared slabs: one backing store per slab, not per series. */
  private slab = new Uint8Array(0);
  private slabUsed = 0;
  private live = 0;
  private minT = Number.POSITIVE_INFINITY;
  private maxT = Number.NEGATIVE_INFINITY;
  /** Samples before this were cut into blocks (or are too old for the head): out of bounds. */
  private minValidTime = Number.NEGATIVE_INFINITY;
  /** Scratch space of restoreSeries. */
  private scratch = Buffer.allocUnsafe(1024);
  private scratchPos = new Uint32Array(64);
  /** Replaceable for tests that force hash collisions. */
  hash: (buf: Uint8Array, pos: Uint32Array, l0: number, n: number) => number = hashLabelBytes;

  /** chunkRange: chunks never cross a multiple of it; the block range. */
  constructor(
    readonly tenant: string,
    readonly chunkRange: number = DEFAULT_CHUNK_RANGE_MS,
  ) {}

  /** Series held now. */
  numSeries(): number {
    return this.live;
  }

  /** Earliest and latest sample time held (±Infinity when empty). */
  minTime(): number {
    return this.minT;
  }

  maxTime(): number {
    return this.maxT;
  }

  /**
   * Prometheus's appendable window: nothing before the last cut block's end, nor more than half
   * a chunk range behind the newest sample (that part of the head may be cut into a block now).
   */
  appendableMinValidTime(): number {
    return Math.max(this.minValidTime, this.maxT - this.chunkRange / 2);
  }

  /** Append the samples of `indices[0..count)` of `batch`; `log` hears every change, `exemplars` every series with exemplars. */
  append(
    batch: WriteBatch,
    indices: Uint32Array,
    count: number,
    limits: Limits,
    tally: AppendTally,
    log: AppendLog | null = null,
    exemplars: ExemplarSink | null = null,
  ): void {
    const { buf, labelPos: pos, labelStart, labelCount, sampleStart, sampleCount, ts, valueHi, valueLo } = batch;
    const chunkRange = this.chunkRange;
    const minValid = this.appendableMinValidTime();
    this.text = null;
    for (let k = 0; k < count; k++) {
      const i = indices[k]!;
      const l0 = labelStart[i]!;
      const ln = labelCount[i]!;
      const n = sampleCount[i]!;
      const withExemplars = exemplars !== null && batch.exemplarCount[i]! > 0;
      if (n === 0 && !withExemplars) continue;
      const h = this.hash(buf, pos, l0, ln);
      let s: MemSeries | null | undefined = this.byHash.get(h);
      while (s && !keyEquals(s.key, buf, pos, l0, ln)) s = s.collision;
      if (n === 0) {
        if (s) exemplars!(s, batch, i);
        continue;
      }
      if (!s) {
        if (!anyAtOrAfter(ts, sampleStart[i]!, n, minValid)) {
          // Nothing of it could be stored: refuse without creating the series (as Prometheus does).
          for (let q = sampleStart[i]!, end = q + n; q < end; q++) {
            this.reject(tally, 'sample-out-of-bounds', `out of bounds. timestamp=${rfc3339(ts[q]!)}, series={${this.batchSeriesText(batch, i)}}`);
          }
          continue;
        }
        s = this.create(batch, i, h, limits, tally);
        if (!s) {
          tally.discarded += n;
          continue;
        }
        log?.series(s);
      }
      const s0 = sampleStart[i]!;
      const seriesMaxBefore = s.maxT;
      for (let q = s0, end = s0 + n; q < end; q++) {
        const t = ts[q]!;
        const hi = valueHi[q]!;
        const lo = valueLo[q]!;
        if (t > s.maxT) {
          if (t < minValid) {
            this.reject(tally, 'sample-out-of-bounds', `out of bounds. timestamp=${rfc3339(t)}, series=${this.seriesText(s)}`);
            continue;
          }
          s.append(t, hi, lo, chunkRange);
          log?.sample(s.ref, t, hi, lo);
          tally.appended++;
        } else if (t === s.maxT) {
          if (hi === s.lastHi && lo === s.lastLo) {
            tally.appended++; // an identical resend: accepted, stored once
          } else {
            this.reject(tally, 'new-value-for-timestamp', `duplicate sample for timestamp ${t}; overrides not allowed: existing ${floatText(valueFromBits(s.lastHi, s.lastLo))}, new value ${floatText(valueFromBits(hi, lo))}. series=${this.seriesText(s)}`);
          }
        } else {
          this.reject(tally, 'sample-out-of-order', `out of order sample. timestamp=${rfc3339(t)}, series=${this.seriesText(s)}`);
        }
      }
      if (s.maxT !== seriesMaxBefore) {
        if (s.minT < this.minT) this.minT = s.minT;
        if (s.maxT > this.maxT) this.maxT = s.maxT;
      }
      if (withExemplars) exemplars!(s, batch, i);
    }
  }

  private batchSeriesText(batch: WriteBatch, i: number): string {
    const text = Buffer.from(batch.buf.buffer, batch.buf.byteOffset, batch.buf.byteLength);
    const pos = batch.labelPos;
    const pairs: string[] = [];
    for (let j = batch.labelStart[i]!, end = j + batch.labelCount[i]!; j < end; j++) {
      pairs.push(decodeText(text, pos[4 * j]!, pos[4 * j + 1]!), decodeText(text, pos[4 * j + 2]!, pos[4 * j + 3]!));
    }
    return pairsText(pairs);
  }

  private seriesText(s: MemSeries): string {
    return '{' + s.labels().map((l) => `${l.name}=${goQuote(l.value)}`).join(', ') + '}';
  }

  private reject(tally: AppendTally, reason: string, msg: string): void {
    tally.discarded++;
    tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
    tally.firstError ??= { status: 400, reason, message: `user=${this.tenant}: err: ${msg}` };
  }

  private intern(s: string): string {
    const got = this.strings.get(s);
    if (got !== undefined) return got;
    this.strings.set(s, s);
    return s;
  }

  private create(batch: WriteBatch, i: number, h: number, limits: Limits, tally: AppendTally): MemSeries | null {
    const { buf, labelPos: pos } = batch;
    const l0 = batch.labelStart[i]!;
    const ln = batch.labelCount[i]!;
    const pairs: string[] = [];
    let keyLen = 0;
    let metric = '';
    const text = (this.text ??= Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
    for (let j = l0; j < l0 + ln; j++) {
      const name = this.intern(decodeText(text, pos[4 * j]!, pos[4 * j + 1]!));
      const value = this.intern(decodeText(text, pos[4 * j + 2]!, pos[4 * j + 3]!));
      pairs.push(name, value);
      keyLen += pos[4 * j + 1]! + pos[4 * j + 3]! + 2;
      if (name === '__name__') metric = value;
    }
    const n = batch.sampleCount[i]!;
    if (limits.max_series_per_user > 0 && this.live >= limits.max_series_per_user) {
      const l = limits.max_series_per_user;
      this.limitReject(tally, n, 'per_user_series_limit', `per-user series limit of ${l} exceeded, please contact administrator to raise it (local limit: ${l} global limit: 0 actual local limit: ${l})`);
      return null;
    }
    const perMetric = this.perMetric.get(metric) ?? 0;
    if (limits.max_series_per_metric > 0 && perMetric >= limits.max_series_per_metric) {
      const l = limits.max_series_per_metric;
      const text = '{' + pairsText(pairs) + '}';
      this.limitReject(tally, n, 'per_metric_series_limit', `per-metric series limit of ${l} exceeded for metric ${metric}, please contact administrator to raise it (local limit: ${l} global limit: 0 actual local limit: ${l}) for series ${text}`);
      return null;
    }
    const s = new MemSeries(this.nextRef++, h, this.keyOf(buf, pos, l0, ln, keyLen), pairs, metric);
    this.register(s);
    tally.createdSeries++;
    return s;
  }

  private register(s: MemSeries): void {
    s.collision = this.byHash.get(s.hash) ?? null;
    this.byHash.set(s.hash, s);
    this.series[s.ref] = s;
    this.postings.add(s.ref, s.pairs);
    this.perMetric.set(s.metricName, (this.perMetric.get(s.metricName) ?? 0) + 1);
    this.live++;
  }

  // ---- WAL replay ----

  /**
   * Recreate a series from the WAL under its logged ref. A label set already present under
   * another ref (a series logged again after a restart) returns the existing series, and the
   * caller maps the logged ref onto it.
   */
  restoreSeries(ref: number, labels: Labels): MemSeries {
    // The label bytes go into one reused scratch buffer (no allocation per label), laid out as
    // a push's would be, so the same hash and key comparison find an existing series.
    const n = labels.length;
    let need = 0;
    for (const l of labels) need += 3 * (l.name.length + l.value.length); // UTF-8 bound for UTF-16 text
    if (this.scratch.length < need) this.scratch = Buffer.allocUnsafe(Math.max(need, 2 * this.scratch.length));
    if (this.scratchPos.length < 4 * n) this.scratchPos = new Uint32Array(Math.max(4 * n, 2 * this.scratchPos.length));
    const buf = this.scratch;
    const pos = this.scratchPos;
    let off = 0;
    for (let j = 0; j < n; j++) {
      const l = labels[j]!;
      pos[4 * j] = off;
      off += buf.write(l.name, off, 'utf8');
      pos[4 * j + 1] = off - pos[4 * j]!;
      pos[4 * j + 2] = off;
      off += buf.write(l.value, off, 'utf8');
      pos[4 * j + 3] = off - pos[4 * j + 2]!;
    }
    const h = this.hash(buf, pos, 0, n);
    let s: MemSeries | null | undefined = this.byHash.get(h);
    while (s && !keyEquals(s.key, buf, pos, 0, n)) s = s.collision;
    if (s) return s;
    const key = this.keyOf(buf, pos, 0, n, off + 2 * n);
    const pairs: string[] = [];
    let metric = '';
    for (const l of labels) {
      pairs.push(this.intern(l.name), this.intern(l.value));
      if (l.name === '__name__') metric = l.value;
    }
    s = new MemSeries(ref, h, key, pairs, metric);
    this.register(s);
    if (ref >= this.nextRef) this.nextRef = ref + 1;
    return s;
  }

  /** Re-append a logged sample; false when the head already holds it or it is out of bounds. */
  restoreSample(s: MemSeries, t: number, hi: number, lo: number): boolean {
    if (t <= s.maxT || t < this.minValidTime) return false;
    s.append(t, hi, lo, this.chunkRange);
    if (t < this.minT) this.minT = t;
    if (t > this.maxT) this.maxT = t;
    return true;
  }

  seriesByRef(ref: number): MemSeries | undefined {
    return this.series[ref];
  }

  // ---- block cutting ----

  /** Every series' chunks wholly inside [mint, maxt) (series without any left out). */
  blockSeries(mint: number, maxt: number): BlockSeriesInput[] {
    const out: BlockSeriesInput[] = [];
    for (const s of this.series) {
      if (!s || s.maxT < mint || s.minT >= maxt) continue;
      const chunks = s.chunksWithin(mint, maxt);
      if (chunks.length > 0) out.push({ labels: s.labels(), chunks });
    }
    return out;
  }

  /** From now on refuse samples before mint (they are about to be cut into a block). */
  setMinValidTime(mint: number): void {
    if (mint > this.minValidTime) this.minValidTime = mint;
  }

  /**
   * Forget everything before mint (it is in a block now): chunks that end before it go, and so
   * do series left without chunks. Returns the number of series removed.
   */
  truncate(mint: number): number {
    this.setMinValidTime(mint);
    const removed: MemSeries[] = [];
    let minT = Number.POSITIVE_INFINITY;
    for (const s of this.series) {
      if (!s) continue;
      if (s.minT < mint && s.truncateBefore(mint)) removed.push(s);
      else if (s.minT < minT) minT = s.minT;
    }
    for (const s of removed) this.unregister(s);
    this.postings.remove(removed.map((s) => ({ ref: s.ref, pairs: s.pairs })));
    this.minT = minT;
    if (this.live === 0) this.strings.clear();
    return removed.length;
  }

  private unregister(s: MemSeries): void {
    let cur: MemSeries | null | undefined = this.byHash.get(s.hash);
    if (cur === s) {
      if (s.collision) this.byHash.set(s.hash, s.collision);
      else this.byHash.delete(s.hash);
    } else {
      while (cur && cur.collision !== s) cur = cur.collision;
      if (cur) cur.collision = s.collision;
    }
    this.series[s.ref] = undefined;
    const n = (this.perMetric.get(s.metricName) ?? 1) - 1;
    if (n > 0) this.perMetric.set(s.metricName, n);
    else this.perMetric.delete(s.metricName);
    this.live--;
  }

  /** The series key `name 0xFF value 0xFF …` of labels l0..l0+n of buf/pos, keyLen bytes long. */
  private keyOf(buf: Uint8Array, pos: Uint32Array, l0: number, n: number, keyLen: number): Uint8Array {
    const key = this.keyBytes(keyLen);
    let k = 0;
    for (let j = l0; j < l0 + n; j++) {
      for (let q = 0; q < 2; q++) {
        const from = pos[4 * j + 2 * q]!;
        const len = pos[4 * j + 2 * q + 1]!;
        key.set(buf.subarray(from, from + len), k);
        k += len;
        key[k++] = SEP;
      }
    }
    return key;
  }

  private keyBytes(n: number): Uint8Array {
    if (n > 4096) return new Uint8Array(n);
    if (this.slabUsed + n > this.slab.length) {
      this.slab = new Uint8Array(256 * 1024);
      this.slabUsed = 0;
    }
    const k = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    this.slabUsed += n;
    return k;
  }

  private limitReject(tally: AppendTally, samples: number, reason: string, msg: string): void {
    tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + samples);
    tally.firstError ??= { status: 400, reason, message: `user=${this.tenant}: ${msg}` };
  }

  // ---- reads ----

  /** Series matching every matcher with samples in [mint, maxt], sorted by labels. */
  matching(mint: number, maxt: number, matchers: readonly Matcher[]): MemSeries[] {
    const cands = this.postings.candidates(matchers);
    const empties = matchers.filter((m) => m.matchesEmpty());
    const out: MemSeries[] = [];
    const consider = (s: MemSeries | undefined): void => {
      if (!s || s.maxT < mint || s.minT > maxt) return;
      for (const m of empties) if (!m.matches(s.labelValue(m.name))) return;
      out.push(s);
    };
    if (cands === null) for (const s of this.series) consider(s);
    else for (const ref of cands) consider(this.series[ref]);
    const labels = new Map(out.map((s) => [s, s.labels()]));
    return out.sort((a, b) => compareLabels(labels.get(a)!, labels.get(b)!));
  }

  select(mint: number, maxt: number, matchers: readonly Matcher[]): SeriesSet {
    const list = this.matching(mint, maxt, matchers);
    let i = -1;
    let cur: Series | null = null;
    return {
      next: () => {
        i++;
        if (i >= list.length) return false;
        const s = list[i]!;
        cur = {
          labels: s.labels(),
          chunkCount: s.chunkCountWithin(mint, maxt),
          iterator: () => s.iterator(mint, maxt),
          readInto: (buf, lo, hi) => s.readInto(buf, Math.max(lo, mint), Math.min(hi, maxt)),
        };
        return true;
      },
      at: () => cur!,
      err: () => null,
      warnings: [],
    };
  }

  labelNames(mint: number, maxt: number, matchers: readonly Matcher[]): string[] {
    if (matchers.length === 0 && this.allWithin(mint, maxt)) return this.postings.labelNames();
    const names = new Set<string>();
    for (const s of matchers.length === 0 ? this.allSeries(mint, maxt) : this.matching(mint, maxt, matchers)) {
      for (let i = 0; i < s.pairs.length; i += 2) names.add(s.pairs[i]!);
    }
    return [...names].sort(compareStrings);
  }

  labelValues(name: string, mint: number, maxt: number, matchers: readonly Matcher[]): string[] {
    if (matchers.length === 0 && this.allWithin(mint, maxt)) return this.postings.labelValues(name);
    const values = new Set<string>();
    for (const s of matchers.length === 0 ? this.allSeries(mint, maxt) : this.matching(mint, maxt, matchers)) {
      const v = s.labelValue(name);
      if (v !== '') values.add(v);
    }
    return [...values].sort(compareStrings);
  }

  /** True when every sample of the head lies in [mint, maxt] (no time filtering needed). */
  private allWithin(mint: number, maxt: number): boolean {
    return this.minT >= mint && this.maxT <= maxt;
  }

  private allSeries(mint: number, maxt: number): MemSeries[] {
    return this.series.filter((s): s is MemSeries => s !== undefined && s.maxT >= mint && s.minT <= maxt);
  }

  labelsOf(list: readonly MemSeries[]): Labels[] {
    return list.map((s) => s.labels());
  }

  sizeBytes(): number {
    let n = 0;
    for (const s of this.series) if (s) n += s.sizeBytes();
    return n;
  }
}

function anyAtOrAfter(ts: Float64Array, start: number, n: number, t: number): boolean {
  for (let q = start, end = start + n; q < end; q++) if (ts[q]! >= t) return true;
  return false;
}

function pairsText(pairs: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) parts.push(`${pairs[i]}=${goQuote(pairs[i + 1]!)}`);
  return parts.join(', ');
}
