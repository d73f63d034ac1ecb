/**
 * The engine against a real Prometheus 2.42: the same samples (engine-compat-data.ts) are
 * backfilled into Prometheus with promtool and loaded into an in-memory Queryable, and every
 * query is compared as an instant query at several times and as range queries at two steps.
 * Results are compared series by series (relative tolerance 1e-9, NaN equals NaN), errors by
 * type. Instant vectors are compared in order where Prometheus's order is deterministic.
 */

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtool } from '../test/harness/prometheus-blocks.js';
import { freePort, launch, type Proc, requireBinaries } from '../test/harness/process.js';
import { snappyEncode } from '../proto/snappy.js';
import { encodeWriteRequestV1 } from '../proto/write-encoder.js';
import { labelsToRecord } from '../tsdb/labels.js';
import { isStaleNaN, STALE_NAN_HI, STALE_NAN_LO } from '../tsdb/storage.js';
import { DATA_END, differentialCases, generate, generateStale, MATRIX_QUERIES, randomQueries, STALE_QUERIES, T0, toOpenMetrics, VECTOR_QUERIES, type DifferentialCase, type GenSeries } from './engine-compat-data.js';
import { Engine, EngineError, type QueryValue } from './engine.js';
import { MemoryQueryable, STALE_NAN } from './testing.js';

const enabled = requireBinaries('promtool', 'prometheus');

/**
 * Known differences, kept out of the asserted set and printed. Each is a bug still to fix.
 * (Empty when all queries agree.)
 */
const KNOWN_FAILURES: ReadonlySet<string> = new Set<string>([]);

interface Norm {
  type: string;
  /** Series (or samples) as [labels JSON, [[t seconds, value]...]]. */
  series: [string, [number, number | string][]][];
}

interface Answer {
  ok: boolean;
  errorType?: string;
  error?: string;
  value?: Norm;
}

function num(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

const lkey = (m: Record<string, string>): string => JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function normProm(d: { resultType: string; result: unknown }): Norm {
  switch (d.resultType) {
    case 'scalar': {
      const [t, v] = d.result as [number, string];
      return { type: 'scalar', series: [['', [[t, num(v)]]]] };
    }
    case 'string': {
      const [t, v] = d.result as [number, string];
      return { type: 'string', series: [['', [[t, v]]]] };
    }
    case 'vector':
      return { type: 'vector', series: (d.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => [lkey(s.metric), [[s.value[0], num(s.value[1])]]]) };
    default:
      return { type: 'matrix', series: (d.result as { metric: Record<string, string>; values: [number, string][] }[]).map((s) => [lkey(s.metric), s.values.map(([t, v]) => [t, num(v)] as [number, number])]) };
  }
}

function normVigil(v: QueryValue): Norm {
  switch (v.type) {
    case 'scalar':
      return { type: 'scalar', series: [['', [[v.t / 1000, v.v]]]] };
    case 'string':
      return { type: 'string', series: [['', [[v.t / 1000, v.s]]]] };
    case 'vector':
      return { type: 'vector', series: v.samples.map((s) => [lkey(labelsToRecord(s.labels)), [[s.t / 1000, s.v]]]) };
    case 'matrix':
      return { type: 'matrix', series: v.series.map((s) => [lkey(labelsToRecord(s.labels)), s.points.map((p) => [p.t / 1000, p.v] as [number, number])]) };
  }
}

function close(a: number | string, b: number | string): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-12;
}

/** Null when equal, else a description of the first difference. */
function diff(p: Norm, v: Norm, ordered: boolean): string | null {
  if (p.type !== v.type) return `type ${p.type} vs ${v.type}`;
  if (p.series.length !== v.series.length) return `${p.series.length} series vs ${v.series.length}: ${JSON.stringify(p.series.map((s) => s[0]))} vs ${JSON.stringify(v.series.map((s) => s[0]))}`;
  const ps = [...p.series];
  const vs = [...v.series];
  if (ordered) {
    for (let i = 0; i < ps.length; i++) {
      if (ps[i]![0] !== vs[i]![0] || !close(ps[i]![1][0]![1], vs[i]![1][0]![1])) return `order at ${i}: ${JSON.stringify(ps[i])} vs ${JSON.stringify(vs[i])}`;
    }
  }
  ps.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  vs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 0; i < ps.length; i++) {
    const [pl, pp] = ps[i]!;
    const [vl, vp] = vs[i]!;
    if (pl !== vl) return `labels ${pl} vs ${vl}`;
    if (pp.length !== vp.length) return `${pl}: ${pp.length} points vs ${vp.length}: ${JSON.stringify(pp.slice(0, 5))}... vs ${JSON.stringify(vp.slice(0, 5))}...`;
    for (let j = 0; j < pp.length; j++) {
      if (pp[j]![0] !== vp[j]![0] || !close(pp[j]![1], vp[j]![1])) return `${pl} point ${j}: ${JSON.stringify(pp[j])} vs ${JSON.stringify(vp[j])}`;
    }
  }
  return null;
}

/**
 * Instant results are compared in order, except where Prometheus's order comes from a Go map
 * and so varies from run to run: histogram_quantile's output and the series of a subquery.
 */
