import { describe, expect, it } from 'vitest';
import { RequestV2, WriteRequestV1, batchToPlain, bitsOf } from './testing.js';
import { WriteBatch } from './write-batch.js';
import { ProtoError } from './wire.js';
import { decodeWriteRequestV1, decodeWriteRequestV2 } from './write-decoder.js';
import { type EncExemplar, type EncSeries, encodeWriteRequestV1, encodeWriteRequestV2 } from './write-encoder.js';

const STALE = { hi: 0x7ff00000, lo: 0x00000002 };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'b', 'z', '_', ':', '0', '9', 'é', 'ß', '中', '😀', ' ', '"', '\\', '\n'];

function randomString(r: () => number, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)]!;
  return s;
}

function randomValue(r: () => number): { value: number; valueBits?: { hi: number; lo: number } } {
  const k = Math.floor(r() * 9);
  switch (k) {
    case 0:
      return { value: NaN, valueBits: STALE };
    case 1:
      return { value: NaN };
    case 2:
      return { value: r() < 0.5 ? Infinity : -Infinity };
    case 3:
      return { value: -0 };
    case 4:
      return { value: 0 };
    case 5:
      return { value: (r() - 0.5) * 1e300 };
    default:
      return { value: Math.floor(r() * 1e6) / (1 + Math.floor(r() * 100)) };
  }
}

function randomTimestamp(r: () => number): number {
  const k = Math.floor(r() * 5);
  if (k === 0) return 0;
  if (k === 1) return -Math.floor(r() * 2 ** 53);
  if (k === 2) return Math.floor(r() * 2 ** 53);
  return 1_700_000_000_000 + Math.floor(r() * 1e9);
}

/** No exemplars for about 40% of series, else 1 to 4, each with 0 to 3 labels. */
function randomExemplars(r: () => number): EncExemplar[] {
  if (r() < 0.4) return [];
  return Array.from({ length: 1 + Math.floor(r() * 4) }, () => ({
    labels: Array.from({ length: Math.floor(r() * 4) }, () => ({ name: randomString(r, 8), value: randomString(r, 12) })),
    timestamp: randomTimestamp(r),
    ...randomValue(r),
  }));
}

function randomSeries(r: () => number): EncSeries[] {
  return Array.from({ length: Math.floor(r() * 6) }, () => ({
    labels: Array.from({ length: Math.floor(r() * 6) }, () => ({ name: randomString(r, 8), value: randomString(r, 12) })),
    samples: Array.from({ length: Math.floor(r() * 5) }, () => ({ timestamp: randomTimestamp(r), ...randomValue(r) })),
    exemplars: randomExemplars(r),
  }));
}

/** The input as protobufjs's fromObject takes it (no exact bits: protobufjs writes the canonical NaN). */
function plainInput(input: readonly EncSeries[]) {
  return {
    timeseries: input.map((s) => ({
      labels: s.labels,
      samples: s.samples.map((x) => ({ value: x.value, timestamp: x.timestamp })),
      exemplars: (s.exemplars ?? []).map((x) => ({ labels: x.labels, value: x.value, timestamp: x.timestamp })),
    })),
  };
}

interface RefSeries {
  labels: { name: string; value: string }[];
  samples: { timestamp: number; value: number }[];
  histograms: number;
  exemplars: { labels: { name: string; value: string }[]; timestamp: number; value: number }[];
}

/** What protobufjs decodes, in the shape batchToPlain gives. */
function referenceV1(body: Uint8Array): { series: RefSeries[]; metadata: { type: number; metricFamilyName: string; help: string; unit: string }[] } {
  type L = { name: string; value: string };
  const o = WriteRequestV1.toObject(WriteRequestV1.decode(body), { longs: String, defaults: true, arrays: true }) as {
    timeseries: {
      labels: L[];
      samples: { value: number; timestamp: string }[];
      histograms: unknown[];
      exemplars: { labels: L[]; value: number; timestamp: string }[];
    }[];
    metadata: { type: number; metricFamilyName: string; help: string; unit: string }[];
  };
  return {
    series: o.timeseries.map((ts) => ({
      labels: ts.labels.map((l) => ({ name: l.name, value: l.value })),
      samples: ts.samples.map((s) => ({ timestamp: Number(s.timestamp), value: s.value })),
      histograms: ts.histograms.length,
      exemplars: ts.exemplars.map((x) => ({
        labels: x.labels.map((l) => ({ name: l.name, value: l.value })),
        timestamp: Number(x.timestamp),
        value: x.value,
      })),
    })),
    metadata: o.metadata,
  };
}

