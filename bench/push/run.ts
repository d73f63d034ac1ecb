/**
 * The push benchmark runner: the same pre-encoded load against Vigil and against Prometheus 2.42
 * (`--web.enable-remote-write-receiver`, /api/v1/write), one after the other in the same run,
 * everything on 127.0.0.1 with ephemeral ports and temp dirs, every process stopped by PID.
 *
 * For each target: start it, poll its readiness endpoint, sample its CPU (utime+stime from
 * /proc/<pid>/stat) and RSS (VmRSS) idle, before the load, after the first (series-creating)
 * round and after the steady rounds; the load generator (loadgen.ts) is its own process. Reports
 * samples/s, push latency p50/p99/max, CPU seconds per million samples, RSS per active series
 * ((RSS_after - RSS_idle) / series), the Vigil/Prometheus ratios, checks that Vigil's
 * vigil_distributor_received_samples_total equals the samples sent, and writes a dated section
 * into bench/RESULTS.md. The generator's own ceiling is measured once against a null HTTP server.
 *
 *   npm run bench:push -- --series=100000 --rounds=11 --concurrency=8 --samples-per-request=500
 *   flags: --targets=vigil,prometheus  --profile=true (Vigil under node --cpu-prof, summarised)
 *          --timeout-s=1500 (per target)  --null=false  --results=false (do not write RESULTS.md)
 *          --durability=true: after the load, kill -9 each target and time its restart on the same
 *            directory (WAL replay) to ready; then write everything into blocks (Vigil:
 *            /ingester/flush?wait=true into its bucket directory; Prometheus: an admin snapshot
 *            with the head) and report bytes per sample of index + chunks.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EncodeStats, LoadOptions, PhaseResult } from './loadgen.js';
import { summariseProfile } from './profile-summary.js';
import { METRIC_NAMES, SERIES_PER_HOST } from './series.js';
import { arg, cpuSeconds, freePort, sleep, status, stopPid, waitReady } from '../proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');


const SERIES = Number(arg('series', '100000'));
const SPR = Number(arg('samples-per-request', '500'));
const CONC = Number(arg('concurrency', '8'));
const ROUNDS = Number(arg('rounds', '11'));
const TARGETS = arg('targets', 'vigil,prometheus').split(',').filter((t) => t !== '');
const PROFILE = arg('profile', 'false') === 'true';
const TIMEOUT_S = Number(arg('timeout-s', '1500'));
const NULL_RUN = arg('null', 'true') === 'true';
const WRITE_RESULTS = arg('results', 'true') === 'true';
const MAX_PREENCODED = Number(arg('max-preencoded-mb', '1024')) * 2 ** 20;
const DURABILITY = arg('durability', 'false') === 'true';

for (const [k, v] of [['series', SERIES], ['samples-per-request', SPR], ['concurrency', CONC], ['rounds', ROUNDS]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer`);
}
if (ROUNDS < 2) throw new Error('--rounds must be at least 2 (one series-creating round, then steady rounds)');
for (const t of TARGETS) if (t !== 'vigil' && t !== 'prometheus') throw new Error(`unknown target ${t}`);

interface Sample {
  readonly cpu: number;
  readonly rss: number;
  /** CLOCK_MONOTONIC microseconds, the clock of V8's CPU profiles. */
  readonly monoUs: number;
}
const sample = (pid: number): Sample => ({ cpu: cpuSeconds(pid), rss: status(pid, 'VmRSS'), monoUs: Number(process.hrtime.bigint() / 1000n) });

interface Target {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly pushUrl: string;
  readonly metricsUrl: string;
  readonly baseUrl: string;
  readonly readyUrl: string;
  readonly dir: string;
  readonly command: string;
}

const PROFILE_DIR = join(ROOT, 'bench', '.out', `cpuprof-${process.pid}`);

