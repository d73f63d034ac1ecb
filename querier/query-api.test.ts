import { Registry } from 'prom-client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createServer } from '../app/server.js';
import { labelsFromRecord } from '../tsdb/labels.js';
import { emptySeriesSet } from '../tsdb/storage.js';
import { tenantResolver } from '../util/tenant.js';
import { NO_FETCH_LIMITS } from './query-limiter.js';
import { type QueryEngine, type QueryValue, concurrencyLimited, rangeDownstream, registerPromqlApi, resultJson } from './query-api.js';

/** An engine that answers what the test sets, and records what it was asked. */
class FakeEngine implements QueryEngine {
  next: QueryValue = { type: 'scalar', t: 0, v: 0 };
  fail: Error | null = null;
  asked: unknown[] = [];
  async instantQuery(_q: unknown, query: string, t: number) {
    this.asked.push(['instant', query, t]);
    if (this.fail) throw this.fail;
    return { value: this.next, warnings: [] };
  }
  async rangeQuery(_q: unknown, query: string, s: number, e: number, step: number) {
    this.asked.push(['range', query, s, e, step]);
    if (this.fail) throw this.fail;
    return { value: this.next, warnings: ['a warning'] };
  }
}

const reader = {
  select: async () => emptySeriesSet,
  series: async () => [],
  labelNames: async () => [],
  labelValues: async () => [],
  metadata: async () => [],
  exemplars: async () => [],
};

let app: FastifyInstance;
const engine = new FakeEngine();
beforeAll(async () => {
  app = createServer({ bodyLimit: 1 << 20, logger: pino({ level: 'silent' }), registry: new Registry() });
  registerPromqlApi(app, { prefix: '/prometheus', tenants: tenantResolver(false, 'anonymous'), reader, engine, timeoutMs: 120_000 });
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> };
};

