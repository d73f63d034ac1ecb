import { describe, expect, it } from 'vitest';
import { RequestV2, WriteRequestV1, batchToPlain, bitsOf } from './testing.js';
import { WriteBatch } from './write-batch.js';
import { decodeWriteRequestV1, decodeWriteRequestV2 } from './write-decoder.js';
import { type EncSeries, encodeWriteRequestV1, encodeWriteRequestV2 } from './write-encoder.js';

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

function randomSeries(r: () => number): EncSeries[] {
  return Array.from({ length: Math.floor(r() * 6) }, () => ({
    labels: Array.from({ length: Math.floor(r() * 6) }, () => ({ name: randomString(r, 8), value: randomString(r, 12) })),
    samples: Array.from({ length: Math.floor(r() * 5) }, () => ({ timestamp: randomTimestamp(r), ...randomValue(r) })),
  }));
}

/** What protobufjs decodes, in the shape batchToPlain gives. */
function referenceV1(body: Uint8Array) {
  const o = WriteRequestV1.toObject(WriteRequestV1.decode(body), { longs: String, defaults: true, arrays: true }) as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: string }[]; histograms: unknown[]; exemplars: unknown[] }[];
    metadata: { type: number; metricFamilyName: string; help: string; unit: string }[];
  };
  return {
    series: o.timeseries.map((ts) => ({
      labels: ts.labels.map((l) => ({ name: l.name, value: l.value })),
      samples: ts.samples.map((s) => ({ timestamp: Number(s.timestamp), value: s.value })),
      histograms: ts.histograms.length,
      exemplars: ts.exemplars.length,
    })),
    metadata: o.metadata,
  };
}

/** Compare values: exact bits for numbers; for NaN protobufjs loses the payload, so compare with the input. */
function expectSameValues(ours: ReturnType<typeof batchToPlain>, ref: ReturnType<typeof referenceV1>['series'], input?: readonly EncSeries[]) {
  expect(ours.length).toBe(ref.length);
  ours.forEach((s, i) => {
    expect(s.labels).toEqual(ref[i]!.labels);
    expect(s.histograms).toBe(ref[i]!.histograms);
    expect(s.exemplars).toBe(ref[i]!.exemplars);
    expect(s.samples.map((x) => x.timestamp)).toEqual(ref[i]!.samples.map((x) => x.timestamp));
    s.samples.forEach((x, k) => {
      const rv = ref[i]!.samples[k]!.value;
      if (Number.isNaN(rv)) {
        const want = input?.[i]?.samples[k]?.valueBits ?? bitsOf(NaN);
        expect({ hi: x.hi, lo: x.lo }).toEqual(want);
      } else expect({ hi: x.hi, lo: x.lo }).toEqual(bitsOf(rv));
    });
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
      },
      { labels: [{ name: '__name__', value: 'up' }, { name: 'empty', value: '' }], samples: [] },
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
    expect(b.sampleTotal).toBe(3);
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

  it('counts exemplars and histograms encoded by protobufjs', () => {
    const body = WriteRequestV1.encode(
      WriteRequestV1.fromObject({
        timeseries: [
          {
            labels: [{ name: '__name__', value: 'h' }],
            exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 1, timestamp: 5 }],
            histograms: [{ countInt: 3, sum: 1.5, schema: -2, positiveSpans: [{ offset: -1, length: 2 }], positiveDeltas: [1, -1], timestamp: 7 }, {}],
          },
        ],
      }),
    ).finish();
    const b = new WriteBatch();
    decodeWriteRequestV1(body, b);
    expect(b.exemplarTotal).toBe(1);
    expect(b.histogramTotal).toBe(2);
    expect(b.histogramCount[0]).toBe(2);
  });

  it('equals protobufjs on 600 random messages (protobufjs and Vigil encoders)', () => {
    const r = rng(7);
    for (let n = 0; n < 600; n++) {
      const input = randomSeries(r);
      const plain = { timeseries: input.map((s) => ({ labels: s.labels, samples: s.samples.map((x) => ({ value: x.value, timestamp: x.timestamp })) })) };
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
    }
  });

  it('skips unknown fields of every wire type', () => {
    // TimeSeries with unknown field 9 (varint), 10 (fixed64), 11 (bytes), 12 (fixed32), then a label.
    const ts = [0x48, 0x96, 0x01, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5a, 0x02, 0xaa, 0xbb, 0x65, 1, 2, 3, 4, 0x0a, 0x05, 0x0a, 0x01, 0x61, 0x12, 0x00];
    const body = Uint8Array.from([0x0a, ts.length, ...ts, 0x78, 0x01]);
    const b = new WriteBatch();
    decodeWriteRequestV1(body, b);
    expect(batchToPlain(b)).toEqual([{ labels: [{ name: 'a', value: '' }], samples: [], histograms: 0, exemplars: 0 }]);
  });
});