const UNORDERED = /histogram_quantile|\[[^\]]*:[^\]]*\]/;

type Case = DifferentialCase;

/** The --query.max-samples of the second Prometheus and the queries compared under it. */
const LIMIT = 250;
const LIMIT_QUERIES = [
  'cpu_temp', 'rate(http_requests_total[5m])', 'sum by (job) (rate(http_requests_total[5m]))', 'cpu_temp * 2', 'cpu_temp + on(host) gauge_nan',
  'topk(2, cpu_temp)', 'max_over_time(cpu_temp[10m:1m])', 'histogram_quantile(0.9, rate(req_duration_seconds_bucket[5m]))', 'timestamp(cpu_temp)',
  'time()', 'vector(1)', 'abs(cpu_temp)', 'label_replace(cpu_temp, "a", "b", "", "")', 'count_over_time(cpu_temp[30m])', 'sum(cpu_temp) / count(cpu_temp)',
  'absent(nonexistent_metric)', 'scalar(sum(cpu_temp))', 'holt_winters(cpu_temp[10m], 0.5, 0.5)', 'quantile_over_time(0.5, cpu_temp[20m])', '1 + 2',
  'predict_linear(cpu_temp[10m], 600)', 'count_values("v", round(cpu_temp))', 'cpu_temp > bool 50', 'http_requests_total or cpu_temp',
  'sum_over_time(rate(http_requests_total[2m])[10m:2m])', 'clamp(cpu_temp, 0, 1)', '-cpu_temp', 'changes(gauge_nan[20m])',
  'cpu_temp @ start()', 'rate(http_requests_total[5m] @ end())', 'sum(cpu_temp @ start()) + count(cpu_temp)', 'max_over_time(cpu_temp[10m:1m] @ end())',
  'vector(1) + pi()', '(2)', 'timestamp(cpu_temp @ end())', 'topk(scalar(const_gauge) - 1, http_requests_total @ end())',
  'max_over_time((vector(1))[10m:1m])', `quantile(time() / ${DATA_END}, cpu_temp @ ${T0 + 4000})`,
];


/**
 * Seeded random queries compared like the listed ones; ENGINE_COMPAT_RANDOM=<n> and
 * ENGINE_COMPAT_SEED=<s> run more or others.
 */
const RANDOM_QUERIES = randomQueries(Number(process.env.ENGINE_COMPAT_RANDOM ?? 200), Number(process.env.ENGINE_COMPAT_SEED ?? 2042));

function cases(): Case[] {
  return differentialCases(RANDOM_QUERIES);
}

/**
 * Prometheus on a copy of the backfilled blocks with the remote-write receiver on, so samples
 * with real stale markers (which OpenMetrics cannot carry) can be pushed into its head.
 */