describe('PromQL HTTP API', () => {
  it('formats values and times as Prometheus does', () => {
    expect(resultJson({ type: 'scalar', t: 1_700_000_000_123, v: 1e6 })).toEqual({ resultType: 'scalar', result: [1_700_000_000.123, '1000000'] });
    // Prometheus 2.42's JSON answers (jsonutil.MarshalValue): plain decimals between 1e-6 and 1e21.
    const text = (v: number) => (resultJson({ type: 'scalar', t: 0, v }).result as [number, string])[1];
    expect([1e-7, 1.5e-7, 1e-6, 0.000123, 1e20, 1e21, 123456789.5, -2.5e22, 0, -0].map(text)).toEqual([
      '1e-07', '1.5e-07', '0.000001', '0.000123', '100000000000000000000', '1e+21', '123456789.5', '-2.5e+22', '0', '-0',
    ]);
    expect(resultJson({ type: 'vector', samples: [{ labels: labelsFromRecord({ a: 'b' }), t: 1000, v: Number.NaN }] })).toEqual({
      resultType: 'vector',
      result: [{ metric: { a: 'b' }, value: [1, 'NaN'] }],
    });
    expect(resultJson({ type: 'matrix', series: [{ labels: [], points: [{ t: 2500, v: Infinity }, { t: 3000, v: -0.5 }] }] })).toEqual({
      resultType: 'matrix',
      result: [{ metric: {}, values: [[2.5, '+Inf'], [3, '-0.5']] }],
    });
    expect(JSON.stringify(resultJson({ type: 'string', t: 0, s: 'x' }))).toBe('{"resultType":"string","result":[0,"x"]}');
  });

  it('answers query and query_range with parsed times, steps and warnings', async () => {
    engine.next = { type: 'vector', samples: [{ labels: labelsFromRecord({ __name__: 'up' }), t: 1_700_000_000_000, v: 1 }] };
    const r = await get('/prometheus/api/v1/query?query=up&time=2023-11-14T22:13:20Z');
    expect(r).toEqual({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up' }, value: [1_700_000_000, '1'] }] } } });
    expect(engine.asked.at(-1)).toEqual(['instant', 'up', 1_700_000_000_000]);
    const rr = await get('/prometheus/api/v1/query_range?query=up&start=100&end=200.5&step=15s');
    expect(rr.status).toBe(200);
    expect(rr.body.warnings).toEqual(['a warning']);
    expect(engine.asked.at(-1)).toEqual(['range', 'up', 100_000, 200_500, 15_000]);
    const post = await app.inject({ method: 'POST', url: '/prometheus/api/v1/query', payload: 'query=up&time=5', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.statusCode).toBe(200);
    expect(engine.asked.at(-1)).toEqual(['instant', 'up', 5000]);
  });

  it.each([
    ['/prometheus/api/v1/query?query=sum(', 400, 'bad_data', 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis'],
    ['/prometheus/api/v1/query_range?query=up&end=10&step=1', 400, 'bad_data', 'invalid parameter "start": cannot parse "" to a valid timestamp'],
    ['/prometheus/api/v1/query_range?query=up&start=10&end=5&step=1', 400, 'bad_data', 'invalid parameter "end": end timestamp must not be before start time'],
    ['/prometheus/api/v1/query_range?query=up&start=0&end=5&step=0', 400, 'bad_data', 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer'],
    ['/prometheus/api/v1/query_range?query=up&start=0&end=11001&step=1', 400, 'bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'],
    ['/prometheus/api/v1/query?query=up&time=yesterday', 400, 'bad_data', `invalid parameter "time": Invalid time value for 'time': cannot parse "yesterday" to a valid timestamp`],
  ])('refuses %s with %i %s', async (url, status, type, message) => {
    const r = await get(url);
    expect(r).toEqual({ status, body: { status: 'error', errorType: type, error: message } });
  });

  it('maps engine errors to their type and status', async () => {
    for (const [type, status] of [['execution', 422], ['timeout', 503], ['canceled', 499], ['internal', 500]] as const) {
      engine.fail = Object.assign(new Error(`boom ${type}`), { type });
      const r = await get('/prometheus/api/v1/query?query=up');
      expect(r).toEqual({ status, body: { status: 'error', errorType: type, error: `boom ${type}` } });
    }
    engine.fail = null;
  });

  it('formats a query as Prometheus 2.42 format_query does', async () => {
    const r = await get(`/prometheus/api/v1/format_query?query=${encodeURIComponent('sum  by(job)(rate(x[5m]))')}`);
    expect(r).toEqual({ status: 200, body: { status: 'success', data: 'sum by (job) (rate(x[5m]))' } });
  });
});

describe('query_range through a query-frontend', () => {
  it('hands the request (and Cache-Control: no-store) to the frontend and answers its matrix', async () => {
    const seen: unknown[] = [];
    const fe = createServer({ bodyLimit: 1 << 20, logger: pino({ level: 'silent' }), registry: new Registry() });
    registerPromqlApi(fe, {
      prefix: '/prometheus',
      tenants: tenantResolver(false, 'anonymous'),
      reader,
      engine,
      timeoutMs: 120_000,
      frontend: {
        rangeQuery: async (req) => {
          seen.push(req);
          return { resultType: 'matrix', result: [{ metric: { a: 'b' }, values: [[1, '2']] }] };
        },
      },
    });
    await fe.ready();
    const r = await fe.inject({ method: 'GET', url: '/prometheus/api/v1/query_range?query=up&start=0&end=60&step=15', headers: { 'cache-control': 'no-store' } });
    expect(JSON.parse(r.body)).toEqual({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: 'b' }, values: [[1, '2']] }] } });
    expect(seen).toEqual([{ tenant: 'anonymous', query: 'up', startMs: 0, endMs: 60_000, stepMs: 15_000, noCache: true }]);
    await fe.close();
  });

  it('rangeDownstream evaluates with the engine and answers Prometheus JSON', async () => {
    engine.next = { type: 'matrix', series: [{ labels: labelsFromRecord({ x: 'y' }), points: [{ t: 1500, v: 0.1 }] }] };
    const down = rangeDownstream(engine, reader);
    expect(await down({ tenant: 't', query: 'x', startMs: 0, endMs: 3000, stepMs: 1500 })).toEqual({
      resultType: 'matrix',
      result: [{ metric: { x: 'y' }, values: [[1.5, '0.1']] }],
      warnings: ['a warning'],
    });
  });
});

describe('query limits', () => {
  it('refuses ranges past max_query_length and cuts them at max_query_lookback', async () => {
    const lim = createServer({ bodyLimit: 1 << 20, logger: pino({ level: 'silent' }), registry: new Registry() });
    const seen: unknown[] = [];
    const eng = new FakeEngine();
    eng.next = { type: 'matrix', series: [] };
    registerPromqlApi(lim, {
      prefix: '/prometheus',
      tenants: tenantResolver(true, 'anonymous'),
      reader,
      engine: { instantQuery: eng.instantQuery.bind(eng), rangeQuery: async (q, query, s, e, step) => (seen.push([s, e]), eng.rangeQuery(q, query, s, e, step)) },
      timeoutMs: 120_000,
      limits: (tenant) => ({ ...NO_FETCH_LIMITS, ...(tenant === 'short' ? { maxQueryLengthMs: 3600_000, maxQueryLookbackMs: 0 } : { maxQueryLengthMs: 0, maxQueryLookbackMs: 600_000 }) }),
    });
    await lim.ready();
    const ask = (tenant: string, start: number, end: number) =>
      lim.inject({ method: 'GET', url: `/prometheus/api/v1/query_range?query=up&start=${start}&end=${end}&step=60`, headers: { 'x-scope-orgid': tenant } });
    const long = await ask('short', 0, 3601);
    expect(long.statusCode).toBe(400);
    expect(JSON.parse(long.body).error).toBe('the query time range exceeds the limit (query length: 1h0m1s, limit: 1h)');
    expect((await ask('short', 0, 3600)).statusCode).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    expect((await ask('recent', now - 3600, now)).statusCode).toBe(200);
    const [s] = seen.at(-1) as [number, number];
    expect(s).toBeGreaterThanOrEqual((now - 601) * 1000);
    // Entirely before the lookback: an empty answer, no evaluation.
    const n = seen.length;
    const old = await ask('recent', now - 7200, now - 3600);
    expect(JSON.parse(old.body)).toEqual({ status: 'success', data: { resultType: 'matrix', result: [] } });
    expect(seen.length).toBe(n);
    await lim.close();
  });

  it('evaluates at most -querier.max-concurrent queries at once', async () => {
    let running = 0;
    let peak = 0;
    const slow: QueryEngine = {
      instantQuery: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return { value: { type: 'scalar', t: 0, v: 1 }, warnings: [] };
      },
      rangeQuery: async () => ({ value: { type: 'matrix', series: [] }, warnings: [] }),
    };
    const limited = concurrencyLimited(slow, 3);
    await Promise.all(Array.from({ length: 10 }, () => limited.instantQuery({ querier: () => { throw new Error('unused'); } }, 'up', 0)));
    expect(peak).toBe(3);
  });
});
