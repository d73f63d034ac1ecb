/**
 * PromQL over HTTP, as Prometheus 2.42 serves it: `query`, `query_range` and `format_query`
 * under `-http.prometheus-http-prefix`, GET and form-encoded POST alike, answering in
 * Prometheus's JSON (times as float seconds, values as Go-formatted strings) and its error
 * envelope (`bad_data` 400, `execution` 422, `canceled` 499, `timeout` 503, `internal` 500).
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { groupParams } from '../app/server.js';
import type { MatrixSeries, RangeRequest, RangeResponse } from '../frontend/types.js';
import { ParseError } from '../promql/errors.js';
import { formatSampleValue } from '../promql/literals.js';
import { parseExpr } from '../promql/parser.js';
import { prettify } from '../promql/printer.js';
import { type Labels, labelsToRecord } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import type { Queryable, Querier, SelectHints, SeriesSet } from '../tsdb/storage.js';
import { formatDuration } from '../util/duration.js';
import { VigilError, httpStatusOf } from '../util/errors.js';
import { ORG_ID_HEADER, type TenantResolver } from '../util/tenant.js';
import type { SeriesMetadataReader } from './ingester-reader.js';
import { type Params, badParam, durationParam, one, timeParam } from './params.js';
import { type FetchLimits, NO_FETCH_LIMITS, QueryLimiter } from './query-limiter.js';
import type { SeriesSelector } from './remote-read.js';
import { goJson } from '../util/go-json.js';

export type EngineErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';

/** What the engine answers (promql/engine.ts). */
export type QueryValue =
  | { readonly type: 'scalar'; readonly t: number; readonly v: number }
  | { readonly type: 'string'; readonly t: number; readonly s: string }
  | { readonly type: 'vector'; readonly samples: readonly { readonly labels: Labels; readonly t: number; readonly v: number }[] }
  | { readonly type: 'matrix'; readonly series: readonly { readonly labels: Labels; readonly points: readonly { t: number; v: number }[] }[] };

export interface QueryEngine {
  instantQuery(q: Queryable, query: string, timeMs: number, signal?: AbortSignal): Promise<{ readonly value: QueryValue; readonly warnings: readonly string[] }>;
  rangeQuery(q: Queryable, query: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<{ readonly value: QueryValue; readonly warnings: readonly string[] }>;
}

/** A tenant's limits on one query (0 disables each). */
export interface QueryLimits extends FetchLimits {
  readonly maxQueryLengthMs: number;
  readonly maxQueryLookbackMs: number;
}

export type FrontendRangeRequest = RangeRequest;
export type MatrixResponse = RangeResponse;

/** The query-frontend in front of query_range (splitting, results cache, per-tenant queue). */
export interface RangeFrontend {
  rangeQuery(req: FrontendRangeRequest, signal?: AbortSignal): Promise<MatrixResponse>;
}

export interface QueryApiOptions {
  readonly prefix: string;
  readonly tenants: TenantResolver;
  readonly reader: SeriesMetadataReader & SeriesSelector;
  readonly engine: QueryEngine | null;
  /** When set, query_range goes through it (it calls rangeDownstream). */
  readonly frontend?: RangeFrontend;
  /** Longest a query may run when the request gives no `timeout` (or a longer one). */
  readonly timeoutMs: number;
  /** A tenant's query limits (`max_query_length`, `max_query_lookback`, the fetch limits; 0 disables each). */
  readonly limits?: (tenant: string) => QueryLimits;
}

/** Go's time.Duration text (`1h0m1s`, `2m30s`, `1.5s`, `500ms`), as Cortex prints a query's length. */
function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (Math.abs(ms) < 1000) return `${ms}ms`;
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  const h = Math.floor(a / 3600_000);
  const m = Math.floor((a % 3600_000) / 60_000);
  const secs = String((a % 60_000) / 1000);
  return `${sign}${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${secs}s`;
}

/** An engine that evaluates at most `max` queries at once (`-querier.max-concurrent`); the rest wait in order. */
export function concurrencyLimited(engine: QueryEngine, max: number): QueryEngine {
  const gate = new Gate(max);
  return {
    instantQuery: (q, query, t, signal) => gate.run(() => engine.instantQuery(q, query, t, signal)),
    rangeQuery: (q, query, s, e, step, signal) => gate.run(() => engine.rangeQuery(q, query, s, e, step, signal)),
  };
}

/** A counting semaphore: at most `max` holders, the others queue in order. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.max > 0 && this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Prometheus's `query_range` guard. */
const MAX_POINTS = 11_000;

const STATUS_OF_TYPE: Readonly<Record<EngineErrorType, number>> = { bad_data: 400, execution: 422, canceled: 499, timeout: 503, internal: 500 };

