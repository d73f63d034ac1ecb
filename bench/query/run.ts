/**
 * The query benchmark: the same TSDB blocks read by Vigil (imported into its bucket with
 * vigil-tool, read through the bucket store, querier and query-frontend over HTTP) and by
 * Prometheus 2.42 (the blocks in its data directory), one after the other in the same run, on
 * 127.0.0.1 with temp dirs, every process stopped by PID.
 *
 *   npm run bench:query -- --suite=engine --series=10000 --hours=24
 *     Issue 4: sum by (job) (rate), histogram_quantile over rate of buckets, topk, a 1,000-series
 *     selector and a subquery, over the last 1h (step 15s) and 24h (step 60s) of the data;
 *     one warm-up run, then --repeat=5 timed runs each; Vigil with Cache-Control: no-store.
 *   npm run bench:query -- --suite=longrange --series=10000 --hours=168
 *     Issue 5: `sum by (job) (rate(x[5m]))` over the whole range (step 10m): Vigil's first load
 *     on a fresh process, then the same query again (served by the results cache), against
 *     Prometheus's first and repeated runs.
 *   flags: --histograms=true|false  --repeat=5  --results=false (do not write bench/RESULTS.md)
 *          --max-samples=N (both: Prometheus --query.max-samples, Vigil -querier.max-samples;
 *          default: each one's own default, 50,000,000)
 *          --targets=vigil,prometheus (e.g. only vigil, to profile it with --vigil-node-args)
 * A query that fails on one side (e.g. over its max-samples) is reported with its error, and the
 * run goes on.
 *
 * Reports median and min latency per query and range, the ratio Vigil/Prometheus, checks that
 * both answers hold the same series and points, and each process's peak RSS (VmHWM).
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, freePort, status, stopPid, waitReady } from '../proc.js';
import { STEP_MS, writeBenchBlocks } from './data.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');


const SUITE = arg('suite', 'engine');
const SERIES = Number(arg('series', '10000'));
const HOURS = Number(arg('hours', SUITE === 'longrange' ? '168' : '24'));
const HISTOGRAMS = arg('histograms', SUITE === 'engine' ? 'true' : 'false') === 'true';
const REPEAT = Number(arg('repeat', '5'));
const WRITE_RESULTS = arg('results', 'true') === 'true';
/** Extra Node options for Vigil's process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it. */
const VIGIL_NODE_ARGS = arg('vigil-node-args', '').split(' ').filter((a) => a !== '');
const MAX_SAMPLES = arg('max-samples', '');
const TARGETS = arg('targets', 'prometheus,vigil').split(',');
if (SUITE !== 'engine' && SUITE !== 'longrange') throw new Error('--suite must be engine or longrange');

interface Target {
  readonly name: 'vigil' | 'prometheus';
  readonly child: ChildProcess;
  readonly url: string;
  readonly queryPath: string;
}

const log = (s: string): void => void process.stderr.write(s + '\n');

async function startVigil(bucket: string, work: string): Promise<Target> {
  const port = await freePort();
  const args = [
    '--max-old-space-size=16384',
    ...VIGIL_NODE_ARGS,
    join(ROOT, 'dist', 'cmd', 'vigil.js'),
    '-server.http-listen-address=127.0.0.1',
    `-server.http-listen-port=${port}`,
    '-auth.enabled=false',
    '-log.level=warn',
    `-blocks-storage.filesystem.dir=${bucket}`,
    '-querier.query-store-after=0',
    ...(MAX_SAMPLES ? [`-querier.max-samples=${MAX_SAMPLES}`] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: work });
  await waitReady(`http://127.0.0.1:${port}/ready`, child);
  return { name: 'vigil', child, url: `http://127.0.0.1:${port}`, queryPath: '/prometheus/api/v1/query_range' };
}

async function startPrometheus(data: string, work: string): Promise<Target> {
  const port = await freePort();
  writeFileSync(join(work, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const args = [
    `--config.file=${join(work, 'prometheus.yml')}`,
    `--storage.tsdb.path=${data}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=100y',
    // Keep the one-day blocks as they are: no compaction running during the measurements.
    '--storage.tsdb.max-block-duration=1d',
    '--log.level=warn',
    ...(MAX_SAMPLES ? [`--query.max-samples=${MAX_SAMPLES}`] : []),
  ];
  const child = spawn('prometheus', args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: work });
  await waitReady(`http://127.0.0.1:${port}/-/ready`, child);
  return { name: 'prometheus', child, url: `http://127.0.0.1:${port}`, queryPath: '/api/v1/query_range' };
}

interface Answer {
  readonly ms: number;
  readonly series: number;
  readonly points: number;
  readonly sum: number;
}

async function rangeQuery(t: Target, query: string, startMs: number, endMs: number, stepMs: number, noStore: boolean): Promise<Answer> {
  const body = new URLSearchParams({ query, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepMs / 1000) });
  const t0 = performance.now();
  const r = await fetch(t.url + t.queryPath, {
    method: 'POST',
    body,
    headers: noStore ? { 'Cache-Control': 'no-store' } : {},
  });
  const json = (await r.json()) as { status: string; error?: string; data?: { result: { values: [number, string][] }[] } };
  const ms = performance.now() - t0;
  if (json.status !== 'success') throw new Error(`${t.name}: ${query}: ${json.error}`);
  let points = 0;
  let sum = 0;
  for (const s of json.data!.result) {
    points += s.values.length;
    for (const [, v] of s.values) sum += Number(v);
  }
  return { ms, series: json.data!.result.length, points, sum };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args).toString().trimEnd();
  } catch (e) {
    return `(${cmd} failed: ${(e as Error).message})`;
  }
}

