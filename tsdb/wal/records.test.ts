import { describe, expect, it } from 'vitest';
import { Encbuf } from '../encoding/encbuf.js';
import {
  MetricType,
  RecordDecodeError,
  RecordType,
  SamplesRecordBuilder,
  SamplesScratch,
  SeriesRecordBuilder,
  decodeRecord,
  encodeExemplars,
  encodeMetadata,
  encodeSamples,
  encodeSeries,
  recordType,
} from './records.js';

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

interface S {
  ref: number;
  t: number;
  hi: number;
  lo: number;
}

function bitsOf(v: number): [number, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return [dv.getUint32(0), dv.getUint32(4)];
}

function samplesOf(rec: Uint8Array): S[] {
  const d = decodeRecord(rec);
  if (d.type !== 'samples') throw new Error(`expected samples, got ${d.type}`);
  const out: S[] = [];
  for (let i = 0; i < d.count; i++) out.push({ ref: d.refs[i]!, t: d.ts[i]!, hi: d.hi[i]!, lo: d.lo[i]! });
  return out;
}

describe('samples records', () => {
  it('round-trip value bits exactly, including the stale NaN, ±Inf and -0', () => {
    const values: [number, number][] = [
      [STALE_HI, STALE_LO],
      [0x7ff80000, 0x00000001], // a quiet NaN with payload
      bitsOf(Infinity),
      bitsOf(-Infinity),
      bitsOf(-0),
      bitsOf(1.5),
      bitsOf(Number.MIN_VALUE),
      [0xffffffff, 0xffffffff],
    ];
    const b = new SamplesRecordBuilder(16);
    const want: S[] = values.map(([hi, lo], i) => ({ ref: 100 + i * 7, t: 1_700_000_000_000 + i * 15_000, hi, lo }));
    for (const s of want) b.add(s.ref, s.t, s.hi, s.lo);
    expect(b.count).toBe(want.length);
    expect(samplesOf(b.bytes())).toEqual(want);
  });

  it('keeps the stale marker as a signalling NaN (bits, not numbers)', () => {
    const b = new SamplesRecordBuilder();
    b.add(1, 0, STALE_HI, STALE_LO);
    const rec = b.bytes();
    // type + be64 ref + be64 t + varint 0 + varint 0, then the value's 8 bytes.
    expect(Array.from(rec.subarray(19, 27))).toEqual([0x7f, 0xf0, 0, 0, 0, 0, 0, 2]);
    const [s] = samplesOf(rec);
    expect(s!.hi).toBe(STALE_HI);
    expect(s!.lo).toBe(STALE_LO);
  });

  it('round-trips negative and huge timestamps and refs, in any order', () => {
    const want: S[] = [
      { ref: 5, t: -1, hi: 1, lo: 2 },
      { ref: 2 ** 53 - 1, t: 2 ** 53 - 1, hi: 3, lo: 4 },
      { ref: 0, t: -(2 ** 53) + 1, hi: 5, lo: 6 },
      { ref: 3, t: 0, hi: 7, lo: 8 },
      { ref: 1, t: -(2 ** 62), hi: 9, lo: 10 },
    ];
    const rec = encodeSamples(
      want.map((s) => s.ref),
      want.map((s) => s.t),
      want.map((s) => s.hi),
      want.map((s) => s.lo),
    );
    expect(samplesOf(rec)).toEqual(want);
  });

  it('writes the first timestamp as a two’s-complement be64', () => {
    const b = new SamplesRecordBuilder();
    b.add(0x0102, -2, 0, 0);
    const rec = b.bytes();
    expect(rec[0]).toBe(RecordType.Samples);
    expect(Array.from(rec.subarray(1, 9))).toEqual([0, 0, 0, 0, 0, 0, 1, 2]);
    expect(Array.from(rec.subarray(9, 17))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
  });

  it('decodes an empty samples record (0 samples)', () => {
    const b = new SamplesRecordBuilder();
    expect(b.bytes()).toEqual(new Uint8Array([RecordType.Samples]));
    const d = decodeRecord(b.bytes());
    expect(d.type).toBe('samples');
    if (d.type === 'samples') expect(d.count).toBe(0);
  });

  it('reuses its buffer after reset and the scratch arrays across records', () => {
    const b = new SamplesRecordBuilder(32);
    const scratch = new SamplesScratch();
    for (let round = 0; round < 3; round++) {
      b.reset();
      for (let i = 0; i < 1000; i++) b.add(i * 3 + round, 1000 + i, round, i);
      const d = decodeRecord(b.bytes(), scratch);
      if (d.type !== 'samples') throw new Error('not samples');
      expect(d.count).toBe(1000);
      expect(d.refs).toBe(scratch.refs);
      expect(d.refs[999]).toBe(999 * 3 + round);
      expect(d.lo[999]).toBe(999);
      expect(d.hi[0]).toBe(round);
    }
  });

  it('rejects truncated records with a RecordDecodeError', () => {
    const b = new SamplesRecordBuilder();
    b.add(1, 2, 3, 4);
    b.add(2, 3, 4, 5);
    const full = b.bytes().slice();
    for (let n = 2; n < full.length; n++) {
      // 17: a header and no sample; 27: one whole sample. Both are valid records.
      if (n === 17 || n === 27) continue;
      expect(() => decodeRecord(full.subarray(0, n)), `length ${n}`).toThrow(RecordDecodeError);
    }
    expect(() => decodeRecord(new Uint8Array(0))).toThrow(RecordDecodeError);
  });
});

describe('series records', () => {
  it('round-trip labels, unicode included', () => {
    const entries = [
      { ref: 1, labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'node' }] },
      { ref: 2 ** 40, labels: [{ name: 'emoji', value: '🦊 Füchse ✓' }, { name: 'ja', value: '日本語' }] },
      { ref: 3, labels: [] },
      { ref: 4, labels: [{ name: 'empty', value: '' }] },
    ];
    const d = decodeRecord(encodeSeries(entries));
    expect(d).toEqual({ type: 'series', series: entries });
  });

  it('is laid out as be64 ref, uvarint count, uvarint-length strings', () => {
    const rec = encodeSeries([{ ref: 258, labels: [{ name: 'a', value: 'bc' }] }]);
    expect(Array.from(rec)).toEqual([1, 0, 0, 0, 0, 0, 0, 1, 2, 1, 1, 0x61, 2, 0x62, 0x63]);
  });

  it('builder matches encodeSeries and rejects bad label counts', () => {
    const b = new SeriesRecordBuilder();
    b.add(7, [{ name: 'x', value: 'y' }]);
    expect(b.bytes()).toEqual(encodeSeries([{ ref: 7, labels: [{ name: 'x', value: 'y' }] }]));
    const bad = new Encbuf();
    bad.putByte(RecordType.Series);
    bad.putBE64(1);
    bad.putUvarint(1_000_000);
    expect(() => decodeRecord(bad.get())).toThrow(/label count/);
    const cut = b.bytes().slice(0, b.bytes().length - 1);
    expect(() => decodeRecord(cut)).toThrow(RecordDecodeError);
  });
});

