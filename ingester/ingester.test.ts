import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type Limits, StaticOverrides, limitsBlock } from '../util/limits.js';
import { buildBlock } from '../util/options.js';
import { labelsToRecord } from '../tsdb/labels.js';
import { Matcher } from '../tsdb/matchers.js';
import { Ingester } from './ingester.js';
import { TenantHead } from './head.js';
import { type TestSeries, batchOf } from './testing.js';
import type { IngesterPushResult } from './client.js';

function limits(over: Record<string, unknown> = {}): Limits {
  return buildBlock('limits', limitsBlock, over);
}

function ingester(over: Record<string, unknown> = {}): Ingester {
  return new Ingester({ overrides: new StaticOverrides(limits(over)), registry: new Registry() });
}

async function push(ing: Ingester, series: TestSeries[], tenant = 't', metadata = []): Promise<IngesterPushResult> {
  const { batch, all } = batchOf(series);
  return ing.push(tenant, { batch, series: all, seriesCount: all.length, metadata });
}

async function samples(ing: Ingester, tenant: string, ...ms: Matcher[]): Promise<Record<string, [number, number][]>> {
  const set = await ing.select(tenant, -Infinity, Infinity, ms);
  const out: Record<string, [number, number][]> = {};
  while (set.next()) {
    const s = set.at();
    const it = s.iterator();
    const xs: [number, number][] = [];
    while (it.next()) xs.push([it.atT(), it.atV()]);
    out[JSON.stringify(labelsToRecord(s.labels))] = xs;
  }
  return out;
}

const up = (job: string): Record<string, string> => ({ __name__: 'up', job });

