/**
 * Options of the ruler's Alertmanager notifier (Cortex's `-ruler.*` names) and their conversion
 * into the Notifier's options: URLs checked (http or https, no query), external labels parsed
 * from `name=value` entries, label names checked. Errors name the flag to fix.
 */

import { isValidLabelName } from '../rulefmt/index.js';
import type { BlockValue } from '../../util/options.js';
import { opt } from '../../util/options.js';

export const notifierBlock = {
  alertmanager_url: opt(
    'strings',
    'ruler.alertmanager-url',
    [],
    'Comma-separated base URLs of the Alertmanagers to send alerts to, each with any path prefix (alerts go to <url>/api/v2/alerts); user:password in a URL is sent as basic auth. Every alert goes to every Alertmanager.',
  ),
  notification_queue_capacity: opt('int', 'ruler.notification-queue-capacity', 10_000, 'Alerts waiting to be sent, at most; when full the oldest are dropped (vigil_ruler_notifications_dropped_total).'),
  notification_timeout: opt('duration', 'ruler.notification-timeout', 10_000, 'Longest one batch of alerts may take to reach one Alertmanager, retries included.'),
  external_labels: opt('strings', 'ruler.external-labels', [], 'Comma-separated name=value labels added to every alert sent, unless the alert already has a label of that name.'),
  alertmanager_tenant_label: opt('string', 'ruler.alertmanager-tenant-label', 'tenant', 'Label set on every alert sent to the tenant it belongs to (replacing a rule\'s own label of that name), so alerts can be told apart in Alertmanager; empty: none.'),
} as const;

export type NotifierSettings = BlockValue<typeof notifierBlock>;

/** The Notifier options that come from configuration. */
export interface NotifierConfig {
  readonly alertmanagerURLs: readonly string[];
  readonly queueCapacity: number;
  readonly timeoutMs: number;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly tenantLabel: string;
}

/** `name=value` entries as a label set; throws naming `-ruler.external-labels`. */
export function parseExternalLabels(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq < 0) throw new Error(`invalid value ${JSON.stringify(e)} in -ruler.external-labels: want name=value`);
    const name = e.slice(0, eq).trim();
    const value = e.slice(eq + 1);
    if (!isValidLabelName(name)) throw new Error(`invalid value ${JSON.stringify(e)} in -ruler.external-labels: ${JSON.stringify(name)} is not a valid label name`);
    if (value === '') throw new Error(`invalid value ${JSON.stringify(e)} in -ruler.external-labels: empty label value`);
    if (Object.hasOwn(out, name)) throw new Error(`invalid value ${JSON.stringify(e)} in -ruler.external-labels: label ${JSON.stringify(name)} given twice`);
    out[name] = value;
  }
  return out;
}

/** Checks one `-ruler.alertmanager-url` entry; returns it trimmed. */
export function checkAlertmanagerURL(text: string): string {
  const s = text.trim();
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Error(`invalid value ${JSON.stringify(text)} in -ruler.alertmanager-url: not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`invalid value ${JSON.stringify(text)} in -ruler.alertmanager-url: scheme must be http or https (service discovery is not supported)`);
  }
  if (u.search !== '' || u.hash !== '') throw new Error(`invalid value ${JSON.stringify(text)} in -ruler.alertmanager-url: a query or fragment is not allowed`);
  return s;
}

/** Validated Notifier options from the block's values. */
export function notifierConfig(s: NotifierSettings): NotifierConfig {
  if (s.notification_queue_capacity < 1) throw new Error('invalid value for -ruler.notification-queue-capacity: must be at least 1');
  if (s.notification_timeout <= 0) throw new Error('invalid value for -ruler.notification-timeout: must be positive');
  if (s.alertmanager_tenant_label !== '' && !isValidLabelName(s.alertmanager_tenant_label)) {
    throw new Error(`invalid value ${JSON.stringify(s.alertmanager_tenant_label)} for -ruler.alertmanager-tenant-label: not a valid label name`);
  }
  const urls = s.alertmanager_url.filter((u) => u.trim() !== '').map(checkAlertmanagerURL);
  return Object.freeze({
    alertmanagerURLs: Object.freeze(urls),
    queueCapacity: s.notification_queue_capacity,
    timeoutMs: s.notification_timeout,
    externalLabels: Object.freeze(parseExternalLabels(s.external_labels)),
    tenantLabel: s.alertmanager_tenant_label,
  });
}