async function startTarget(name: string, reuseDir?: string): Promise<Target> {
  const port = await freePort();
  const dir = reuseDir ?? mkdtempSync(join(tmpdir(), `bench-push-${name}-`));
  let child: ChildProcess;
  let args: string[];
  let ready: string;
  let pushUrl: string;
  if (name === 'vigil') {
    const nodeFlags = ['--max-old-space-size=16384', ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];
    args = [
      ...nodeFlags,
      join(ROOT, 'dist', 'cmd', 'vigil.js'),
      '-server.http-listen-address=127.0.0.1',
      `-server.http-listen-port=${port}`,
      '-auth.enabled=false',
      '-log.level=warn',
      '-distributor.ingestion-rate-limit=1e9',
      '-distributor.ingestion-burst-size=1000000000',
      '-ingester.max-series-per-user=0',
      '-ingester.max-series-per-metric=0',
    ];
    if (PROFILE) mkdirSync(PROFILE_DIR, { recursive: true });
    child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir });
    args = ['node', ...args];
    ready = `http://127.0.0.1:${port}/ready`;
    pushUrl = `http://127.0.0.1:${port}/api/v1/push`;
  } else {
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    args = [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--web.enable-admin-api',
      '--log.level=warn',
    ];
    child = spawn('prometheus', args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir });
    args = ['prometheus', ...args];
    ready = `http://127.0.0.1:${port}/-/ready`;
    pushUrl = `http://127.0.0.1:${port}/api/v1/write`;
  }
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const t: Target = { name, child, pid: child.pid, pushUrl, metricsUrl: `http://127.0.0.1:${port}/metrics`, baseUrl: `http://127.0.0.1:${port}`, readyUrl: ready, dir, command: args.join(' ') };
  try {
    await waitReady(ready, child);
  } catch (e) {
    await stopTarget(t);
    throw e;
  }
  return t;
}

async function stopTarget(t: Target): Promise<void> {
  await stopPid(t.child, t.pid, 60_000);
  rmSync(t.dir, { recursive: true, force: true });
}

interface LoadResult {
  readonly encode: EncodeStats;
  readonly warm: PhaseResult;
  readonly steady: PhaseResult;
  readonly idle: Sample | null;
  readonly before: Sample | null;
  readonly afterWarm: Sample | null;
  readonly after: Sample | null;
  readonly hwm: number;
  /** The load generator's own CPU use during the steady rounds, in cores. */
  readonly generatorCores: number;
}

/** Run the load generator against url; samples the target's /proc at each phase boundary. */
function runLoad(url: string, pid: number | null): Promise<LoadResult> {
  // Every timestamp in the past: the last round lands 15 s before now (at start time).
  const startMs = Date.now() - ROUNDS * 15_000;
  const opts: LoadOptions = { url, series: SERIES, samplesPerRequest: SPR, concurrency: CONC, rounds: ROUNDS, startMs, maxPreencodedBytes: MAX_PREENCODED, seed: 12345 };
  const idle = pid === null ? null : sample(pid);
  const lg = spawn(process.execPath, ['--max-old-space-size=8192', join(HERE, 'loadgen.js'), JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lgPid = lg.pid!;
  return new Promise((resolve, reject) => {
    let encode: EncodeStats | null = null;
    let warm: PhaseResult | null = null;
    let before: Sample | null = null;
    let afterWarm: Sample | null = null;
    let genCpu0 = 0;
    let genT0 = 0;
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      process.kill(lgPid, 'SIGKILL');
      reject(new Error(`load generator did not finish within ${TIMEOUT_S} s`));
    }, TIMEOUT_S * 1000);
    const rl = createInterface({ input: lg.stdout! });
    rl.on('line', (line) => {
      const sp = line.indexOf(' ');
      const kind = line.slice(0, sp);
      const body = line.slice(sp + 1);
      if (kind === 'READY') {
        encode = JSON.parse(body) as EncodeStats;
        before = pid === null ? null : sample(pid);
        lg.stdin!.write('go\n');
      } else if (kind === 'WARM') {
        warm = JSON.parse(body) as PhaseResult;
        afterWarm = pid === null ? null : sample(pid);
        genCpu0 = cpuSeconds(lgPid);
        genT0 = performance.now();
        lg.stdin!.write('go\n');
      } else if (kind === 'DONE') {
        const steady = JSON.parse(body) as PhaseResult;
        const after = pid === null ? null : sample(pid);
        const hwm = pid === null ? 0 : status(pid, 'VmHWM');
        const generatorCores = (cpuSeconds(lgPid) - genCpu0) / ((performance.now() - genT0) / 1000);
        done = true;
        clearTimeout(timer);
        lg.stdin!.end();
        resolve({ encode: encode!, warm: warm!, steady, idle, before, afterWarm, after, hwm, generatorCores });
      }
    });
    lg.once('close', (code) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`load generator exited with ${code}`));
      }
    });
  });
}

async function nullServerRate(): Promise<LoadResult> {
  const srv = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  srv.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  try {
    return await runLoad(`http://127.0.0.1:${port}/null`, null);
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((res) => srv.close(() => res()));
  }
}

