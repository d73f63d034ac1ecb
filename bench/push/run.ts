/**
 * The push benchmark runner: the same pre-encoded load against Vigil and against Prometheus 2.42
 * (`--web.enable-remote-write-receiver`), one after the other in the same run, on 127.0.0.1.
 * Measures samples/s, latency, the target's CPU seconds per million samples and its RSS per
 * active series, prints the table and the Vigil/Prometheus ratios, and appends them to
 * bench/RESULTS.md.
 *
 *   npm run bench:push -- --series=100000 --rounds=11 --concurrency=8 --samples-per-request=500
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, PhaseResult } from './loadgen.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');

function arg(name: string, def: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
}

const SERIES = Number(arg('series', '100000'));
const SPR = Number(arg('samples-per-request', '500'));
const CONC = Number(arg('concurrency', '8'));
const ROUNDS = Number(arg('rounds', '11'));
const TARGETS = arg('targets', 'vigil,prometheus').split(',');
const PROFILE = arg('profile', '') === 'true';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`target exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready in 60 s`);
}

interface Target {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pushUrl: string;
  readonly metricsUrl: string;
  readonly dir: string;
}

async function startTarget(name: string): Promise<Target> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  let child: ChildProcess;
  if (name === 'vigil') {
    const node = ['--max-old-space-size=16384', ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', '.out')}`] : []), join(ROOT, 'dist', 'cmd', 'vigil.js')];
    child = spawn(process.execPath, [...node, '-server.http-listen-address=127.0.0.1', `-server.http-listen-port=${port}`, '-log.level=warn',
      '-distributor.ingestion-rate-limit=1e12', '-distributor.ingestion-burst-size=1000000000', '-ingester.max-series-per-user=0', '-ingester.max-series-per-metric=0'], { stdio: ['ignore', 'inherit', 'inherit'], cwd: dir });
    await waitReady(`http://127.0.0.1:${port}/ready`, child);
    return { name, child, pushUrl: `http://127.0.0.1:${port}/api/v1/push`, metricsUrl: `http://127.0.0.1:${port}/metrics`, dir };
  }
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  child = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=warn'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir });
  await waitReady(`http://127.0.0.1:${port}/-/ready`, child);
  return { name, child, pushUrl: `http://127.0.0.1:${port}/api/v1/write`, metricsUrl: `http://127.0.0.1:${port}/metrics`, dir };
}

async function stopTarget(t: Target): Promise<void> {
  t.child.kill('SIGTERM');
  await new Promise<void>((r) => {
    const timer = setTimeout(() => {
      t.child.kill('SIGKILL');
      r();
    }, 30_000);
    t.child.once('exit', () => {
      clearTimeout(timer);
      r();
    });
  });
  rmSync(t.dir, { recursive: true, force: true });
}

interface Measured {
  readonly target: string;
  readonly warm: PhaseResult & { encodeSeconds: number };
  readonly steady: PhaseResult;
  readonly cpuPerMillion: number;
  readonly rssPerSeries: number;
  readonly rssIdle: number;
  readonly rssAfter: number;
  readonly received: number | null;
}

function runLoad(url: string, pid: number | null, startMs: number): Promise<{ warm: PhaseResult & { encodeSeconds: number }; steady: PhaseResult; cpu: number }> {
  const opts: LoadOptions = { url, series: SERIES, samplesPerRequest: SPR, concurrency: CONC, rounds: ROUNDS, startMs };
  const lg = spawn(process.execPath, ['--max-old-space-size=8192', join(HERE, 'loadgen.js'), JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let warm: (PhaseResult & { encodeSeconds: number }) | null = null;
    let cpu0 = 0;
    const rl = createInterface({ input: lg.stdout! });
    rl.on('line', (line) => {
      if (line.startsWith('WARM ')) {
        warm = JSON.parse(line.slice(5)) as PhaseResult & { encodeSeconds: number };
        cpu0 = pid === null ? 0 : cpuSeconds(pid);
        lg.stdin!.write('go\n');
      } else if (line.startsWith('DONE ')) {
        const steady = JSON.parse(line.slice(5)) as PhaseResult;
        resolve({ warm: warm!, steady, cpu: pid === null ? 0 : cpuSeconds(pid) - cpu0 });
      }
    });
    lg.once('exit', (code) => {
      if (code !== 0) reject(new Error(`loadgen exited with ${code}`));
    });
  });
}

async function nullServerRate(): Promise<number> {
  const srv = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const r = await runLoad(`http://127.0.0.1:${port}/null`, null, Date.now() - ROUNDS * 15_000);
  await new Promise<void>((res) => srv.close(() => res()));
  return r.steady.samplesPerSecond;
}

async function measure(name: string): Promise<Measured> {
  const t = await startTarget(name);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const pid = t.child.pid!;
    const rssIdle = rssBytes(pid);
    const { warm, steady, cpu } = await runLoad(t.pushUrl, pid, Date.now() - ROUNDS * 15_000);
    const rssAfter = rssBytes(pid);
    let received: number | null = null;
    if (name === 'vigil') {
      const text = await (await fetch(t.metricsUrl)).text();
      received = Number(/^vigil_distributor_received_samples_total\{user="anonymous"\} (\S+)$/m.exec(text)?.[1] ?? NaN);
    }
    return { target: name, warm, steady, cpuPerMillion: cpu / (steady.samples / 1e6), rssIdle, rssAfter, rssPerSeries: (rssAfter - rssIdle) / SERIES, received };
  } finally {
    await stopTarget(t);
  }
}

function fmt(n: number, d = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
}

async function main(): Promise<void> {
  const gen = await nullServerRate();
  console.log(`load generator against a null server: ${fmt(gen)} samples/s`);
  const results: Measured[] = [];
  for (const t of TARGETS) {
    const m = await measure(t);
    results.push(m);
    console.log(`${t}: ${fmt(m.steady.samplesPerSecond)} samples/s steady, errors ${m.steady.errors + m.warm.errors}${m.steady.firstError ?? m.warm.firstError ? ` (${m.steady.firstError ?? m.warm.firstError})` : ''}`);
  }
  const rows = results.map(
    (m) =>
      `| ${m.target} | ${fmt(m.warm.samplesPerSecond)} | ${fmt(m.steady.samplesPerSecond)} | ${fmt(m.steady.p50Ms, 1)} | ${fmt(m.steady.p99Ms, 1)} | ${fmt(m.cpuPerMillion, 2)} | ${fmt(m.rssPerSeries)} | ${fmt(m.rssAfter / 2 ** 20)} | ${m.steady.errors + m.warm.errors} |`,
  );
  const v = results.find((r) => r.target === 'vigil');
  const p = results.find((r) => r.target === 'prometheus');
  const sent = SERIES * ROUNDS;
  const lines = [
    '',
    `### ${SERIES.toLocaleString('en-US')} active series — ${new Date().toISOString()}`,
    '',
    `Command: \`npm run bench:push -- --series=${SERIES} --rounds=${ROUNDS} --concurrency=${CONC} --samples-per-request=${SPR}\``,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${execFileSync('prometheus', ['--version']).toString().split('\n')[0]}`,
    `Load generator alone against a null HTTP server: ${fmt(gen)} samples/s. First round creates the series; steady = the other ${ROUNDS - 1} rounds.`,
    '',
    '| target | first round samples/s | steady samples/s | p50 ms | p99 ms | CPU s per 1M samples | RSS bytes per series | RSS MiB after | non-2xx |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
  if (v && p) {
    lines.push(
      `Ratios Vigil/Prometheus: steady samples/s ${(v.steady.samplesPerSecond / p.steady.samplesPerSecond).toFixed(2)}×, first round ${(v.warm.samplesPerSecond / p.warm.samplesPerSecond).toFixed(2)}×, CPU per sample ${(v.cpuPerMillion / p.cpuPerMillion).toFixed(2)}×, RSS per series ${(v.rssPerSeries / p.rssPerSeries).toFixed(2)}×.`,
    );
  }
  if (v) lines.push(`Vigil received ${fmt(v.received ?? NaN)} samples of ${fmt(sent)} sent${v.received === sent ? ' (all of them)' : ' — MISMATCH'}.`, '');
  const text = lines.join('\n');
  console.log(text);
  appendFileSync(join(ROOT, 'bench', 'RESULTS.md'), text + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