describe('series records from key bytes', () => {
  it('addKey writes exactly what add writes, from `name 0xFF value 0xFF …` bytes', () => {
    const labels = [
      { name: '__name__', value: 'up' },
      { name: 'city', value: 'Zürich 😀' },
      { name: 'job', value: 'node' },
    ];
    const enc = new TextEncoder();
    const parts: number[] = [];
    for (const l of labels) parts.push(...enc.encode(l.name), 0xff, ...enc.encode(l.value), 0xff);
    const a = new SeriesRecordBuilder();
    a.add(42, labels);
    const b = new SeriesRecordBuilder();
    b.addKey(42, Uint8Array.from(parts), labels.length);
    expect(Buffer.from(b.bytes()).toString('hex')).toBe(Buffer.from(a.bytes()).toString('hex'));
    const d = decodeRecord(b.bytes());
    expect(d).toEqual({ type: 'series', series: [{ ref: 42, labels }] });
  });
});

describe('metadata records', () => {
  it('round-trip, with Prometheus’s layout', () => {
    const entries = [
      { ref: 1, type: MetricType.Counter, unit: 'seconds', help: 'Total time.' },
      { ref: 300, type: MetricType.Gauge, unit: '', help: 'ünïcode help' },
      { ref: 0, type: MetricType.Summary, unit: '', help: 'family', family: 'rpc_duration' },
    ];
    const rec = encodeMetadata(entries);
    expect(decodeRecord(rec)).toEqual({ type: 'metadata', metadata: entries });
    const one = encodeMetadata([{ ref: 1, type: MetricType.Counter, unit: 'u', help: 'h' }]);
    // type, uvarint ref, type byte, 2 fields, "UNIT" "u" "HELP" "h"
    expect(Array.from(one)).toEqual([6, 1, 1, 2, 4, 85, 78, 73, 84, 1, 117, 4, 72, 69, 76, 80, 1, 104]);
  });

  it('skips unknown fields', () => {
    const b = new Encbuf();
    b.putByte(RecordType.Metadata);
    b.putUvarint(9);
    b.putByte(MetricType.Histogram);
    b.putUvarint(3);
    b.putUvarintStr('FUTURE');
    b.putUvarintStr('x');
    b.putUvarintStr('UNIT');
    b.putUvarintStr('bytes');
    b.putUvarintStr('HELP');
    b.putUvarintStr('h');
    expect(decodeRecord(b.get())).toEqual({ type: 'metadata', metadata: [{ ref: 9, type: 3, unit: 'bytes', help: 'h' }] });
  });
});

