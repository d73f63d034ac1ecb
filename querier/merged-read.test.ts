/**
 * One Vigil process, data spread over the ingester's head, its local blocks and the bucket's
 * blocks (the same samples in a local block and in its shipped copy: an overlap), read back in
 * one query through remote read: every sample exactly once, in order.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../app/testing.js';
import { snappyDecode, snappyEncode } from '../proto/snappy.js';
import { protoRoot } from '../proto/testing.js';
import { encodeWriteRequestV1 } from '../proto/write-encoder.js';

const ReadRequest = protoRoot.lookupType('prometheus.ReadRequest');
const ReadResponse = protoRoot.lookupType('prometheus.ReadResponse');

const T0 = Math.floor((Date.now() - 3 * 3600_000) / 7200_000) * 7200_000;
let t: TestApp;
const want = new Map<string, [number, number][]>();

async function push(from: number, to: number): Promise<void> {
  const timeseries = [];
  for (let i = 0; i < 5; i++) {
    const samples = [];
    for (let ts = from; ts < to; ts += 60_000) samples.push({ timestamp: ts, value: ts / 60_000 + i });
    const list = want.get(String(i)) ?? [];
    list.push(...samples.map((s): [number, number] => [s.timestamp, s.value]));
    want.set(String(i), list);
    timeseries.push({ labels: [{ name: '__name__', value: 'spread' }, { name: 'i', value: String(i) }], samples });
  }
  const r = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    payload: Buffer.from(snappyEncode(encodeWriteRequestV1({ timeseries }))),
  });
  expect(r.statusCode, r.body).toBe(200);
}

async function readAll(): Promise<Map<string, [number, number][]>> {
  const q = { startTimestampMs: T0 - 3600_000, endTimestampMs: Date.now() + 3600_000, matchers: [{ type: 0, name: '__name__', value: 'spread' }] };
  const r = await t.app.server.inject({
    method: 'POST',
    url: '/prometheus/api/v1/read',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    payload: Buffer.from(snappyEncode(ReadRequest.encode(ReadRequest.create({ queries: [q] })).finish())),
  });
  expect(r.statusCode, r.body).toBe(200);
  const body = ReadResponse.toObject(ReadResponse.decode(snappyDecode(r.rawPayload, 1 << 30)), { longs: Number }) as {
    results: { timeseries?: { labels: { name: string; value: string }[]; samples: { timestamp: number; value: number }[] }[] }[];
  };
  const out = new Map<string, [number, number][]>();
  for (const s of body.results[0]!.timeseries ?? []) out.set(s.labels.find((l) => l.name === 'i')!.value, s.samples.map((x) => [x.timestamp, x.value]));
  return out;
}

beforeAll(async () => {
  t = await startTestApp([
    '-querier.query-store-after=0',
    '-querier.query-ingesters-within=0',
    '-blocks-storage.tsdb.retention-period=24h',
    '-blocks-storage.bucket-store.sync-interval=100ms',
    '-blocks-storage.tsdb.ship-interval=0',
  ]);
});
afterAll(async () => {
  await t.stop();
});

describe('a query over head, local blocks and bucket blocks', () => {
  it('returns every sample once, in order, wherever it lives', async () => {
    // Two hours, then everything is cut into blocks, shipped, and kept locally as well (overlap).
    await push(T0, T0 + 2 * 3600_000);
    const f = await t.app.server.inject({ method: 'POST', url: '/ingester/flush?wait=true' });
    expect(f.statusCode).toBe(204);
    // Then the head gets the next hour.
    await push(T0 + 2 * 3600_000, T0 + 3 * 3600_000);
    await new Promise((r) => setTimeout(r, 300)); // past the store's 100 ms sync interval
    const got = await readAll();
    expect([...got.keys()].sort()).toEqual(['0', '1', '2', '3', '4']);
    for (const [i, xs] of want) expect(got.get(i), `series ${i}`).toEqual(xs);
  });
});
