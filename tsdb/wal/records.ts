/**
 * WAL record encodings, byte-compatible with Prometheus's tsdb/record (v2.42): the first byte of
 * every record is its type; fixed-width integers are big-endian; see FORMAT.md for the layouts.
 *
 * Sample values travel as two raw 32-bit words (hi, lo) of the IEEE-754 bit pattern and are never
 * turned into JS numbers: the staleness marker is the signalling NaN 0x7FF0000000000002, and a
 * signalling NaN that passes through a JS number may come back quiet (0x7FF8…).
 *
 * Timestamps and refs are JS numbers: refs must be below 2^53; timestamps are int64 on disk and
 * exact here within ±2^53 ms (beyond that they round, as any JS number would).
 *
 * Decoders never throw anything but RecordDecodeError, so a reader can count bad records.
 */

import { Decbuf, Encbuf } from '../encoding/encbuf.js';
import type { Labels } from '../labels.js';

/** Record type bytes (tsdb/record.Type). Vigil writes Series, Samples, Exemplars and Metadata. */
export const RecordType = {
  Series: 1,
  Samples: 2,
  Tombstones: 3,
  Exemplars: 4,
  MmapMarkers: 5,
  Metadata: 6,
  HistogramSamples: 7,
  FloatHistogramSamples: 8,
} as const;

/** Metric types as the Metadata record stores them (textparse.MetricType order in record.go). */
export const MetricType = {
  Unknown: 0,
  Counter: 1,
  Gauge: 2,
  Histogram: 3,
  GaugeHistogram: 4,
  Summary: 5,
  Info: 6,
  Stateset: 7,
} as const;

const TWO32 = 0x1_0000_0000;
/** Field names inside a metadata entry (record.go unitMetaName / helpMetaName). */
const UNIT_FIELD = 'UNIT';
const HELP_FIELD = 'HELP';
/** Vigil's addition: the metric family a ref-0 entry describes. Prometheus skips unknown fields. */
const FAMILY_FIELD = 'FAMILY';
/** type byte + be64 first ref + be64 first timestamp. */
const SAMPLES_HEADER = 17;
/** Smallest encoded sample: 1-byte ref delta, 1-byte time delta, 8-byte value. */
const MIN_SAMPLE_SIZE = 10;

export class RecordDecodeError extends Error {
  constructor(
    readonly recordType: number,
    message: string,
  ) {
    super(`wal record (type ${recordType}): ${message}`);
    this.name = 'RecordDecodeError';
  }
}

export interface SeriesEntry {
  readonly ref: number;
  readonly labels: Labels;
}

export interface MetadataEntry {
  readonly ref: number;
  /** One of MetricType. */
  readonly type: number;
  readonly unit: string;
  readonly help: string;
  /**
   * Vigil's extension for per-family metadata (remote write's MetricMetadata carries no series):
   * written as an extra FAMILY field only when set, which Prometheus's decoder skips.
   */
  readonly family?: string;
}

export interface SeriesRecord {
  readonly type: 'series';
  readonly series: SeriesEntry[];
}

/** Parallel arrays; only the first `count` elements are meaningful (arrays may be longer). */
export interface SamplesRecord {
  readonly type: 'samples';
  readonly count: number;
  readonly refs: Float64Array;
  readonly ts: Float64Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
}

export interface MetadataRecord {
  readonly type: 'metadata';
  readonly metadata: MetadataEntry[];
}

/** One exemplar of a series (record.RefExemplar); the value as raw bits, as samples keep it. */
export interface ExemplarEntry {
  readonly ref: number;
  readonly t: number;
  readonly hi: number;
  readonly lo: number;
  readonly labels: Labels;
}

export interface ExemplarsRecord {
  readonly type: 'exemplars';
  readonly exemplars: ExemplarEntry[];
}

export interface UnknownRecord {
  readonly type: 'unknown';
  readonly code: number;
}

export type DecodedRecord = SeriesRecord | SamplesRecord | ExemplarsRecord | MetadataRecord | UnknownRecord;

