/** Functions against hand-computed answers: rate extrapolation, histogram_quantile, labels, dates. */

import { describe, expect, it } from 'vitest';
import { labelsToString } from '../tsdb/labels.js';
import { Engine, EngineError } from './engine.js';
import { expandTemplate, formatFloatF, parseGoFloat } from './functions-impl.js';
import { bucketQuantile, quantile } from './quantile.js';
import { MemoryQueryable } from './testing.js';

const S = 1000;

const store = (): MemoryQueryable =>
  new MemoryQueryable()
    // 1 per second, sampled every 15s
    .add({ __name__: 'ctr', k: 'steady' }, [0, 15, 30, 45, 60].map((t) => [t * S, t]))
    // a reset between 30s and 45s
    .add({ __name__: 'ctr', k: 'reset' }, [[0, 0], [15 * S, 10], [30 * S, 20], [45 * S, 5], [60 * S, 15]])
    .add({ __name__: 'lin' }, [0, 10, 20, 30].map((t) => [t * S, 2 * t]))
    .add({ __name__: 'lin2' }, [0, 10, 20, 30].map((t) => [t * S, 3 * t]))
    .add({ __name__: 'h_bucket', le: '1' }, [[0, 10]])
    .add({ __name__: 'h_bucket', le: '2' }, [[0, 20]])
    .add({ __name__: 'h_bucket', le: '+Inf' }, [[0, 20]])
    .add({ __name__: 'bad_bucket', le: '1' }, [[0, 10]])
    .add({ __name__: 'bad_bucket', le: '2' }, [[0, 8]])
    .add({ __name__: 'bad_bucket', le: '+Inf' }, [[0, 20]])
    .add({ __name__: 'g', host: 'web-1', dc: 'eu' }, [[0, 2.5]])
    .add({ __name__: 'g', host: 'db-2', dc: 'us' }, [[0, -1]])
    .add({ __name__: 'g', host: 'x', dc: 'us' }, [[0, NaN]]);

async function q(query: string, t: number, sorted = true): Promise<string[]> {
  const r = await new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1e6, timeoutMs: 10_000 }).instantQuery(store(), query, t);
  const v = r.value;
  if (v.type === 'scalar') return [`scalar ${v.v}`];
  if (v.type !== 'vector') throw new Error(v.type);
  const out = v.samples.map((s) => `${labelsToString(s.labels)} ${s.v}`);
  return sorted ? out.sort() : out;
}

