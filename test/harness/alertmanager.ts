/**
 * A real Alertmanager (Debian's prometheus-alertmanager, 0.25) for compatibility tests: started
 * on a free 127.0.0.1 port with a temporary storage directory and the given configuration YAML,
 * clustering off, waited on at /-/ready, stopped by PID. Small typed helpers for its v2 API
 * (alerts, silences) sit beside it.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launch, type Proc } from './process.js';

export const ALERTMANAGER_BINARY = 'prometheus-alertmanager';

export async function startAlertmanager(configYaml: string, extraArgs: readonly string[] = []): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
  const cfg = join(dir, 'alertmanager.yml');
  writeFileSync(cfg, configYaml);
  return launch(
    'alertmanager',
    ALERTMANAGER_BINARY,
    [
      `--config.file=${cfg}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address turns the gossip cluster off (it would listen on 0.0.0.0:9094).
      '--cluster.listen-address=',
      ...extraArgs,
    ],
    port,
    dir,
    '/-/ready',
  );
}

/** The part of GET /api/v2/alerts the tests read. */
export interface AmAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly status: { readonly state: string; readonly silencedBy: readonly string[]; readonly inhibitedBy: readonly string[] };
}

export async function listAlerts(am: Pick<Proc, 'url'>): Promise<AmAlert[]> {
  const r = await fetch(`${am.url}/api/v2/alerts`);
  if (r.status !== 200) throw new Error(`GET /api/v2/alerts: ${r.status} ${await r.text()}`);
  return (await r.json()) as AmAlert[];
}

export interface AmMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex?: boolean;
  readonly isEqual?: boolean;
}

/** Creates a silence from now for `durationMs`; returns its id. */
export async function createSilence(am: Pick<Proc, 'url'>, matchers: readonly AmMatcher[], durationMs: number, comment = 'vigil test'): Promise<string> {
  const now = Date.now();
  const body = {
    matchers: matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex ?? false, isEqual: m.isEqual ?? true })),
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + durationMs).toISOString(),
    createdBy: 'vigil-test',
    comment,
  };
  const r = await fetch(`${am.url}/api/v2/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`POST /api/v2/silences: ${r.status} ${text}`);
  return (JSON.parse(text) as { silenceID: string }).silenceID;
}

export interface WebhookAlert {
  readonly status: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly generatorURL: string;
}

export interface WebhookMessage {
  readonly status: string;
  readonly receiver: string;
  readonly alerts: WebhookAlert[];
}

/** A webhook receiver on 127.0.0.1 that records every notification Alertmanager posts to it. */
export interface Webhook {
  readonly url: string;
  readonly messages: WebhookMessage[];
  close(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const messages: WebhookMessage[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      messages.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookMessage);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    messages,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An Alertmanager configuration that notifies `webhookURL` at once, again every second, and on resolution. */
export function webhookConfig(webhookURL: string): string {
  return `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1s
receivers:
  - name: hook
    webhook_configs:
      - url: ${webhookURL}
        send_resolved: true
`;
}
