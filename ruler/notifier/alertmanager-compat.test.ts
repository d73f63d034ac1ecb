/**
 * The Notifier against the real Alertmanager 0.25: a firing alert reaches Alertmanager's webhook
 * receiver with its labels (external and tenant labels added) and annotations; the same alert
 * with endsAt in the past arrives as resolved; a silence created through Alertmanager's API
 * suppresses the alert while the Notifier keeps re-sending it.
 */

import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Webhook, type WebhookAlert, createSilence, listAlerts, startAlertmanager, startWebhook, webhookConfig } from '../../test/harness/alertmanager.js';
import { type Proc, requireBinaries, waitFor } from '../../test/harness/process.js';
import { metricSum } from '../../test/harness/metrics.js';
import { Notifier, type NotifierAlert } from './notifier.js';
import { formatAlertTime } from './payload.js';

const run = requireBinaries('prometheus-alertmanager');

describe.runIf(run)('Notifier → Alertmanager 0.25', () => {
  let hook: Webhook;
  let am: Proc;
  let notifier: Notifier;
  const reg = new Registry();

  beforeAll(async () => {
    hook = await startWebhook();
    am = await startAlertmanager(webhookConfig(hook.url));
    notifier = new Notifier({
      alertmanagerURLs: [am.url],
      queueCapacity: 1000,
      timeoutMs: 5000,
      externalLabels: { cluster: 'compat' },
      tenantLabel: 'tenant',
      registry: reg,
    });
    notifier.start();
  });

  afterAll(async () => {
    await notifier?.stop();
    await am?.stop();
    await hook?.close();
  });

  /** Webhook alerts named `name`, in arrival order, with the message's status. */
  function received(name: string): WebhookAlert[] {
    return hook.messages.flatMap((m) => m.alerts.filter((a) => a.labels.alertname === name));
  }

  function firing(name: string, labels: Record<string, string> = {}): NotifierAlert {
    const now = Date.now();
    return { labels: { alertname: name, severity: 'page', ...labels }, annotations: { summary: `${name} is firing` }, startsAt: now - 60_000, endsAt: now + 5 * 60_000, generatorURL: 'http://vigil.test/graph' };
  }

  it('delivers a firing alert, then its resolution', async () => {
    const a = firing('VigilCompatFiring', { instance: 'db-1', cluster: 'own' });
    notifier.send('team-a', [a]);
    const got = await waitFor('the firing alert at the webhook', async () => received('VigilCompatFiring').find((x) => x.status === 'firing'), 20_000);
    expect(got.labels).toEqual({ alertname: 'VigilCompatFiring', severity: 'page', instance: 'db-1', cluster: 'own', tenant: 'team-a' });
    expect(got.annotations).toEqual({ summary: 'VigilCompatFiring is firing' });
    expect(metricSum(await reg.metrics(), 'vigil_ruler_notifications_sent_total')).toBeGreaterThanOrEqual(1);

    notifier.send('team-a', [{ ...a, endsAt: Date.now() - 1000 }]);
    const resolved = await waitFor(
      'the resolved alert at the webhook',
      async () => hook.messages.find((m) => m.status === 'resolved' && m.alerts.some((x) => x.labels.alertname === 'VigilCompatFiring')),
      20_000,
    );
    expect(resolved.alerts).toHaveLength(1);
    expect(resolved.alerts[0]!.status).toBe('resolved');
    expect(resolved.alerts[0]!.labels.tenant).toBe('team-a');
  }, 60_000);

  it('a silence created through Alertmanager suppresses the alert while the Notifier keeps sending it', async () => {
    const silenced = firing('VigilCompatSilenced');
    const control = firing('VigilCompatControl');
    let timer: NodeJS.Timeout | undefined;
    const resend = (): void => notifier.send('team-b', [{ ...silenced, endsAt: Date.now() + 5 * 60_000 }, { ...control, endsAt: Date.now() + 5 * 60_000 }]);
    try {
      resend();
      timer = setInterval(resend, 300);
      const first = await waitFor('the alert to be notified', async () => received('VigilCompatSilenced')[0], 20_000);
      expect(first.labels).toMatchObject({ cluster: 'compat', tenant: 'team-b' });

      await createSilence(am, [{ name: 'alertname', value: 'VigilCompatSilenced' }, { name: 'tenant', value: 'team-b' }], 3_600_000);
      const shown = await waitFor(
        'Alertmanager to show the alert suppressed',
        async () => (await listAlerts(am)).find((x) => x.labels.alertname === 'VigilCompatSilenced' && x.status.state === 'suppressed'),
        20_000,
      );
      expect(shown.status.silencedBy).toHaveLength(1);
      expect(shown.labels.tenant).toBe('team-b');
      expect(shown.startsAt).toBe(formatAlertTime(silenced.startsAt));

      // A flush that began before the silence may still land; take the count once the
      // control group has been notified again after the silence, then watch two more of its
      // notifications (each a group interval apart) bring nothing for the silenced alert.
      const controlAt = (): number => received('VigilCompatControl').length;
      const c0 = controlAt();
      await waitFor('one more control notification', async () => controlAt() > c0, 20_000);
      const silencedCount = received('VigilCompatSilenced').length;
      const c1 = controlAt();
      await waitFor('two more control notifications', async () => controlAt() >= c1 + 2, 20_000);
      expect(received('VigilCompatSilenced').length).toBe(silencedCount);
      const still = (await listAlerts(am)).find((x) => x.labels.alertname === 'VigilCompatSilenced');
      expect(still?.status.state).toBe('suppressed');
    } finally {
      clearInterval(timer);
    }
  }, 90_000);
});
