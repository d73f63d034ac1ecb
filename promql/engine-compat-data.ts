/**
 * The data and queries of the differential test (engine-compat.test.ts): a few dozen series
 * (counters with resets, gauges, NaN and infinite values, a classic histogram with `le` buckets,
 * gaps longer than the lookback, a late series), written as OpenMetrics for promtool, and the
 * PromQL queries compared against a real Prometheus 2.42.
 */

import { labelsFromRecord, type Labels } from '../tsdb/labels.js';

/** A 2h-aligned start (seconds). */
export const T0 = 1_700_000_000 - (1_700_000_000 % 7200);
export const DATA_END = T0 + 3 * 3600;

export interface GenSeries {
  readonly labels: Labels;
  readonly samples: [t: number, v: number][];
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sample times (seconds) every ~15s with whole-second jitter, inside [from, to). */
function times(r: () => number, from: number, to: number, every = 15): number[] {
  const out: number[] = [];
  for (let t = from + Math.floor(r() * 10); t < to; t += every + Math.floor(r() * 7) - 3) out.push(t);
  return out;
}

export function generate(): GenSeries[] {
  const r = rng(42);
  const out: GenSeries[] = [];
  const add = (labels: Record<string, string>, samples: [number, number][]): void => {
    out.push({ labels: labelsFromRecord(labels), samples: samples.map(([t, v]) => [t * 1000, v]) });
  };
  for (const job of ['api', 'web']) {
    for (const instance of job === 'api' ? ['i0', 'i1', 'i2'] : ['i0']) {
      for (const method of job === 'api' ? ['get', 'post'] : ['get']) {
        let v = Math.floor(r() * 100);
        add({ __name__: 'http_requests_total', job, instance, method }, times(r, T0, DATA_END).map((t) => {
          if (r() < 0.01) v = Math.floor(r() * 5);
          else v += Math.floor(r() * 10);
          return [t, v];
        }));
      }
    }
  }
  for (let h = 0; h < 4; h++) {
    let v = h === 3 ? -5 : 50 + h;
    add({ __name__: 'cpu_temp', host: `h${h}`, dc: h < 2 ? 'a' : 'b' }, times(r, T0, DATA_END, 20).map((t) => {
      v += Math.round((r() - 0.5) * 400) / 100;
      return [t, v];
    }));
  }
  for (let h = 0; h < 3; h++) {
    add({ __name__: 'gauge_nan', host: `h${h}` }, times(r, T0, DATA_END, 30).map((t) => [t, r() < 0.1 ? NaN : Math.round(r() * 1000) / 10]));
  }
  add({ __name__: 'inf_gauge', host: 'h0' }, times(r, T0, DATA_END, 30).map((t) => [t, r() < 0.1 ? Infinity : r() < 0.1 ? -Infinity : Math.round(r() * 100)]));
  for (let s = 0; s < 3; s++) {
    // Present for 20 minutes, then absent for 12 (longer than the lookback delta).
    add({ __name__: 'sparse_gauge', id: `s${s}` }, times(r, T0, DATA_END, 30).filter((t) => (t - T0 + s * 300) % 1920 < 1200).map((t) => [t, Math.round(r() * 50)]));
  }
  add({ __name__: 'late_series', id: 'x' }, times(r, T0 + 5400, T0 + 7200).map((t, i) => [t, i * 2]));
  add({ __name__: 'const_gauge', k: 'c' }, times(r, T0, DATA_END).map((t) => [t, 3]));
  for (const instance of ['i0', 'i1', 'i2']) add({ __name__: 'instance_info', instance, zone: instance === 'i2' ? 'z1' : 'z0' }, times(r, T0, DATA_END, 60).map((t) => [t, 1]));
  const les = ['0.05', '0.1', '0.5', '1', '5', '+Inf'];
  for (const instance of ['i0', 'i1', 'bad']) {
    const ts = times(r, T0, DATA_END);
    const counts = les.map(() => 0);
    const rows: [number, number[]][] = [];
    let sum = 0;
    for (const t of ts) {
      const n = Math.floor(r() * 20);
      for (let k = 0; k < n; k++) {
        const x = r() * r() * 6;
        sum += x;
        les.forEach((le, i) => {
          if (x <= Number(le === '+Inf' ? Infinity : le)) counts[i]!++;
        });
      }
      // The "bad" histogram is not monotonic in le (buckets scraped at different times).
      rows.push([t, counts.map((c, i) => (instance === 'bad' && i === 2 ? Math.max(0, c - 7) : c))]);
    }
    les.forEach((le, i) => add({ __name__: 'req_duration_seconds_bucket', job: 'api', instance, le }, rows.map(([t, c]) => [t, c[i]!])));
    add({ __name__: 'req_duration_seconds_count', job: 'api', instance }, rows.map(([t, c]) => [t, c[c.length - 1]!]));
    add({ __name__: 'req_duration_seconds_sum', job: 'api', instance }, rows.map(([t]) => [t, sum]));
  }
  return out;
}

function omValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function toOpenMetrics(series: readonly GenSeries[]): string {
  let s = '';
  for (const ser of series) {
    const name = ser.labels.find((l) => l.name === '__name__')!.value;
    const rest = ser.labels.filter((l) => l.name !== '__name__').map((l) => `${l.name}="${l.value}"`).join(',');
    for (const [t, v] of ser.samples) s += `${name}{${rest}} ${omValue(v)} ${t / 1000}\n`;
  }
  return s + '# EOF\n';
}

/**
 * Queries of an instant vector or scalar (evaluated as instant and range queries). topk and
 * bottomk avoid ties between series: in a range query Prometheus feeds them the series of a
 * binary operation in Go map order, so which of two equal values wins is not defined.
 */
export const VECTOR_QUERIES: readonly string[] = (() => {
  const q: string[] = [
    // selectors, offsets, @, literals
    'cpu_temp', 'cpu_temp{host="h1"}', 'http_requests_total{method=~"g.*"}', 'http_requests_total{job!="api"}', 'gauge_nan', 'inf_gauge',
    'sparse_gauge', 'late_series', 'nonexistent_metric', '{__name__=~"cpu_temp|const_gauge"}', 'cpu_temp offset 5m', 'cpu_temp offset -7m',
    `cpu_temp @ ${T0 + 4000}`, 'cpu_temp @ start()', 'cpu_temp @ end()', `sparse_gauge @ ${T0 + 3000} offset 1m`, '1', '-2.5', '-cpu_temp', '(cpu_temp)',
    '+cpu_temp', '-(1)', '2 ^ 3 ^ 2', '1 / 0', '-1 / 0', '0 / 0', '10 % 3', '-7 % 3', '1 == bool 1', '2 > bool 3', '1 atan2 2',
    // binary operators
    'cpu_temp + 1', '1 - cpu_temp', 'cpu_temp * 2', 'cpu_temp / 3', 'cpu_temp % 7', 'cpu_temp ^ 2', '2 ^ cpu_temp / 1e10', 'cpu_temp atan2 10',
    '10 atan2 cpu_temp', 'cpu_temp > 50', '50 < cpu_temp', 'cpu_temp == 50', 'cpu_temp != 3', 'cpu_temp >= bool 50', 'cpu_temp <= bool 50',
    '52 >= bool cpu_temp', 'gauge_nan > 20', 'gauge_nan == bool gauge_nan', 'inf_gauge * 0', 'inf_gauge - inf_gauge', '(-1) ^ inf_gauge',
    'http_requests_total - http_requests_total offset 5m', 'http_requests_total / ignoring(method) group_left sum without(method) (http_requests_total)',
    'http_requests_total * on(instance) group_left(zone) instance_info', 'instance_info * on(instance) group_right(zone) http_requests_total',
    'http_requests_total * on(instance) group_left instance_info', 'http_requests_total > on(instance, method, job) http_requests_total offset 1m',
    'http_requests_total > bool on(instance, method, job) http_requests_total offset 1m', 'cpu_temp + on(host) gauge_nan',
    'cpu_temp - ignoring(dc) gauge_nan', 'http_requests_total + on(job) http_requests_total', 'http_requests_total + ignoring(method) http_requests_total',
    'sum by (instance) (http_requests_total) * on(instance) group_left instance_info', 'instance_info + on(zone) group_left instance_info',
    'http_requests_total and http_requests_total{method="get"}', 'http_requests_total and on(instance) instance_info{zone="z0"}',
    'http_requests_total or cpu_temp', 'cpu_temp or on(dc) cpu_temp{dc="a"} offset 1h', 'sparse_gauge or late_series',
    'http_requests_total unless http_requests_total{instance="i1"}', 'http_requests_total unless on(instance) instance_info{zone="z1"}',
    'cpu_temp{host="h0"} + cpu_temp{host="h1"}', 'cpu_temp{host="h0"} + ignoring(host) cpu_temp{host="h1"}', 'vector(1) + vector(2)',
    'time() + 1', 'cpu_temp / scalar(const_gauge)',
    // aggregations
    'sum(http_requests_total)', 'sum by (job) (http_requests_total)', 'sum without (instance) (http_requests_total)', 'avg(cpu_temp)',
    'avg by (dc) (cpu_temp)', 'count(cpu_temp)', 'count without (host) (cpu_temp)', 'min(cpu_temp)', 'max by (dc) (cpu_temp)', 'min(gauge_nan)',
    'max(gauge_nan)', 'sum(gauge_nan)', 'avg(inf_gauge)', 'group by (job) (http_requests_total)', 'stddev(cpu_temp)', 'stdvar by (dc) (cpu_temp)',
    'stddev(gauge_nan)', 'topk(2, cpu_temp)', 'bottomk(2, cpu_temp)', 'topk by (dc) (1, cpu_temp)', 'bottomk without (host) (1, cpu_temp)',
    'topk(3, gauge_nan)', 'bottomk(3, gauge_nan)', 'topk(0, cpu_temp)', 'topk(100, cpu_temp)', 'quantile(0.5, cpu_temp)', 'quantile(0.9, gauge_nan)',
    'quantile by (dc) (0.25, cpu_temp)', 'quantile(1.5, cpu_temp)', 'quantile(-1, cpu_temp)', 'count_values("v", round(cpu_temp))',
    'count_values by (dc) ("v", round(cpu_temp / 10))', 'count_values without (host) ("value", const_gauge)', 'sum(nonexistent_metric)',
    'sum by (le) (req_duration_seconds_bucket)', 'avg without (method, instance) (http_requests_total)', 'count(sparse_gauge)',
    'topk(scalar(const_gauge) - 1, http_requests_total)',
    // range functions
    'rate(http_requests_total[5m])', 'rate(http_requests_total[1m])', 'rate(http_requests_total[10m] offset 3m)', 'irate(http_requests_total[5m])',
    'increase(http_requests_total[15m])', 'delta(cpu_temp[10m])', 'idelta(cpu_temp[5m])', 'resets(http_requests_total[30m])', 'changes(cpu_temp[10m])',
    'changes(const_gauge[10m])', 'changes(gauge_nan[10m])', 'deriv(cpu_temp[10m])', 'deriv(const_gauge[5m])', 'predict_linear(cpu_temp[10m], 600)',
    'predict_linear(http_requests_total[5m], 3600)', 'holt_winters(cpu_temp[10m], 0.5, 0.5)', 'holt_winters(gauge_nan[5m], 0.3, 0.7)',
    'avg_over_time(cpu_temp[10m])', 'min_over_time(gauge_nan[10m])', 'max_over_time(gauge_nan[10m])', 'sum_over_time(cpu_temp[5m])',
    'count_over_time(sparse_gauge[10m])', 'last_over_time(sparse_gauge[10m])', 'present_over_time(sparse_gauge[3m])', 'quantile_over_time(0.5, cpu_temp[10m])',
    'quantile_over_time(0.99, gauge_nan[15m])', 'stddev_over_time(cpu_temp[10m])', 'stdvar_over_time(gauge_nan[10m])', 'avg_over_time(inf_gauge[10m])',
    'sum_over_time(inf_gauge[5m])', 'absent_over_time(sparse_gauge{id="s0"}[2m])', 'absent_over_time(nonexistent_metric{a="b",c=~"d"}[5m])',
    'absent_over_time(late_series[1m])', 'rate(http_requests_total[5m] @ end())', `increase(http_requests_total[10m] @ ${T0 + 5000})`,
    'rate(req_duration_seconds_count[5m])', 'deriv(late_series[5m])', 'count_over_time(cpu_temp[1m] offset -2m)',
    // instant functions
    'abs(cpu_temp)', 'ceil(cpu_temp)', 'floor(cpu_temp)', 'exp(cpu_temp / 10)', 'ln(cpu_temp)', 'log2(cpu_temp)', 'log10(gauge_nan)', 'sqrt(cpu_temp)',
    'round(cpu_temp)', 'round(cpu_temp, 5)', 'round(cpu_temp, 0.1)', 'sgn(cpu_temp)', 'clamp(cpu_temp, 49, 51)', 'clamp(cpu_temp, 51, 49)',
    'clamp_min(cpu_temp, 50)', 'clamp_max(gauge_nan, 40)', 'sin(cpu_temp)', 'cos(cpu_temp)', 'tan(cpu_temp)', 'asin(cpu_temp / 100)', 'acos(cpu_temp / 100)',
    'atan(cpu_temp)', 'sinh(cpu_temp / 50)', 'cosh(cpu_temp / 50)', 'tanh(cpu_temp)', 'asinh(cpu_temp)', 'acosh(cpu_temp)', 'atanh(cpu_temp / 100)',
    'deg(cpu_temp)', 'rad(cpu_temp)', 'pi()', 'time()', 'timestamp(cpu_temp)', 'timestamp(cpu_temp offset 1m)', 'timestamp(-cpu_temp)',
    'timestamp(sparse_gauge)', 'vector(3)', 'vector(time())', 'scalar(cpu_temp)', 'scalar(cpu_temp{host="h0"})', 'sort(cpu_temp)', 'sort_desc(cpu_temp)',
    'sort(gauge_nan)', 'sort_desc(gauge_nan)', 'absent(nonexistent_metric)', 'absent(nonexistent_metric{job="x", a=~"b"})', 'absent(cpu_temp)',
    'absent(sparse_gauge{id="s1"})', 'label_replace(cpu_temp, "dst", "$1-x", "host", "h(.*)")', 'label_replace(cpu_temp, "dst", "${1}y$2", "host", "(h)(.)")',
    'label_replace(cpu_temp, "host", "", "host", "h0")', 'label_replace(cpu_temp, "dst", "nomatch", "host", "zzz")',
    'label_replace(cpu_temp, "dst", "$0$$", "dc", ".*")', 'label_replace(cpu_temp, "__name__", "renamed", "", "")', 'label_replace(cpu_temp, "dc", "x", "", "")',
    'label_join(cpu_temp, "joined", "-", "host", "dc")', 'label_join(cpu_temp, "host", "", "nope")', 'label_join(http_requests_total, "x", ",", "job", "instance", "method")',
    'histogram_quantile(0.9, rate(req_duration_seconds_bucket[5m]))', 'histogram_quantile(0.5, req_duration_seconds_bucket)',
    'histogram_quantile(0.99, sum by (le) (rate(req_duration_seconds_bucket[10m])))', 'histogram_quantile(0, req_duration_seconds_bucket)',
    'histogram_quantile(1, req_duration_seconds_bucket)', 'histogram_quantile(1.5, req_duration_seconds_bucket)', 'histogram_quantile(-0.5, req_duration_seconds_bucket)',
    'histogram_quantile(0.5, req_duration_seconds_bucket{le!="+Inf"})', 'histogram_quantile(0.5, cpu_temp)',
    'day_of_month()', 'day_of_week()', 'day_of_year()', 'days_in_month()', 'hour()', 'minute()', 'month()', 'year()',
    'hour(timestamp(cpu_temp))', 'day_of_week(late_series * 86400)', 'month(const_gauge * 2592000)', 'days_in_month(vector(1709251200))',
    'day_of_year(vector(1735603200))', 'year(timestamp(cpu_temp))', 'minute(vector(time()))',
    // subqueries
    'max_over_time(cpu_temp[10m:1m])', 'sum_over_time(rate(http_requests_total[5m])[20m:])', 'avg_over_time(cpu_temp[10m:37s] offset 3m)',
    'min_over_time(sum by (dc) (cpu_temp)[15m:2m])', 'rate(http_requests_total[5m:30s])', `max_over_time(cpu_temp[10m:1m] @ ${T0 + 6000})`,
    'count_over_time(sparse_gauge[30m:1m])', 'deriv(sum(http_requests_total)[10m:1m])', 'max_over_time(max_over_time(cpu_temp[2m:20s])[10m:1m])',
    'absent_over_time(nonexistent_metric[5m:1m])', 'last_over_time(cpu_temp[5m:1m] offset -2m)',
    // errors
    'holt_winters(cpu_temp[10m], 1, 0.5)', 'holt_winters(cpu_temp[10m], 0.5, 0)', 'label_replace(cpu_temp, "1x", "a", "host", ".*")',
    'label_replace(cpu_temp, "dst", "a", "host", "(")', 'count_values("1x", cpu_temp)', 'abs({__name__=~"cpu_temp|const_gauge"})',
    'rate({__name__=~"http_requests_total|req_duration_seconds_count"}[5m])', 'label_replace(cpu_temp, "host", "x", "host", ".*")',
    'topk(1e100, cpu_temp)', 'quantile_over_time(2, cpu_temp[5m])', 'quantile_over_time(-1, cpu_temp[5m])',
    // more combinations
    'sum(http_requests_total) by (job)', 'sum by (job) (rate(http_requests_total[5m])) / on(job) group_left sum(rate(http_requests_total[5m]))',
    'vector(1) and on() cpu_temp', 'absent(sum(nonexistent_metric))', 'scalar(sum(http_requests_total))', 'label_join(cpu_temp, "dc", "+", "host", "dc")',
    'clamp(gauge_nan, 0, 50)', 'round(gauge_nan)', 'predict_linear(cpu_temp[5m], -600)', 'rate(cpu_temp[5m] @ start())', 'timestamp(cpu_temp @ end())',
    'sort(sum by (dc) (cpu_temp))', 'sort_desc(rate(http_requests_total[5m]))', 'count_values("v", gauge_nan)', 'count_values("v", inf_gauge)',
    'histogram_quantile(scalar(nonexistent_metric), req_duration_seconds_bucket)', 'histogram_quantile(0.75, sum without (instance) (req_duration_seconds_bucket))',
    'max_over_time(rate(http_requests_total[2m])[15m:45s] offset 5m)', 'sum_over_time(cpu_temp[1h:5m] @ start())', 'avg_over_time(cpu_temp[30m:] @ end())',
    'min_over_time(cpu_temp[5m:1m] @ end() offset 10m)', 'sum_over_time(avg_over_time(cpu_temp[3m:1m])[10m:2m] offset -1m)',
    'changes(sparse_gauge[15m])', 'resets(gauge_nan[20m])', 'irate(gauge_nan[2m])', 'idelta(inf_gauge[5m])', 'delta(http_requests_total[2m])',
    'increase(req_duration_seconds_bucket{le="+Inf"}[5m])', 'http_requests_total offset 90m', 'cpu_temp offset 2h', 'late_series offset -30m',
    'cpu_temp @ 1700000000', `sum_over_time(late_series[1h] @ ${T0 + 9000})`, 'time() - timestamp(cpu_temp)', 'sum(cpu_temp) - sum(cpu_temp offset 1m)',
    '(cpu_temp > 50) + 1', '(cpu_temp > bool 50) * cpu_temp', 'cpu_temp > 50 < 53', 'cpu_temp and ignoring(host) cpu_temp{host="h0"}',
    'group_left_fail + 1', 'sum(group(cpu_temp) by (dc))', 'stdvar(inf_gauge)', 'avg(gauge_nan)', 'quantile(0.5, inf_gauge)', 'bottomk(1, inf_gauge)',
    'topk by (instance) (1, http_requests_total)', 'bottomk(2, cpu_temp or late_series)', 'count(count by (dc) (cpu_temp))',
    'label_replace({__name__=~"sparse_gauge|late_series"}, "id", "same", "", "") * 1', 'label_replace(sparse_gauge, "id", "same", "", "")',
    '-label_replace(sparse_gauge, "id", "same", "", "")', 'rate({__name__=~"late_series|const_gauge"}[5m]) * on() group_left vector(1)',
    'changes(label_replace({__name__=~"sparse_gauge|late_series"}, "id", "same", "", "")[5m:1m])',
    `timestamp(cpu_temp @ ${T0 + 4000} offset 5m)`, 'timestamp(cpu_temp @ end() offset 10m)', 'timestamp(sparse_gauge offset -3m)',
    `cpu_temp @ ${T0 + 4000} offset 5m`, `rate(http_requests_total[5m] @ ${T0 + 4000} offset 5m)`, `sum_over_time(cpu_temp[10m:1m] @ ${T0 + 4000} offset 5m)`,
    'exp(cpu_temp)', 'ln(-cpu_temp)', '-(cpu_temp offset 1m)', 'sgn(gauge_nan - 50)', 'abs(inf_gauge)', 'floor(-cpu_temp)',
  ];
  return q.filter((x) => x !== '');
})();

/** Queries of a range vector or string (instant queries only; a range query must refuse them). */
export const MATRIX_QUERIES: readonly string[] = [
  'cpu_temp[2m]', 'gauge_nan[3m]', 'http_requests_total[1m] offset 2m', `cpu_temp[1m] @ ${T0 + 3000}`, 'cpu_temp[5m:1m]', 'rate(http_requests_total[5m])[10m:2m]',
  'sparse_gauge[5m] offset -1m', '"a string"', 'nonexistent_metric[5m]',
];

/** Series with real stale markers, pushed by remote write into Prometheus's head after DATA_END. */
export const STALE_START = DATA_END + 60;
export const STALE_END = DATA_END + 3600;

export function generateStale(stale: number): GenSeries[] {
  const r = rng(7);
  const out: GenSeries[] = [];
  const add = (labels: Record<string, string>, samples: [number, number][]): void => {
    out.push({ labels: labelsFromRecord(labels), samples: samples.map(([t, v]) => [t * 1000, v]) });
  };
  const ts = times(r, STALE_START, STALE_END);
  // s0: stale for 5 minutes in the middle, then resumes; s1: stale at 20m and gone; s2: a stale marker every 5th sample.
  add({ __name__: 'stale_gauge', id: 's0' }, ts.flatMap((t): [number, number][] => {
    const rel = t - STALE_START;
    if (rel >= 600 && rel < 900) return rel < 615 ? [[t, stale]] : [];
    return [[t, Math.round(r() * 100)]];
  }));
  add({ __name__: 'stale_gauge', id: 's1' }, ts.filter((t) => t - STALE_START <= 1215).map((t): [number, number] => [t, t - STALE_START > 1200 ? stale : Math.round(r() * 100)]));
  add({ __name__: 'stale_gauge', id: 's2' }, ts.map((t, i): [number, number] => [t, i % 5 === 4 ? stale : Math.round(r() * 100)]));
  let c = 0;
  add({ __name__: 'stale_ctr', id: 'c0' }, ts.map((t, i): [number, number] => {
    c += Math.floor(r() * 10);
    return [t, i % 7 === 6 ? stale : c];
  }));
  return out;
}

export const STALE_QUERIES: readonly string[] = [
  'stale_gauge', 'stale_gauge[5m]', 'stale_gauge offset 1m', 'timestamp(stale_gauge)', 'sum(stale_gauge)', 'count(stale_gauge)',
  'rate(stale_ctr[5m])', 'increase(stale_ctr[2m])', 'irate(stale_ctr[1m])', 'resets(stale_ctr[10m])', 'count_over_time(stale_gauge[10m])',
  'last_over_time(stale_gauge[10m])', 'changes(stale_gauge[10m])', 'max_over_time(stale_gauge[10m:1m])', 'absent(stale_gauge{id="s1"})',
  'absent_over_time(stale_gauge{id="s0"}[2m])', 'present_over_time(stale_gauge[1m])', 'stale_gauge > 50', 'stale_gauge * on(id) group_left stale_ctr',
  'avg_over_time(stale_gauge[3m])', 'stale_gauge @ end()', 'deriv(stale_gauge[5m])', 'stale_gauge or stale_ctr',
];

/**
 * Random, type-correct queries over the metrics above (seeded, so every run compares the same
 * ones). They avoid topk/bottomk/sort, whose order between equal values Prometheus leaves to Go
 * map iteration in range queries.
 */
export function randomQueries(n: number, seed: number): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const metrics = ['cpu_temp', 'gauge_nan', 'http_requests_total', 'sparse_gauge', 'instance_info', 'req_duration_seconds_bucket', 'const_gauge', 'inf_gauge', 'late_series'];
  const labels = ['job', 'instance', 'host', 'dc', 'method', 'le', 'id', 'zone'];
  const ranges = ['1m', '2m', '5m', '10m'];
  const selector = (): string => {
    let s = pick(metrics);
    if (r() < 0.2) s += `{${pick(labels)}!="i1"}`;
    if (r() < 0.2) s += ` offset ${pick(['1m', '-2m', '5m'])}`;
    return s;
  };
  const grouping = (): string => {
    const ls = [...new Set([pick(labels), pick(labels)])].slice(0, 1 + Math.floor(r() * 2));
    return `${r() < 0.5 ? 'by' : 'without'} (${ls.join(', ')})`;
  };
  const scalar = (d: number): string => {
    const x = r();
    if (x < 0.6 || d <= 0) return pick(['2', '0.5', '-1', '10', '0']);
    if (x < 0.8) return `scalar(${vector(d - 1)})`;
    return 'time() / 1e9';
  };
  const vector = (d: number): string => {
    const x = r();
    if (d <= 0 || x < 0.2) return selector();
    if (x < 0.4) {
      const f = pick(['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'changes', 'resets', 'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time', 'count_over_time', 'stddev_over_time', 'last_over_time']);
      return r() < 0.8 ? `${f}(${selector()}[${pick(ranges)}])` : `${f}(${vector(d - 1)}[${pick(ranges)}:${pick(['30s', '1m', ''])}])`;
    }
    if (x < 0.6) {
      const op = pick(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar']);
      // stddev/stdvar cancel catastrophically; over an operator's output, whose series order
      // Prometheus takes from a Go map in range queries, their last digits vary run to run.
      const arg = op.startsWith('std') ? selector() : vector(d - 1);
      return r() < 0.3 ? `${op}(${arg})` : `${op} ${grouping()} (${arg})`;
    }
    if (x < 0.75) {
      const op = pick(['+', '-', '*', '/', '%', '^', '==', '!=', '>', '<', '>=', '<=', '> bool', '< bool', '== bool']);
      return r() < 0.5 ? `${vector(d - 1)} ${op} ${scalar(d - 1)}` : `${scalar(d - 1)} ${op} ${vector(d - 1)}`;
    }
    if (x < 0.9) {
      const op = pick(['+', '-', '*', '/', '>', '<=', '> bool', 'and', 'or', 'unless']);
      const m = r() < 0.5 ? ` ${pick(['on', 'ignoring'])}(${pick(labels)})` : '';
      return `(${vector(d - 1)}) ${op}${m} (${vector(d - 1)})`;
    }
    const f = pick(['abs', 'ceil', 'floor', 'sqrt', 'ln', 'exp', 'sgn', 'round', 'timestamp', 'absent']);
    return `${f}(${vector(d - 1)})`;
  };
  const out = new Set<string>();
  while (out.size < n) out.add(vector(3));
  return [...out];
}

/** One query of the differential suite with its HTTP parameters (`time`, or `start`/`end`/`step`). */
export interface DifferentialCase {
  readonly name: string;
  readonly query: string;
  readonly params: Record<string, string>;
}

/** The instant times (seconds) and range steps every differential suite asks at. */
export const INSTANT_TIMES: readonly number[] = [T0 + 3600, T0 + 2 * 3600 + 433, DATA_END + 200, T0 + 6000.5];
export const RANGES: readonly { readonly start: number; readonly end: number; readonly step: number }[] = [
  { start: T0 + 1800, end: T0 + 9000, step: 60 },
  { start: T0 + 5000, end: T0 + 8000, step: 137 },
  { start: T0 + 6900.25, end: T0 + 7500.25, step: 15.5 },
];

/** Every case of the suite: the listed and the given random queries at each time and range, the matrix and stale queries at theirs. */
export function differentialCases(random: readonly string[]): DifferentialCase[] {
  const out: DifferentialCase[] = [];
  for (const q of [...VECTOR_QUERIES, ...random]) {
    for (const t of INSTANT_TIMES) out.push({ name: `instant@${t - T0} ${q}`, query: q, params: { query: q, time: String(t) } });
    for (const r of RANGES) out.push({ name: `range${r.step} ${q}`, query: q, params: { query: q, start: String(r.start), end: String(r.end), step: String(r.step) } });
  }
  for (const q of MATRIX_QUERIES) {
    for (const t of INSTANT_TIMES.slice(0, 2)) out.push({ name: `instant@${t - T0} ${q}`, query: q, params: { query: q, time: String(t) } });
    out.push({ name: `range60 ${q}`, query: q, params: { query: q, start: String(T0 + 1800), end: String(T0 + 3600), step: '60' } });
  }
  for (const q of STALE_QUERIES) {
    for (const t of [STALE_START + 700, STALE_START + 1000, STALE_START + 1210, STALE_START + 1500, STALE_START + 3000]) {
      out.push({ name: `stale instant@${t - STALE_START} ${q}`, query: q, params: { query: q, time: String(t) } });
    }
    for (const step of [30, 77]) out.push({ name: `stale range${step} ${q}`, query: q, params: { query: q, start: String(STALE_START), end: String(STALE_END + 400), step: String(step) } });
  }
  return out;
}
