import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../app/testing.js';
import { snappyDecode, snappyEncode } from '../proto/snappy.js';
import { protoRoot } from '../proto/testing.js';
import { encodeWriteRequestV1 } from '../proto/write-encoder.js';
import { XorIterator } from '../tsdb/chunkenc/xor.js';
import { crc32c } from '../tsdb/encoding/crc32c.js';
import { Decbuf } from '../tsdb/encoding/encbuf.js';

const ReadRequest = protoRoot.lookupType('prometheus.ReadRequest');
const ReadResponse = protoRoot.lookupType('prometheus.ReadResponse');
const ChunkedReadResponse = protoRoot.lookupType('prometheus.ChunkedReadResponse');

const STALE = { hi: 0x7ff00000, lo: 2 };
const T0 = Date.now() - 600_000;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(['-auth.enabled=true', '-querier.max-samples=1000']);
  const timeseries = [];
  for (let i = 0; i < 3; i++) {
    const samples: { timestamp: number; value: number; valueBits?: { hi: number; lo: number } }[] = [];
    for (let k = 0; k < 250; k++) samples.push({ timestamp: T0 + k * 1000, value: i * 1000 + k });
    if (i === 0) samples.push({ timestamp: T0 + 250_000, value: 0, valueBits: STALE });
    timeseries.push({ labels: [{ name: '__name__', value: 'rr_metric' }, { name: 'i', value: String(i) }], samples });
  }
  const r = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-scope-orgid': 'rr' },
    payload: Buffer.from(snappyEncode(encodeWriteRequestV1({ timeseries }))),
  });
  expect(r.statusCode).toBe(200);
});
afterAll(async () => {
  await t.stop();
});

function request(types: number[], matchers = [{ type: 0, name: '__name__', value: 'rr_metric' }], start = T0, end = T0 + 300_000): Buffer {
  const q = { startTimestampMs: start, endTimestampMs: end, matchers };
  return Buffer.from(snappyEncode(ReadRequest.encode(ReadRequest.create({ queries: [q], acceptedResponseTypes: types })).finish()));
}

async function read(body: Buffer, tenant = 'rr') {
  return t.app.server.inject({
    method: 'POST',
    url: '/prometheus/api/v1/read',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-scope-orgid': tenant, 'x-prometheus-remote-read-version': '0.1.0' },
    payload: body,
  });
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function bitsOf(v: number): [number, number] {
  f64[0] = v;
  return [u32[1]!, u32[0]!];
}

describe('remote read', () => {
  it('answers SAMPLES (the default) with every sample, the stale marker bit for bit', async () => {
    const r = await read(request([]));
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    expect(r.headers['content-encoding']).toBe('snappy');
    const raw = snappyDecode(r.rawPayload, 1 << 30);
    const body = ReadResponse.decode(raw) as unknown as { results: { timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: { toNumber(): number } | number }[] }[] }[] };
    const ts = body.results[0]!.timeseries;
    expect(ts.map((s) => s.labels.find((l) => l.name === 'i')!.value)).toEqual(['0', '1', '2']);
    expect(ts[1]!.samples).toHaveLength(250);
    expect(ts[0]!.samples).toHaveLength(251);
    // The last sample of series 0 is the stale marker: find its exact bytes in the raw message.
    const staleBytes = Buffer.from([0x09, 0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
    expect(Buffer.from(raw).includes(staleBytes)).toBe(true);
    expect(Number(ts[2]!.samples[10]!.value)).toBe(2010);
  });

  it('streams XOR chunks in CRC-checked frames when asked first, chunks decoding to the samples', async () => {
    const r = await read(request([1, 0], [{ type: 2, name: 'i', value: '0|2' }]));
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse');
    expect(r.headers['content-encoding']).toBeUndefined();
    const d = new Decbuf(r.rawPayload);
    const got = new Map<string, [number, number, number][]>();
    let frames = 0;
    while (d.remaining() > 0) {
      const n = d.uvarint();
      const crc = d.be32();
      const msg = d.bytes(n);
      expect(d.err()).toBeNull();
      expect(crc32c(msg)).toBe(crc);
      frames++;
      const m = ChunkedReadResponse.toObject(ChunkedReadResponse.decode(msg), { longs: Number }) as { chunkedSeries: { labels: { name: string; value: string }[]; chunks: { type: number; data: Uint8Array; minTimeMs: number; maxTimeMs: number }[] }[] };
      for (const cs of m.chunkedSeries) {
        const key = cs.labels.find((l) => l.name === 'i')!.value;
        const list = got.get(key) ?? [];
        for (const c of cs.chunks) {
          expect(c.type).toBe(1);
          const it = new XorIterator(c.data);
          let first = true;
          while (it.next()) {
            if (first) expect(it.atT()).toBe(c.minTimeMs);
            first = false;
            list.push([it.atT(), it.atHi(), it.atLo()]);
          }
          expect(list[list.length - 1]![0]).toBe(c.maxTimeMs);
        }
        got.set(key, list);
      }
    }
    expect(frames).toBe(2);
    expect([...got.keys()]).toEqual(['0', '2']);
    expect(got.get('2')!.map(([ts]) => ts)).toEqual(Array.from({ length: 250 }, (_, k) => T0 + k * 1000));
    expect(got.get('2')![7]!.slice(1)).toEqual(bitsOf(2007));
    expect(got.get('0')!.at(-1)).toEqual([T0 + 250_000, STALE.hi, STALE.lo]);
  });

  it('restricts to the requested time range and tenant', async () => {
    const r = await read(request([1], undefined, T0 + 10_000, T0 + 19_000));
    let samples = 0;
    const d = new Decbuf(r.rawPayload);
    while (d.remaining() > 0) {
      const n = d.uvarint();
      d.be32();
      const m = ChunkedReadResponse.decode(d.bytes(n)) as unknown as { chunkedSeries: { chunks: { data: Uint8Array }[] }[] };
      for (const cs of m.chunkedSeries) for (const c of cs.chunks) samples += (c.data[0]! << 8) | c.data[1]!;
    }
    expect(samples).toBe(3 * 10);
    const other = await read(request([0]), 'someone-else');
    const body = ReadResponse.decode(snappyDecode(other.rawPayload, 1 << 30)) as unknown as { results: { timeseries: unknown[] }[] };
    expect(body.results[0]!.timeseries).toEqual([]);
  });

  it('refuses what it cannot answer: 400 with the reason', async () => {
    const bad = await read(Buffer.from('not snappy'));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/cannot decode the remote read request/);
    const unsupported = await read(request([7]));
    expect(unsupported.statusCode).toBe(400);
    expect(unsupported.body).toMatch(/none of the accepted response types \[7\] is supported/);
    // One query reads 751 samples, within -querier.max-samples=1000; two in one request do not fit.
    const q = { startTimestampMs: T0, endTimestampMs: T0 + 300_000, matchers: [{ type: 0, name: '__name__', value: 'rr_metric' }] };
    const two = Buffer.from(snappyEncode(ReadRequest.encode(ReadRequest.create({ queries: [q, q] })).finish()));
    const limited = await read(two);
    expect(limited.statusCode).toBe(400);
    expect(limited.body).toBe('exceeded sample limit (1000)');
    const noTenant = await t.app.server.inject({ method: 'POST', url: '/prometheus/api/v1/read', payload: request([0]), headers: { 'content-type': 'application/x-protobuf' } });
    expect(noTenant.statusCode).toBe(401);
  });
});
