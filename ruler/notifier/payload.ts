/**
 * The alerts the ruler hands over, and their Alertmanager API v2 form: a `PostableAlerts` JSON
 * array as Prometheus 2.42 marshals it — keys in the order annotations, endsAt, startsAt,
 * generatorURL, labels; label maps with sorted keys; times as go-openapi `strfmt.DateTime`
 * writes them (RFC 3339, always three fraction digits, UTC "Z"), an unset time as Go's zero
 * time; empty annotations and an empty generatorURL left out (`omitempty`).
 */

import { compareStrings } from '../../tsdb/labels.js';

export interface NotifierAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ms since the epoch; 0 = unset (Alertmanager then uses the time it receives the alert). */
  startsAt: number;
  /** ms since the epoch, 0 = unset; in the past means resolved. */
  endsAt: number;
  generatorURL: string;
}

/** Go's zero time.Time (0001-01-01T00:00:00Z), which is what Prometheus sends for an unset time. */
const GO_ZERO_TIME_MS = -62_135_596_800_000;

/** A time as strfmt.DateTime marshals it: `2006-01-02T15:04:05.000Z`. */
export function formatAlertTime(ms: number): string {
  const t = Number.isFinite(ms) && ms !== 0 ? Math.floor(ms) : GO_ZERO_TIME_MS;
  return new Date(t).toISOString();
}

/**
 * The labels sent for an alert: its own (empty values are no label, as in Prometheus), each
 * external label it lacks, then the tenant label (always set, so a rule cannot claim another
 * tenant's alerts).
 */
export function labelsToSend(
  alert: NotifierAlert,
  externalLabels: Readonly<Record<string, string>>,
  tenantLabel: string,
  tenant: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(alert.labels)) if (v !== '') out[k] = v;
  for (const [k, v] of Object.entries(externalLabels)) if (out[k] === undefined) out[k] = v;
  if (tenantLabel !== '') out[tenantLabel] = tenant;
  return out;
}

function sortedMapJSON(m: Readonly<Record<string, string>>): string {
  const keys = Object.keys(m).sort(compareStrings);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(',')}}`;
}

/** One PostableAlert as JSON, with `labels` already final (see labelsToSend). */
export function postableAlertJSON(alert: NotifierAlert, labels: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  if (Object.keys(alert.annotations).length > 0) parts.push(`"annotations":${sortedMapJSON(alert.annotations)}`);
  parts.push(`"endsAt":"${formatAlertTime(alert.endsAt)}"`);
  parts.push(`"startsAt":"${formatAlertTime(alert.startsAt)}"`);
  if (alert.generatorURL !== '') parts.push(`"generatorURL":${JSON.stringify(alert.generatorURL)}`);
  parts.push(`"labels":${sortedMapJSON(labels)}`);
  return `{${parts.join(',')}}`;
}

/** A request body from alerts already encoded by postableAlertJSON. */
export function postableAlertsBody(encoded: readonly string[]): string {
  return `[${encoded.join(',')}]`;
}
