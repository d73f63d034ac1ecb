/** The Notifier against fake Alertmanagers (node:http on 127.0.0.1): request shape, labels, batching, the queue, failures, retries, timeouts, stop. */

import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../test/harness/process.js';
import { metricSum } from '../../test/harness/metrics.js';
import { type FakeAlertmanager, startFakeAlertmanager } from './fake-alertmanager.js';
import { Notifier, type NotifierAlert, type NotifierOptions } from './notifier.js';

const T0 = Date.UTC(2023, 2, 1, 12, 0, 0, 123);

function alert(name: string, extra: Partial<NotifierAlert> = {}): NotifierAlert {
  return { labels: { alertname: name }, annotations: {}, startsAt: T0, endsAt: T0 + 60_000, generatorURL: '', ...extra };
}

function many(n: number, from = 0): NotifierAlert[] {
  return Array.from({ length: n }, (_, i) => alert('Many', { labels: { alertname: 'Many', i: String(from + i) } }));
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function fakeAM(...args: Parameters<typeof startFakeAlertmanager>): Promise<FakeAlertmanager> {
  const am = await startFakeAlertmanager(...args);
  cleanup.push(() => am.close());
  return am;
}

function notifier(urls: string[], over: Partial<NotifierOptions> = {}): { n: Notifier; reg: Registry } {
  const reg = new Registry();
  const n = new Notifier({ alertmanagerURLs: urls, queueCapacity: 10_000, timeoutMs: 10_000, externalLabels: {}, tenantLabel: 'tenant', registry: reg, ...over });
  cleanup.push(() => n.stop());
  return { n, reg };
}

async function metric(reg: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricSum(await reg.metrics(), name, labels);
}

/** Waits until the metric reaches `want`, then returns it. */
function metricReaches(reg: Registry, name: string, want: number, labels: Record<string, string> = {}): Promise<number> {
  return waitFor(`${name} ${JSON.stringify(labels)} = ${want}`, async () => ((await metric(reg, name, labels)) >= want ? metric(reg, name, labels) : undefined), 10_000, 20);
}

type Posted = { labels: Record<string, string> }[];

describe('Notifier: request shape', () => {
  it('POSTs a v2 PostableAlerts array to <url>/api/v2/alerts with the tenant header, as Prometheus marshals it', async () => {
    const am = await fakeAM();
    const { n, reg } = notifier([`${am.url}/am-prefix/`], { externalLabels: { cluster: 'c1' } });
    n.send('team-a', [
      alert('HighLatency', { labels: { alertname: 'HighLatency', job: 'api', severity: 'page' }, annotations: { summary: 'slow', description: 'p99 "high"' }, generatorURL: 'http://vigil/graph?g0.expr=up' }),
      alert('NoEnd', { endsAt: 0 }),
    ]);
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 2);
    expect(am.requests).toHaveLength(1);
    const r = am.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/am-prefix/api/v2/alerts');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-scope-orgid']).toBe('team-a');
    expect(r.headers['user-agent']).toBe('Vigil');
    expect(r.text).toBe(
      '[' +
        '{"annotations":{"description":"p99 \\"high\\"","summary":"slow"},"endsAt":"2023-03-01T12:01:00.123Z","startsAt":"2023-03-01T12:00:00.123Z",' +
        '"generatorURL":"http://vigil/graph?g0.expr=up","labels":{"alertname":"HighLatency","cluster":"c1","job":"api","severity":"page","tenant":"team-a"}},' +
        '{"endsAt":"0001-01-01T00:00:00.000Z","startsAt":"2023-03-01T12:00:00.123Z","labels":{"alertname":"NoEnd","cluster":"c1","tenant":"team-a"}}' +
        ']',
    );
  });

  it('adds external labels only where the alert lacks them; the tenant label always; none when disabled', async () => {
    const am = await fakeAM();
    const ext = { cluster: 'c1', region: 'eu' };
    const { n, reg } = notifier([am.url], { externalLabels: ext, tenantLabel: 'vigil_tenant' });
    n.send('t1', [alert('A', { labels: { alertname: 'A', cluster: 'own', vigil_tenant: 'someone-else', empty: '' } })]);
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 1);
    expect((am.requests[0]!.body as Posted)[0]!.labels).toEqual({ alertname: 'A', cluster: 'own', region: 'eu', vigil_tenant: 't1' });

    const am2 = await fakeAM();
    const { n: n2, reg: reg2 } = notifier([am2.url], { tenantLabel: '' });
    n2.send('t1', [alert('A')]);
    n2.start();
    await metricReaches(reg2, 'vigil_ruler_notifications_sent_total', 1);
    expect((am2.requests[0]!.body as Posted)[0]!.labels).toEqual({ alertname: 'A' });
    expect(am2.requests[0]!.headers['x-scope-orgid']).toBe('t1');
  });

  it('sends user:password of the URL as basic auth and labels metrics without it', async () => {
    const am = await fakeAM();
    const withAuth = am.url.replace('http://', 'http://ruler:s%40cret@');
    const { n, reg } = notifier([withAuth]);
    expect(n.alertmanagers()).toEqual([`${am.url}/api/v2/alerts`]);
    n.send('t1', [alert('A')]);
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 1, { alertmanager: `${am.url}/api/v2/alerts` });
    expect(am.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ruler:s@cret').toString('base64')}`);
  });
});

