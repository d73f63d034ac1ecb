/**
 * promtool and a Prometheus 2.42 server over a data directory of existing blocks (format
 * reference §7.2–7.6). The server runs on a copy in a temporary directory, listens on 127.0.0.1
 * on a free port, and is stopped by PID.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StopWaiting, freePort, waitFor } from './process.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs promtool with `args`; never rejects on a non-zero exit (the code is in the result). */
export function promtool(args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile('promtool', [...args], { maxBuffer: 1024 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(err);
        return;
      }
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/** A scratch copy of `dataDir` (blocks only) with the empty `wal/` that `promtool tsdb dump` needs. */
export function scratchCopy(dataDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tsdb-'));
  cpSync(dataDir, dir, { recursive: true });
  mkdirSync(join(dir, 'wal'), { recursive: true });
  return dir;
}

export interface BlocksServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The temporary directory holding the config and the copied data. */
  readonly dir: string;
  logs(): string;
  exitCode(): number | null;
  /** SIGTERM by PID (SIGKILL after 10 s), then remove the directory. */
  stop(): Promise<void>;
}

/**
 * Prometheus on a copy of `dataDir` with no scrape configs, a 100y retention and level
 * compaction off (`min/max-block-duration=2h`), so the blocks are served as they are.
 */
export async function startPrometheusOnBlocks(dataDir: string): Promise<BlocksServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-blocks-'));
  const data = join(dir, 'data');
  cpSync(dataDir, data, { recursive: true });
  const cfg = join(dir, 'prom.yml');
  writeFileSync(cfg, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const args = [
    `--config.file=${cfg}`,
    `--storage.tsdb.path=${data}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=100y',
    '--storage.tsdb.min-block-duration=2h',
    '--storage.tsdb.max-block-duration=2h',
  ];
  let out = '';
  const child: ChildProcess = spawn('prometheus', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const proc: BlocksServer = {
    url,
    port,
    pid: child.pid!,
    dir,
    logs: () => out,
    exitCode: () => code,
    stop: async () => {
      if (!exited) {
        process.kill(child.pid!, 'SIGTERM');
        const done = await waitFor('prometheus to exit', async () => exited, 10_000).catch(() => false);
        if (!done && !exited) process.kill(child.pid!, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(`prometheus on ${url}/-/ready`, async () => {
      if (exited) throw new StopWaiting(`prometheus exited early:\n${out.slice(-2000)}`);
      const r = await fetch(`${url}/-/ready`);
      return r.status === 200 ? true : undefined;
    });
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return proc;
}
