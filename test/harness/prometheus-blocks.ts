/**
 * promtool and a Prometheus 2.42 server over a data directory of existing blocks (format
 * reference §7.2–7.6). The server runs on a copy in a temporary directory, listens on 127.0.0.1
 * on a free port, and is stopped by PID.
 */

import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Proc, freePort, launch } from './process.js';

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

/** A Prometheus serving a copy of some blocks; stop() ends it by PID and removes its directory. */
export type BlocksServer = Proc;

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
  return launch('prometheus', 'prometheus', args, port, dir, '/-/ready');
}
