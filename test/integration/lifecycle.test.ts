/** The vigil binary as a user runs it: -help, refusing what it cannot do, /ready, SIGTERM (which ships the head). */

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { isULID } from '../../tsdb/ulid.js';
import { REPO_ROOT, startVigil, waitFor } from '../harness/process.js';
import { pushV1 } from '../harness/push.js';

const BIN = join(REPO_ROOT, 'dist', 'cmd', 'vigil.js');

it('prints -help and exits 0', () => {
  const r = spawnSync(process.execPath, [BIN, '-help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/-server\.http-listen-port int/);
});

it('refuses a role that is not built yet, and a bad flag, with exit 1 and a reason', () => {
  const role = spawnSync(process.execPath, [BIN, '-target=compactor'], { encoding: 'utf8' });
  expect(role.status).toBe(1);
  expect(role.stderr).toMatch(/target "compactor" is not available yet/);
  const flag = spawnSync(process.execPath, [BIN, '-server.http-listen-port=abc'], { encoding: 'utf8' });
  expect(flag.status).toBe(1);
  expect(flag.stderr).toMatch(/-server\.http-listen-port/);
});

it('becomes ready, then stops cleanly on SIGTERM with exit 0', async () => {
  const v = await startVigil();
  const ready = await fetch(`${v.url}/ready`);
  expect(ready.status).toBe(200);
  process.kill(v.pid, 'SIGTERM');
  expect(await waitFor('vigil to exit', async () => v.exitCode() ?? undefined, 15_000).catch(() => v.exitCode())).toBe(0);
  expect(v.logs()).toMatch(/Vigil stopped/);
  await v.stop();
});

it('on SIGTERM cuts the whole head into blocks and ships them before exiting', async () => {
  const v = await startVigil(['-ingester.lifecycler.ID=ing-term']);
  const t0 = Date.now() - 30_000;
  const series = Array.from({ length: 10 }, (_, i) => ({
    labels: [
      { name: '__name__', value: 'term_test' },
      { name: 'i', value: String(i) },
    ],
    samples: Array.from({ length: 5 }, (_, k) => ({ timestamp: t0 + k * 1000, value: i + k })),
  }));
  expect((await pushV1(v.url, series)).status).toBe(200);
  process.kill(v.pid, 'SIGTERM');
  expect(await waitFor('vigil to exit', async () => v.exitCode() ?? undefined, 30_000).catch(() => v.exitCode())).toBe(0);
  const tenantDir = join(v.dir, 'data', 'bucket', 'anonymous');
  let samples = 0;
  for (const ulid of readdirSync(tenantDir).filter(isULID)) {
    const meta = JSON.parse(readFileSync(join(tenantDir, ulid, 'meta.json'), 'utf8')) as { stats: { numSamples: number }; thanos: { labels: Record<string, string> } };
    expect(meta.thanos.labels.__ingester_id__).toBe('ing-term');
    samples += meta.stats.numSamples;
  }
  expect(samples).toBe(50);
  await v.stop();
});