/** An error with an engine type (promql/engine.ts EngineError, or one of ours). */
function engineErrorType(e: unknown): EngineErrorType | null {
  if (e instanceof ParseError) return 'bad_data';
  if (typeof e === 'object' && e !== null && 'type' in e) {
    const t = (e as { type: unknown }).type;
    if (typeof t === 'string' && t in STATUS_OF_TYPE) return t as EngineErrorType;
  }
  return null;
}

/**
 * A tenant's view as the engine's Queryable. The engine opens one querier per query, so each
 * querier carries its own fetch limiter: every selector of a query counts against the same limits.
 */
export function tenantQueryable(reader: SeriesMetadataReader & SeriesSelector, tenant: string, limits: FetchLimits = NO_FETCH_LIMITS): Queryable {
  return {
    querier: (mint: number, maxt: number): Querier => {
      const limiter = new QueryLimiter(limits);
      return {
        select: async (_sorted: boolean, hints: SelectHints | null, matchers: readonly Matcher[]): Promise<SeriesSet> =>
          limiter.wrap(await reader.select(tenant, hints?.start ?? mint, hints?.end ?? maxt, matchers)),
        labelValues: (name: string, matchers: readonly Matcher[]) => reader.labelValues(tenant, name, mint, maxt, matchers.length > 0 ? [matchers] : [], 0),
        labelNames: (matchers: readonly Matcher[]) => reader.labelNames(tenant, mint, maxt, matchers.length > 0 ? [matchers] : [], 0),
        close: () => {},
      };
    },
  };
}

function seconds(t: number): number {
  return t / 1000;
}

/** The `data` object of a query answer in Prometheus's JSON shape. */
export function resultJson(v: QueryValue): { resultType: string; result: unknown } {
  switch (v.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [seconds(v.t), formatSampleValue(v.v)] };
    case 'string':
      return { resultType: 'string', result: [seconds(v.t), v.s] };
    case 'vector':
      return { resultType: 'vector', result: v.samples.map((s) => ({ metric: labelsToRecord(s.labels), value: [seconds(s.t), formatSampleValue(s.v)] })) };
    case 'matrix':
      return { resultType: 'matrix', result: matrixJson(v.series) };
  }
}

/** A matrix's series in Prometheus's JSON: `{metric, values: [[seconds, "value"], …]}`. */
function matrixJson(series: Extract<QueryValue, { type: 'matrix' }>['series']): MatrixSeries[] {
  return series.map((s) => ({ metric: labelsToRecord(s.labels), values: s.points.map((p): [number, string] => [seconds(p.t), formatSampleValue(p.v)]) }));
}

/** The querier side of a range query, as the frontend's downstream: evaluate, answer as JSON. */
export function rangeDownstream(
  engine: QueryEngine,
  reader: SeriesMetadataReader & SeriesSelector,
  fetchLimits: (tenant: string) => FetchLimits = () => NO_FETCH_LIMITS,
): (req: FrontendRangeRequest, signal?: AbortSignal) => Promise<MatrixResponse> {
  return async (req, signal) => {
    const r = await engine.rangeQuery(tenantQueryable(reader, req.tenant, fetchLimits(req.tenant)), req.query, req.startMs, req.endMs, req.stepMs, signal);
    const result = r.value.type === 'matrix' ? matrixJson(r.value.series) : [];
    return r.warnings.length > 0 ? { resultType: 'matrix', result, warnings: r.warnings } : { resultType: 'matrix', result };
  };
}

function params(req: FastifyRequest): Params {
  const q = groupParams(new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : ''));
  if (req.method === 'POST' && req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
    for (const [k, v] of Object.entries(req.body as Record<string, string | string[]>)) if (!q.has(k)) q.set(k, v);
  }
  return q;
}

/** The `query` text; an absent one is parsed as "" and fails as Prometheus's does. */
function queryParam(q: Params): string {
  return one(q, 'query') ?? '';
}