/** Write an int64 (given as a number) as two's-complement big-endian. */
function putBE64Int(buf: Encbuf, v: number): void {
  const hi = Math.floor(v / TWO32);
  const lo = v - hi * TWO32;
  buf.putBE64Words(hi >>> 0, lo >>> 0);
}

function readBE64Int(d: Decbuf): number {
  const hi = d.be32();
  const lo = d.be32();
  return (hi | 0) * TWO32 + lo;
}

/**
 * Builds one Samples record in a reusable buffer: no allocation per sample once the buffer has
 * grown to its working size. `bytes()` is a view, valid until the next add() or reset();
 * WAL.log() copies it, so a builder can be reset right after log() returns its promise.
 */
export class SamplesRecordBuilder {
  private readonly buf: Encbuf;
  private n = 0;
  private firstRef = 0;
  private firstT = 0;

  constructor(initialBytes = 4096) {
    this.buf = new Encbuf(initialBytes);
    this.buf.putByte(RecordType.Samples);
  }

  reset(): void {
    this.buf.reset();
    this.buf.putByte(RecordType.Samples);
    this.n = 0;
  }

  /** Append a sample; (hi, lo) are the value's IEEE-754 bits, most significant word first. */
  add(ref: number, t: number, hi: number, lo: number): void {
    const b = this.buf;
    if (this.n === 0) {
      this.firstRef = ref;
      this.firstT = t;
      b.putBE64(ref);
      putBE64Int(b, t);
    }
    b.putVarint(ref - this.firstRef);
    b.putVarint(t - this.firstT);
    b.putBE64Words(hi, lo);
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  get size(): number {
    return this.buf.len;
  }

  bytes(): Uint8Array {
    return this.buf.get();
  }
}

/** Builds one Series record; same buffer contract as SamplesRecordBuilder. */
export class SeriesRecordBuilder {
  private readonly buf: Encbuf;
  private n = 0;

  constructor(initialBytes = 4096) {
    this.buf = new Encbuf(initialBytes);
    this.buf.putByte(RecordType.Series);
  }

  reset(): void {
    this.buf.reset();
    this.buf.putByte(RecordType.Series);
    this.n = 0;
  }

  add(ref: number, labels: Labels): void {
    const b = this.buf;
    b.putBE64(ref);
    b.putUvarint(labels.length);
    for (const l of labels) {
      b.putUvarintStr(l.name);
      b.putUvarintStr(l.value);
    }
    this.n++;
  }