describe('Notifier: batching and the queue', () => {
  it('sends 150 queued alerts as 3 POSTs of at most 64, in order', async () => {
    const am = await fakeAM();
    const { n, reg } = notifier([am.url]);
    n.send('t1', many(150));
    expect(n.queueLength()).toBe(150);
    expect(await metric(reg, 'vigil_ruler_notifications_queue_length')).toBe(150);
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 150);
    expect(am.requests.map((r) => (r.body as Posted).length)).toEqual([64, 64, 22]);
    const order = am.requests.flatMap((r) => (r.body as Posted).map((a) => Number(a.labels.i)));
    expect(order).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(await metric(reg, 'vigil_ruler_notifications_queue_length')).toBe(0);
  });

  it('keeps tenants apart: each POST carries one tenant, named in X-Scope-OrgID', async () => {
    const am = await fakeAM();
    const { n, reg } = notifier([am.url]);
    for (let i = 0; i < 5; i++) {
      n.send('t1', many(20, i * 20));
      n.send('t2', many(20, i * 20));
    }
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 200);
    for (const r of am.requests) {
      const tenants = new Set((r.body as Posted).map((a) => a.labels.tenant));
      expect([...tenants]).toEqual([r.headers['x-scope-orgid']]);
      expect((r.body as Posted).length).toBeLessThanOrEqual(64);
    }
    for (const t of ['t1', 't2']) {
      const got = am.requests.filter((r) => r.headers['x-scope-orgid'] === t).flatMap((r) => (r.body as Posted).map((a) => Number(a.labels.i)));
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
  });

  it('drops the oldest alerts when the queue overflows and counts them', async () => {
    const am = await fakeAM();
    const { n, reg } = notifier([am.url], { queueCapacity: 100 });
    expect(await metric(reg, 'vigil_ruler_notifications_queue_capacity')).toBe(100);
    n.send('t1', many(70));
    n.send('t1', many(80, 70));
    expect(n.queueLength()).toBe(100);
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(50);
    n.send('t1', many(130, 150)); // larger than the queue: only its newest 100 stay
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(180);
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 100);
    const got = am.requests.flatMap((r) => (r.body as Posted).map((a) => Number(a.labels.i)));
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => 180 + i));
  });

  it('counts alerts as dropped when no Alertmanager is configured', async () => {
    const { n, reg } = notifier([]);
    n.start();
    n.send('t1', many(3));
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(3);
    expect(n.queueLength()).toBe(0);
  });
});

