import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../app/testing.js';
import { snappyEncode } from '../proto/snappy.js';
import { type EncSeries, encodeWriteRequestV1, encodeWriteRequestV2 } from '../proto/write-encoder.js';

const T0 = Math.floor((Date.now() - 600_000) / 1000) * 1000;
const L = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(['-ingester.max-exemplars=100']);
});
afterAll(async () => {
  await t.stop();
});

async function push(timeseries: EncSeries[], v2 = false) {
  const body = v2 ? encodeWriteRequestV2({ timeseries }) : encodeWriteRequestV1({ timeseries });
  return t.app.server.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: {
      'content-type': v2 ? 'application/x-protobuf;proto=io.prometheus.write.v2.Request' : 'application/x-protobuf',
      'content-encoding': 'snappy',
    },
    payload: Buffer.from(snappyEncode(body)),
  });
}

async function exemplars(params: Record<string, string>, method: 'GET' | 'POST' = 'GET') {
  const qs = new URLSearchParams(params).toString();
  const r =
    method === 'GET'
      ? await t.app.server.inject({ method, url: `/prometheus/api/v1/query_exemplars?${qs}` })
      : await t.app.server.inject({ method, url: '/prometheus/api/v1/query_exemplars', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs });
  return { status: r.statusCode, body: (r.body === '' ? null : JSON.parse(r.body)) as { status: string; data?: unknown; errorType?: string; error?: string } };
}

const series = { __name__: 'req_total', job: 'api' };

describe('exemplars: remote write in, query_exemplars out', () => {
  it('stores exemplars sent with samples and on their own, and answers them as Prometheus does', async () => {
    const r1 = await push([
      { labels: L(series), samples: [{ timestamp: T0, value: 1 }, { timestamp: T0 + 15_000, value: 2 }], exemplars: [{ labels: L({ trace_id: 'a1' }), value: 0.5, timestamp: T0 }] },
      { labels: L({ __name__: 'req_total', job: 'web' }), samples: [{ timestamp: T0, value: 7 }] },
    ]);
    expect(r1.statusCode).toBe(200);
    // Prometheus sends exemplars in their own TimeSeries entries, after the samples.
    const r2 = await push(
      [
        { labels: L(series), samples: [], exemplars: [{ labels: L({ trace_id: 'a2', span_id: 's' }), value: 1e6, timestamp: T0 + 15_000 }] },
        { labels: L({ __name__: 'req_total', job: 'web' }), samples: [], exemplars: [{ labels: L({ trace_id: 'w1' }), value: 1e-7, timestamp: T0 + 1000 }] },
      ],
      true,
    );
    expect(r2.statusCode).toBe(204);
    expect(r2.headers['x-prometheus-remote-write-exemplars-written']).toBe('2');
    const want = [
      {
        seriesLabels: series,
        exemplars: [
          { labels: { trace_id: 'a1' }, value: '0.5', timestamp: T0 / 1000 },
          { labels: { span_id: 's', trace_id: 'a2' }, value: '1000000', timestamp: (T0 + 15_000) / 1000 },
        ],
      },
      { seriesLabels: { __name__: 'req_total', job: 'web' }, exemplars: [{ labels: { trace_id: 'w1' }, value: '1e-07', timestamp: (T0 + 1000) / 1000 }] },
    ];
    expect(await exemplars({ query: 'req_total', start: String(T0 / 1000), end: String(T0 / 1000 + 60) })).toEqual({ status: 200, body: { status: 'success', data: want } });
    // Every selector of the expression counts; the range bounds the exemplars; POST works too.
    expect((await exemplars({ query: 'sum(rate(req_total{job="api"}[5m])) / on() count(req_total{job="web"})' }, 'POST')).body.data).toEqual(want);
    expect((await exemplars({ query: 'req_total{job="api"}', start: String(T0 / 1000 + 10), end: String(T0 / 1000 + 20) })).body.data).toEqual([{ seriesLabels: series, exemplars: [want[0]!.exemplars[1]] }]);
    expect((await exemplars({ query: 'nothing_here' })).body.data).toEqual([]);
    expect(await exemplars({ query: '1 + 1' })).toEqual({ status: 204, body: null });
  });

  it('refuses bad queries and ranges with bad_data', async () => {
    expect(await exemplars({ query: 'sum(' })).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' } });
    const r = await exemplars({ query: 'req_total', start: '20', end: '10' });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('end timestamp must not be before start timestamp');
  });

  it('refuses an invalid exemplar with 400 naming the series and the rule, and keeps everything else', async () => {
    const r = await push([
      {
        labels: L({ __name__: 'bad_ex', job: 'x' }),
        samples: [{ timestamp: T0, value: 3 }],
        exemplars: [
          { labels: [], value: 1, timestamp: T0 },
          { labels: L({ trace_id: 'ok' }), value: 2, timestamp: T0 + 1 },
          { labels: L({ trace_id: 'x'.repeat(130) }), value: 3, timestamp: T0 + 2 },
        ],
      },
    ]);
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain(`exemplar missing labels, timestamp: ${T0} series: {__name__="bad_ex", job="x"} labels: {}`);
    const kept = await exemplars({ query: 'bad_ex' });
    expect(kept.body.data).toEqual([{ seriesLabels: { __name__: 'bad_ex', job: 'x' }, exemplars: [{ labels: { trace_id: 'ok' }, value: '2', timestamp: (T0 + 1) / 1000 }] }]);
    const q = await t.app.server.inject({ method: 'GET', url: `/prometheus/api/v1/query?query=bad_ex&time=${T0 / 1000}` });
    expect(JSON.parse(q.body).data.result).toHaveLength(1);
    const metrics = (await t.app.server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/vigil_discarded_exemplars_total\{reason="exemplar_labels_missing",user="anonymous"\} 1/);
    expect(metrics).toMatch(/vigil_discarded_exemplars_total\{reason="exemplar_labels_too_long",user="anonymous"\} 1/);
  });

  it('drops an exemplar not newer than its series newest without failing the push', async () => {
    const r = await push([{ labels: L(series), samples: [], exemplars: [{ labels: L({ trace_id: 'late' }), value: 1, timestamp: T0 + 5000 }] }], true);
    expect(r.statusCode).toBe(204);
    expect(r.headers['x-prometheus-remote-write-exemplars-written']).toBe('0');
    const metrics = (await t.app.server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/vigil_ingester_tsdb_exemplar_out_of_order_exemplars_total\{user="anonymous"\} 1/);
  });
});