/** Compare values: exact bits for numbers; for NaN protobufjs loses the payload, so compare with the input. */
function expectSameValues(ours: ReturnType<typeof batchToPlain>, ref: RefSeries[], input?: readonly EncSeries[]) {
  const expectBits = (got: { hi: number; lo: number }, rv: number, given: { hi: number; lo: number } | undefined) => {
    if (Number.isNaN(rv)) expect({ hi: got.hi, lo: got.lo }).toEqual(given ?? bitsOf(NaN));
    else expect({ hi: got.hi, lo: got.lo }).toEqual(bitsOf(rv));
  };
  expect(ours.length).toBe(ref.length);
  ours.forEach((s, i) => {
    expect(s.labels).toEqual(ref[i]!.labels);
    expect(s.histograms).toBe(ref[i]!.histograms);
    expect(s.samples.map((x) => x.timestamp)).toEqual(ref[i]!.samples.map((x) => x.timestamp));
    s.samples.forEach((x, k) => expectBits(x, ref[i]!.samples[k]!.value, input?.[i]?.samples[k]?.valueBits));
    expect(s.exemplars.map((x) => ({ labels: x.labels, timestamp: x.timestamp }))).toEqual(
      ref[i]!.exemplars.map((x) => ({ labels: x.labels, timestamp: x.timestamp })),
    );
    s.exemplars.forEach((x, k) => expectBits(x, ref[i]!.exemplars[k]!.value, input?.[i]?.exemplars?.[k]?.valueBits));
  });
}