describe('ingester append rules', () => {
  it('stores in-order samples and accepts an identical resend once', async () => {
    const ing = ingester();
    expect((await push(ing, [{ labels: up('a'), samples: [[1000, 1], [2000, 2]] }])).firstError).toBeNull();
    const again = await push(ing, [{ labels: up('a'), samples: [[2000, 2]] }]);
    expect(again.firstError).toBeNull();
    expect(await samples(ing, 't', new Matcher('=', 'job', 'a'))).toEqual({ '{"__name__":"up","job":"a"}': [[1000, 1], [2000, 2]] });
  });

  it.each([
    ['out of order', [[500, 1]], 'sample-out-of-order', /^user=t: err: out of order sample\. timestamp=1970-01-01T00:00:00\.5Z, series=\{__name__="up", job="a"\}$/],
    ['new value for a timestamp', [[2000, 3]], 'new-value-for-timestamp', /^user=t: err: duplicate sample for timestamp 2000; overrides not allowed: existing 2, new value 3\. series=\{__name__="up", job="a"\}$/],
  ] as const)('refuses %s with 400, keeping the rest of the push', async (_n, bad, reason, msg) => {
    const ing = ingester();
    await push(ing, [{ labels: up('a'), samples: [[1000, 1], [2000, 2]] }]);
    const r = await push(ing, [
      { labels: up('a'), samples: [...bad, [3000, 4]] as [number, number][] },
      { labels: up('b'), samples: [[1000, 9]] },
    ]);
    expect(r.firstError).toEqual({ status: 400, reason, message: expect.stringMatching(msg) });
    expect(r.samplesDiscarded).toBe(1);
    expect(r.samplesAppended).toBe(2);
    const got = await samples(ing, 't', new Matcher('=', '__name__', 'up'));
    expect(got['{"__name__":"up","job":"a"}']).toEqual([[1000, 1], [2000, 2], [3000, 4]]);
    expect(got['{"__name__":"up","job":"b"}']).toEqual([[1000, 9]]);
  });

  it('enforces max_series_per_user and max_series_per_metric, storing the others', async () => {
    const perUser = ingester({ max_series_per_user: 2 });
    const r = await push(perUser, [{ labels: up('a'), samples: [[1, 1]] }, { labels: up('b'), samples: [[1, 1]] }, { labels: up('c'), samples: [[1, 1]] }]);
    expect(r.firstError?.reason).toBe('per_user_series_limit');
    expect(r.firstError?.message).toMatch(/per-user series limit of 2 exceeded/);
    expect(Object.keys(await samples(perUser, 't', new Matcher('=', '__name__', 'up')))).toHaveLength(2);

    const perMetric = ingester({ max_series_per_metric: 1 });
    const r2 = await push(perMetric, [{ labels: up('a'), samples: [[1, 1]] }, { labels: up('b'), samples: [[1, 1]] }, { labels: { __name__: 'other' }, samples: [[1, 1]] }]);
    expect(r2.firstError?.message).toMatch(/^user=t: per-metric series limit of 1 exceeded for metric up, .* for series \{__name__="up", job="b"\}$/);
    expect(Object.keys(await samples(perMetric, 't', new Matcher('=~', '__name__', '.+')))).toHaveLength(2);
  });

  it('decodes non-ASCII label text exactly', async () => {
    const ing = ingester();
    await push(ing, [{ labels: { __name__: 'temp', room: 'Küche 😀' }, samples: [[1, 1]] }]);
    expect(await ing.labelValues('t', 'room', -Infinity, Infinity, [])).toEqual(['Küche 😀']);
  });

  it('keeps tenants apart', async () => {
    const ing = ingester();
    await push(ing, [{ labels: up('a'), samples: [[1, 1]] }], 'x');
    expect(await ing.series('y', -Infinity, Infinity, [[new Matcher('=', '__name__', 'up')]])).toEqual([]);
    expect(await ing.series('x', -Infinity, Infinity, [[new Matcher('=', '__name__', 'up')]])).toHaveLength(1);
  });

  it('keeps the stale marker bits through chunks and select', async () => {
    const ing = ingester();
    await push(ing, [{ labels: up('a'), samples: [[1, 1], [2, { hi: 0x7ff00000, lo: 2 }]] }]);
    const set = await ing.select('t', 0, 10, [new Matcher('=', 'job', 'a')]);
    expect(set.next()).toBe(true);
    const it = set.at().iterator() as unknown as { next(): boolean; atHi(): number; atLo(): number };
    it.next();
    it.next();
    expect([it.atHi(), it.atLo()]).toEqual([0x7ff00000, 2]);
  });

  it('cuts chunks at 120 samples and at 2h boundaries, reading across them', async () => {
    const ing = ingester();
    const xs: [number, number][] = Array.from({ length: 300 }, (_, i) => [i * 15_000, i]);
    await push(ing, [{ labels: up('a'), samples: xs }]);
    expect(Object.values(await samples(ing, 't', new Matcher('=', 'job', 'a')))[0]).toEqual(xs);
    const head = (ing as unknown as { dbs: Map<string, { head: TenantHead }> }).dbs.get('t')!.head;
    const s = head.matching(-Infinity, Infinity, [new Matcher('=', 'job', 'a')])[0]!;
    expect(s.closed.map((c) => c.bytes[1])).toEqual([120, 120]);
    expect(s.head?.numSamples()).toBe(60);
    // A 2h boundary cuts a chunk early.
    const ing2 = ingester();
    await push(ing2, [{ labels: up('b'), samples: [[7_199_000, 1], [7_200_000, 2]] }]);
    const s2 = (ing2 as unknown as { dbs: Map<string, { head: TenantHead }> }).dbs.get('t')!.head.matching(-Infinity, Infinity, [new Matcher('=', 'job', 'b')])[0]!;
    expect(s2.closed).toHaveLength(1);
  });

  it('survives a forced hash collision', async () => {
    const ing = ingester();
    await push(ing, [{ labels: up('warmup'), samples: [[1, 1]] }]);
    const head = (ing as unknown as { dbs: Map<string, { head: TenantHead }> }).dbs.get('t')!.head;
    head.hash = () => 42;
    await push(ing, [{ labels: up('a'), samples: [[1, 1]] }, { labels: up('b'), samples: [[1, 2]] }]);
    await push(ing, [{ labels: up('a'), samples: [[2, 3]] }, { labels: up('b'), samples: [[2, 4]] }]);
    const got = await samples(ing, 't', new Matcher('=~', 'job', 'a|b'));
    expect(got).toEqual({ '{"__name__":"up","job":"a"}': [[1, 1], [2, 3]], '{"__name__":"up","job":"b"}': [[1, 2], [2, 4]] });
  });
});