interface Durability {
  /** kill -9, then start again on the same directory: seconds until ready. */
  readonly restartSeconds: number;
  /** Vigil: samples its WAL replay restored. */
  readonly replayedSamples: number | null;
  readonly blockBytes: number;
  readonly blockSamples: number;
  readonly blocks: number;
}

interface Measured extends LoadResult {
  readonly target: string;
  readonly command: string;
  readonly warmCpuPerMillion: number;
  readonly steadyCpuPerMillion: number;
  readonly steadyCores: number;
  readonly rssPerSeries: number;
  readonly received: number | null;
  readonly durability: Durability | null;
}

async function receivedSamples(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const m of text.matchAll(/^vigil_distributor_received_samples_total(?:\{[^}]*\})? (\S+)$/gm)) sum += Number(m[1]);
  return sum;
}

function dirSize(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return n;
}

/** index + chunks bytes and numSamples of every block directory under dir. */
function blockStats(dir: string): { bytes: number; samples: number; blocks: number } {
  let bytes = 0;
  let samples = 0;
  let blocks = 0;
  for (const name of readdirSync(dir)) {
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(name)) continue;
    const b = join(dir, name);
    bytes += statSync(join(b, 'index')).size + dirSize(join(b, 'chunks'));
    samples += (JSON.parse(readFileSync(join(b, 'meta.json'), 'utf8')) as { stats: { numSamples?: number } }).stats.numSamples ?? 0;
    blocks++;
  }
  return { bytes, samples, blocks };
}

/** Crash the target, time its restart on the same directory, then write its data into blocks and size them. */
async function durability(t0: Target): Promise<{ target: Target; d: Durability }> {
  process.kill(t0.pid, 'SIGKILL');
  await new Promise<void>((r) => (t0.child.exitCode !== null || t0.child.signalCode !== null ? r() : t0.child.once('exit', () => r())));
  const started = performance.now();
  const t = await startTarget(t0.name, t0.dir);
  const restartSeconds = (performance.now() - started) / 1000;
  try {
    return { target: t, d: await sizeBlocks(t, restartSeconds) };
  } catch (e) {
    await stopTarget(t);
    throw e;
  }
}