describe('exemplars records', () => {
  it('round-trip refs, timestamps, value bits and labels', () => {
    const [hi, lo] = bitsOf(0.25);
    const entries = [
      { ref: 7, t: 1_700_000_000_000, hi, lo, labels: [{ name: 'trace_id', value: 'abc' }] },
      { ref: 3, t: 1_699_999_999_000, hi: STALE_HI, lo: STALE_LO, labels: [] },
      { ref: 9000, t: -5, hi, lo, labels: [{ name: 'span', value: 'ü' }, { name: 'trace_id', value: 'x' }] },
    ];
    expect(decodeRecord(encodeExemplars(entries))).toEqual({ type: 'exemplars', exemplars: entries });
    expect(decodeRecord(encodeExemplars([]))).toEqual({ type: 'exemplars', exemplars: [] });
  });

  it("is laid out as Prometheus's record.go writes it", () => {
    const [hi, lo] = bitsOf(1);
    const rec = encodeExemplars([
      { ref: 2, t: 10, hi, lo, labels: [{ name: 'a', value: 'b' }] },
      { ref: 1, t: 12, hi, lo, labels: [] },
    ]);
    // type 4; be64 base ref 2; be64 base t 10; then per exemplar: varint Δref, varint Δt, be64 bits, labels.
    expect(Array.from(rec)).toEqual([
      4, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 10,
      0, 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 1, 1, 97, 1, 98,
      1, 4, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('refuses a truncated record', () => {
    const rec = encodeExemplars([{ ref: 1, t: 1, hi: 0, lo: 0, labels: [{ name: 'trace_id', value: 'abcdef' }] }]);
    expect(() => decodeRecord(rec.subarray(0, rec.length - 3))).toThrow(RecordDecodeError);
  });
});

describe('other records', () => {
  it('are reported as unknown with their code', () => {
    expect(decodeRecord(new Uint8Array([RecordType.Tombstones, 1, 2]))).toEqual({ type: 'unknown', code: 3 });
    expect(decodeRecord(new Uint8Array([200]))).toEqual({ type: 'unknown', code: 200 });
    expect(recordType(new Uint8Array([2]))).toBe(2);
    expect(recordType(new Uint8Array(0))).toBe(-1);
  });

  it('random garbage never throws anything but RecordDecodeError', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let i = 0; i < 2000; i++) {
      const b = new Uint8Array(1 + (rnd() % 64));
      for (let j = 0; j < b.length; j++) b[j] = rnd() & 0xff;
      b[0] = [1, 2, 4, 6][i % 4]!;
      try {
        decodeRecord(b);
      } catch (e) {
        expect(e).toBeInstanceOf(RecordDecodeError);
      }
    }
  });
});
