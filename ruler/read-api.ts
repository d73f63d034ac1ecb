/**
 * Prometheus's rule read API for each tenant: `<prefix>/api/v1/rules` (with the `type` filter)
 * and `<prefix>/api/v1/alerts`, in the JSON Prometheus 2.42 answers (web/api/v1 RuleDiscovery
 * and AlertDiscovery), so Grafana reads Vigil's rules and alerts as it reads Prometheus's.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Labels, labelsToRecord } from '../tsdb/labels.js';
import { VigilError, httpStatusOf } from '../util/errors.js';
import { ORG_ID_HEADER, type TenantResolver } from '../util/tenant.js';
import { type Alert, AlertingRule } from './rules/alerting-rule.js';
import type { Group } from './rules/group.js';
import { goJson } from '../util/go-json.js';

export interface RuleReadApiOptions {
  readonly prefix: string;
  readonly tenants: TenantResolver;
  /** The tenant's groups, in file then group order. */
  readonly groups: (tenant: string) => readonly Group[];
}

/** Go's time.Time JSON (RFC 3339 with trailing zeros of the fraction trimmed); Go's zero time for null. */
export function goTimeJson(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

/** Go's strconv.FormatFloat(v, 'e', -1, 64). */
export function goFormatLowerE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0e+00' : '0e+00';
  const [mant = '', exp = '0'] = v.toExponential().split('e');
  const e = Number(exp);
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function labelsJson(ls: Labels): Record<string, string> {
  return labelsToRecord(ls);
}

function alertJson(a: Alert): Record<string, unknown> {
  const out: Record<string, unknown> = {
    labels: labelsJson(a.labels),
    annotations: labelsJson(a.annotations),
    state: a.state,
    activeAt: goTimeJson(a.activeAt),
  };
  if (a.keepFiringSince !== -Infinity) out.keepFiringSince = goTimeJson(a.keepFiringSince);
  out.value = goFormatLowerE(a.value);
  return out;
}

export function rulesJson(groups: readonly Group[], type: '' | 'alert' | 'record'): unknown {
  return {
    groups: groups.map((g) => ({
      name: g.name,
      file: g.file,
      rules: g.rules.flatMap((r) => {
        if (r instanceof AlertingRule) {
          if (type === 'record') return [];
          const o: Record<string, unknown> = {
            state: r.state(),
            name: r.name,
            query: r.exprText,
            duration: r.holdMs / 1000,
            keepFiringFor: r.keepFiringForMs / 1000,
            labels: labelsJson(r.labels),
            annotations: labelsJson(r.annotations),
            alerts: r.activeAlerts().map(alertJson),
            health: r.health,
          };
          if (r.lastError !== null) o.lastError = r.lastError;
          o.evaluationTime = r.evaluationDurationMs / 1000;
          o.lastEvaluation = goTimeJson(r.lastEvaluation);
          o.type = 'alerting';
          return [o];
        }
        if (type === 'alert') return [];
        const o: Record<string, unknown> = { name: r.name, query: r.exprText };
        if (r.labels.length > 0) o.labels = labelsJson(r.labels);
        o.health = r.health;
        if (r.lastError !== null) o.lastError = r.lastError;
        o.evaluationTime = r.evaluationDurationMs / 1000;
        o.lastEvaluation = goTimeJson(r.lastEvaluation);
        o.type = 'recording';
        return [o];
      }),
      interval: g.intervalMs / 1000,
      limit: g.limit,
      evaluationTime: g.evaluationDurationMs / 1000,
      lastEvaluation: goTimeJson(g.lastEvaluation),
    })),
  };
}

export function alertsJson(groups: readonly Group[]): unknown {
  return { alerts: groups.flatMap((g) => g.rules.flatMap((r) => (r instanceof AlertingRule ? r.activeAlerts().map(alertJson) : []))) };
}

export function registerRuleReadApi(app: FastifyInstance, opts: RuleReadApiOptions): void {
  const p = opts.prefix.replace(/\/$/, '');
  const send = (reply: FastifyReply, status: number, body: unknown): void => {
    void reply.code(status).type('application/json').send(goJson(body));
  };
  const handle =
    (fn: (tenant: string, req: FastifyRequest) => unknown) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      try {
        send(reply, 200, { status: 'success', data: fn(opts.tenants.resolve(req.headers[ORG_ID_HEADER]), req) });
      } catch (e) {
        const status = httpStatusOf(e);
        if (!(e instanceof VigilError)) req.log.error({ err: e, url: req.url }, 'rules API request failed');
        send(reply, status, { status: 'error', errorType: status === 400 ? 'bad_data' : 'internal', error: e instanceof Error ? e.message : String(e) });
      }
    };
  app.get(
    `${p}/api/v1/rules`,
    handle((tenant, req) => {
      const raw = (req.query as Record<string, string | string[] | undefined>).type;
      const type = (Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '')).toLowerCase();
      if (type !== '' && type !== 'alert' && type !== 'record') throw new VigilError('bad-query-param', `invalid parameter "type": not supported value ${JSON.stringify(type)}`);
      return rulesJson(opts.groups(tenant), type);
    }),
  );
  app.get(
    `${p}/api/v1/alerts`,
    handle((tenant) => alertsJson(opts.groups(tenant))),
  );
}