describe('remote write 2.0 decoder', () => {
  function referenceV2(body: Uint8Array) {
    const o = RequestV2.toObject(RequestV2.decode(body), { longs: String, defaults: true, arrays: true }) as {
      symbols: string[];
      timeseries: { labelsRefs: number[]; samples: { value: number; timestamp: string }[]; histograms: unknown[]; exemplars: unknown[] }[];
    };
    return o.timeseries.map((ts) => {
      const labels = [];
      for (let i = 0; i < ts.labelsRefs.length; i += 2) labels.push({ name: o.symbols[ts.labelsRefs[i]!]!, value: o.symbols[ts.labelsRefs[i + 1]!]! });
      return { labels, samples: ts.samples.map((s) => ({ timestamp: Number(s.timestamp), value: s.value })), histograms: ts.histograms.length, exemplars: ts.exemplars.length };
    });
  }

  it('resolves the symbol table and per-series metadata', () => {
    const input: EncSeries[] = [
      { labels: [{ name: '__name__', value: 'temp' }, { name: 'room', value: 'a' }], samples: [{ timestamp: 10, value: 21.5 }, { timestamp: 20, value: NaN, valueBits: STALE }] },
      { labels: [{ name: '__name__', value: 'temp' }, { name: 'room', value: 'b' }], samples: [{ timestamp: 10, value: 19 }] },
    ];
    const body = encodeWriteRequestV2({ timeseries: input, metadata: [{ type: 2, metricFamilyName: 'temp', help: 'Temperature.', unit: 'celsius' }] });
    const b = new WriteBatch();
    decodeWriteRequestV2(body, b);
    expectSameValues(batchToPlain(b), referenceV2(body), input);
    expect(b.metadata).toEqual([{ type: 2, metricFamilyName: 'temp', help: 'Temperature.', unit: 'celsius' }]);
  });

  it('equals protobufjs on 400 random messages, packed and unpacked refs', () => {
    const r = rng(99);
    for (let n = 0; n < 400; n++) {
      const input = randomSeries(r);
      const body = encodeWriteRequestV2({ timeseries: input });
      const b = new WriteBatch();
      decodeWriteRequestV2(body, b);
      expectSameValues(batchToPlain(b), referenceV2(body), input);
      // The same message with labels_refs unpacked (one varint field per ref), built by protobufjs.
      const o = RequestV2.toObject(RequestV2.decode(body), { longs: Number, arrays: true }) as { symbols: string[]; timeseries: { labelsRefs: number[] }[] };
      const w = protobufWriterUnpacked(o);
      const b2 = new WriteBatch();
      decodeWriteRequestV2(w, b2);
      expect(batchToPlain(b2).map((s) => s.labels)).toEqual(batchToPlain(b).map((s) => s.labels));
    }
  });

  it.each([
    [[0x22, 0x01, 0x61], /symbols\[0\] must be the empty string/],
    [[0x22, 0x00, 0x2a, 0x02, 0x08, 0x05], /refers to symbol 5/],
    [[0x22, 0x00, 0x2a, 0x02, 0x08, 0x00], /odd number of refs/],
  ])('refuses bad symbol references %#', (bytes, msg) => {
    expect(() => decodeWriteRequestV2(Uint8Array.from(bytes), new WriteBatch())).toThrow(msg);
  });
});

/** Hand-build a v2 request whose labels_refs are unpacked varints. */
function protobufWriterUnpacked(o: { symbols: string[]; timeseries: { labelsRefs: number[] }[] }): Uint8Array {
  const out: number[] = [];
  const varint = (v: number) => {
    while (v >= 128) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  };
  const te = new TextEncoder();
  for (const s of o.symbols) {
    const b = te.encode(s);
    out.push(0x22);
    varint(b.length);
    out.push(...b);
  }
  for (const ts of o.timeseries) {
    const inner: number[] = [];
    for (const r of ts.labelsRefs ?? []) {
      inner.push(0x08);
      let v = r;
      while (v >= 128) {
        inner.push((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      inner.push(v);
    }
    out.push(0x2a);
    varint(inner.length);
    out.push(...inner);
  }
  return Uint8Array.from(out);
}
