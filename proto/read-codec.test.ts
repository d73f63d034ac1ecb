import { describe, expect, it } from 'vitest';
import { crc32c } from '../tsdb/encoding/crc32c.js';
import { Decbuf } from '../tsdb/encoding/encbuf.js';
import { decodeReadRequest, encodeChunkedReadResponse, encodeReadResponse, frame } from './read-codec.js';
import { protoRoot } from './testing.js';
import { ProtoError } from './wire.js';

const ReadRequest = protoRoot.lookupType('prometheus.ReadRequest');
const ReadResponse = protoRoot.lookupType('prometheus.ReadResponse');
const ChunkedReadResponse = protoRoot.lookupType('prometheus.ChunkedReadResponse');

function rand(n: number): number {
  return Math.floor(Math.random() * n);
}

describe('remote read codec', () => {
  it('decodes ReadRequests exactly as protobufjs encodes them (random requests)', () => {
    for (let k = 0; k < 300; k++) {
      const queries = Array.from({ length: 1 + rand(3) }, () => ({
        startTimestampMs: 1_700_000_000_000 - rand(1e9),
        endTimestampMs: 1_700_000_000_000 + rand(1e9),
        matchers: Array.from({ length: rand(4) }, () => ({ type: rand(4), name: `l${rand(5)}`, value: rand(2) ? `v${rand(100)}é` : '' })),
        ...(rand(2) ? { hints: { stepMs: rand(60_000), func: rand(2) ? 'rate' : '', startMs: rand(1e6), endMs: rand(1e6), rangeMs: rand(300_000) } } : {}),
      }));
      const types = rand(2) ? [1, 0] : rand(2) ? [0] : [];
      const bytes = ReadRequest.encode(ReadRequest.create({ queries, acceptedResponseTypes: types })).finish();
      const got = decodeReadRequest(bytes);
      expect(got.acceptedResponseTypes).toEqual(types);
      expect(got.queries.map((q) => ({ s: q.startMs, e: q.endMs, m: q.matchers, h: q.hints?.stepMs ?? null }))).toEqual(
        queries.map((q) => ({ s: q.startTimestampMs, e: q.endTimestampMs, m: q.matchers, h: 'hints' in q && q.hints ? q.hints.stepMs : null })),
      );
    }
  });

  it('encodes ReadResponse and ChunkedReadResponse that protobufjs decodes back, negative times included', () => {
    const series = [
      { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'é' }], samples: [{ timestamp: 1000, value: 1 }, { timestamp: 2000, value: 0.5 }] },
      { labels: [{ name: '__name__', value: 'x' }], samples: [{ timestamp: -5, value: -2 }] },
    ];
    const rr = ReadResponse.toObject(ReadResponse.decode(encodeReadResponse([series, []])), { longs: Number, defaults: false }) as {
      results: { timeseries?: { labels: unknown; samples: { timestamp?: number; value: number }[] }[] }[];
    };
    expect(rr.results).toHaveLength(2);
    expect(rr.results[0]!.timeseries!.map((t) => t.samples.map((s) => [s.timestamp ?? 0, s.value]))).toEqual([[[1000, 1], [2000, 0.5]], [[-5, -2]]]);
    const msg = encodeChunkedReadResponse({ labels: series[0]!.labels, chunks: [{ minT: -10, maxT: 2000, type: 1, data: Uint8Array.from([0, 1, 2, 3]) }] }, 3);
    const cr = ChunkedReadResponse.toObject(ChunkedReadResponse.decode(msg), { longs: Number, bytes: Array }) as {
      chunkedSeries: { labels: { name: string; value: string }[]; chunks: { minTimeMs: number; maxTimeMs: number; type: number; data: number[] }[] }[];
      queryIndex: number;
    };
    expect(cr.queryIndex).toBe(3);
    expect(cr.chunkedSeries[0]!.labels).toEqual(series[0]!.labels);
    expect(cr.chunkedSeries[0]!.chunks).toEqual([{ minTimeMs: -10, maxTimeMs: 2000, type: 1, data: [0, 1, 2, 3] }]);
  });

  it('frames a message as uvarint length, be32 CRC32C, message', () => {
    const msg = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const f = frame(msg);
    const d = new Decbuf(f);
    expect(d.uvarint()).toBe(300);
    expect(d.be32()).toBe(crc32c(msg));
    expect(Buffer.from(d.bytes(300)).equals(Buffer.from(msg))).toBe(true);
    expect(d.remaining()).toBe(0);
  });

  it('fuzz: malformed requests give a ProtoError and nothing else', () => {
    const good = ReadRequest.encode(
      ReadRequest.create({ queries: [{ startTimestampMs: 1, endTimestampMs: 2, matchers: [{ type: 2, name: 'a', value: 'b.*' }], hints: { stepMs: 10 } }], acceptedResponseTypes: [1] }),
    ).finish();
    for (let cut = 0; cut < good.length; cut++) {
      try {
        decodeReadRequest(good.subarray(0, cut));
      } catch (e) {
        expect(e).toBeInstanceOf(ProtoError);
      }
    }
    for (let k = 0; k < 20_000; k++) {
      const b = Uint8Array.from(good);
      for (let f = 0; f < 1 + rand(4); f++) {
        const i = rand(b.length);
        b[i] = b[i]! ^ (1 << rand(8));
      }
      const junk = rand(4) === 0 ? Uint8Array.from({ length: rand(64) }, () => rand(256)) : b;
      try {
        decodeReadRequest(junk);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtoError);
      }
    }
  });
});