describe('counter and gauge functions over ranges', () => {
  it('refuse outputs that become one label set once the metric name is dropped', async () => {
    for (const query of ['rate({__name__=~"lin.*"}[1m])', 'rate({__name__=~"lin.*"}[1m:10s])', 'sum(rate({__name__=~"lin.*"}[1m]))']) {
      const e = await q(query, 30 * S).catch((x: unknown) => x);
      expect((e as EngineError).message, query).toBe('vector cannot contain metrics with the same labelset');
    }
    expect(await q('rate({__name__="lin"}[1m])', 30 * S)).toEqual(['{} 1']);
    expect(await q('last_over_time({__name__=~"lin.*"}[1m])', 30 * S)).toEqual(['{__name__="lin"} 60', '{__name__="lin2"} 90']);
  });

  it('rate, increase and irate extrapolate like Prometheus', async () => {
    expect(await q('rate(ctr{k="steady"}[1m])', 60 * S)).toEqual(['{k="steady"} 1']);
    expect(await q('increase(ctr{k="reset"}[1m])', 60 * S)).toEqual(['{k="reset"} 35']);
    // window [10s, 70s]: 4 samples over 45s, extrapolated 5s and 10s to the ends
    expect(await q('increase(ctr{k="steady"}[1m])', 70 * S)).toEqual(['{k="steady"} 60']);
    expect(await q('irate(ctr{k="reset"}[1m])', 60 * S)).toEqual(['{k="reset"} 0.6666666666666666']);
    expect(await q('idelta(ctr{k="reset"}[1m])', 60 * S)).toEqual(['{k="reset"} 10']);
    expect(await q('resets(ctr[1m])', 60 * S)).toEqual(['{k="reset"} 1', '{k="steady"} 0']);
    expect(await q('changes(ctr{k="steady"}[1m])', 60 * S)).toEqual(['{k="steady"} 4']);
    expect(await q('rate(ctr{k="steady"}[10s])', 60 * S)).toEqual([]);
  });

  it('deriv, predict_linear and delta', async () => {
    expect(await q('deriv(lin[1m])', 30 * S)).toEqual(['{} 2']);
    expect(await q('predict_linear(lin[1m], 10)', 30 * S)).toEqual(['{} 80']);
    expect(await q('delta(lin[30s])', 30 * S)).toEqual(['{} 60']);
  });

  it('the *_over_time family keeps the name only for last_over_time', async () => {
    expect(await q('avg_over_time(lin[1m])', 30 * S)).toEqual(['{} 30']);
    expect(await q('sum_over_time(lin[1m])', 30 * S)).toEqual(['{} 120']);
    expect(await q('count_over_time(lin[1m])', 30 * S)).toEqual(['{} 4']);
    expect(await q('min_over_time(lin[1m])', 30 * S)).toEqual(['{} 0']);
    expect(await q('max_over_time(lin[1m])', 30 * S)).toEqual(['{} 60']);
    expect(await q('last_over_time(lin[1m])', 30 * S)).toEqual(['{__name__="lin"} 60']);
    expect(await q('quantile_over_time(0.5, lin[1m])', 30 * S)).toEqual(['{} 30']);
    expect(await q('stdvar_over_time(lin[1m])', 30 * S)).toEqual(['{} 500']);
    expect(await q('present_over_time(lin[1m])', 30 * S)).toEqual(['{} 1']);
    expect(await q('absent_over_time(lin[1m])', 30 * S)).toEqual([]);
    expect(await q('absent_over_time(nope{a="b", c!="d"}[1m])', 30 * S)).toEqual(['{a="b"} 1']);
  });

  it('holt_winters smooths and checks its factors', async () => {
    expect(await q('holt_winters(lin[1m], 0.5, 0.5)', 30 * S)).toEqual(['{} 60']);
    const e = await q('holt_winters(lin[1m], 1, 0.5)', 30 * S).catch((x: unknown) => x);
    expect((e as EngineError).message).toBe('invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000');
  });
});

