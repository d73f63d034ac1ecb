/**
 * Fuzz the decoders with garbled, truncated and hostile inputs: they either decode or throw a
 * ProtoError (snappy: an Error) — never a RangeError, never a hang, never a huge allocation.
 */

import { describe, expect, it } from 'vitest';
import { snappyCodecs, snappyDecode, snappyEncode } from './snappy.js';
import { WriteBatch } from './write-batch.js';
import { decodeWriteRequestV1, decodeWriteRequestV2 } from './write-decoder.js';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from './write-encoder.js';
import { ProtoError } from './wire.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const sample = {
  timeseries: [
    {
      labels: [{ name: '__name__', value: 'node_cpu_seconds_total' }, { name: 'cpu', value: '0' }, { name: 'mode', value: 'idle' }],
      samples: [{ timestamp: 1_700_000_000_000, value: 1.5 }, { timestamp: 1_700_000_015_000, value: 2 }],
      exemplars: [
        { labels: [{ name: 'trace_id', value: '4bf92f3577b34da6' }, { name: 'span_id', value: '00f067aa' }], value: 1.5, timestamp: 1_700_000_000_000 },
        { labels: [], value: NaN, timestamp: -1 },
      ],
    },
    { labels: [{ name: '__name__', value: 'up' }, { name: 'instance', value: 'é😀' }], samples: [{ timestamp: -1, value: NaN }], exemplars: [{ labels: [{ name: 'trace_id', value: 'é' }], value: 0, timestamp: 0 }] },
  ],
  metadata: [{ type: 1 as const, metricFamilyName: 'node_cpu_seconds_total', help: 'CPU', unit: 'seconds' }],
};

function mustBeCleanOrProtoError(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ProtoError)) throw e;
  }
}

describe('decoder fuzz', () => {
  const b = new WriteBatch();
  for (const [name, valid, decode] of [
    ['1.0', encodeWriteRequestV1(sample), decodeWriteRequestV1],
    ['2.0', encodeWriteRequestV2(sample), decodeWriteRequestV2],
  ] as const) {
    it(`${name}: every truncation and 15,000 bit-flipped or random bodies`, () => {
      for (let n = 0; n <= valid.length; n++) mustBeCleanOrProtoError(() => decode(valid.subarray(0, n), b));
      const r = rng(name === '1.0' ? 1 : 2);
      for (let i = 0; i < 15_000; i++) {
        let body: Uint8Array;
        if (i % 3 === 2) body = Uint8Array.from({ length: Math.floor(r() * 80) }, () => Math.floor(r() * 256));
        else {
          body = Uint8Array.from(valid);
          for (let f = 0; f < 1 + Math.floor(r() * 5); f++) body[Math.floor(r() * body.length)]! ^= 1 << Math.floor(r() * 8);
        }
        mustBeCleanOrProtoError(() => decode(body, b));
        // Nothing allocated in proportion to a declared length.
        expect(b.labelPos.length).toBeLessThan(4096);
        expect(b.ts.length).toBeLessThan(4096);
        expect(b.exLabelPos.length).toBeLessThan(4096);
        expect(b.exTs.length).toBeLessThan(4096);
        // Every exemplar label decoded so far is a byte range inside the body.
        let inside = b.buf === body && b.exemplarTotal <= body.length;
        for (let x = 0; x < b.exemplarTotal; x++) {
          for (let e = b.exLabelStart[x]!; e < b.exLabelStart[x]! + b.exLabelCount[x]!; e++) {
            if (b.exLabelPos[4 * e]! + b.exLabelPos[4 * e + 1]! > body.length) inside = false;
            if (b.exLabelPos[4 * e + 2]! + b.exLabelPos[4 * e + 3]! > body.length) inside = false;
          }
        }
        expect(inside).toBe(true);
      }
    });
  }

  it.each([
    ['length of 2^31', [0x0a, 0x80, 0x80, 0x80, 0x80, 0x08]],
    ['length of 2^63', [0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
    ['11-byte varint', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['group wire type', [0x0b, 0x0c]],
    ['field number 0', [0x00, 0x01]],
    ['timestamp beyond 2^53', [0x0a, 0x0d, 0x12, 0x0b, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x09, 0x00]],
    ['invalid UTF-8 in metadata', [0x1a, 0x04, 0x12, 0x02, 0xc3, 0x28]],
    ['exemplar timestamp beyond 2^53', [0x0a, 0x0c, 0x1a, 0x0a, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
    ['exemplar label past its exemplar', [0x0a, 0x06, 0x1a, 0x04, 0x0a, 0x07, 0x0a, 0x01]],
    ['truncated exemplar value', [0x0a, 0x05, 0x1a, 0x03, 0x11, 0x00, 0x00]],
  ])('refuses %s with a ProtoError', (_name, bytes) => {
    expect(() => decodeWriteRequestV1(Uint8Array.from(bytes), new WriteBatch())).toThrow(ProtoError);
  });

  it('survives 2,000 levels of nested length-delimited fields', () => {
    // Field 1 (TimeSeries) whose labels contain unknown nested messages, nested deep.
    let inner = Uint8Array.from([]);
    for (let d = 0; d < 2000; d++) {
      const n = inner.length;
      const hdr = n < 128 ? [0x5a, n] : n < 16384 ? [0x5a, (n & 0x7f) | 0x80, n >> 7] : [0x5a, (n & 0x7f) | 0x80, ((n >> 7) & 0x7f) | 0x80, n >> 14];
      const next = new Uint8Array(hdr.length + n);
      next.set(hdr);
      next.set(inner, hdr.length);
      inner = next;
    }
    mustBeCleanOrProtoError(() => decodeWriteRequestV1(inner, new WriteBatch()));
  });
});

describe('snappy', () => {
  const body = encodeWriteRequestV1(sample);

  it('round-trips with both codecs and across them', () => {
    const { native, js } = snappyCodecs;
    expect(native).not.toBeNull();
    for (const [a, b] of [
      [native!, js],
      [js, native!],
      [native!, native!],
      [js, js],
    ] as const) {
      expect(Buffer.from(b.uncompress(a.compress(body)))).toEqual(Buffer.from(body));
    }
    expect(Buffer.from(snappyDecode(snappyEncode(body), 1 << 20))).toEqual(Buffer.from(body));
  });

  it('refuses a declared length above the limit before decompressing', () => {
    expect(() => snappyDecode(snappyEncode(body), 10)).toThrow(/exceeds the limit of 10 bytes/);
  });

  it('throws clean errors on 5,000 garbled bodies', () => {
    const good = snappyEncode(body);
    const r = rng(3);
    for (let i = 0; i < 5000; i++) {
      const g = Uint8Array.from(good);
      if (i % 2) g[Math.floor(r() * g.length)]! ^= 1 << Math.floor(r() * 8);
      const cut = i % 2 ? g : g.subarray(0, Math.floor(r() * g.length));
      try {
        snappyDecode(cut, 1 << 20);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/^snappy: /);
      }
    }
  });
});