async function sizeBlocks(t: Target, restartSeconds: number): Promise<Durability> {
  let replayedSamples: number | null = null;
  let stats: { bytes: number; samples: number; blocks: number };
  if (t.name === 'vigil') {
    const text = await (await fetch(t.metricsUrl)).text();
    replayedSamples = Number(/^vigil_ingester_wal_replayed_samples_total (\S+)$/m.exec(text)?.[1] ?? NaN);
    const r = await fetch(`${t.baseUrl}/ingester/flush?wait=true`, { method: 'POST' });
    if (r.status !== 204) throw new Error(`flush answered ${r.status}: ${await r.text()}`);
    stats = blockStats(join(t.dir, 'data', 'bucket', 'anonymous'));
  } else {
    const r = await fetch(`${t.baseUrl}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
    const body = (await r.json()) as { data?: { name?: string } };
    if (!body.data?.name) throw new Error(`snapshot failed: ${JSON.stringify(body)}`);
    stats = blockStats(join(t.dir, 'data', 'snapshots', body.data.name));
  }
  return { restartSeconds, replayedSamples, blockBytes: stats.bytes, blockSamples: stats.samples, blocks: stats.blocks };
}

async function measure(name: string): Promise<Measured> {
  let t = await startTarget(name);
  try {
    await sleep(2000);
    const r = await runLoad(t.pushUrl, t.pid);
    const received = name === 'vigil' ? await receivedSamples(t.metricsUrl) : null;
    let dur: Durability | null = null;
    if (DURABILITY) {
      const got = await durability(t);
      t = got.target;
      dur = got.d;
    }
    const idle = r.idle!;
    const afterWarm = r.afterWarm!;
    const after = r.after!;
    return {
      ...r,
      target: name,
      command: t.command,
      warmCpuPerMillion: (afterWarm.cpu - r.before!.cpu) / (r.warm.samples / 1e6),
      steadyCpuPerMillion: (after.cpu - afterWarm.cpu) / (r.steady.samples / 1e6),
      steadyCores: (after.cpu - afterWarm.cpu) / (r.steady.seconds + r.steady.betweenRoundEncodeSeconds),
      rssPerSeries: (after.rss - idle.rss) / SERIES,
      received,
      durability: dur,
    };
  } finally {
    await stopTarget(t);
  }
}

const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : String(n));
const mib = (b: number): string => fmt(b / 2 ** 20);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args).toString().trimEnd();
  } catch (e) {
    return `(${cmd} failed: ${(e as Error).message})`;
  }
}

function writeResults(section: string): void {
  let text = readFileSync(RESULTS, 'utf8');
  // Keep the decode micro-benchmark section last.
  const marker = '\n## Decode path micro-benchmark';
  const at = text.indexOf(marker);
  text = at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at).trimEnd()}\n\n${section}\n${text.slice(at)}`;
  writeFileSync(RESULTS, text);
}

async function main(): Promise<void> {
  const started = new Date();
  const cmd = `npm run bench:push -- --series=${SERIES} --samples-per-request=${SPR} --concurrency=${CONC} --rounds=${ROUNDS} --targets=${TARGETS.join(',')}${PROFILE ? ' --profile=true' : ''}${DURABILITY ? ' --durability=true' : ''}`;
  console.log(`${cmd}\n${SERIES_PER_HOST} series per host over ${METRIC_NAMES} metric names, ${Math.ceil(SERIES / SERIES_PER_HOST)} hosts`);
  let gen: LoadResult | null = null;
  if (NULL_RUN) {
    gen = await nullServerRate();
    console.log(`load generator vs null server: first round ${fmt(gen.warm.samplesPerSecond)}, steady ${fmt(gen.steady.samplesPerSecond)} samples/s (${gen.encode.mode}, ${mib(gen.encode.compressedBytesPerRound)} MiB/round compressed)`);
  }
  const results: Measured[] = [];
  for (const t of TARGETS) {
    const m = await measure(t);
    results.push(m);
    const err = m.warm.firstError ?? m.steady.firstError;
    console.log(`${t}: first round ${fmt(m.warm.samplesPerSecond)}, steady ${fmt(m.steady.samplesPerSecond)} samples/s, non-2xx ${m.warm.non2xx + m.steady.non2xx}${err ? ` — first error: ${err}` : ''}`);
    console.log(`  steady per round: ${m.steady.perRoundSamplesPerSecond.map((x) => fmt(x)).join(', ')}`);
  }

  const v = results.find((r) => r.target === 'vigil');
  const p = results.find((r) => r.target === 'prometheus');
  const sent = SERIES * ROUNDS;
  const L: string[] = [];
  L.push(`### ${fmt(SERIES)} active series — ${started.toISOString()}`, '');
  L.push(`Command: \`${cmd}\``, '');
  L.push(
    `Machine: nproc ${sh('nproc', [])} (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${sh('prometheus', ['--version']).split('\n')[0]}. \`free -g\`:`,
    '',
    '```',
    sh('free', ['-g']),
    '```',
    '',
  );
  L.push(
    `Load: ${fmt(SERIES)} series (${SERIES_PER_HOST} per host over ${METRIC_NAMES} metric names), ${SPR} samples per request, ${CONC} in flight, ${ROUNDS} rounds 15 s apart ` +
      `(first round creates the series; steady = the other ${ROUNDS - 1}). Bodies ${gen ? gen.encode.mode : 'pre-encoded'}, ` +
      `${fmt((gen ?? results[0])?.encode.compressedBytesPerRound ?? NaN)} bytes compressed per round.`,
  );
  if (gen) {
    L.push(`Load generator alone against a null HTTP server (its ceiling): first round ${fmt(gen.warm.samplesPerSecond)}, steady ${fmt(gen.steady.samplesPerSecond)} samples/s, p50 ${fmt(gen.steady.p50Ms, 2)} ms.`);
  }
  L.push('');
  L.push('| target | phase | samples/s | p50 ms | p99 ms | max ms | CPU s per 1M samples | non-2xx | generator cores |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const m of results) {
    L.push(`| ${m.target} | first round | ${fmt(m.warm.samplesPerSecond)} | ${fmt(m.warm.p50Ms, 1)} | ${fmt(m.warm.p99Ms, 1)} | ${fmt(m.warm.maxMs, 1)} | ${fmt(m.warmCpuPerMillion, 2)} | ${m.warm.non2xx} | |`);
    L.push(`| ${m.target} | steady | ${fmt(m.steady.samplesPerSecond)} | ${fmt(m.steady.p50Ms, 1)} | ${fmt(m.steady.p99Ms, 1)} | ${fmt(m.steady.maxMs, 1)} | ${fmt(m.steadyCpuPerMillion, 2)} (${m.steadyCores.toFixed(2)} cores) | ${m.steady.non2xx} | ${m.generatorCores.toFixed(2)} |`);
  }
  L.push('');
  L.push('| target | RSS idle MiB | RSS before | after first round | after | peak (VmHWM) | RSS bytes per active series |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const m of results) {
    L.push(`| ${m.target} | ${mib(m.idle!.rss)} | ${mib(m.before!.rss)} | ${mib(m.afterWarm!.rss)} | ${mib(m.after!.rss)} | ${mib(m.hwm)} | ${fmt(m.rssPerSeries)} |`);
  }
  L.push('');
  if (v && p) {
    const steadyRatio = v.steady.samplesPerSecond / p.steady.samplesPerSecond;
    L.push(
      `**Ratios Vigil/Prometheus:** steady samples/s **${ratio(v.steady.samplesPerSecond, p.steady.samplesPerSecond)}** (target ≥ 2×: ${steadyRatio >= 2 ? 'met' : 'NOT met'}), ` +
        `first round ${ratio(v.warm.samplesPerSecond, p.warm.samplesPerSecond)}, steady p99 ${ratio(v.steady.p99Ms, p.steady.p99Ms)}, ` +
        `CPU per sample ${ratio(v.steadyCpuPerMillion, p.steadyCpuPerMillion)}, RSS per series **${ratio(v.rssPerSeries, p.rssPerSeries)}** (target ≤ 1×: ${v.rssPerSeries <= p.rssPerSeries ? 'met' : 'NOT met'}).`,
    );
  }
  if (v) L.push(`Vigil's vigil_distributor_received_samples_total: ${fmt(v.received ?? NaN)} of ${fmt(sent)} samples sent${v.received === sent ? ' (all of them)' : ' — MISMATCH'}.`);
  if (results.some((m) => m.durability)) {
    L.push('', 'Durability (WAL on; Vigil at its default `-blocks-storage.tsdb.wal-fsync=interval`): kill -9 after the load, restart on the same directory, time to ready; then everything written into blocks (Vigil: `/ingester/flush?wait=true` into the bucket directory; Prometheus: `POST /api/v1/admin/tsdb/snapshot` with the head).', '');
    L.push('| target | restart to ready s | s per 1M samples in the WAL | samples replayed | blocks | index+chunks bytes | samples in blocks | bytes per sample |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const m of results) {
      const d = m.durability;
      if (!d) continue;
      L.push(`| ${m.target} | ${fmt(d.restartSeconds, 2)} | ${fmt(d.restartSeconds / (sent / 1e6), 2)} | ${d.replayedSamples === null ? 'n/a' : fmt(d.replayedSamples)} | ${d.blocks} | ${fmt(d.blockBytes)} | ${fmt(d.blockSamples)} | ${fmt(d.blockBytes / d.blockSamples, 3)} |`);
    }
    if (v?.durability && p?.durability) {
      const vb = v.durability.blockBytes / v.durability.blockSamples;
      const pb = p.durability.blockBytes / p.durability.blockSamples;
      L.push('', `**Ratios Vigil/Prometheus:** bytes per sample ${ratio(vb, pb)} (target ≤ 1×: ${vb <= pb ? 'met' : 'NOT met'}), restart time ${ratio(v.durability.restartSeconds, p.durability.restartSeconds)}. Samples in Vigil's blocks: ${fmt(v.durability.blockSamples)} of ${fmt(sent)} sent${v.durability.blockSamples === sent ? ' (all of them)' : ' — MISMATCH'}.`);
    }
  }
  for (const m of results) L.push('', `${m.target} command: \`${m.command}\``);

  if (PROFILE && v) {
    const files = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile'));
    for (const f of files) {
      const prof = JSON.parse(readFileSync(join(PROFILE_DIR, f), 'utf8')) as Parameters<typeof summariseProfile>[0];
      const rel = join('bench', '.out', `cpuprof-${process.pid}`, f);
      L.push('', `Vigil CPU profile (\`node --cpu-prof\`), steady rounds only (samples between the end of the first round and the end of the last), self time, ${rel}:`, '');
      L.push(summariseProfile(prof, 25, { fromUs: v.afterWarm!.monoUs, toUs: v.after!.monoUs }));
      L.push('', 'The first (series-creating) round alone:', '');
      L.push(summariseProfile(prof, 12, { fromUs: v.before!.monoUs, toUs: v.afterWarm!.monoUs }));
    }
  }

  const section = L.join('\n');
  console.log(`\n${section}`);
  if (WRITE_RESULTS) writeResults(section);
  const bad =
    results.some((m) => m.warm.non2xx + m.steady.non2xx > 0) ||
    (v !== undefined && v.received !== sent) ||
    (v?.durability !== null && v?.durability !== undefined && v.durability.blockSamples !== sent);
  process.exitCode = bad ? 2 : 0;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