describe('ingester reads', () => {
  async function fixture(): Promise<Ingester> {
    const ing = ingester();
    await push(ing, [
      { labels: { __name__: 'http', code: '200', path: '/a' }, samples: [[1000, 1]] },
      { labels: { __name__: 'http', code: '500', path: '/a' }, samples: [[2000, 1]] },
      { labels: { __name__: 'http', code: '200' }, samples: [[3000, 1]] },
      { labels: { __name__: 'cpu', mode: 'idle' }, samples: [[5000, 1]] },
    ]);
    return ing;
  }
  const names = async (ing: Ingester, ms: Matcher[], mint = -Infinity, maxt = Infinity) =>
    (await ing.series('t', mint, maxt, [ms])).map((l) => JSON.stringify(labelsToRecord(l)));

  it.each([
    [[new Matcher('=', '__name__', 'http')], 3],
    [[new Matcher('=', '__name__', 'http'), new Matcher('!=', 'code', '200')], 1],
    [[new Matcher('=~', 'code', '2..')], 2],
    [[new Matcher('!~', 'code', '5..'), new Matcher('=', '__name__', 'http')], 2],
    // Matchers that match "" select series without the label too.
    [[new Matcher('=', '__name__', 'http'), new Matcher('=', 'path', '')], 1],
    [[new Matcher('=', '__name__', 'http'), new Matcher('=~', 'path', '|/a')], 3],
    [[new Matcher('=~', '__name__', '.+')], 4],
    [[new Matcher('=', '__name__', 'nope')], 0],
  ])('selects by postings: %s', async (ms, n) => {
    expect(await names(await fixture(), ms)).toHaveLength(n);
  });

  it('filters by time and sorts label sets', async () => {
    const ing = await fixture();
    expect(await names(ing, [new Matcher('=~', '__name__', '.+')], 1500, 3500)).toEqual([
      '{"__name__":"http","code":"200"}',
      '{"__name__":"http","code":"500","path":"/a"}',
    ]);
  });

  it('lists label names and values, optionally by matcher and time', async () => {
    const ing = await fixture();
    expect(await ing.labelNames('t', -Infinity, Infinity, [])).toEqual(['__name__', 'code', 'mode', 'path']);
    expect(await ing.labelNames('t', -Infinity, Infinity, [new Matcher('=', '__name__', 'cpu')])).toEqual(['__name__', 'mode']);
    expect(await ing.labelValues('t', 'code', -Infinity, Infinity, [])).toEqual(['200', '500']);
    expect(await ing.labelValues('t', 'code', 1500, 2500, [])).toEqual(['500']);
    expect(await ing.labelValues('t', '__name__', -Infinity, Infinity, [new Matcher('=', 'code', '500')])).toEqual(['http']);
  });

  it('keeps metadata per family within the limits', async () => {
    const ing = ingester({ max_metadata_per_metric: 1, max_metadata_per_user: 1 });
    const { batch } = batchOf([]);
    const md = (name: string, help: string) => ({ type: 1 as const, metricFamilyName: name, help, unit: '' });
    await ing.push('t', { batch, series: new Uint32Array(0), seriesCount: 0, metadata: [md('a', 'one'), md('a', 'two'), md('b', 'x')] });
    expect(await ing.metadata('t', null)).toEqual([md('a', 'one')]);
  });
});