async function startPrometheus(blocks: string, extraArgs: readonly string[] = []): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-engine-prom-'));
  cpSync(blocks, join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'prom.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const args = [
    `--config.file=${join(dir, 'prom.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=100y',
    '--web.enable-remote-write-receiver',
    ...extraArgs,
  ];
  return launch('prometheus', 'prometheus', args, port, dir, '/-/ready');
}

async function pushStale(url: string, series: readonly GenSeries[]): Promise<void> {
  const body = encodeWriteRequestV1({
    timeseries: series.map((s) => ({
      labels: s.labels,
      samples: s.samples.map(([timestamp, value]) => (isStaleNaN(value) ? { timestamp, value, valueBits: { hi: STALE_NAN_HI, lo: STALE_NAN_LO } } : { timestamp, value })),
    })),
  });
  const r = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    body: snappyEncode(body),
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
  });
  if (r.status !== 204) throw new Error(`remote write into Prometheus answered ${r.status}: ${await r.text()}`);
}

describe.skipIf(!enabled)('PromQL engine against a real Prometheus 2.42', () => {
  let prom: Proc;
  /** A second Prometheus with a small --query.max-samples, for the sample limit. */
  let limited: Proc;
  let dir: string;
  const store = new MemoryQueryable();
  const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 50_000_000, timeoutMs: 120_000 });

  beforeAll(async () => {
    const data = generate();
    for (const s of data) store.add(s.labels, s.samples);
    dir = mkdtempSync(join(tmpdir(), 'vigil-engine-compat-'));
    writeFileSync(join(dir, 'data.om'), toOpenMetrics(data));
    const r = await promtool(['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'blocks')]);
    if (r.code !== 0) throw new Error(`promtool failed: ${r.stderr}`);
    prom = await startPrometheus(join(dir, 'blocks'));
    const stale = generateStale(STALE_NAN);
    for (const s of stale) store.add(s.labels, s.samples);
    await pushStale(prom.url, stale);
    limited = await startPrometheus(join(dir, 'blocks'), [`--query.max-samples=${LIMIT}`]);
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await limited?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function prometheus(c: Case, server: Proc = prom): Promise<Answer> {
    const path = 'time' in c.params ? '/api/v1/query' : '/api/v1/query_range';
    const r = await fetch(server.url + path, { method: 'POST', body: new URLSearchParams(c.params) });
    const body = (await r.json()) as { status: string; errorType?: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== 'success') return { ok: false, errorType: body.errorType ?? '', error: body.error ?? '' };
    return { ok: true, value: normProm(body.data!) };
  }

  async function vigil(c: Case, eng: Engine = engine): Promise<Answer> {
    try {
      const p = c.params;
      const res = p.time !== undefined
        ? await eng.instantQuery(store, c.query, Math.round(Number(p.time) * 1000))
        : await eng.rangeQuery(store, c.query, Math.round(Number(p.start) * 1000), Math.round(Number(p.end) * 1000), Math.round(Number(p.step) * 1000));
      return { ok: true, value: normVigil(res.value) };
    } catch (e) {
      if (e instanceof EngineError) return { ok: false, errorType: e.type, error: e.message };
      if (e instanceof Error && e.name === 'ParseError') return { ok: false, errorType: 'bad_data', error: e.message };
      throw e;
    }
  }

  it('answers like Prometheus', async () => {
    const all = cases();
    const failures: string[] = [];
    const known: string[] = [];
    const messageDiffs: string[] = [];
    let passed = 0;
    let bothErrors = 0;
    let empty = 0;
    let staleNonEmpty = 0;
    for (const c of all) {
      const [p, v] = [await prometheus(c), await vigil(c)];
      let problem: string | null = null;
      if (p.ok !== v.ok) problem = p.ok ? `vigil error ${v.errorType}: ${v.error}` : `prometheus error ${p.errorType}: ${p.error}; vigil answered`;
      else if (!p.ok) {
        bothErrors++;
        if (p.errorType !== v.errorType) problem = `error type ${p.errorType} vs ${v.errorType} (${p.error} | ${v.error})`;
        else if (!(p.error ?? '').endsWith(v.error ?? '')) messageDiffs.push(`${c.name}: ${p.error} | ${v.error}`);
      } else {
        if (p.value!.series.length === 0) empty++;
        else if (c.name.startsWith('stale ')) staleNonEmpty++;
        problem = diff(p.value!, v.value!, 'time' in c.params && !UNORDERED.test(c.query));
      }
      if (problem === null) passed++;
      else if (KNOWN_FAILURES.has(c.query)) known.push(`${c.name}: ${problem}`);
      else failures.push(`${c.name}: ${problem}`);
    }
    console.log(`engine-compat: ${passed}/${all.length} cases agree with Prometheus 2.42 (${VECTOR_QUERIES.length + MATRIX_QUERIES.length + STALE_QUERIES.length} listed and ${RANDOM_QUERIES.length} random queries; ${bothErrors} of them errors in both, ${empty} empty results, ${staleNonEmpty} non-empty with stale markers)`);
    if (known.length) console.log(`known failures (${known.length}):\n  ${known.join('\n  ')}`);
    if (messageDiffs.length) console.log(`error messages differing (${messageDiffs.length}):\n  ${messageDiffs.join('\n  ')}`);
    if (failures.length) console.log(`FAILURES (${failures.length}):\n  ${failures.join('\n  ')}`);
    expect(failures).toEqual([]);
    // Guards against comparing nothing: most answers hold data, the stale markers' included.
    expect(empty).toBeLessThan(all.length / 3);
    expect(staleNonEmpty).toBeGreaterThan(STALE_QUERIES.length * 4);
  }, 600_000);

  it('refuses too many samples exactly where Prometheus does', async () => {
    const limitedEngine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: LIMIT, timeoutMs: 120_000 });
    const failures: string[] = [];
    let passed = 0;
    let refused = 0;
    const all: Case[] = [];
    for (const q of LIMIT_QUERIES) {
      const start = T0 + 3600;
      all.push({ name: `limit instant ${q}`, query: q, params: { query: q, time: String(start) } });
      for (const n of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]) {
        all.push({ name: `limit range${n} ${q}`, query: q, params: { query: q, start: String(start), end: String(start + n * 60), step: '60' } });
      }
    }
    for (const c of all) {
      const [p, v] = [await prometheus(c, limited), await vigil(c, limitedEngine)];
      let problem: string | null = null;
      if (p.ok !== v.ok) problem = p.ok ? `vigil error ${v.errorType}: ${v.error}` : `prometheus error ${p.errorType}: ${p.error}; vigil answered`;
      else if (!p.ok) {
        refused++;
        if (p.errorType !== v.errorType || !(p.error ?? '').endsWith(v.error ?? '')) problem = `error ${p.errorType}: ${p.error} vs ${v.errorType}: ${v.error}`;
      } else problem = diff(p.value!, v.value!, false);
      if (problem === null) passed++;
      else failures.push(`${c.name}: ${problem}`);
    }
    console.log(`engine-compat (max samples ${LIMIT}): ${passed}/${all.length} cases agree, ${refused} refused by both`);
    if (failures.length) console.log(`FAILURES (${failures.length}):\n  ${failures.join('\n  ')}`);
    expect(failures).toEqual([]);
    expect(refused).toBeGreaterThan(all.length / 5);
    expect(refused).toBeLessThan((all.length * 4) / 5);
  }, 600_000);
});