describe('remote write 1.0 decoder', () => {
  it('decodes a fixture like protobufjs, keeping the stale marker bits', () => {
    const input: EncSeries[] = [
      {
        labels: [
          { name: '__name__', value: 'http_requests_total' },
          { name: 'job', value: 'api' },
          { name: 'path', value: '/é/😀' },
        ],
        samples: [
          { timestamp: 1_700_000_000_000, value: 1 },
          { timestamp: 1_700_000_015_000, value: NaN, valueBits: STALE },
          { timestamp: -5, value: -0 },
        ],
        exemplars: [
          { labels: [{ name: 'trace_id', value: 'abc123' }, { name: 'span', value: 'é😀' }], value: 0.25, timestamp: 1_700_000_000_500 },
          { labels: [], value: NaN, valueBits: STALE, timestamp: -7 },
        ],
      },
      { labels: [{ name: '__name__', value: 'up' }, { name: 'empty', value: '' }], samples: [] },
      { labels: [{ name: '__name__', value: 'up2' }], samples: [{ timestamp: 1, value: 2 }], exemplars: [{ labels: [{ name: 'trace_id', value: '' }], value: -0, timestamp: 0 }] },
    ];
    const metadata = [{ type: 1 as const, metricFamilyName: 'http_requests_total', help: 'Requests. «ok»', unit: 'requests' }];
    const body = encodeWriteRequestV1({ timeseries: input, metadata });
    const b = new WriteBatch();
    decodeWriteRequestV1(body, b);
    const ref = referenceV1(body);
    expectSameValues(batchToPlain(b), ref.series, input);
    expect(b.metadata).toEqual(metadata);
    expect(b.valueHi[1]).toBe(0x7ff00000);
    expect(b.valueLo[1]).toBe(2);
    expect(b.sampleTotal).toBe(4);
    expect(batchToPlain(b).map((s) => s.exemplars)).toEqual([
      [
        { labels: [{ name: 'trace_id', value: 'abc123' }, { name: 'span', value: 'é😀' }], timestamp: 1_700_000_000_500, ...bitsOf(0.25) },
        { labels: [], timestamp: -7, ...STALE },
      ],
      [],
      [{ labels: [{ name: 'trace_id', value: '' }], timestamp: 0, ...bitsOf(-0) }],
    ]);
    expect(b.exemplarTotal).toBe(3);
    expect(b.exLabelTotal).toBe(3);
    expect([...b.exemplarStart.subarray(0, 3)]).toEqual([0, 2, 2]);
    expect([...b.exemplarCount.subarray(0, 3)]).toEqual([2, 0, 1]);
    // The series byte range re-decodes to the same series.
    const one = new WriteBatch();
    const framed = new Uint8Array(b.seriesLen[0]! + 3);
    framed[0] = 0x0a;
    framed[1] = (b.seriesLen[0]! & 0x7f) | 0x80;
    framed[2] = b.seriesLen[0]! >> 7;
    framed.set(body.subarray(b.seriesOff[0]!, b.seriesOff[0]! + b.seriesLen[0]!), 3);
    decodeWriteRequestV1(framed, one);
    expect(batchToPlain(one)[0]).toEqual(batchToPlain(b)[0]);
  });

  it('decodes exemplars and counts histograms encoded by protobufjs', () => {
    const body = WriteRequestV1.encode(
      WriteRequestV1.fromObject({
        timeseries: [
          {
            labels: [{ name: '__name__', value: 'h' }],
            exemplars: [
              { labels: [{ name: 'trace_id', value: 'abc' }], value: 1, timestamp: 5 },
              { labels: [{ name: 'trace_id', value: 'def' }, { name: 'span_id', value: '中' }], value: -2.5, timestamp: -1_700_000_000_000 },
            ],
            histograms: [{ countInt: 3, sum: 1.5, schema: -2, positiveSpans: [{ offset: -1, length: 2 }], positiveDeltas: [1, -1], timestamp: 7 }, {}],
          },
          { labels: [{ name: '__name__', value: 'g' }], exemplars: [{}] },
        ],
      }),
    ).finish();
    const b = new WriteBatch();
    decodeWriteRequestV1(body, b);
    expect(b.exemplarTotal).toBe(3);
    expect(b.histogramTotal).toBe(2);
    expect(b.histogramCount[0]).toBe(2);
    expect(batchToPlain(b).map((s) => s.exemplars)).toEqual([
      [
        { labels: [{ name: 'trace_id', value: 'abc' }], timestamp: 5, ...bitsOf(1) },
        { labels: [{ name: 'trace_id', value: 'def' }, { name: 'span_id', value: '中' }], timestamp: -1_700_000_000_000, ...bitsOf(-2.5) },
      ],
      [{ labels: [], timestamp: 0, ...bitsOf(0) }],
    ]);
    expectSameValues(batchToPlain(b), referenceV1(body).series);
  });

  it('refuses malformed exemplars with a ProtoError', () => {
    const series = (ex: number[]) => {
      const ts = [0x0a, 0x05, 0x0a, 0x01, 0x61, 0x12, 0x00, 0x1a, ex.length, ...ex];
      return Uint8Array.from([0x0a, ts.length, ...ts]);
    };
    for (const ex of [
      [0x11, 0, 0, 0, 0], // value cut short
      [0x0a, 0x05, 0x0a, 0x01], // label longer than the exemplar
      [0x0a, 0x02, 0x0a, 0x05], // label name longer than the label
      [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // timestamp beyond 2^53
      [0x00, 0x01], // field number 0
      [0x0b], // group wire type
    ]) {
      expect(() => decodeWriteRequestV1(series(ex), new WriteBatch())).toThrow(ProtoError);
    }
  });

  it('equals protobufjs on 600 random messages (protobufjs and Vigil encoders)', () => {
    const r = rng(7);
    for (let n = 0; n < 600; n++) {
      const input = randomSeries(r);
      const plain = plainInput(input);
      // protobufjs writes every NaN as the canonical one; Vigil's encoder keeps the given bits.
      const cases: [Uint8Array, EncSeries[] | undefined][] = [
        [WriteRequestV1.encode(WriteRequestV1.fromObject(plain)).finish(), undefined],
        [encodeWriteRequestV1({ timeseries: input }), input],
      ];
      for (const [body, bits] of cases) {
        const b = new WriteBatch();
        decodeWriteRequestV1(body, b);
        expectSameValues(batchToPlain(b), referenceV1(body).series, bits);
      }
    }
  });

  it("keeps up with protobufjs's view of Vigil's encoder output", () => {
    const r = rng(11);
    for (let n = 0; n < 200; n++) {
      const input = randomSeries(r);
      const ref = referenceV1(encodeWriteRequestV1({ timeseries: input }));
      expect(ref.series.map((s) => s.labels)).toEqual(input.map((s) => s.labels));
      expect(ref.series.map((s) => s.samples.map((x) => x.timestamp))).toEqual(input.map((s) => s.samples.map((x) => x.timestamp)));
      expect(ref.series.map((s) => s.exemplars.map((x) => ({ labels: x.labels, timestamp: x.timestamp })))).toEqual(
        input.map((s) => (s.exemplars ?? []).map((x) => ({ labels: x.labels, timestamp: x.timestamp }))),
      );
    }
  });

  it('skips unknown fields of every wire type', () => {
    // TimeSeries with unknown field 9 (varint), 10 (fixed64), 11 (bytes), 12 (fixed32), then a label.
    // An exemplar with unknown fields 9 and 12 around a label (which has an unknown field 11 of its own).
    const label = [0x0a, 0x01, 0x74, 0x5a, 0x01, 0xcc, 0x12, 0x01, 0x75];
    const ex = [0x48, 0x01, 0x0a, label.length, ...label, 0x65, 1, 2, 3, 4, 0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x18, 0x05, 0x51, 1, 2, 3, 4, 5, 6, 7, 8];
    const ts = [0x48, 0x96, 0x01, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5a, 0x02, 0xaa, 0xbb, 0x65, 1, 2, 3, 4, 0x0a, 0x05, 0x0a, 0x01, 0x61, 0x12, 0x00, 0x1a, ex.length, ...ex];
    const body = Uint8Array.from([0x0a, ts.length, ...ts, 0x78, 0x01]);
    const b = new WriteBatch();
    decodeWriteRequestV1(body, b);
    expect(batchToPlain(b)).toEqual([
      { labels: [{ name: 'a', value: '' }], samples: [], histograms: 0, exemplars: [{ labels: [{ name: 't', value: 'u' }], timestamp: 5, ...bitsOf(1) }] },
    ]);
  });
});

describe('remote write 2.0 decoder', () => {
  function referenceV2(body: Uint8Array): RefSeries[] {
    const o = RequestV2.toObject(RequestV2.decode(body), { longs: String, defaults: true, arrays: true }) as {
      symbols: string[];
      timeseries: {
        labelsRefs: number[];
        samples: { value: number; timestamp: string }[];
        histograms: unknown[];
        exemplars: { labelsRefs: number[]; value: number; timestamp: string }[];
      }[];
    };
    const resolve = (refs: number[]) => {
      const labels = [];
      for (let i = 0; i < refs.length; i += 2) labels.push({ name: o.symbols[refs[i]!]!, value: o.symbols[refs[i + 1]!]! });
      return labels;
    };
    return o.timeseries.map((ts) => ({
      labels: resolve(ts.labelsRefs),
      samples: ts.samples.map((s) => ({ timestamp: Number(s.timestamp), value: s.value })),
      histograms: ts.histograms.length,
      exemplars: ts.exemplars.map((x) => ({ labels: resolve(x.labelsRefs), timestamp: Number(x.timestamp), value: x.value })),
    }));
  }

  it('resolves the symbol table and per-series metadata', () => {
    const input: EncSeries[] = [
      {
        labels: [{ name: '__name__', value: 'temp' }, { name: 'room', value: 'a' }],
        samples: [{ timestamp: 10, value: 21.5 }, { timestamp: 20, value: NaN, valueBits: STALE }],
        exemplars: [
          { labels: [{ name: 'trace_id', value: 'abc' }, { name: 'room', value: 'a' }], value: 21.5, timestamp: 9 },
          { labels: [], value: NaN, valueBits: STALE, timestamp: -3 },
        ],
      },
      { labels: [{ name: '__name__', value: 'temp' }, { name: 'room', value: 'b' }], samples: [{ timestamp: 10, value: 19 }] },
      { labels: [{ name: '__name__', value: 'temp' }, { name: 'room', value: 'c' }], samples: [], exemplars: [{ labels: [{ name: 'trace_id', value: '' }], value: 0, timestamp: 0 }] },
    ];
    const body = encodeWriteRequestV2({ timeseries: input, metadata: [{ type: 2, metricFamilyName: 'temp', help: 'Temperature.', unit: 'celsius' }] });
    const b = new WriteBatch();
    decodeWriteRequestV2(body, b);
    expectSameValues(batchToPlain(b), referenceV2(body), input);
    expect(b.metadata).toEqual([{ type: 2, metricFamilyName: 'temp', help: 'Temperature.', unit: 'celsius' }]);
    expect(batchToPlain(b).map((s) => s.exemplars)).toEqual([
      [
        { labels: [{ name: 'trace_id', value: 'abc' }, { name: 'room', value: 'a' }], timestamp: 9, ...bitsOf(21.5) },
        { labels: [], timestamp: -3, ...STALE },
      ],
      [],
      [{ labels: [{ name: 'trace_id', value: '' }], timestamp: 0, ...bitsOf(0) }],
    ]);
    expect(b.exemplarTotal).toBe(3);
    expect(b.exLabelTotal).toBe(3);
  });

  it('equals protobufjs on 400 random messages, packed and unpacked refs', () => {
    const r = rng(99);
    for (let n = 0; n < 400; n++) {
      const input = randomSeries(r);
      const body = encodeWriteRequestV2({ timeseries: input });
      const b = new WriteBatch();
      decodeWriteRequestV2(body, b);
      expectSameValues(batchToPlain(b), referenceV2(body), input);
      // The same message with labels_refs unpacked (one varint field per ref), series and
      // exemplars: refs as protobufjs read them, values and timestamps as the packed decode gave.
      const o = RequestV2.toObject(RequestV2.decode(body), { longs: Number, arrays: true }) as UnpackedInput;
      const w = protobufWriterUnpacked(o, batchToPlain(b));
      const b2 = new WriteBatch();
      decodeWriteRequestV2(w, b2);
      expect(batchToPlain(b2)).toEqual(batchToPlain(b));
      expect(b2.exemplarTotal).toBe(b.exemplarTotal);
    }
  });

  it('keeps series and exemplar refs apart when a series splits its labels_refs around an exemplar', () => {
    const out: number[] = [];
    for (const s of ['', 'job', 'x', 'trace_id', 'abc']) pushLen(out, 4, [...new TextEncoder().encode(s)]);
    const ex = [0x08, 0x03, 0x0a, 0x01, 0x04, 0x11, 0, 0, 0, 0, 0, 0, 0x04, 0x40, 0x18, 0x02]; // refs 3 (unpacked), 4 (packed); 2.5; t=2
    pushLen(out, 5, [0x08, 0x01, 0x22, ex.length, ...ex, 0x0a, 0x01, 0x02]);
    const body = Uint8Array.from(out);
    const b = new WriteBatch();
    decodeWriteRequestV2(body, b);
    expect(batchToPlain(b)).toEqual([
      { labels: [{ name: 'job', value: 'x' }], samples: [], histograms: 0, exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], timestamp: 2, ...bitsOf(2.5) }] },
    ]);
    expectSameValues(batchToPlain(b), referenceV2(body));
  });

  it('skips unknown fields in an exemplar', () => {
    const out: number[] = [];
    for (const s of ['', 'a', 'b']) pushLen(out, 4, [...new TextEncoder().encode(s)]);
    const ex = [0x48, 0x07, 0x0a, 0x02, 0x01, 0x02, 0x5a, 0x01, 0xee, 0x65, 1, 2, 3, 4, 0x18, 0x09];
    pushLen(out, 5, [0x0a, 0x02, 0x01, 0x02, 0x22, ex.length, ...ex]);
    const b = new WriteBatch();
    decodeWriteRequestV2(Uint8Array.from(out), b);
    expect(batchToPlain(b)[0]!.exemplars).toEqual([{ labels: [{ name: 'a', value: 'b' }], timestamp: 9, hi: 0, lo: 0 }]);
  });

  it.each([
    [[0x22, 0x01, 0x61], /symbols\[0\] must be the empty string/],
    [[0x22, 0x00, 0x2a, 0x02, 0x08, 0x05], /refers to symbol 5/],
    [[0x22, 0x00, 0x2a, 0x02, 0x08, 0x00], /odd number of refs/],
    [[0x22, 0x00, 0x22, 0x01, 0x61, 0x2a, 0x05, 0x22, 0x03, 0x0a, 0x01, 0x01], /Exemplar.labels_refs has an odd number of refs/],
    [[0x22, 0x00, 0x22, 0x01, 0x61, 0x2a, 0x04, 0x22, 0x02, 0x08, 0x01], /Exemplar.labels_refs has an odd number of refs/],
    [[0x22, 0x00, 0x22, 0x01, 0x61, 0x2a, 0x06, 0x22, 0x04, 0x0a, 0x02, 0x01, 0x07], /Exemplar.labels_refs refers to symbol 7/],
    [[0x22, 0x00, 0x2a, 0x04, 0x22, 0x02, 0x08, 0x09], /Exemplar.labels_refs refers to symbol 9/],
    [[0x22, 0x00, 0x2a, 0x04, 0x22, 0x02, 0x0a, 0x05], /runs past the end/],
    [[0x22, 0x00, 0x2a, 0x05, 0x22, 0x03, 0x11, 0x00, 0x00], /unexpected end of buffer reading Exemplar.value/],
  ])('refuses bad symbol references and malformed exemplars %#', (bytes, msg) => {
    expect(() => decodeWriteRequestV2(Uint8Array.from(bytes), new WriteBatch())).toThrow(ProtoError);
    expect(() => decodeWriteRequestV2(Uint8Array.from(bytes), new WriteBatch())).toThrow(msg);
  });
});