describe('instant functions', () => {
  it('math drops the metric name', async () => {
    expect(await q('abs(g{dc="us"})', 0)).toEqual(['{dc="us", host="db-2"} 1', '{dc="us", host="x"} NaN']);
    expect(await q('round(g{host="web-1"})', 0)).toEqual(['{dc="eu", host="web-1"} 3']);
    expect(await q('round(g{host="web-1"}, 2)', 0)).toEqual(['{dc="eu", host="web-1"} 2']);
    expect(await q('sgn(g)', 0)).toEqual(['{dc="eu", host="web-1"} 1', '{dc="us", host="db-2"} -1', '{dc="us", host="x"} NaN']);
    expect(await q('clamp(g, 0, 1)', 0)).toEqual(['{dc="eu", host="web-1"} 1', '{dc="us", host="db-2"} 0', '{dc="us", host="x"} NaN']);
    expect(await q('clamp(g, 1, 0)', 0)).toEqual([]);
  });

  it('sort and sort_desc put NaN last', async () => {
    expect(await q('sort(g)', 0, false)).toEqual(['{__name__="g", dc="us", host="db-2"} -1', '{__name__="g", dc="eu", host="web-1"} 2.5', '{__name__="g", dc="us", host="x"} NaN']);
    expect(await q('sort_desc(g)', 0, false)).toEqual(['{__name__="g", dc="eu", host="web-1"} 2.5', '{__name__="g", dc="us", host="db-2"} -1', '{__name__="g", dc="us", host="x"} NaN']);
  });

  it('label_replace and label_join', async () => {
    expect(await q('label_replace(g{dc="eu"}, "role", "$1", "host", "(.*)-\\\\d+")', 0)).toEqual(['{__name__="g", dc="eu", host="web-1", role="web"} 2.5']);
    expect(await q('label_replace(g{dc="eu"}, "role", "${1}x", "host", "(?P<r>w)eb.*")', 0)).toEqual(['{__name__="g", dc="eu", host="web-1", role="wx"} 2.5']);
    expect(await q('label_replace(g{dc="eu"}, "role", "$1", "host", "eb")', 0)).toEqual(['{__name__="g", dc="eu", host="web-1"} 2.5']);
    expect(await q('label_join(g{dc="eu"}, "id", "/", "dc", "host")', 0)).toEqual(['{__name__="g", dc="eu", host="web-1", id="eu/web-1"} 2.5']);
    const e = await q('label_replace(g, "host", "x", "", "")', 0).catch((x: unknown) => x);
    expect((e as EngineError).message).toBe('vector cannot contain metrics with the same labelset');
  });

  it('histogram_quantile interpolates within buckets and fixes non-monotonic ones', async () => {
    expect(await q('histogram_quantile(0.5, h_bucket)', 0)).toEqual(['{} 1']);
    expect(await q('histogram_quantile(0.75, h_bucket)', 0)).toEqual(['{} 1.5']);
    expect(await q('histogram_quantile(0.9, bad_bucket)', 0)).toEqual(['{} 2']);
    expect(await q('histogram_quantile(2, h_bucket)', 0)).toEqual(['{} Infinity']);
    expect(await q('histogram_quantile(0.5, h_bucket{le!="+Inf"})', 0)).toEqual(['{} NaN']);
  });

  it('date functions read UTC', async () => {
    const t = Date.UTC(2024, 1, 29, 5, 7) / 1000; // a Thursday, leap day
    expect(await q(`hour(vector(${t}))`, 0)).toEqual(['{} 5']);
    expect(await q(`minute(vector(${t}))`, 0)).toEqual(['{} 7']);
    expect(await q(`day_of_week(vector(${t}))`, 0)).toEqual(['{} 4']);
    expect(await q(`day_of_month(vector(${t}))`, 0)).toEqual(['{} 29']);
    expect(await q(`day_of_year(vector(${t}))`, 0)).toEqual(['{} 60']);
    expect(await q(`days_in_month(vector(${t}))`, 0)).toEqual(['{} 29']);
    expect(await q(`month(vector(${t}))`, 0)).toEqual(['{} 2']);
    expect(await q(`year(vector(${t}))`, 0)).toEqual(['{} 2024']);
    expect(await q('year()', 0)).toEqual(['{} 1970']);
  });

  it('absent, scalar, vector, time and timestamp', async () => {
    expect(await q('absent(nope{a="b", a="c", d=~"e"})', 0)).toEqual(['{} 1']);
    expect(await q('absent(nope{a="b"})', 0)).toEqual(['{a="b"} 1']);
    expect(await q('absent(g)', 0)).toEqual([]);
    expect(await q('scalar(g)', 0)).toEqual(['scalar NaN']);
    expect(await q('scalar(lin)', 30 * S)).toEqual(['scalar 60']);
    expect(await q('vector(time())', 12 * S)).toEqual(['{} 12']);
    expect(await q('timestamp(lin)', 35 * S)).toEqual(['{} 30']);
    expect(await q('timestamp(lin * 1)', 35 * S)).toEqual(['{} 35']);
  });
});

describe('helpers', () => {
  it('expands templates like Go', () => {
    const m = /^(?:(a)(?<n>b)(c)?)$/u.exec('ab')!;
    expect(expandTemplate('$1-${n}-$3-$$-$x-${1}z-$', m)).toBe('a-b--$--az-$');
  });

  it('formats and parses floats like Go', () => {
    expect(formatFloatF(1e21)).toBe('1000000000000000000000');
    expect(formatFloatF(1.5e-7)).toBe('0.00000015');
    expect(formatFloatF(-Infinity)).toBe('-Inf');
    expect(parseGoFloat('+Inf')).toBe(Infinity);
    expect(parseGoFloat('1e3')).toBe(1000);
    expect(parseGoFloat('')).toBeNull();
    expect(parseGoFloat('abc')).toBeNull();
  });

  it('quantile and bucketQuantile edge cases', () => {
    expect(quantile(0.5, [])).toBeNaN();
    expect(quantile(0, [NaN, 1])).toBeNaN();
    expect(bucketQuantile(0.5, [{ upperBound: Infinity, count: 5 }])).toBeNaN();
    expect(bucketQuantile(0.5, [{ upperBound: 1, count: 0 }, { upperBound: Infinity, count: 0 }])).toBeNaN();
    expect(bucketQuantile(0.1, [{ upperBound: -1, count: 5 }, { upperBound: Infinity, count: 10 }])).toBe(-1);
  });
});
