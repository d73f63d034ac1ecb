/**
 * Encoders of remote write 1.0 and 2.0 requests: for tests, the benchmark's load generator and
 * (later) the distributor's HTTP client. One pass sizes the message, a second writes it into a
 * single buffer. Values may be given as exact bits (`valueBits`) so stale markers survive.
 */

import type { MetricMetadata } from './write-batch.js';

export interface EncLabel {
  readonly name: string;
  readonly value: string;
}

export interface EncSample {
  readonly timestamp: number;
  readonly value: number;
  /** Exact IEEE-754 bits; wins over `value` when given. */
  readonly valueBits?: { readonly hi: number; readonly lo: number };
}

export interface EncExemplar {
  readonly labels: readonly EncLabel[];
  readonly value: number;
  readonly timestamp: number;
  /** Exact IEEE-754 bits; wins over `value` when given. */
  readonly valueBits?: { readonly hi: number; readonly lo: number };
}

export interface EncSeries {
  readonly labels: readonly EncLabel[];
  readonly samples: readonly EncSample[];
  readonly exemplars?: readonly EncExemplar[];
}

export interface EncWriteRequest {
  readonly timeseries: readonly EncSeries[];
  readonly metadata?: readonly MetricMetadata[];
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function varintSize(v: number): number {
  if (v < 0) return 10;
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

class Writer {
  readonly buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  varint(v: number): void {
    if (v < 0) {
      // Two's complement over 64 bits, 10 bytes.
      let lo = v % 4294967296;
      let hi = Math.floor(v / 4294967296);
      lo = lo >>> 0;
      hi = hi >>> 0;
      for (let i = 0; i < 4; i++) {
        this.buf[this.pos++] = (lo & 0x7f) | 0x80;
        lo >>>= 7;
      }
      this.buf[this.pos++] = ((lo & 0x0f) | ((hi & 0x07) << 4)) | 0x80;
      hi >>>= 3;
      for (let i = 0; i < 4; i++) {
        this.buf[this.pos++] = (hi & 0x7f) | 0x80;
        hi >>>= 7;
      }
      this.buf[this.pos++] = hi & 0x01;
      return;
    }
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  fixed64(lo: number, hi: number): void {
    const b = this.buf;
    const p = this.pos;
    b[p] = lo & 0xff;
    b[p + 1] = (lo >>> 8) & 0xff;
    b[p + 2] = (lo >>> 16) & 0xff;
    b[p + 3] = lo >>> 24;
    b[p + 4] = hi & 0xff;
    b[p + 5] = (hi >>> 8) & 0xff;
    b[p + 6] = (hi >>> 16) & 0xff;
    b[p + 7] = hi >>> 24;
    this.pos = p + 8;
  }
  bytes(src: Uint8Array): void {
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
}

const enc = new TextEncoder();

function sampleSize(s: EncSample): number {
  return 9 + (s.timestamp === 0 ? 0 : 1 + varintSize(s.timestamp));
}

function writeValue(w: Writer, tag: number, v: { readonly value: number; readonly valueBits?: { readonly hi: number; readonly lo: number } }): void {
  let lo: number;
  let hi: number;
  if (v.valueBits) {
    lo = v.valueBits.lo >>> 0;
    hi = v.valueBits.hi >>> 0;
  } else {
    f64[0] = v.value;
    lo = u32[0]!;
    hi = u32[1]!;
  }
  w.varint(tag);
  w.fixed64(lo, hi);
}

function writeSample(w: Writer, s: EncSample): void {
  writeValue(w, 0x09, s); // field 1, fixed64
  if (s.timestamp !== 0) {
    w.varint(0x10); // field 2, varint
    w.varint(s.timestamp);
  }
}

/** Exemplar value (field 2, fixed64) and timestamp (field 3, varint); labels are written by the caller. */
function exemplarTailSize(x: EncExemplar): number {
  return 9 + (x.timestamp === 0 ? 0 : 1 + varintSize(x.timestamp));
}

function writeExemplarTail(w: Writer, x: EncExemplar): void {
  writeValue(w, 0x11, x);
  if (x.timestamp !== 0) {
    w.varint(0x18);
    w.varint(x.timestamp);
  }
}

function strField(field: number, b: Uint8Array): number {
  return b.length === 0 ? 0 : 1 + varintSize(b.length) + b.length;
}

function writeStr(w: Writer, field: number, b: Uint8Array): void {
  if (b.length === 0) return;
  w.varint((field << 3) | 2);
  w.varint(b.length);
  w.bytes(b);
}

function lenField(n: number): number {
  return 1 + varintSize(n) + n;
}

/** Encode a remote write 1.0 `WriteRequest`. */
export function encodeWriteRequestV1(req: EncWriteRequest): Uint8Array {
  const encLabels = (ls: readonly EncLabel[]) =>
    ls.map((l) => {
      const name = enc.encode(l.name);
      const value = enc.encode(l.value);
      return { name, value, size: strField(1, name) + strField(2, value) };
    });
  const series = req.timeseries.map((ts) => {
    const labels = encLabels(ts.labels);
    const exemplars = (ts.exemplars ?? []).map((x) => {
      const xl = encLabels(x.labels);
      let size = exemplarTailSize(x);
      for (const l of xl) size += lenField(l.size);
      return { labels: xl, x, size };
    });
    let size = 0;
    for (const l of labels) size += lenField(l.size);
    for (const s of ts.samples) size += lenField(sampleSize(s));
    for (const x of exemplars) size += lenField(x.size);
    return { labels, samples: ts.samples, exemplars, size };
  });
  const metadata = (req.metadata ?? []).map((m) => {
    const name = enc.encode(m.metricFamilyName);
    const help = enc.encode(m.help);
    const unit = enc.encode(m.unit);
    const size = (m.type === 0 ? 0 : 1 + varintSize(m.type)) + strField(2, name) + strField(4, help) + strField(5, unit);
    return { type: m.type, name, help, unit, size };
  });
  let total = 0;
  for (const s of series) total += lenField(s.size);
  for (const m of metadata) total += lenField(m.size);
  const w = new Writer(total);
  for (const s of series) {
    w.varint(0x0a);
    w.varint(s.size);
    for (const l of s.labels) {
      w.varint(0x0a);
      w.varint(l.size);
      writeStr(w, 1, l.name);
      writeStr(w, 2, l.value);
    }
    for (const smp of s.samples) {
      w.varint(0x12);
      w.varint(sampleSize(smp));
      writeSample(w, smp);
    }
    for (const x of s.exemplars) {
      w.varint(0x1a); // field 3
      w.varint(x.size);
      for (const l of x.labels) {
        w.varint(0x0a);
        w.varint(l.size);
        writeStr(w, 1, l.name);
        writeStr(w, 2, l.value);
      }
      writeExemplarTail(w, x.x);
    }
  }
  for (const m of metadata) {
    w.varint(0x1a);
    w.varint(m.size);
    if (m.type !== 0) {
      w.varint(0x08);
      w.varint(m.type);
    }
    writeStr(w, 2, m.name);
    writeStr(w, 4, m.help);
    writeStr(w, 5, m.unit);
  }
  return w.buf;
}

/** Encode a remote write 2.0 `Request`; metadata given per family is attached to its series. */
export function encodeWriteRequestV2(req: EncWriteRequest): Uint8Array {
  const symbols: string[] = [''];
  const index = new Map<string, number>([['', 0]]);
  const ref = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const mdByFamily = new Map((req.metadata ?? []).map((m) => [m.metricFamilyName, m]));
  const series = req.timeseries.map((ts) => {
    const refs: number[] = [];
    let name = '';
    for (const l of ts.labels) {
      refs.push(ref(l.name), ref(l.value));
      if (l.name === '__name__') name = l.value;
    }
    const md = mdByFamily.get(name);
    const mdRefs = md ? { type: md.type as number, help: ref(md.help), unit: ref(md.unit) } : null;
    let refsSize = 0;
    for (const r of refs) refsSize += varintSize(r);
    const mdSize = mdRefs
      ? (mdRefs.type ? 1 + varintSize(mdRefs.type) : 0) + (mdRefs.help ? 1 + varintSize(mdRefs.help) : 0) + (mdRefs.unit ? 1 + varintSize(mdRefs.unit) : 0)
      : 0;
    const exemplars = (ts.exemplars ?? []).map((x) => {
      const xrefs: number[] = [];
      for (const l of x.labels) xrefs.push(ref(l.name), ref(l.value));
      let xrefsSize = 0;
      for (const r of xrefs) xrefsSize += varintSize(r);
      const xsize = (xrefs.length > 0 ? lenField(xrefsSize) : 0) + exemplarTailSize(x);
      return { refs: xrefs, refsSize: xrefsSize, x, size: xsize };
    });
    let size = refs.length > 0 ? lenField(refsSize) : 0;
    for (const s of ts.samples) size += lenField(sampleSize(s));
    for (const x of exemplars) size += lenField(x.size);
    if (mdRefs) size += lenField(mdSize);
    return { refs, refsSize, samples: ts.samples, exemplars, md: mdRefs, mdSize, size };
  });
  const symBytes = symbols.map((s) => enc.encode(s));
  let total = 0;
  for (const b of symBytes) total += lenField(b.length);
  for (const s of series) total += lenField(s.size);
  const w = new Writer(total);
  for (const b of symBytes) {
    w.varint(0x22); // field 4
    w.varint(b.length);
    w.bytes(b);
  }
  for (const s of series) {
    w.varint(0x2a); // field 5
    w.varint(s.size);
    if (s.refs.length > 0) {
      w.varint(0x0a);
      w.varint(s.refsSize);
      for (const r of s.refs) w.varint(r);
    }
    for (const smp of s.samples) {
      w.varint(0x12);
      w.varint(sampleSize(smp));
      writeSample(w, smp);
    }
    for (const x of s.exemplars) {
      w.varint(0x22); // field 4
      w.varint(x.size);
      if (x.refs.length > 0) {
        w.varint(0x0a); // labels_refs, packed
        w.varint(x.refsSize);
        for (const r of x.refs) w.varint(r);
      }
      writeExemplarTail(w, x.x);
    }
    if (s.md) {
      w.varint(0x2a);
      w.varint(s.mdSize);
      if (s.md.type) {
        w.varint(0x08);
        w.varint(s.md.type);
      }
      if (s.md.help) {
        w.varint(0x18);
        w.varint(s.md.help);
      }
      if (s.md.unit) {
        w.varint(0x20);
        w.varint(s.md.unit);
      }
    }
  }
  return w.buf;
}
