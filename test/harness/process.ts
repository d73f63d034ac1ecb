/**
 * Real processes for integration and compatibility tests: started on 127.0.0.1 with ephemeral
 * ports and temporary directories, waited on by polling (never fixed sleeps), stopped by PID.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..').replace(/\/dist$/, '');

export interface Proc {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  logs(): string;
  /** The exit code once the process ended, else null. */
  exitCode(): number | null;
  /** True once the process ended (by exit or by signal). */
  exited(): boolean;
  /** SIGKILL it (a crash) and wait until it is gone; its directory stays. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Thrown inside a waitFor callback to stop waiting at once (the awaited thing can no longer happen). */
export class StopWaiting extends Error {}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      if (e instanceof StopWaiting) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Start `cmd` in `dir` and wait until GET readyPath answers 200; it is stopped by PID. */
export function launch(name: string, cmd: string, args: string[], port: number, dir: string, readyPath: string): Promise<Proc> {
  let out = '';
  const child: ChildProcess = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer): void => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  let code: number | null = null;
  child.once('exit', (c) => {
    exited = true;
    code = c;
  });
  const url = `http://127.0.0.1:${port}`;
  const proc: Proc = {
    name,
    url,
    port,
    pid: child.pid!,
    dir,
    logs: () => out,
    exitCode: () => code,
    exited: () => exited,
    crash: async () => {
      if (!exited) child.kill('SIGKILL');
      await waitFor(`${name} to die`, async () => exited, 10_000);
    },
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const done = await waitFor(`${name} to exit`, async () => exited, 10_000).catch(() => false);
        if (!done && !exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return waitFor(
    `${name} on ${url}${readyPath}`,
    async () => {
      if (exited) throw new StopWaiting(`${name} exited early:\n${out.slice(-2000)}`);
      const r = await fetch(url + readyPath);
      return r.status === 200 ? proc : undefined;
    },
    30_000,
  ).catch(async (e: unknown) => {
    await proc.stop();
    throw e;
  });
}

/** The built Vigil binary (run `npm run build` first; `npm test` does). */
export async function startVigil(args: readonly string[] = []): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-it-'));
  return launch('vigil', process.execPath, [join(REPO_ROOT, 'dist', 'cmd', 'vigil.js'), '-server.http-listen-address=127.0.0.1', `-server.http-listen-port=${port}`, ...args], port, dir, '/ready');
}

export async function startPrometheus(configYaml: string, extraArgs: readonly string[] = []): Promise<Proc & { writeConfig(yaml: string): void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-'));
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(cfg, configYaml.replaceAll('$SELF', `127.0.0.1:${port}`));
  const p = await launch(
    'prometheus',
    'prometheus',
    [`--config.file=${cfg}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', ...extraArgs],
    port,
    dir,
    '/-/ready',
  );
  return { ...p, writeConfig: (yaml: string) => writeFileSync(cfg, yaml.replaceAll('$SELF', `127.0.0.1:${port}`)) };
}

export async function startNodeExporter(): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ne-'));
  return launch('node_exporter', 'prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${port}`], port, dir, '/metrics');
}

export function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a suite needing `names` can run. Missing binaries skip the suite with a printed
 * reason, except under CI=true where they fail it.
 */
export function requireBinaries(...names: string[]): boolean {
  const missing = names.filter((n) => !hasBinary(n));
  if (missing.length === 0) return true;
  const msg = `missing ${missing.join(', ')} (Debian packages prometheus, prometheus-node-exporter, prometheus-alertmanager; npm test installs them as root)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI=true forbids skipping`);
  console.warn(`SKIPPING: ${msg}`);
  return false;
}
