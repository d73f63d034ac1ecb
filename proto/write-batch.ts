/**
 * WriteBatch: the columnar, reusable form of a decoded remote-write request (1.0 or 2.0).
 *
 * The push hot path never materialises a JS object per sample or per label. Labels stay byte
 * ranges into `buf` (the decompressed body) until an ingester meets a series it does not know;
 * sample values stay raw IEEE-754 bit patterns (two uint32 words) so that Prometheus's stale
 * marker 0x7FF0000000000002 survives bit-exactly (a JS number would quiet it).
 *
 * Layout (i = series index, j = label index, k = sample index):
 *   labelStart[i], labelCount[i]   labels of series i are j in [labelStart, labelStart+labelCount)
 *   labelPos[4j..4j+3]             nameOff, nameLen, valueOff, valueLen (byte offsets into buf)
 *   sampleStart[i], sampleCount[i] samples of series i are k in [sampleStart, sampleStart+sampleCount)
 *   ts[k]                          timestamp in ms (exact: |t| < 2^53)
 *   valueLo[k], valueHi[k]         low and high 32 bits of the IEEE-754 value
 *   histogramCount[i]              counted, not decoded (native histograms are not stored yet)
 *   exemplarStart[i], exemplarCount[i]  exemplars of series i are x in [exemplarStart, exemplarStart+exemplarCount)
 *   exTs[x], exValueLo[x], exValueHi[x]  an exemplar's timestamp and raw value bits
 *   exLabelStart[x], exLabelCount[x]     its labels are e in [exLabelStart, exLabelStart+exLabelCount)
 *   exLabelPos[4e..4e+3]           nameOff, nameLen, valueOff, valueLen of exemplar label e (into buf)
 *   seriesOff[i], seriesLen[i]     (1.0 only) byte range of the TimeSeries message in buf, so a
 *                                  forwarder can re-send a series without encoding it again
 *
 * Capacity grows by doubling and is kept across requests: acquire one from a WriteBatchPool,
 * decode into it, release it when the push is done.
 */

export const MetricType = {
  UNKNOWN: 0,
  COUNTER: 1,
  GAUGE: 2,
  HISTOGRAM: 3,
  GAUGEHISTOGRAM: 4,
  SUMMARY: 5,
  INFO: 6,
  STATESET: 7,
} as const;
export type MetricTypeValue = (typeof MetricType)[keyof typeof MetricType];

export const metricTypeNames: readonly string[] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];

export interface MetricMetadata {
  readonly type: MetricTypeValue;
  readonly metricFamilyName: string;
  readonly help: string;
  readonly unit: string;
}

function grow<T extends Uint32Array | Float64Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  let n = a.length === 0 ? 64 : a.length;
  while (n < need) n *= 2;
  const b = make(n);
  b.set(a);
  return b;
}

export class WriteBatch {
  version: 1 | 2 = 1;
  buf: Uint8Array = new Uint8Array(0);

  seriesCount = 0;
  labelTotal = 0;
  sampleTotal = 0;
  histogramTotal = 0;
  exemplarTotal = 0;

  labelStart: Uint32Array = new Uint32Array(64);
  labelCount: Uint32Array = new Uint32Array(64);
  sampleStart: Uint32Array = new Uint32Array(64);
  sampleCount: Uint32Array = new Uint32Array(64);
  histogramCount: Uint32Array = new Uint32Array(64);
  exemplarStart: Uint32Array = new Uint32Array(64);
  exemplarCount: Uint32Array = new Uint32Array(64);
  seriesOff: Uint32Array = new Uint32Array(64);
  seriesLen: Uint32Array = new Uint32Array(64);

  labelPos: Uint32Array = new Uint32Array(256);

  ts: Float64Array = new Float64Array(256);
  valueLo: Uint32Array = new Uint32Array(256);
  valueHi: Uint32Array = new Uint32Array(256);

  exLabelTotal = 0;
  exTs: Float64Array = new Float64Array(16);
  exValueLo: Uint32Array = new Uint32Array(16);
  exValueHi: Uint32Array = new Uint32Array(16);
  exLabelStart: Uint32Array = new Uint32Array(16);
  exLabelCount: Uint32Array = new Uint32Array(16);
  exLabelPos: Uint32Array = new Uint32Array(64);

  metadata: MetricMetadata[] = [];

  reset(buf: Uint8Array, version: 1 | 2): void {
    this.version = version;
    this.buf = buf;
    this.seriesCount = 0;
    this.labelTotal = 0;
    this.sampleTotal = 0;
    this.histogramTotal = 0;
    this.exemplarTotal = 0;
    this.exLabelTotal = 0;
    this.metadata = [];
  }

  /** Make room for series index `i` (0-based). */
  ensureSeries(i: number): void {
    if (i < this.labelStart.length) return;
    const n = i + 1;
    const u = (x: number): Uint32Array => new Uint32Array(x);
    this.labelStart = grow(this.labelStart, n, u);
    this.labelCount = grow(this.labelCount, n, u);
    this.sampleStart = grow(this.sampleStart, n, u);
    this.sampleCount = grow(this.sampleCount, n, u);
    this.histogramCount = grow(this.histogramCount, n, u);
    this.exemplarStart = grow(this.exemplarStart, n, u);
    this.exemplarCount = grow(this.exemplarCount, n, u);
    this.seriesOff = grow(this.seriesOff, n, u);
    this.seriesLen = grow(this.seriesLen, n, u);
  }

  /** Make room for label index `j`. */
  ensureLabel(j: number): void {
    if (4 * j + 3 < this.labelPos.length) return;
    this.labelPos = grow(this.labelPos, 4 * (j + 1), (x) => new Uint32Array(x));
  }

  /** Make room for sample index `k`. */
  ensureSample(k: number): void {
    if (k < this.ts.length) return;
    const n = k + 1;
    this.ts = grow(this.ts, n, (x) => new Float64Array(x));
    this.valueLo = grow(this.valueLo, n, (x) => new Uint32Array(x));
    this.valueHi = grow(this.valueHi, n, (x) => new Uint32Array(x));
  }

  /** Make room for exemplar index `x`. */
  ensureExemplar(x: number): void {
    if (x < this.exTs.length) return;
    const n = x + 1;
    const u = (y: number): Uint32Array => new Uint32Array(y);
    this.exTs = grow(this.exTs, n, (y) => new Float64Array(y));
    this.exValueLo = grow(this.exValueLo, n, u);
    this.exValueHi = grow(this.exValueHi, n, u);
    this.exLabelStart = grow(this.exLabelStart, n, u);
    this.exLabelCount = grow(this.exLabelCount, n, u);
  }

  /** Make room for exemplar label index `e`. */
  ensureExLabel(e: number): void {
    if (4 * e + 3 < this.exLabelPos.length) return;
    this.exLabelPos = grow(this.exLabelPos, 4 * (e + 1), (x) => new Uint32Array(x));
  }
}

/** A bounded free list of WriteBatch objects, so concurrent pushes never share one. */
export class WriteBatchPool {
  private readonly free: WriteBatch[] = [];
  constructor(private readonly max = 64) {}
  acquire(): WriteBatch {
    return this.free.pop() ?? new WriteBatch();
  }
  release(b: WriteBatch): void {
    b.buf = new Uint8Array(0);
    b.metadata = [];
    if (this.free.length < this.max) this.free.push(b);
  }
}
