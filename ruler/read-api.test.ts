import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../tsdb/labels.js';
import { tenantResolver } from '../util/tenant.js';
import { goFormatLowerE, goTimeJson, registerRuleReadApi } from './read-api.js';
import { AlertingRule } from './rules/alerting-rule.js';
import { buildGroup } from './rules/load.js';
import { testContext } from './rules/testing.js';

describe('rules read API', () => {
  it('formats times and values as Go does', () => {
    expect(goTimeJson(null)).toBe('0001-01-01T00:00:00Z');
    expect(goTimeJson(0)).toBe('1970-01-01T00:00:00Z');
    expect(goTimeJson(1_700_000_000_120)).toBe('2023-11-14T22:13:20.12Z');
    expect(goFormatLowerE(1)).toBe('1e+00');
    expect(goFormatLowerE(0.25)).toBe('2.5e-01');
    expect(goFormatLowerE(123456789)).toBe('1.23456789e+08');
    expect(goFormatLowerE(NaN)).toBe('NaN');
  });

  it('answers rules (with the type filter) and alerts in Prometheus\'s JSON, per tenant', async () => {
    const t = testContext();
    t.storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), 0, 5);
    const g = buildGroup(
      {
        name: 'g',
        interval: '30s',
        rules: [
          { record: 'x:sum', expr: 'sum(x)', labels: { team: 'db' } },
          { alert: 'High', expr: 'x > 1', for: '5m', keep_firing_for: '1m', labels: { severity: 'page' }, annotations: { summary: 'high on {{ $labels.instance }}' } },
        ],
      },
      'ns',
      60_000,
    );
    (g.rules[1] as AlertingRule).restored = true;
    await g.eval(0, t.ctx);
    const app = Fastify();
    registerRuleReadApi(app, { prefix: '/prometheus', tenants: tenantResolver(true, 'anonymous'), groups: (tenant) => (tenant === 'team-a' ? [g] : []) });
    const get = async (url: string, tenant = 'team-a'): Promise<{ status: number; body: Record<string, unknown> }> => {
      const r = await app.inject({ method: 'GET', url, headers: { 'x-scope-orgid': tenant } });
      return { status: r.statusCode, body: r.json() };
    };
    const all = await get('/prometheus/api/v1/rules');
    expect(all.status).toBe(200);
    const data = all.body.data as { groups: Record<string, unknown>[] };
    const grp = data.groups[0]!;
    expect(Object.keys(grp)).toEqual(['name', 'file', 'rules', 'interval', 'limit', 'evaluationTime', 'lastEvaluation']);
    expect({ name: grp.name, file: grp.file, interval: grp.interval, limit: grp.limit }).toEqual({ name: 'g', file: 'ns', interval: 30, limit: 0 });
    const [rec, alert] = grp.rules as Record<string, unknown>[];
    expect(Object.keys(rec!)).toEqual(['name', 'query', 'labels', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
    expect(rec).toMatchObject({ name: 'x:sum', query: 'sum(x)', labels: { team: 'db' }, health: 'ok', type: 'recording' });
    expect(Object.keys(alert!)).toEqual(['state', 'name', 'query', 'duration', 'keepFiringFor', 'labels', 'annotations', 'alerts', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
    expect(alert).toMatchObject({ state: 'pending', name: 'High', query: 'x > 1', duration: 300, keepFiringFor: 60, labels: { severity: 'page' }, health: 'ok', type: 'alerting' });
    expect(alert!.alerts).toEqual([
      { labels: { alertname: 'High', instance: 'a', severity: 'page' }, annotations: { summary: 'high on a' }, state: 'pending', activeAt: '1970-01-01T00:00:00Z', value: '5e+00' },
    ]);

    const onlyRecording = (await get('/prometheus/api/v1/rules?type=record')).body.data as { groups: { rules: { type: string }[] }[] };
    expect(onlyRecording.groups[0]!.rules.map((r) => r.type)).toEqual(['recording']);
    const bad = await get('/prometheus/api/v1/rules?type=foo');
    expect(bad).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'invalid parameter "type": not supported value "foo"' } });

    expect((await get('/prometheus/api/v1/alerts')).body).toEqual({ status: 'success', data: { alerts: alert!.alerts } });
    expect((await get('/prometheus/api/v1/alerts', 'team-b')).body).toEqual({ status: 'success', data: { alerts: [] } });
    expect((await get('/prometheus/api/v1/rules', 'team-b')).body).toEqual({ status: 'success', data: { groups: [] } });
    await app.close();
  });
});