describe('Notifier: failures', () => {
  it('delivers to the Alertmanager that is up when the other is down', async () => {
    const up = await fakeAM();
    const downURL = `http://127.0.0.1:${await freePort()}`;
    const { n, reg } = notifier([downURL, up.url]);
    n.send('t1', many(10));
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_errors_total', 1, { alertmanager: `${downURL}/api/v2/alerts` });
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 10, { alertmanager: `${up.url}/api/v2/alerts` });
    expect(await metric(reg, 'vigil_ruler_notifications_sent_total', { alertmanager: `${downURL}/api/v2/alerts` })).toBe(0);
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(0);
    expect(up.requests).toHaveLength(1);
  });

  it('drops a batch that no Alertmanager accepted', async () => {
    const a = await fakeAM(() => 500);
    const downURL = `http://127.0.0.1:${await freePort()}`;
    const { n, reg } = notifier([a.url, downURL]);
    n.send('t1', many(10));
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_dropped_total', 10);
    expect(await metric(reg, 'vigil_ruler_notifications_errors_total')).toBe(2);
    expect(await metric(reg, 'vigil_ruler_notifications_sent_total')).toBe(0);
  });

  it('retries a failed POST with backoff, then succeeds', async () => {
    const am = await fakeAM((i) => (i < 2 ? 503 : 200));
    const { n, reg } = notifier([am.url]);
    n.send('t1', many(5));
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 5);
    expect(am.requests).toHaveLength(3);
    expect(new Set(am.requests.map((r) => r.text)).size).toBe(1);
    expect(await metric(reg, 'vigil_ruler_notifications_errors_total')).toBe(0);
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(0);
  });

  it('gives up after 3 attempts; an Alertmanager that failed gets one attempt per batch until it recovers', async () => {
    const am = await fakeAM(() => 503);
    const { n, reg } = notifier([am.url]);
    n.send('t1', many(5));
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_errors_total', 1);
    expect(am.requests).toHaveLength(3);
    n.send('t1', many(5));
    await metricReaches(reg, 'vigil_ruler_notifications_errors_total', 2);
    expect(am.requests).toHaveLength(4);
    am.respond(() => 200);
    n.send('t1', many(5));
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 5);
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(10);
  });

  it('does not retry a 400 (Alertmanager refused the alerts)', async () => {
    const am = await fakeAM(() => 400);
    const { n, reg } = notifier([am.url]);
    n.send('t1', many(5));
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_dropped_total', 5);
    expect(am.requests).toHaveLength(1);
    expect(await metric(reg, 'vigil_ruler_notifications_errors_total')).toBe(1);
  });

  it('counts an Alertmanager that does not answer within the timeout as an error, then goes on', async () => {
    const am = await fakeAM((i) => (i === 0 ? 'hang' : 200));
    const { n, reg } = notifier([am.url], { timeoutMs: 300 });
    n.send('t1', many(4));
    n.start();
    await metricReaches(reg, 'vigil_ruler_notifications_errors_total', 1);
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(4);
    expect(am.requests).toHaveLength(1);
    n.send('t1', many(2));
    await metricReaches(reg, 'vigil_ruler_notifications_sent_total', 2);
    expect(await metric(reg, 'vigil_ruler_notifications_latency_seconds_count')).toBe(2);
  });
});

describe('Notifier: stop', () => {
  it('sends what is queued before it stops', async () => {
    const am = await fakeAM();
    const { n, reg } = notifier([am.url]);
    n.start();
    n.send('t1', many(130));
    await n.stop();
    expect(await metric(reg, 'vigil_ruler_notifications_sent_total')).toBe(130);
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(0);
    n.send('t1', many(2));
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(2);
  });

  it('stops within the drain bound when an Alertmanager hangs, dropping what is left', async () => {
    const am = await fakeAM(() => 'hang');
    const { n, reg } = notifier([am.url], { drainTimeoutMs: 200 });
    n.start();
    n.send('t1', many(100));
    await n.stop();
    expect(await metric(reg, 'vigil_ruler_notifications_dropped_total')).toBe(100);
    expect(await metric(reg, 'vigil_ruler_notifications_errors_total')).toBe(1);
    expect(n.queueLength()).toBe(0);
  });
});
