/**
 * The Prometheus HTTP API's metadata endpoints under `-http.prometheus-http-prefix`: series,
 * labels, label values, metadata, exemplars and build info, GET and form-encoded POST alike, answering in
 * Prometheus's JSON envelope. PromQL query endpoints arrive with the engine.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { groupParams } from '../app/server.js';
import { metricTypeNames } from '../proto/write-batch.js';
import { labelsToRecord } from '../tsdb/labels.js';
import { VigilError, httpStatusOf } from '../util/errors.js';
import { ORG_ID_HEADER, type TenantResolver } from '../util/tenant.js';
import { queryExemplars } from './exemplars-api.js';
import type { SeriesMetadataReader } from './ingester-reader.js';
import { type Params, badParam, limitParam, matcherSets, one, startEnd } from './params.js';
import { goJson } from '../util/go-json.js';

export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly branch: string;
  readonly buildUser: string;
  readonly buildDate: string;
  readonly goVersion: string;
}

export interface QueryApiOptions {
  readonly prefix: string;
  readonly tenants: TenantResolver;
  readonly reader: SeriesMetadataReader;
  readonly buildInfo: BuildInfo;
  /** Whether the ruler's configuration API is served (advertised to Grafana in buildinfo). */
  readonly rulerConfigApi?: () => boolean;
}

type ErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'unavailable' | 'not_found';

function errorTypeOf(status: number): ErrorType {
  if (status === 400 || status === 401 || status === 429) return 'bad_data';
  if (status === 422) return 'execution';
  if (status === 503) return 'unavailable';
  return 'internal';
}

function params(req: FastifyRequest): Params {
  const q = groupParams(new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : ''));
  if (req.method === 'POST' && req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
    for (const [k, v] of Object.entries(req.body as Record<string, string | string[]>)) {
      const cur = q.get(k);
      if (cur === undefined) q.set(k, v);
      else q.set(k, [...(Array.isArray(cur) ? cur : [cur]), ...(Array.isArray(v) ? v : [v])]);
    }
  }
  return q;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function registerQueryApi(app: FastifyInstance, opts: QueryApiOptions): void {
  const p = opts.prefix.replace(/\/$/, '');

  const handle =
    (fn: (tenant: string, q: Params, req: FastifyRequest) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      try {
        const tenant = opts.tenants.resolve(req.headers[ORG_ID_HEADER]);
        const data = await fn(tenant, params(req), req);
        // No data at all (not even null) is Prometheus's 204 No Content.
        if (data === undefined) void reply.code(204).send();
        else void reply.type('application/json').send(goJson({ status: 'success', data }));
      } catch (e) {
        const status = httpStatusOf(e);
        if (!(e instanceof VigilError)) req.log.error({ err: e, url: req.url }, 'query API request failed');
        const message = e instanceof Error ? e.message : String(e);
        void reply
          .code(status)
          .type('application/json')
          .send(goJson({ status: 'error', errorType: errorTypeOf(status), error: message }));
      }
    };

  const series = handle(async (tenant, q) => {
    const sets = matcherSets(q);
    if (sets.length === 0) throw badParam('no match[] parameter provided');
    const { start, end } = startEnd(q);
    const result = await opts.reader.series(tenant, start, end, sets, limitParam(q));
    return result.map(labelsToRecord);
  });
  app.get(`${p}/api/v1/series`, series);
  app.post(`${p}/api/v1/series`, series);

  const labels = handle(async (tenant, q) => {
    const { start, end } = startEnd(q);
    return opts.reader.labelNames(tenant, start, end, matcherSets(q), limitParam(q));
  });
  app.get(`${p}/api/v1/labels`, labels);
  app.post(`${p}/api/v1/labels`, labels);

  app.get(
    `${p}/api/v1/label/:name/values`,
    handle(async (tenant, q, req) => {
      const name = (req.params as { name: string }).name;
      if (!LABEL_NAME.test(name)) throw badParam(`invalid label name: "${name}"`);
      const { start, end } = startEnd(q);
      return opts.reader.labelValues(tenant, name, start, end, matcherSets(q), limitParam(q));
    }),
  );

  const exemplars = handle((tenant, q) => queryExemplars(opts.reader, tenant, q));
  app.get(`${p}/api/v1/query_exemplars`, exemplars);
  app.post(`${p}/api/v1/query_exemplars`, exemplars);

  app.get(
    `${p}/api/v1/metadata`,
    handle(async (tenant, q) => {
      const limit = limitParamNamed(q, 'limit');
      const perMetric = limitParamNamed(q, 'limit_per_metric');
      const metric = one(q, 'metric') ?? '';
      const all = await opts.reader.metadata(tenant, metric === '' ? null : metric);
      const out: Record<string, { type: string; help: string; unit: string }[]> = {};
      let families = 0;
      for (const m of all) {
        let list = out[m.metricFamilyName];
        if (!list) {
          if (limit >= 0 && families >= limit) continue;
          list = out[m.metricFamilyName] = [];
          families++;
        }
        if (perMetric >= 0 && list.length >= perMetric) continue;
        list.push({ type: metricTypeNames[m.type] ?? 'unknown', help: m.help, unit: m.unit });
      }
      return out;
    }),
  );

  app.get(
    `${p}/api/v1/status/buildinfo`,
    handle(async () => ({
      ...opts.buildInfo,
      application: 'Vigil',
      features: { ruler_config_api: String(opts.rulerConfigApi?.() ?? false), alertmanager_config_api: 'false', query_sharding: 'false', federated_rules: 'false' },
    })),
  );
}

/**
 * The metadata endpoint's limits as Prometheus 2.42 reads them: absent or negative is no limit;
 * `limit=0` returns nothing while `limit_per_metric=0` is no limit.
 */
function limitParamNamed(q: Params, name: 'limit' | 'limit_per_metric'): number {
  const v = one(q, name);
  if (v === undefined || v === '') return -1;
  if (!/^-?\d+$/.test(v)) throw badParam(`${name} must be a number`);
  const n = Number(v);
  if (n < 0 || (n === 0 && name === 'limit_per_metric')) return -1;
  return n;
}
