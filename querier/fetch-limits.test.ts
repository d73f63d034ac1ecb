import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../app/testing.js';
import { snappyEncode } from '../proto/snappy.js';
import { protoRoot } from '../proto/testing.js';
import { encodeWriteRequestV1 } from '../proto/write-encoder.js';

const ReadRequest = protoRoot.lookupType('prometheus.ReadRequest');
const T0 = Math.floor((Date.now() - 600_000) / 1000) * 1000;
const SERIES_LIMIT = 'the query hit the max number of series limit (limit: 2 series)';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(['-querier.max-fetched-series-per-query=2']);
  const timeseries = ['a', 'b', 'c'].map((i) => ({
    labels: [{ name: '__name__', value: 'fl_metric' }, { name: 'i', value: i }],
    samples: Array.from({ length: 10 }, (_, k) => ({ timestamp: T0 + k * 15_000, value: k })),
  }));
  const r = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    payload: Buffer.from(snappyEncode(encodeWriteRequestV1({ timeseries }))),
  });
  expect(r.statusCode).toBe(200);
});
afterAll(async () => {
  await t.stop();
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const r = await t.app.server.inject({ method: 'GET', url: `/prometheus/api/v1/${path}` });
  return { status: r.statusCode, body: JSON.parse(r.body) };
}

describe('-querier.max-fetched-series-per-query through the HTTP APIs', () => {
  const at = (T0 + 150_000) / 1000;
  it('fails an instant and a range query past it with 422 execution, and serves one within it', async () => {
    expect(await get(`query?query=fl_metric&time=${at}`)).toEqual({ status: 422, body: { status: 'error', errorType: 'execution', error: SERIES_LIMIT } });
    expect(await get(`query_range?query=count(fl_metric)&start=${T0 / 1000}&end=${at}&step=15`)).toEqual({
      status: 422,
      body: { status: 'error', errorType: 'execution', error: SERIES_LIMIT },
    });
    const ok = await get(`query?query=fl_metric{i!="c"}&time=${at}`);
    expect(ok.status).toBe(200);
    expect((ok.body as { data: { result: unknown[] } }).data.result).toHaveLength(2);
  });

  it('fails a remote read past it with 422 and the limit in the body', async () => {
    const q = { startTimestampMs: T0, endTimestampMs: T0 + 300_000, matchers: [{ type: 0, name: '__name__', value: 'fl_metric' }] };
    const r = await t.app.server.inject({
      method: 'POST',
      url: '/prometheus/api/v1/read',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-read-version': '0.1.0' },
      payload: Buffer.from(snappyEncode(ReadRequest.encode(ReadRequest.create({ queries: [q] })).finish())),
    });
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain(SERIES_LIMIT);
  });
});
