/**
 * A real Alertmanager (Debian's prometheus-alertmanager, 0.25) for compatibility tests: started
 * on a free 127.0.0.1 port with a temporary storage directory and the given configuration YAML,
 * clustering off, waited on at /-/ready, stopped by PID. Small typed helpers for its v2 API
 * (alerts, silences) sit beside it.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
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
