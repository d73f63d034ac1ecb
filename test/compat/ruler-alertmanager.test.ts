/**
 * Vigil's ruler as a client of a real Alertmanager 0.25: a rule file in the tenant's directory,
 * samples pushed by remote write, and Alertmanager's webhook receiver (this test's own server)
 * gets the alert with the rule's labels, the tenant and external labels and the rendered
 * annotations when it fires, and the resolution when it clears; a silence created in
 * Alertmanager stops its notifications while Vigil keeps the alert firing.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Webhook, type WebhookAlert, createSilence, listAlerts, startAlertmanager, startWebhook, webhookConfig } from '../harness/alertmanager.js';
import { type Proc, requireBinaries, startVigil, waitFor } from '../harness/process.js';
import { pushV1 } from '../harness/push.js';

const enabled = requireBinaries('prometheus-alertmanager');
const TENANT = 'team-a';

const RULES = `groups:
  - name: rooms
    interval: 1s
    rules:
      - alert: RoomHot
        expr: room_temp > 25
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.room }} is at {{ $value }} degrees"
          description: 'Room {{ $labels.room | toUpper }} is too hot (cluster {{ $externalLabels.cluster }})'
      - alert: RoomVeryHot
        expr: room_temp > 30
        labels:
          severity: ticket
`;

describe.runIf(enabled)('ruler → Alertmanager 0.25', () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-ruler-am-'));
  let hook: Webhook;
  let am: Proc;
  let vigil: Proc;
  let temp = 35;
  let pushing: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    hook = await startWebhook();
    am = await startAlertmanager(webhookConfig(hook.url));
    mkdirSync(join(root, 'rules', TENANT), { recursive: true });
    writeFileSync(join(root, 'rules', TENANT, 'rooms.yaml'), RULES);
    vigil = await startVigil([
      '-auth.enabled=true',
      `-ruler-storage.local.directory=${join(root, 'rules')}`,
      '-ruler-storage.poll-interval=1s',
      `-ruler.alertmanager-url=${am.url}`,
      '-ruler.evaluation-interval=1s',
      '-ruler.resend-delay=1s',
      '-ruler.external-labels=cluster=e2e',
    ]);
    const push = async (): Promise<void> => {
      const r = await pushV1(vigil.url, [{ labels: [{ name: '__name__', value: 'room_temp' }, { name: 'room', value: 'a' }], samples: [{ timestamp: Date.now(), value: temp }] }], TENANT);
      if (r.status !== 200) throw new Error(`push answered ${r.status}: ${r.body}`);
    };
    await push();
    pushing = setInterval(() => void push().catch(() => undefined), 500);
  }, 60_000);

  afterAll(async () => {
    if (pushing) clearInterval(pushing);
    await vigil?.stop();
    await am?.stop();
    await hook?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const named = (name: string, status?: string): WebhookAlert[] => hook.messages.flatMap((m) => m.alerts).filter((a) => a.labels.alertname === name && (status === undefined || a.status === status));

  it('delivers the firing alert with its labels and rendered annotations', async () => {
    const a = await waitFor('RoomHot at the webhook', async () => named('RoomHot', 'firing')[0], 30_000, 200);
    expect(a.labels).toEqual({ alertname: 'RoomHot', room: 'a', severity: 'page', tenant: TENANT, cluster: 'e2e' });
    expect(a.annotations).toEqual({ summary: 'a is at 35 degrees', description: 'Room A is too hot (cluster e2e)' });
    expect(a.generatorURL).toMatch(/\/graph\?g0\.expr=room_temp\+%3E\+25&g0\.tab=1$/);
  }, 40_000);

  it('stops notifying a silenced alert while Vigil keeps it firing', async () => {
    await waitFor('RoomVeryHot at the webhook', async () => named('RoomVeryHot').length > 0, 30_000, 200);
    await createSilence(am, [{ name: 'alertname', value: 'RoomVeryHot', isRegex: false, isEqual: true }], 3_600_000);
    await waitFor('Alertmanager to suppress it', async () => (await listAlerts(am)).some((x) => x.labels.alertname === 'RoomVeryHot' && x.status.state === 'suppressed'), 20_000, 200);
    const silencedCount = named('RoomVeryHot').length;
    // RoomHot keeps being notified every second (repeat_interval): three more of them are the clock.
    const clock = named('RoomHot').length;
    await waitFor('three more RoomHot notifications', async () => named('RoomHot').length >= clock + 3, 30_000, 200);
    expect(named('RoomVeryHot').length).toBe(silencedCount);
    const r = await fetch(`${vigil.url}/prometheus/api/v1/alerts`, { headers: { 'X-Scope-OrgID': TENANT } });
    const alerts = ((await r.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } }).data.alerts;
    expect(alerts.find((x) => x.labels.alertname === 'RoomVeryHot')?.state).toBe('firing');
  }, 60_000);

  it('sends the resolution when the condition clears', async () => {
    temp = 20;
    const resolved = await waitFor('RoomHot resolved at the webhook', async () => named('RoomHot', 'resolved')[0], 30_000, 200);
    expect(resolved.labels.tenant).toBe(TENANT);
  }, 40_000);
});
