/**
 * The PromQL HTTP API end to end: the same samples remote-written into Vigil and into a real
 * Prometheus 2.42 (its remote-write receiver), then the same `query` and `query_range` requests
 * to both; the JSON answers must agree (values within a relative 1e-9, NaN equal to NaN), and so
 * must the error types of bad requests.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, requireBinaries, startPrometheus, startVigil } from '../harness/process.js';
import { snappyEncode } from '../../proto/snappy.js';
import { encodeWriteRequestV1 } from '../../proto/write-encoder.js';

const enabled = requireBinaries('prometheus');

const STEP = 15_000;
const N = 120;

function data(t0: number) {
  const timeseries = [];
  for (let i = 0; i < 12; i++) {
    const job = i % 3 === 0 ? 'api' : i % 3 === 1 ? 'db' : 'web';
    const counter = [];
    const gauge = [];
    let c = i;
    for (let k = 0; k < N; k++) {
      c = k === 60 && i % 4 === 0 ? 2 : c + (i % 5) + (k % 3);
      counter.push({ timestamp: t0 + k * STEP, value: c });
      gauge.push({ timestamp: t0 + k * STEP, value: Math.sin(k / 7 + i) * 10 + i });
    }
    timeseries.push({ labels: [{ name: '__name__', value: 'http_requests_total' }, { name: 'instance', value: `h${i}` }, { name: 'job', value: job }], samples: counter });
    timeseries.push({ labels: [{ name: '__name__', value: 'temperature' }, { name: 'instance', value: `h${i}` }, { name: 'job', value: job }], samples: gauge });
  }
  for (const le of ['0.1', '0.5', '1', '+Inf']) {
    const samples = [];
    for (let k = 0; k < N; k++) samples.push({ timestamp: t0 + k * STEP, value: Math.floor(k * (le === '0.1' ? 1 : le === '0.5' ? 3 : le === '1' ? 5 : 6)) });
    timeseries.push({ labels: [{ name: '__name__', value: 'latency_seconds_bucket' }, { name: 'job', value: 'api' }, { name: 'le', value: le }], samples });
  }
  // Exemplars in their own entries after the samples, as Prometheus's remote write sends them.
  const VALUES = [0.07, 0.3, 1e6, 1.5e-7, 42, 0.75];
  for (const le of ['0.1', '0.5', '+Inf']) {
    const exemplars = VALUES.map((value, k) => ({
      labels: k % 2 === 0 ? [{ name: 'trace_id', value: `tr-${le}-${k}` }] : [{ name: 'span_id', value: `sp${k}` }, { name: 'trace_id', value: `tr-${le}-${k}` }],
      value,
      timestamp: t0 + k * 20 * STEP + 1234,
    }));
    timeseries.push({ labels: [{ name: '__name__', value: 'latency_seconds_bucket' }, { name: 'job', value: 'api' }, { name: 'le', value: le }], samples: [], exemplars });
  }
  timeseries.push({ labels: [{ name: '__name__', value: 'http_requests_total' }, { name: 'instance', value: 'h0' }, { name: 'job', value: 'api' }], samples: [], exemplars: [{ labels: [{ name: 'trace_id', value: 'req-1' }], value: 3, timestamp: t0 + 5 * STEP }] });
  return timeseries;
}

const QUERIES = [
  'http_requests_total',
  'rate(http_requests_total[1m])',
  'sum by (job) (rate(http_requests_total[2m]))',
  'increase(http_requests_total[5m])',
  'avg(temperature)',
  'max by (job) (temperature) - min by (job) (temperature)',
  'topk(3, temperature)',
  'count_values("v", round(temperature))',
  'histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket[5m])))',
  'temperature > bool 5',
  'sum(http_requests_total) / on() group_left count(temperature)',
  'avg_over_time(temperature[5m])',
  'quantile_over_time(0.5, temperature[10m])',
  'resets(http_requests_total[30m])',
  'deriv(temperature[5m])',
  'label_replace(temperature, "host", "$1", "instance", "h(.*)")',
  'absent(nope)',
  'vector(1) + scalar(sum(temperature))',
  'max_over_time(rate(http_requests_total[1m])[5m:30s])',
  'temperature offset 5m',
  'sort_desc(sum by (instance) (temperature))',
  'sum(http_requests_total) * 1000',
  'temperature / 1e9',
  'vector(1e21) + vector(1e6)',
];

type Answer = { status: string; errorType?: string; data?: { resultType: string; result: unknown } };

function close(a: unknown, b: unknown, path: string): string | null {
  if (typeof a === 'string' && typeof b === 'string' && a !== b) {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) && Number.isNaN(y)) return null;
    // The same number must be written the same way (Prometheus writes 1e6 as "1000000").
    if (x === y) return `${path}: ${a} != ${b} (same value, different text)`;
    if (Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) return null;
    return `${path}: ${a} != ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = close(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (JSON.stringify(ka) !== JSON.stringify(kb)) return `${path}: keys ${ka} != ${kb}`;
    for (const k of ka) {
      const d = close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}

describe.skipIf(!enabled)('PromQL HTTP API against Prometheus 2.42 on the same samples', () => {
  let vigil: Proc;
  let prom: Proc;
  const t0 = Math.floor((Date.now() - 40 * 60_000) / STEP) * STEP;

  beforeAll(async () => {
    vigil = await startVigil(['-distributor.ingestion-rate-limit=1000000', '-distributor.ingestion-burst-size=1000000', '-ingester.max-exemplars=1000']);
    prom = await startPrometheus('global:\n  scrape_interval: 1h\nscrape_configs: []\n', ['--web.enable-remote-write-receiver', '--enable-feature=exemplar-storage']);
    const body = Buffer.from(snappyEncode(encodeWriteRequestV1({ timeseries: data(t0) })));
    const headers = { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' };
    expect((await fetch(`${vigil.url}/api/v1/push`, { method: 'POST', body, headers })).status).toBe(200);
    expect((await fetch(`${prom.url}/api/v1/write`, { method: 'POST', body, headers })).status).toBe(204);
  }, 60_000);

  afterAll(async () => {
    for (const p of [prom, vigil]) await p?.stop();
  });

  async function both(path: string): Promise<[Answer, Answer]> {
    const a = (await (await fetch(`${vigil.url}/prometheus${path}`)).json()) as Answer;
    const b = (await (await fetch(`${prom.url}${path}`)).json()) as Answer;
    return [a, b];
  }

  it('answers instant and range queries as Prometheus does', { timeout: 60_000 }, async () => {
    const at = (t0 + (N - 1) * STEP) / 1000;
    const failures: string[] = [];
    let compared = 0;
    for (const q of QUERIES) {
      const paths = [
        `/api/v1/query?${new URLSearchParams({ query: q, time: String(at) })}`,
        `/api/v1/query_range?${new URLSearchParams({ query: q, start: String(t0 / 1000 + 600), end: String(at), step: '60' })}`,
      ];
      for (const p of paths) {
        const [v, pr] = await both(p);
        compared++;
        const d = v.status !== pr.status ? `status ${v.status} != ${pr.status} (${JSON.stringify(v).slice(0, 200)})` : close(v.data, pr.data, 'data');
        if (d) failures.push(`${p}: ${d}`);
      }
    }
    console.info(`PromQL API: ${compared - failures.length} of ${compared} answers equal to Prometheus 2.42`);
    expect(failures).toEqual([]);
  });

  it('fails bad queries with the same error type', async () => {
    for (const q of ['sum(', 'rate(temperature)', 'a{} offset']) {
      const [v, pr] = await both(`/api/v1/query?${new URLSearchParams({ query: q })}`);
      expect(v.status, q).toBe('error');
      expect(v.errorType, q).toBe(pr.errorType);
    }
  });

  it('answers the metadata endpoints in the same JSON shape and content', async () => {
    const start = String(t0 / 1000);
    const end = String((t0 + N * STEP) / 1000);
    const paths = [
      `/api/v1/series?${new URLSearchParams({ 'match[]': 'temperature', start, end })}`,
      `/api/v1/series?${new URLSearchParams([['match[]', '{job="api"}'], ['match[]', 'latency_seconds_bucket'], ['start', start], ['end', end]])}`,
      `/api/v1/labels?${new URLSearchParams({ start, end })}`,
      `/api/v1/labels?${new URLSearchParams({ 'match[]': 'latency_seconds_bucket', start, end })}`,
      `/api/v1/label/job/values?${new URLSearchParams({ start, end })}`,
      `/api/v1/label/le/values?${new URLSearchParams({ 'match[]': '{job="api"}', start, end })}`,
      `/api/v1/series?${new URLSearchParams({ 'match[]': '{job=~".*"}', start, end })}`,
      '/api/v1/series',
    ];
    for (const p of paths) {
      const [v, pr] = await both(p);
      // Series lists come in label order on both; compare whole bodies (error texts too).
      expect(v, p).toEqual(pr);
    }
  });

  it('answers format_query, buildinfo, form-encoded POSTs and bad parameters with the same status and JSON', async () => {
    const at = String((t0 + (N - 1) * STEP) / 1000);
    const start = String(t0 / 1000 + 600);
    const form = (p: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(p).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    const requests: [string, RequestInit?][] = [
      [`/api/v1/format_query?${new URLSearchParams({ query: 'sum by(job)(rate(http_requests_total{job=~"a.*"}[5m] offset 1m))>0.5' })}`],
      [`/api/v1/format_query?${new URLSearchParams({ query: 'a + on(b) group_left(c) d * -1 ^ 2' })}`],
      [`/api/v1/format_query?${new URLSearchParams({ query: 'foo{' })}`],
      ['/api/v1/format_query', form({ query: 'max_over_time(x[1h:5m] @ end())' })],
      ['/api/v1/query', form({ query: 'sum(temperature)', time: at })],
      ['/api/v1/query_range', form({ query: 'avg(temperature)', start, end: at, step: '60' })],
      [`/api/v1/query?${new URLSearchParams({ query: 'temperature', time: 'yesterday' })}`],
      [`/api/v1/query?${new URLSearchParams({ query: 'temperature', time: at, timeout: 'soon' })}`],
      [`/api/v1/query?${new URLSearchParams({ query: '' })}`],
      [`/api/v1/query_range?${new URLSearchParams({ query: 'temperature', start, end: at })}`],
      [`/api/v1/query_range?${new URLSearchParams({ query: 'temperature', start, end: at, step: '0' })}`],
      [`/api/v1/query_range?${new URLSearchParams({ query: 'temperature', start, end: at, step: '-1' })}`],
      [`/api/v1/query_range?${new URLSearchParams({ query: 'temperature', start: at, end: start, step: '60' })}`],
      [`/api/v1/query_range?${new URLSearchParams({ query: 'temperature', start: '0', end: '100000', step: '1' })}`],
      [`/api/v1/query_range?${new URLSearchParams({ query: 'temperature', start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:10:00.5Z', step: '1m' })}`],
      [`/api/v1/query_range?${new URLSearchParams({ query: 'rate(temperature)', start, end: at, step: '60' })}`],
      [`/api/v1/query?${new URLSearchParams({ query: 'temperature + on(job) temperature', time: at })}`],
      [`/api/v1/series?${new URLSearchParams({ 'match[]': '{__name__=~".*"}' })}`],
      [`/api/v1/series?${new URLSearchParams({ 'match[]': 'temperature', start: 'x' })}`],
      [`/api/v1/labels?${new URLSearchParams({ end: 'y' })}`],
      ['/api/v1/label/not-valid/values'],
      ['/api/v1/series', form({ 'match[]': 'latency_seconds_bucket', start: String(t0 / 1000), end: at })],
      ['/api/v1/labels', form({ 'match[]': 'temperature', start: String(t0 / 1000), end: at })],
    ];
    const failures: string[] = [];
    for (const [path, init] of requests) {
      const rv = await fetch(`${vigil.url}/prometheus${path}`, init);
      const rp = await fetch(`${prom.url}${path}`, init);
      const v = { status: rv.status, body: await rv.text() };
      const p = { status: rp.status, body: await rp.text() };
      if (JSON.stringify(v) !== JSON.stringify(p)) failures.push(`${init?.method ?? 'GET'} ${path}\n  vigil: ${JSON.stringify(v)}\n  prom:  ${JSON.stringify(p)}`);
    }
    expect(failures.join('\n')).toBe('');
    // buildinfo: Prometheus's fields, as strings, plus Mimir's application and features for Grafana.
    const [bv, bp] = await both('/api/v1/status/buildinfo');
    expect(Object.keys(bv.data as object)).toEqual(expect.arrayContaining(Object.keys(bp.data as object)));
    for (const v of Object.values(bp.data as object)) expect(typeof v).toBe('string');
    for (const [k, v] of Object.entries(bv.data as object)) if (k !== 'features') expect(typeof v, k).toBe('string');
  });

  it('answers query_exemplars in the same JSON', async () => {
    const start = String(t0 / 1000);
    const end = String((t0 + N * STEP) / 1000);
    const paths = [
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'latency_seconds_bucket', start, end })}`,
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket{le!="0.5"}[5m]))) / on() sum(http_requests_total)', start, end })}`,
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'latency_seconds_bucket{le="0.1"}', start: String(t0 / 1000 + 600), end: String(t0 / 1000 + 1200) })}`,
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'latency_seconds_bucket' })}`,
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'temperature', start, end })}`,
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'vector(1)', start, end })}`,
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'sum(', start, end })}`,
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'latency_seconds_bucket', start: end, end: start })}`,
    ];
    const [all] = await both(paths[0]!);
    expect((all.data as unknown as unknown[]).length).toBe(3);
    for (const p of paths) {
      const rv = await fetch(`${vigil.url}/prometheus${p}`);
      const rp = await fetch(`${prom.url}${p}`);
      expect({ status: rv.status, body: await rv.text() }, p).toEqual({ status: rp.status, body: await rp.text() });
    }
  });
});