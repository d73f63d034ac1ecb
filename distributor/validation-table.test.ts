/**
 * One case per validation rule and limit, through the real HTTP push endpoint: the status, the
 * message, the discard reason counted, and — every time — the valid series of the same request
 * stored anyway. Then the rate limit and a runtime override that changes without a restart.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../app/testing.js';
import { snappyEncode } from '../proto/snappy.js';
import { type EncSeries, encodeWriteRequestV1 } from '../proto/write-encoder.js';

const HEADERS = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' };
const now = Date.now();

function s(labels: [string, string][], samples: [number, number][] = [[now, 1]]): EncSeries {
  return { labels: labels.map(([name, value]) => ({ name, value })), samples: samples.map(([timestamp, value]) => ({ timestamp, value })) };
}

interface Case {
  name: string;
  /** Series pushed before the tested request (same tenant). */
  before?: EncSeries[];
  bad: EncSeries;
  status: number;
  message: RegExp;
  reason: string;
}

const CASES: Case[] = [
  { name: 'missing metric name', bad: s([['job', 'x']]), status: 400, message: /^sample missing metric name/, reason: 'missing_metric_name' },
  { name: 'invalid metric name', bad: s([['__name__', '1up']]), status: 400, message: /^sample invalid metric name: "1up"/, reason: 'metric_name_invalid' },
  { name: 'invalid label name', bad: s([['__name__', 'm'], ['bad-label', 'x']]), status: 400, message: /^sample invalid label: "bad-label" metric "m\{bad-label=\\"x\\"\}"/, reason: 'label_invalid' },
  { name: 'label name too long', bad: s([['__name__', 'm'], ['l'.repeat(25), 'x']]), status: 400, message: /^label name too long for metric \(actual: 25, limit: 20\)/, reason: 'label_name_too_long' },
  { name: 'label value too long', bad: s([['__name__', 'm'], ['a', 'v'.repeat(40)]]), status: 400, message: /^label value too long for metric \(actual: 40, limit: 30\)/, reason: 'label_value_too_long' },
  { name: 'metric name too long', bad: s([['__name__', 'm'.repeat(31)]]), status: 400, message: /label value too long/, reason: 'label_value_too_long' },
  {
    name: 'too many labels',
    bad: s([['__name__', 'm'], ['a', '1'], ['b', '2'], ['c', '3'], ['d', '4'], ['e', '5']]),
    status: 400,
    message: /^series has too many labels \(actual: 6, limit: 5\) series: 'm\{/,
    reason: 'max_label_names_per_series',
  },
  { name: 'duplicate label names', bad: s([['__name__', 'm'], ['a', '1'], ['a', '2']]), status: 400, message: /^duplicate label name: "a"/, reason: 'duplicate_label_names' },
  {
    name: 'labels size',
    bad: s([['__name__', 'm'], ['a', 'x'.repeat(29)], ['b', 'x'.repeat(29)], ['c', 'x'.repeat(29)]]),
    status: 400,
    message: /^labels size bytes exceeded for metric \(actual: \d+, limit: 80\)/,
    reason: 'labels_size_bytes_exceeded',
  },
  // '@@BAD@@' is replaced by 0xFF bytes on the wire (never valid UTF-8), see push().
  { name: 'invalid UTF-8 value', bad: s([['__name__', 'm'], ['a', '@@BAD@@']]), status: 400, message: /label value is not valid UTF-8/, reason: 'label_value_invalid' },
  { name: 'too far in the future', bad: s([['__name__', 'm']], [[now + 3_600_000, 1]]), status: 400, message: /^timestamp too new: \d+ metric: "m"/, reason: 'too_far_in_future' },
  { name: 'too old', bad: s([['__name__', 'm']], [[now - 7_200_000, 1]]), status: 400, message: /^timestamp too old: \d+ metric: "m"/, reason: 'greater_than_max_sample_age' },
  {
    name: 'out of order',
    before: [s([['__name__', 'ooo']], [[now, 1]])],
    bad: s([['__name__', 'ooo']], [[now - 1000, 1]]),
    status: 400,
    message: /out of order sample/,
    reason: 'sample-out-of-order',
  },
  {
    name: 'duplicate timestamp, new value',
    before: [s([['__name__', 'dup']], [[now, 1]])],
    bad: s([['__name__', 'dup']], [[now, 2]]),
    status: 400,
    message: /duplicate sample for timestamp/,
    reason: 'new-value-for-timestamp',
  },
  {
    name: 'series per metric',
    before: [s([['__name__', 'many'], ['i', '1']]), s([['__name__', 'many'], ['i', '2']]), s([['__name__', 'many'], ['i', '3']])],
    bad: s([['__name__', 'many'], ['i', '4']]),
    status: 400,
    message: /per-metric series limit of 3 exceeded for metric many/,
    reason: 'per_metric_series_limit',
  },
];