  /**
   * The same entry from label bytes already laid out as `name 0xFF value 0xFF …` (the head's
   * series key; 0xFF never occurs in UTF-8), `count` labels: no strings are made or encoded.
   */
  addKey(ref: number, key: Uint8Array, count: number): void {
    const b = this.buf;
    b.putBE64(ref);
    b.putUvarint(count);
    let start = 0;
    for (let i = 0; i < key.length; i++) {
      if (key[i] !== 0xff) continue;
      b.putUvarintRange(key, start, i);
      start = i + 1;
    }
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  get size(): number {
    return this.buf.len;
  }

  bytes(): Uint8Array {
    return this.buf.get();
  }
}

/** A Series record (a fresh copy). */
export function encodeSeries(entries: readonly SeriesEntry[]): Uint8Array {
  const b = new SeriesRecordBuilder(64 + entries.length * 64);
  for (const e of entries) b.add(e.ref, e.labels);
  return b.bytes().slice();
}

/** A Samples record from parallel arrays (a fresh copy); the hot path uses the builder. */
export function encodeSamples(
  refs: ArrayLike<number>,
  ts: ArrayLike<number>,
  hi: ArrayLike<number>,
  lo: ArrayLike<number>,
  count = refs.length,
): Uint8Array {
  const b = new SamplesRecordBuilder(SAMPLES_HEADER + count * 14);
  for (let i = 0; i < count; i++) b.add(refs[i]!, ts[i]!, hi[i]!, lo[i]!);
  return b.bytes().slice();
}

/**
 * An Exemplars record (record.go): the first exemplar's ref and timestamp as big-endian 64-bit
 * bases, then per exemplar the ref and timestamp deltas as varints, the value's bits big-endian,
 * and its labels (uvarint count, then uvarint-prefixed name and value of each).
 */
export function encodeExemplars(entries: readonly ExemplarEntry[]): Uint8Array {
  const b = new Encbuf(64 + entries.length * 64);
  b.putByte(RecordType.Exemplars);
  const first = entries[0];
  if (first === undefined) return b.get().slice();
  b.putBE64(first.ref);
  putBE64Int(b, first.t);
  for (const e of entries) {
    b.putVarint(e.ref - first.ref);
    b.putVarint(e.t - first.t);
    b.putBE64Words(e.hi, e.lo);
    b.putUvarint(e.labels.length);
    for (const l of e.labels) {
      b.putUvarintStr(l.name);
      b.putUvarintStr(l.value);
    }
  }
  return b.get().slice();
}

/**
 * A Metadata record: uvarint ref, type byte, field count 2, UNIT and HELP (record.go); entries
 * with a family get a third field, FAMILY.
 */
export function encodeMetadata(entries: readonly MetadataEntry[]): Uint8Array {
  const b = new Encbuf(64 + entries.length * 64);
  b.putByte(RecordType.Metadata);
  for (const m of entries) {
    b.putUvarint(m.ref);
    b.putByte(m.type & 0xff);
    b.putUvarint(m.family === undefined ? 2 : 3);
    b.putUvarintStr(UNIT_FIELD);
    b.putUvarintStr(m.unit);
    b.putUvarintStr(HELP_FIELD);
    b.putUvarintStr(m.help);
    if (m.family !== undefined) {
      b.putUvarintStr(FAMILY_FIELD);
      b.putUvarintStr(m.family);
    }
  }
  return b.get().slice();
}

/** The record's type byte, or -1 for an empty record. */
export function recordType(rec: Uint8Array): number {
  return rec.length === 0 ? -1 : rec[0]!;
}

/**
 * Reusable arrays for decoding Samples records during replay, so a replay of millions of
 * records allocates only when a record is larger than any before it.
 */
export class SamplesScratch {
  refs = new Float64Array(0);
  ts = new Float64Array(0);
  hi = new Uint32Array(0);
  lo = new Uint32Array(0);

