/**
 * A real S3 API for tests: the npm package s3rver, run in a child Node process on 127.0.0.1
 * with an ephemeral port and a temporary directory.
 *
 * Why a child process and not in-process: s3rver 3.7.1 encrypts ListObjectsV2 continuation
 * tokens with DES, which OpenSSL 3 (Node >= 17) only offers with `--openssl-legacy-provider`;
 * without it every listing of more than one page fails with InternalError. The child gets that
 * flag; the test process does not need it. The child exits when its stdin closes, so a test
 * process that dies does not leave it behind.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './process.js';

/** s3rver's built-in account; it checks the access key id, but not SigV4 signatures. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3rverProc {
  /** `127.0.0.1:<port>`, to be used with insecure (http) and path-style addressing. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  logs(): string;
  stop(): Promise<void>;
}

const CHILD = `
const S3rver = require('s3rver');
const { dir, buckets } = JSON.parse(process.env.VIGIL_S3RVER);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name, configs: [] })) })
  .run()
  .then((addr) => process.stdout.write('PORT ' + addr.port + '\\n'), (e) => { console.error(e); process.exit(1); });
`;

export async function startS3rver(buckets: readonly string[], timeoutMs = 30_000): Promise<S3rverProc> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD], {
    cwd: REPO_ROOT,
    env: { ...process.env, VIGIL_S3RVER: JSON.stringify({ dir, buckets }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer): void => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.stdin.end();
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
      const onData = (): void => {
        const m = /PORT (\d+)\n/.exec(out);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited early:\n${out.slice(-2000)}`));
      });
    });
    return { endpoint: `127.0.0.1:${port}`, port, pid: child.pid ?? -1, logs: () => out, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