describe('validation table', () => {
  let t: TestApp;
  let dir: string;
  let rcFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-validation-'));
    rcFile = join(dir, 'runtime.yaml');
    writeFileSync(rcFile, 'overrides:\n  limited:\n    ingestion_rate: 1\n    ingestion_burst_size: 15\n  few-series:\n    max_series_per_user: 2\n');
    t = await startTestApp([
      '-auth.enabled=true',
      '-validation.max-length-label-name=20',
      '-validation.max-length-label-value=30',
      '-validation.max-label-names-per-series=5',
      '-validation.max-labels-size-bytes=80',
      '-validation.reject-old-samples=true',
      '-validation.reject-old-samples.max-age=1h',
      '-ingester.max-series-per-metric=3',
      `-runtime-config.file=${rcFile}`,
      '-runtime-config.reload-period=100ms',
    ]);
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = (tenant: string, series: EncSeries[]) => {
    const raw = Buffer.from(encodeWriteRequestV1({ timeseries: series }));
    for (let at = raw.indexOf('@@BAD@@'); at >= 0; at = raw.indexOf('@@BAD@@')) raw.fill(0xff, at, at + 7);
    return t.app.server.inject({
      method: 'POST',
      url: '/api/v1/push',
      headers: { ...HEADERS, 'x-scope-orgid': tenant },
      payload: Buffer.from(snappyEncode(raw)),
    });
  };
  const stored = async (tenant: string, match: string): Promise<number> => {
    const r = await t.app.server.inject({ url: `/prometheus/api/v1/series?match[]=${encodeURIComponent(match)}`, headers: { 'x-scope-orgid': tenant } });
    return (JSON.parse(r.body) as { data: unknown[] }).data.length;
  };
  const discarded = async (tenant: string, reason: string): Promise<number> => {
    const text = (await t.app.server.inject({ url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith('vigil_discarded_samples_total{') && l.includes(`reason="${reason}"`) && l.includes(`user="${tenant}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it.each(CASES.map((c, i) => [c.name, c, `case-${i}`] as const))('%s', async (_name, c, tenant) => {
    if (c.before) expect((await push(tenant, c.before)).statusCode).toBe(200);
    const good = s([['__name__', 'still_stored'], ['case', tenant]]);
    const r = await push(tenant, [c.bad, good]);
    expect(r.statusCode).toBe(c.status);
    expect(r.body).toMatch(c.message);
    expect(await discarded(tenant, c.reason)).toBe(1);
    expect(await stored(tenant, 'still_stored')).toBe(1);
  });

  it('per-user series limit: 400, reason counted, the series within the limit stored', async () => {
    const r = await push('few-series', [s([['__name__', 'a']]), s([['__name__', 'b']]), s([['__name__', 'c']])]);
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/per-user series limit of 2 exceeded/);
    expect(await discarded('few-series', 'per_user_series_limit')).toBe(1);
    expect(await stored('few-series', '{__name__=~"a|b"}')).toBe(2);
  });

  it('rate limit: 429 naming the limit and its flag; the runtime override changes without a restart', async () => {
    const first = Array.from({ length: 12 }, (_, i) => s([['__name__', `burst_${i}`]]));
    const second = Array.from({ length: 12 }, (_, i) => s([['__name__', `burst2_${i}`]]));
    expect((await push('limited', first)).statusCode).toBe(200);
    const r = await push('limited', second);
    expect(r.statusCode).toBe(429);
    expect(r.body).toMatch(/ingestion rate limit \(1\) exceeded while adding 12 samples/);
    expect(r.body).toMatch(/-distributor\.ingestion-rate-limit/);
    expect(await discarded('limited', 'rate_limited')).toBe(12);
    expect(await stored('limited', '{__name__=~"burst2_.*"}')).toBe(0);

    // A request larger than the burst is told it can never pass.
    const huge = await push('limited', Array.from({ length: 20 }, (_, i) => s([['__name__', `huge_${i}`]])));
    expect(huge.statusCode).toBe(429);
    expect(huge.body).toMatch(/can never be accepted/);

    writeFileSync(rcFile, 'overrides:\n  limited:\n    ingestion_rate: 1000\n    ingestion_burst_size: 1000\n');
    await expect
      .poll(async () => (await t.app.server.inject({ url: '/runtime_config' })).body, { timeout: 5000, interval: 50 })
      .toMatch(/ingestion_rate: 1000/);
    // The bucket refills at the new rate from the moment the change is seen.
    await expect.poll(async () => (await push('limited', second)).statusCode, { timeout: 5000, interval: 50 }).toBe(200);
    expect(await stored('limited', '{__name__=~"burst2_.*"}')).toBe(12);
  });
});