async function waitForData(t: Target, endMs: number, want: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const path = t.name === 'vigil' ? '/prometheus/api/v1/query' : '/api/v1/query';
    const r = await fetch(`${t.url}${path}?${new URLSearchParams({ query: 'count(x)', time: String((endMs - STEP_MS) / 1000) })}`);
    const j = (await r.json()) as { data?: { result: { value: [number, string] }[] } };
    if (Number(j.data?.result[0]?.value[1] ?? 0) === want) return;
    if (Date.now() > deadline) throw new Error(`${t.name} does not see the ${want} series of x`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const HOUR = 3600_000;
  const endMs = Math.floor((Date.now() - 2 * HOUR) / (2 * HOUR)) * 2 * HOUR;
  const startMs = endMs - HOURS * HOUR;
  const root = mkdtempSync(join(tmpdir(), 'bench-query-'));
  const children: Target[] = [];
  const lines: string[] = [];
  try {
    const blocks = join(root, 'blocks');
    mkdirSync(blocks);
    const g0 = performance.now();
    const samples = await writeBenchBlocks(blocks, { series: SERIES, startMs, endMs, histograms: HISTOGRAMS }, log);
    log(`wrote ${samples} samples in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

    // Vigil: import the blocks into its bucket with vigil-tool.
    const bucket = join(root, 'bucket');
    execFileSync(process.execPath, [join(ROOT, 'dist', 'cmd', 'vigil-tool.js'), 'import-blocks', '-tenant=anonymous', `-blocks-storage.filesystem.dir=${bucket}`, blocks], { stdio: ['ignore', 'ignore', 'inherit'] });
    // Prometheus: the blocks in its data directory.
    const promData = join(root, 'prom-data');
    cpSync(blocks, promData, { recursive: true });

    const queries =
      SUITE === 'engine'
        ? [
            'sum by (job) (rate(x[5m]))',
            ...(HISTOGRAMS ? ['histogram_quantile(0.99, sum by (le) (rate(y_bucket[5m])))'] : []),
            'topk(10, rate(x[5m]))',
            'x{group="g-0"}',
            'max_over_time(sum by (job) (rate(x[5m]))[30m:1m])',
          ]
        : ['sum by (job) (rate(x[5m]))'];
    const ranges =
      SUITE === 'engine'
        ? [
            { name: '1h', ms: HOUR, step: 15_000 },
            ...(HOURS >= 24 ? [{ name: '24h', ms: 24 * HOUR, step: 60_000 }] : []),
          ]
        : [{ name: `${HOURS}h`, ms: HOURS * HOUR, step: 600_000 }];

    type Row = { query: string; range: string; vigil: number[]; prom: number[]; vigilFirst: number; promFirst: number; check: string; errors: string[] };
    const rows: Row[] = [];
    const hwm: Record<string, number> = {};
    for (const name of (['prometheus', 'vigil'] as const).filter((n) => TARGETS.includes(n))) {
      const work = mkdtempSync(join(root, `${name}-`));
      const t = name === 'vigil' ? await startVigil(bucket, work) : await startPrometheus(promData, work);
      children.push(t);
      await waitForData(t, endMs, SERIES);
      for (const q of queries) {
        for (const r of ranges) {
          // Grafana aligns start and end to the step (and the results cache keeps only aligned queries).
          const e = Math.floor((endMs - STEP_MS) / r.step) * r.step;
          const s = e - r.ms + r.step;
          const noStore = SUITE === 'engine';
          let row = rows.find((x) => x.query === q && x.range === r.name);
          if (!row) {
            row = { query: q, range: r.name, vigil: [], prom: [], vigilFirst: 0, promFirst: 0, check: '', errors: [] };
            rows.push(row);
          }
          let first: Answer;
          try {
            first = await rangeQuery(t, q, s, e, r.step, noStore);
          } catch (err) {
            row.errors.push((err as Error).message);
            log(`${name} ${r.name} ${q}: ${(err as Error).message}`);
            continue;
          }
          const timed: Answer[] = [];
          for (let i = 0; i < REPEAT; i++) timed.push(await rangeQuery(t, q, s, e, r.step, noStore));
          const check = `${first.series} series, ${first.points} points, sum ${first.sum.toPrecision(8)}`;
          if (name === 'prometheus') {
            row.prom = timed.map((a) => a.ms);
            row.promFirst = first.ms;
            row.check = check;
          } else {
            row.vigil = timed.map((a) => a.ms);
            row.vigilFirst = first.ms;
            if (row.prom.length === 0) row.check = check;
            else if (check !== row.check) row.check = `MISMATCH: Prometheus ${row.check}; Vigil ${check}`;
          }
          log(`${name} ${r.name} ${q}: first ${first.ms.toFixed(1)} ms, median ${median(timed.map((a) => a.ms)).toFixed(1)} ms (${check})`);
        }
      }
      hwm[name] = status(t.child.pid!, 'VmHWM');
      await stopPid(t.child, t.child.pid!, 30_000);
    }

    const f = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
    lines.push(
      SUITE === 'engine'
        ? `### Query engine: ${SERIES.toLocaleString('en-US')} series of x${HISTOGRAMS ? ` + ${SERIES.toLocaleString('en-US')} of y_bucket` : ''}, ${HOURS}h at 60s — ${started.toISOString()}`
        : `### Long-range read: ${SERIES.toLocaleString('en-US')} series, ${HOURS / 24} days at 60s in bucket blocks — ${started.toISOString()}`,
      '',
      `Command: \`npm run bench:query -- ${process.argv.slice(2).join(' ')}\`. ${samples.toLocaleString('en-US')} samples in one-day blocks written by Vigil's block writer; Vigil reads them from its bucket (imported with vigil-tool) through store, querier and frontend over HTTP; Prometheus reads the same blocks from its data directory. ${SUITE === 'engine' ? `One warm-up run, then ${REPEAT} timed runs; Vigil with \`Cache-Control: no-store\` (no results cache).` : `First load on a fresh process, then ${REPEAT} repeated runs (Vigil's repeated runs come from the results cache).`}`,
      `Machine: nproc ${sh('nproc', [])} (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${sh('prometheus', ['--version']).split('\n')[0]}.`,
      '',
      SUITE === 'engine'
        ? '| query | range | Prometheus median (min) ms | Vigil median (min) ms | Vigil / Prometheus | answers |\n| --- | --- | ---: | ---: | ---: | --- |'
        : '| query | range | Prometheus first / median ms | Vigil first load ms | Vigil cached median ms | first / Prometheus first | cached speed-up | answers |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    const cell = (xs: readonly number[]): string => (xs.length === 0 ? 'error' : `${f(median(xs))} (${f(Math.min(...xs))})`);
    for (const r of rows) {
      const pm = median(r.prom);
      const vm = median(r.vigil);
      const check = [r.check, ...r.errors].filter((x) => x !== '').join('; ');
      const ratio = r.prom.length > 0 && r.vigil.length > 0 ? (vm / pm).toFixed(2) : '–';
      if (SUITE === 'engine') lines.push(`| \`${r.query}\` | ${r.range} | ${cell(r.prom)} | ${cell(r.vigil)} | ${ratio} | ${check} |`);
      else lines.push(`| \`${r.query}\` | ${r.range} | ${f(r.promFirst)} / ${f(pm)} | ${f(r.vigilFirst)} | ${f(vm)} | ${(r.vigilFirst / r.promFirst).toFixed(2)} | ${(r.vigilFirst / vm).toFixed(1)}× | ${check} |`);
    }
    const mib = (b: number | undefined): string => (b === undefined ? 'not run' : `${(b / 2 ** 20).toFixed(0)} MiB`);
    lines.push('', `Peak RSS (VmHWM): Prometheus ${mib(hwm.prometheus)}, Vigil ${mib(hwm.vigil)}.`, '');
    const section = lines.join('\n');
    process.stdout.write(section + '\n');
    if (WRITE_RESULTS) {
      let text = readFileSync(RESULTS, 'utf8');
      const marker = '\n## Decode path micro-benchmark';
      const header = '## Query path: Vigil vs Prometheus 2.42 (`bench/query/`)';
      if (!text.includes(header)) {
        const at = text.indexOf(marker);
        text = at < 0 ? `${text.trimEnd()}\n\n${header}\n` : `${text.slice(0, at).trimEnd()}\n\n${header}\n${text.slice(at)}`;
      }
      const at = text.indexOf(marker);
      text = at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at).trimEnd()}\n\n${section}\n${text.slice(at)}`;
      writeFileSync(RESULTS, text);
    }
  } finally {
    for (const c of children) await stopPid(c.child, c.child.pid!, 10_000);
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
