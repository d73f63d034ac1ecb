/** The v2 PostableAlerts encoding: times as strfmt.DateTime, label merging, key order; the ruler-alert adapter. */

import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../tsdb/labels.js';
import { formatAlertTime, labelsToSend, postableAlertJSON, postableAlertsBody } from './payload.js';
import { notifierAlerts } from './rule-alerts.js';

describe('formatAlertTime (strfmt.DateTime)', () => {
  it.each([
    [Date.UTC(2023, 0, 2, 3, 4, 5, 0), '2023-01-02T03:04:05.000Z'],
    [Date.UTC(2023, 0, 2, 3, 4, 5, 7), '2023-01-02T03:04:05.007Z'],
    [Date.UTC(2023, 0, 2, 3, 4, 5, 7) + 0.9, '2023-01-02T03:04:05.007Z'],
    [0, '0001-01-01T00:00:00.000Z'],
    [Number.NaN, '0001-01-01T00:00:00.000Z'],
  ])('%s → %s', (ms, want) => {
    expect(formatAlertTime(ms)).toBe(want);
  });
});

describe('labelsToSend', () => {
  const base = { annotations: {}, startsAt: 0, endsAt: 0, generatorURL: '' };
  it('keeps the alert\'s own labels over external ones and drops empty values', () => {
    expect(labelsToSend({ ...base, labels: { alertname: 'A', env: 'own', gone: '' } }, { env: 'prod', dc: 'x', gone: 'ext' }, 'tenant', 't')).toEqual({
      alertname: 'A',
      env: 'own',
      dc: 'x',
      gone: 'ext',
      tenant: 't',
    });
  });
  it('overrides a rule\'s own tenant label', () => {
    expect(labelsToSend({ ...base, labels: { alertname: 'A', tenant: 'other' } }, { tenant: 'ext' }, 'tenant', 't')).toEqual({ alertname: 'A', tenant: 't' });
  });
});

describe('postableAlertJSON', () => {
  it('writes Prometheus\'s key order, sorted label maps, and omits empty annotations and generatorURL', () => {
    const a = { labels: {}, annotations: {}, startsAt: Date.UTC(2024, 1, 29), endsAt: 0, generatorURL: '' };
    const json = postableAlertJSON(a, { z: '1', a: 'é', B: '"' });
    expect(json).toBe('{"endsAt":"0001-01-01T00:00:00.000Z","startsAt":"2024-02-29T00:00:00.000Z","labels":{"B":"\\"","a":"é","z":"1"}}');
    expect(JSON.parse(postableAlertsBody([json, json]))).toHaveLength(2);
  });
});

describe('notifierAlerts', () => {
  it('turns the ruler\'s label arrays into maps', () => {
    expect(notifierAlerts([{ labels: labelsFromRecord({ alertname: 'A', job: 'j' }), annotations: labelsFromRecord({ summary: 's' }), startsAt: 1, endsAt: 2, generatorURL: 'g' }])).toEqual([
      { labels: { alertname: 'A', job: 'j' }, annotations: { summary: 's' }, startsAt: 1, endsAt: 2, generatorURL: 'g' },
    ]);
  });
});