  ensure(n: number): void {
    if (this.refs.length >= n) return;
    const cap = Math.max(n, this.refs.length * 2, 64);
    this.refs = new Float64Array(cap);
    this.ts = new Float64Array(cap);
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
  }
}

/**
 * Decode one record. Throws only RecordDecodeError. With `scratch`, a Samples record's arrays
 * are the scratch's (valid until its next use); without, they are fresh.
 */
export function decodeRecord(rec: Uint8Array, scratch?: SamplesScratch): DecodedRecord {
  if (rec.length === 0) throw new RecordDecodeError(-1, 'empty record');
  const code = rec[0]!;
  try {
    switch (code) {
      case RecordType.Series:
        return decodeSeries(rec);
      case RecordType.Samples:
        return decodeSamples(rec, scratch);
      case RecordType.Metadata:
        return decodeMetadata(rec);
      case RecordType.Exemplars:
        return decodeExemplars(rec);
      default:
        return { type: 'unknown', code };
    }
  } catch (e) {
    if (e instanceof RecordDecodeError) throw e;
    throw new RecordDecodeError(code, `unexpected decoder failure: ${(e as Error).message}`);
  }
}

/** A uvarint label count, then each label's uvarint-prefixed name and value (record.go's EncodeLabels). */
function readLabels(d: Decbuf, type: number): { name: string; value: string }[] {
  const n = d.uvarint();
  // Each label takes at least two bytes (two zero lengths): refuse counts the record can't hold.
  if (n > d.remaining() / 2) throw new RecordDecodeError(type, `label count ${n} exceeds the record`);
  const labels: { name: string; value: string }[] = new Array<{ name: string; value: string }>(n);
  for (let i = 0; i < n; i++) {
    const name = d.uvarintStr();
    const value = d.uvarintStr();
    labels[i] = { name, value };
  }
  return labels;
}

function decodeSeries(rec: Uint8Array): SeriesRecord {
  const d = new Decbuf(rec, 1);
  const series: SeriesEntry[] = [];
  while (d.remaining() > 0 && d.err() === null) {
    const ref = d.be64();
    const labels = readLabels(d, RecordType.Series);
    if (d.err() !== null) break;
    series.push({ ref, labels });
  }
  const err = d.err();
  if (err !== null) throw new RecordDecodeError(RecordType.Series, err.message);
  return { type: 'series', series };
}

function decodeSamples(rec: Uint8Array, scratch: SamplesScratch | undefined): SamplesRecord {
  if (rec.length === 1) {
    const empty = scratch ?? new SamplesScratch();
    return { type: 'samples', count: 0, refs: empty.refs, ts: empty.ts, hi: empty.hi, lo: empty.lo };
  }
  if (rec.length < SAMPLES_HEADER) {
    throw new RecordDecodeError(RecordType.Samples, `record of ${rec.length} bytes is shorter than its header`);
  }
  const max = Math.floor((rec.length - SAMPLES_HEADER) / MIN_SAMPLE_SIZE);
  let refs: Float64Array;
  let ts: Float64Array;
  let hi: Uint32Array;
  let lo: Uint32Array;
  if (scratch !== undefined) {
    scratch.ensure(max);
    ({ refs, ts, hi, lo } = scratch);
  } else {
    refs = new Float64Array(max);
    ts = new Float64Array(max);
    hi = new Uint32Array(max);
    lo = new Uint32Array(max);
  }
  const d = new Decbuf(rec, 1);
  const baseRef = d.be64();
  const baseT = readBE64Int(d);
  let n = 0;
  while (d.remaining() > 0) {
    if (n >= max) throw new RecordDecodeError(RecordType.Samples, 'more samples than the record can hold');
    const dref = d.varint();
    const dt = d.varint();
    const h = d.be32();
    const l = d.be32();
    if (d.err() !== null) break;
    refs[n] = baseRef + dref;
    ts[n] = baseT + dt;
    hi[n] = h;
    lo[n] = l;
    n++;
  }
  const err = d.err();
  if (err !== null) throw new RecordDecodeError(RecordType.Samples, err.message);
  return { type: 'samples', count: n, refs, ts, hi, lo };
}

function decodeExemplars(rec: Uint8Array): ExemplarsRecord {
  const exemplars: ExemplarEntry[] = [];
  if (rec.length === 1) return { type: 'exemplars', exemplars };
  const d = new Decbuf(rec, 1);
  const baseRef = d.be64();
  const baseT = readBE64Int(d);
  while (d.remaining() > 0 && d.err() === null) {
    const ref = baseRef + d.varint();
    const t = baseT + d.varint();
    const hi = d.be32();
    const lo = d.be32();
    const labels = readLabels(d, RecordType.Exemplars);
    if (d.err() !== null) break;
    exemplars.push({ ref, t, hi, lo, labels });
  }
  const err = d.err();
  if (err !== null) throw new RecordDecodeError(RecordType.Exemplars, err.message);
  return { type: 'exemplars', exemplars };
}

function decodeMetadata(rec: Uint8Array): MetadataRecord {
  const d = new Decbuf(rec, 1);
  const metadata: MetadataEntry[] = [];
  while (d.remaining() > 0 && d.err() === null) {
    const ref = d.uvarint();
    const type = d.byte();
    const fields = d.uvarint();
    if (fields > d.remaining() / 2) {
      throw new RecordDecodeError(RecordType.Metadata, `field count ${fields} exceeds the record`);
    }
    let unit = '';
    let help = '';
    let family: string | undefined;
    for (let i = 0; i < fields; i++) {
      const name = d.uvarintStr();
      const value = d.uvarintStr();
      // Unknown fields are skipped, as record.go does, so newer writers stay readable.
      if (name === UNIT_FIELD) unit = value;
      else if (name === HELP_FIELD) help = value;
      else if (name === FAMILY_FIELD) family = value;
    }
    if (d.err() !== null) break;
    metadata.push(family === undefined ? { ref, type, unit, help } : { ref, type, unit, help, family });
  }
  const err = d.err();
  if (err !== null) throw new RecordDecodeError(RecordType.Metadata, err.message);
  return { type: 'metadata', metadata };
}