export function registerPromqlApi(app: FastifyInstance, opts: QueryApiOptions): void {
  const p = opts.prefix.replace(/\/$/, '');

  /** `queryParamErrors`: a parse error is reported as an invalid "query" parameter (query and format_query; query_range reports it bare, as Prometheus 2.42 does). */
  const send = async (
    req: FastifyRequest,
    reply: FastifyReply,
    fn: (tenant: string, q: Params) => Promise<{ data: unknown; warnings?: readonly string[] }>,
    queryParamErrors = true,
  ): Promise<void> => {
    try {
      const tenant = opts.tenants.resolve(req.headers[ORG_ID_HEADER]);
      const { data, warnings } = await fn(tenant, params(req));
      const body: Record<string, unknown> = { status: 'success', data };
      if (warnings && warnings.length > 0) body.warnings = warnings;
      await reply.type('application/json').send(goJson(body));
    } catch (e) {
      const type = engineErrorType(e);
      let status: number;
      let errorType: string;
      let message = e instanceof Error ? e.message : String(e);
      if (e instanceof ParseError && queryParamErrors) message = `invalid parameter "query": ${message}`;
      if (type) {
        status = STATUS_OF_TYPE[type];
        errorType = type;
      } else {
        status = httpStatusOf(e);
        errorType = status === 400 || status === 401 || status === 429 ? 'bad_data' : status === 503 ? 'unavailable' : 'internal';
        if (!(e instanceof VigilError)) req.log.error({ err: e, url: req.url }, 'query failed');
      }
      await reply.code(status).type('application/json').send(goJson({ status: 'error', errorType, error: message }));
    }
  };

  const timeout = (q: Params): AbortSignal => {
    const asked = durationParam(q, 'timeout');
    return AbortSignal.timeout(asked !== undefined && asked > 0 ? Math.min(asked, opts.timeoutMs) : opts.timeoutMs);
  };

  /** Cortex's per-tenant checks: refuse ranges longer than max_query_length, clamp the start to max_query_lookback. */
  const limitRange = (tenant: string, start: number, end: number): number => {
    const l = opts.limits?.(tenant);
    if (!l) return start;
    if (l.maxQueryLookbackMs > 0) start = Math.max(start, Date.now() - l.maxQueryLookbackMs);
    if (l.maxQueryLengthMs > 0 && end - start > l.maxQueryLengthMs) {
      throw badParam(`the query time range exceeds the limit (query length: ${goDuration(end - start)}, limit: ${formatDuration(l.maxQueryLengthMs)})`);
    }
    return start;
  };

  const fetchLimits = (tenant: string): FetchLimits => opts.limits?.(tenant) ?? NO_FETCH_LIMITS;

  const engine = (): QueryEngine => {
    if (!opts.engine) throw new VigilError('not-ready', 'the PromQL engine is not available in this build');
    return opts.engine;
  };

  const instant = (req: FastifyRequest, reply: FastifyReply): Promise<void> =>
    send(req, reply, async (tenant, q) => {
      const query = queryParam(q);
      parseExpr(query);
      const t = timeParam(q, 'time', Date.now());
      const signal = timeout(q);
      const r = await engine().instantQuery(tenantQueryable(opts.reader, tenant, fetchLimits(tenant)), query, t, signal);
      return { data: resultJson(r.value), warnings: r.warnings };
    });
  app.get(`${p}/api/v1/query`, instant);
  app.post(`${p}/api/v1/query`, instant);

  const range = (req: FastifyRequest, reply: FastifyReply): Promise<void> =>
    send(req, reply, async (tenant, q) => {
      const start = one(q, 'start');
      if (start === undefined || start === '') throw badParam('invalid parameter "start": cannot parse "" to a valid timestamp');
      const end = one(q, 'end');
      if (end === undefined || end === '') throw badParam('invalid parameter "end": cannot parse "" to a valid timestamp');
      const s0 = timeParam(q, 'start', 0);
      const e = timeParam(q, 'end', 0);
      if (e < s0) throw badParam('invalid parameter "end": end timestamp must not be before start time');
      const step = durationParam(q, 'step');
      if (step === undefined) throw badParam('invalid parameter "step": cannot parse "" to a valid duration');
      if (step <= 0) throw badParam('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
      if ((e - s0) / step > MAX_POINTS) throw badParam('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
      const query = queryParam(q);
      parseExpr(query);
      const s = limitRange(tenant, s0, e);
      if (e < s) return { data: { resultType: 'matrix', result: [] } };
      if (opts.frontend) {
        const noCache = /(^|,)\s*no-store\s*(,|$)/i.test(String(req.headers['cache-control'] ?? ''));
        const r = await opts.frontend.rangeQuery({ tenant, query, startMs: s, endMs: e, stepMs: step, noCache }, timeout(q));
        return { data: { resultType: r.resultType, result: r.result }, warnings: r.warnings ?? [] };
      }
      const signal = timeout(q);
      const r = await engine().rangeQuery(tenantQueryable(opts.reader, tenant, fetchLimits(tenant)), query, s, e, step, signal);
      return { data: resultJson(r.value), warnings: r.warnings };
    }, false);
  app.get(`${p}/api/v1/query_range`, range);
  app.post(`${p}/api/v1/query_range`, range);

  const format = (req: FastifyRequest, reply: FastifyReply): Promise<void> =>
    send(req, reply, async (_tenant, q) => ({ data: prettify(parseExpr(queryParam(q))) }));
  app.get(`${p}/api/v1/format_query`, format);
  app.post(`${p}/api/v1/format_query`, format);
}
