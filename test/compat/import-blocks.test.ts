/**
 * Migration: blocks written by Prometheus 2.42's own tools (`promtool tsdb create-blocks-from
 * openmetrics`) go into a tenant's bucket with `vigil-tool import-blocks`, which validates them
 * first and refuses duplicates, overlaps and damaged blocks; `list-blocks` and `inspect-block`
 * describe what is there, and the uploaded blocks hold exactly the samples of the source.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBlockSamples } from '../../tsdb/block/reader.js';
import { promtool } from '../harness/prometheus-blocks.js';
import { REPO_ROOT, requireBinaries } from '../harness/process.js';

const enabled = requireBinaries('promtool');
const root = mkdtempSync(join(tmpdir(), 'vigil-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tool(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'dist', 'cmd', 'vigil-tool.js'), ...args, `-blocks-storage.filesystem.dir=${join(root, 'bucket')}`], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function backfill(name: string, startSec: number, hours: number): Promise<string> {
  const lines: string[] = ['# TYPE mig_requests_total counter'];
  for (let i = 0; i < 5; i++) {
    for (let t = startSec; t < startSec + hours * 3600; t += 60) lines.push(`mig_requests_total{code="${200 + i}"} ${(t - startSec) / 60 + i} ${t}`);
  }
  lines.push('# EOF', '');
  const file = join(root, `${name}.om`);
  writeFileSync(file, lines.join('\n'));
  const out = join(root, name);
  const r = await promtool(['tsdb', 'create-blocks-from', 'openmetrics', file, out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

describe.skipIf(!enabled)('vigil-tool import-blocks with blocks promtool wrote', () => {
  it('imports, lists and inspects; refuses duplicates, overlaps and damage', { timeout: 60_000 }, async () => {
    const start = 1_700_000_000 - (1_700_000_000 % 7200);
    const src = await backfill('history', start, 4); // two 2h blocks
    const ulids = readdirSync(src).sort();
    expect(ulids).toHaveLength(2);

    const imp = await tool(['import-blocks', '-tenant=team-a', src]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toContain('imported 2 block(s) into tenant team-a');
    for (const u of ulids) {
      const meta = JSON.parse(readFileSync(join(root, 'bucket', 'team-a', u, 'meta.json'), 'utf8')) as { thanos: { labels: Record<string, string>; source: string } };
      expect(meta.thanos).toMatchObject({ labels: { __org_id__: 'team-a' }, source: 'bucket.upload' });
      // The uploaded block holds exactly the source's samples.
      expect(await readBlockSamples(join(root, 'bucket', 'team-a', u))).toEqual(await readBlockSamples(join(src, u)));
    }

    const list = await tool(['list-blocks', '-tenant=team-a']);
    expect(list.code, list.stderr).toBe(0);
    for (const u of ulids) expect(list.stdout).toContain(u);
    expect(list.stdout.split('\n')[0]).toMatch(/^BLOCK ULID\s+MIN TIME\s+MAX TIME/);

    const inspect = await tool(['inspect-block', '-tenant=team-a', ulids[0]!]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain(`Block ID: ${ulids[0]}`);
    expect(inspect.stdout).toMatch(/Series: 5\n/);
    expect(inspect.stdout).toMatch(/Samples: 600\n/);

    const again = await tool(['import-blocks', '-tenant=team-a', join(src, ulids[0]!)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is already in tenant team-a's bucket/);

    const overlapping = await backfill('overlap', start + 3600, 1);
    const clash = await tool(['import-blocks', '-tenant=team-a', overlapping]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/overlaps block .* pass -allow-overlap/);
    const allowed = await tool(['import-blocks', '-tenant=team-a', '-allow-overlap', overlapping]);
    expect(allowed.code, allowed.stderr).toBe(0);

    const damaged = await backfill('damaged', start + 10 * 3600, 1);
    const u = readdirSync(damaged)[0]!;
    const seg = join(damaged, u, 'chunks', '000001');
    const bytes = readFileSync(seg);
    bytes[20] = bytes[20]! ^ 0xff;
    writeFileSync(seg, bytes);
    const bad = await tool(['import-blocks', '-tenant=team-b', damaged]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/chunks: .*checksum/);
    expect(readdirSync(join(root, 'bucket')).includes('team-b')).toBe(false);

    // The tenant must be named and valid.
    expect((await tool(['list-blocks'])).stderr).toMatch(/needs -tenant/);
    cpSync(src, join(root, 'copy'), { recursive: true });
    expect((await tool(['import-blocks', '-tenant=..', join(root, 'copy')])).stderr).toMatch(/invalid -tenant/);
  });
});
