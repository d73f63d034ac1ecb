/** The notifier's `-ruler.*` options: defaults, flags, and every refusal naming its flag. */

import { describe, expect, it } from 'vitest';
import { buildBlock, parseFlagValue } from '../../util/options.js';
import { notifierBlock, notifierConfig, parseExternalLabels } from './config.js';

const defaults = (): ReturnType<typeof buildBlock<typeof notifierBlock>> => buildBlock('ruler', notifierBlock, {});

describe('notifier options', () => {
  it('has Cortex\'s defaults', () => {
    expect(notifierConfig(defaults())).toEqual({ alertmanagerURLs: [], queueCapacity: 10_000, timeoutMs: 10_000, externalLabels: {}, tenantLabel: 'tenant' });
  });

  it('reads comma-separated URLs and external labels from flags', () => {
    const flags = new Map<string, unknown>([
      ['ruler.alertmanager-url', parseFlagValue(notifierBlock.alertmanager_url, 'http://am1:9093,https://u:p@am2/prefix/')],
      ['ruler.external-labels', parseFlagValue(notifierBlock.external_labels, 'cluster=eu-1,replica=a=b')],
      ['ruler.notification-timeout', parseFlagValue(notifierBlock.notification_timeout, '3s')],
    ]);
    const c = notifierConfig(buildBlock('ruler', notifierBlock, {}, flags));
    expect(c.alertmanagerURLs).toEqual(['http://am1:9093', 'https://u:p@am2/prefix/']);
    expect(c.externalLabels).toEqual({ cluster: 'eu-1', replica: 'a=b' });
    expect(c.timeoutMs).toBe(3000);
  });

  it.each([
    [{ alertmanager_url: ['dns+am:9093'] }, /scheme must be http or https/],
    [{ alertmanager_url: ['http://am:9093/?x=1'] }, /query or fragment/],
    [{ alertmanager_url: ['not a url'] }, /not a URL/],
    [{ notification_queue_capacity: 0 }, /-ruler.notification-queue-capacity/],
    [{ notification_timeout: '0s' }, /-ruler.notification-timeout/],
    [{ alertmanager_tenant_label: 'bad-name' }, /-ruler.alertmanager-tenant-label/],
    [{ external_labels: ['novalue'] }, /want name=value/],
    [{ external_labels: ['1x=a'] }, /not a valid label name/],
    [{ external_labels: ['a='] }, /empty label value/],
    [{ external_labels: ['a=1', 'a=2'] }, /given twice/],
  ])('refuses %j', (yaml, msg) => {
    expect(() => notifierConfig(buildBlock('ruler', notifierBlock, yaml))).toThrow(msg);
  });

  it('parses external labels', () => {
    expect(parseExternalLabels([' dc =x'])).toEqual({ dc: 'x' });
  });
});
