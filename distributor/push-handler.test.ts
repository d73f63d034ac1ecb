import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../app/testing.js';
import { snappyEncode } from '../proto/snappy.js';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from '../proto/write-encoder.js';
import { remoteWriteVersion } from './push-handler.js';

type L = Record<string, string>;
const series = (labels: L, samples: [number, number][]) => ({
  labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
  samples: samples.map(([timestamp, value]) => ({ timestamp, value })),
});

const V1 = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
const V2 = { ...V1, 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request', 'x-prometheus-remote-write-version': '2.0.0' };

describe('remoteWriteVersion', () => {
  it.each([
    ['application/x-protobuf', 1],
    ['application/x-protobuf;proto=prometheus.WriteRequest', 1],
    ['application/x-protobuf; proto=io.prometheus.write.v2.Request', 2],
    [undefined, 1],
    ['application/json', null],
    ['application/x-protobuf;proto=other.Message', null],
  ])('%s → %s', (ct, v) => {
    expect(remoteWriteVersion(ct)).toBe(v);
  });
});

describe('push endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(['-auth.enabled=true']);
  });
  afterAll(async () => {
    await t.stop();
  });

  const now = Date.now();
  const push = (body: Uint8Array, headers: Record<string, string>, tenant: string | null = 'push-test') =>
    t.app.server.inject({
      method: 'POST',
      url: '/api/v1/push',
      headers: tenant === null ? headers : { ...headers, 'x-scope-orgid': tenant },
      payload: Buffer.from(body),
    });
  const seriesOf = async (tenant: string, match: string) => {
    const r = await t.app.server.inject({
      url: `/prometheus/api/v1/series?match[]=${encodeURIComponent(match)}`,
      headers: { 'x-scope-orgid': tenant },
    });
    return (JSON.parse(r.body) as { data: L[] }).data;
  };

  it('stores a 1.0 push and answers 200 with an empty body', async () => {
    const body = snappyEncode(encodeWriteRequestV1({ timeseries: [series({ __name__: 'up', job: 'node' }, [[now, 1]])] }));
    const r = await push(body, V1);
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('');
    expect(await seriesOf('push-test', 'up')).toEqual([{ __name__: 'up', job: 'node' }]);
  });

  it('answers a 2.0 push with 204 and the written counts', async () => {
    const body = snappyEncode(
      encodeWriteRequestV2({
        timeseries: [series({ __name__: 'v2_metric', job: 'a' }, [[now, 1], [now + 1000, 2]]), series({ __name__: 'v2_metric', job: 'b' }, [[now, 3]])],
      }),
    );
    const r = await push(body, V2);
    expect(r.statusCode).toBe(204);
    expect(r.headers['x-prometheus-remote-write-samples-written']).toBe('3');
    expect(r.headers['x-prometheus-remote-write-histograms-written']).toBe('0');
    expect(r.headers['x-prometheus-remote-write-exemplars-written']).toBe('0');
    expect(await seriesOf('push-test', 'v2_metric')).toHaveLength(2);
  });

  it('keeps tenants apart', async () => {
    const body = snappyEncode(encodeWriteRequestV1({ timeseries: [series({ __name__: 'only_in_b' }, [[now, 1]])] }));
    expect((await push(body, V1, 'tenant-b')).statusCode).toBe(200);
    expect(await seriesOf('tenant-b', 'only_in_b')).toHaveLength(1);
    expect(await seriesOf('push-test', 'only_in_b')).toHaveLength(0);
  });

  it('answers 401 "no org id" without X-Scope-OrgID', async () => {
    const body = snappyEncode(encodeWriteRequestV1({ timeseries: [series({ __name__: 'x' }, [[now, 1]])] }));
    const r = await push(body, V1, null);
    expect(r.statusCode).toBe(401);
    expect(r.body).toBe('no org id');
  });

  it.each([
    [{ ...V1, 'content-type': 'application/json' }, /unsupported Content-Type/],
    [{ ...V1, 'content-type': 'application/x-protobuf;proto=foo.Bar' }, /unsupported Content-Type/],
    [{ ...V1, 'content-encoding': 'gzip' }, /unsupported Content-Encoding "gzip"/],
  ])('answers 415 to an unknown type or encoding (%j)', async (headers, msg) => {
    const r = await push(snappyEncode(encodeWriteRequestV1({ timeseries: [] })), headers);
    expect(r.statusCode).toBe(415);
    expect(r.body).toMatch(msg);
  });

  it('refuses a body that declares more than -distributor.max-recv-msg-size before decompressing it', async () => {
    // A snappy preamble declaring 2 GiB, followed by nothing.
    const r = await push(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x00]), V1);
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/received message larger than max \(2147483648 vs 104857600\)/);
  });

  it('answers 400 to bodies that are not snappy or not protobuf', async () => {
    const notSnappy = await push(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), V1);
    expect(notSnappy.statusCode).toBe(400);
    const notProto = await push(snappyEncode(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), V1);
    expect(notProto.statusCode).toBe(400);
    expect(notProto.body).toMatch(/failed to decode the remote write 1\.0 request/);
  });

  it('survives hostile bodies: always 400, never a crash, still serving', async () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const valid = encodeWriteRequestV1({
      timeseries: [series({ __name__: 'fuzz', a: 'é😀' }, [[now, 1], [now + 1, 2]]), series({ __name__: 'fuzz', b: 'x' }, [[now, 3]])],
    });
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(valid);
      const kind = i % 3;
      let body: Uint8Array;
      if (kind === 0) {
        for (let f = 0; f < 1 + Math.floor(rnd() * 4); f++) b[Math.floor(rnd() * b.length)]! ^= 1 << Math.floor(rnd() * 8);
        body = snappyEncode(b);
      } else if (kind === 1) {
        body = snappyEncode(b.subarray(0, Math.floor(rnd() * b.length)));
      } else {
        body = Uint8Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256));
      }
      const r = await push(body, V1, `fuzz-${i % 5}`);
      expect([200, 400]).toContain(r.statusCode);
    }
    const ok = await push(snappyEncode(valid), V1, 'fuzz-after');
    expect(ok.statusCode).toBe(200);
  });
});

describe('push body size limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(['-distributor.max-recv-msg-size=1000']);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers 400 to a compressed body over -distributor.max-recv-msg-size, without reading it all', async () => {
    const r = await t.app.server.inject({ method: 'POST', url: '/api/v1/push', headers: V1, payload: Buffer.alloc(5000, 0x41) });
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/received message larger than max \(5000 vs 1000\)/);
  });

  it('answers 400 when the decompressed size is over the limit', async () => {
    const big = encodeWriteRequestV1({ timeseries: Array.from({ length: 50 }, (_, i) => series({ __name__: 'x', i: String(i) }, [[Date.now(), 1]])) });
    const body = snappyEncode(big);
    expect(body.length).toBeLessThan(1000);
    const r = await t.app.server.inject({ method: 'POST', url: '/api/v1/push', headers: V1, payload: Buffer.from(body) });
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(new RegExp(`received message larger than max \\(${big.length} vs 1000\\)`));
  });
});