function pushVarint(out: number[], v: number): void {
  let x = BigInt.asUintN(64, BigInt(v));
  while (x >= BigInt(128)) {
    out.push(Number(x & BigInt(0x7f)) | 0x80);
    x >>= BigInt(7);
  }
  out.push(Number(x));
}

function pushLen(out: number[], field: number, inner: number[]): void {
  out.push((field << 3) | 2);
  pushVarint(out, inner.length);
  out.push(...inner);
}

/** Tag, then the value's raw bits little-endian. */
function pushFixed64(out: number[], tag: number, v: { hi: number; lo: number }): void {
  out.push(tag);
  for (const w of [v.lo, v.hi]) for (let s = 0; s < 32; s += 8) out.push((w >>> s) & 0xff);
}

interface UnpackedInput {
  symbols: string[];
  timeseries: { labelsRefs?: number[]; exemplars?: { labelsRefs?: number[] }[] }[];
}

/**
 * Hand-build a v2 request whose labels_refs (series and exemplar) are unpacked varints: refs
 * from `o`, samples and exemplar values/timestamps from `plain` (exact bits).
 */
function protobufWriterUnpacked(o: UnpackedInput, plain: ReturnType<typeof batchToPlain>): Uint8Array {
  const out: number[] = [];
  const te = new TextEncoder();
  for (const s of o.symbols) pushLen(out, 4, [...te.encode(s)]);
  o.timeseries.forEach((ts, i) => {
    const inner: number[] = [];
    for (const r of ts.labelsRefs ?? []) {
      inner.push(0x08);
      pushVarint(inner, r);
    }
    for (const smp of plain[i]!.samples) {
      const s: number[] = [];
      pushFixed64(s, 0x09, smp);
      s.push(0x10);
      pushVarint(s, smp.timestamp);
      pushLen(inner, 2, s);
    }
    (ts.exemplars ?? []).forEach((x, k) => {
      const e: number[] = [];
      for (const r of x.labelsRefs ?? []) {
        e.push(0x08);
        pushVarint(e, r);
      }
      const px = plain[i]!.exemplars[k]!;
      pushFixed64(e, 0x11, px);
      e.push(0x18);
      pushVarint(e, px.timestamp);
      pushLen(inner, 4, e);
    });
    pushLen(out, 5, inner);
  });
  return Uint8Array.from(out);
}
