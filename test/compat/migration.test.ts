/**
 * Migration from a running Prometheus 2.42: it scrapes itself for a while, writes its data as a
 * block (admin snapshot with the head), `vigil-tool import-blocks` puts that block into a Vigil
 * tenant, and a second Prometheus that reads from Vigil (remote_read, read_recent) answers
 * PromQL queries exactly as the original does — so Vigil serves every sample of the imported
 * block through its store, and nothing else.
 */

import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricSum } from '../harness/metrics.js';
import { REPO_ROOT, type Proc, requireBinaries, startPrometheus, startVigil, waitFor } from '../harness/process.js';

const enabled = requireBinaries('prometheus');

function tool(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'dist', 'cmd', 'vigil-tool.js'), ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

type Result = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];

async function query(base: string, q: string, time: number): Promise<Result> {
  const r = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: q, time: String(time) })}`);
  const body = (await r.json()) as { status: string; error?: string; data: { result: Result } };
  expect(body.status, `${q}: ${body.error}`).toBe('success');
  const key = (m: Record<string, string>): string => JSON.stringify(Object.entries(m).sort());
  return body.data.result.sort((a, b) => (key(a.metric) < key(b.metric) ? -1 : 1));
}

describe.skipIf(!enabled)('migrating a Prometheus 2.42 into Vigil', () => {
  let source: Proc & { writeConfig(yaml: string): void };
  let vigil: Proc;
  let reader: Proc;

  beforeAll(async () => {
    source = await startPrometheus('global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{ targets: [\'$SELF\'] }]\n', ['--web.enable-admin-api']);
    // The default sync interval (15 s): a rewritten bucket index is noticed by the next query all the same.
    vigil = await startVigil(['-querier.query-store-after=0']);
  }, 60_000);

  afterAll(async () => {
    for (const p of [reader, vigil, source]) await p?.stop();
  });

  it('answers from the imported block exactly as the source Prometheus', { timeout: 120_000 }, async () => {
    await waitFor('eight scrapes', async () => metricSum(await (await fetch(`${source.url}/metrics`)).text(), 'prometheus_target_interval_length_seconds_count') >= 8, 30_000, 250);
    // Stop scraping so the source's data is final, then write it as a block.
    source.writeConfig('global:\n  scrape_interval: 1s\nscrape_configs: []\n');
    expect((await fetch(`${source.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    const snap = (await (await fetch(`${source.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' })).json()) as { data: { name: string } };
    const snapDir = join(source.dir, 'data', 'snapshots', snap.data.name);
    expect(readdirSync(snapDir).length).toBeGreaterThan(0);

    const imp = await tool(['import-blocks', '-tenant=anonymous', `-blocks-storage.filesystem.dir=${join(vigil.dir, 'data', 'bucket')}`, snapDir]);
    expect(imp.code, imp.stderr).toBe(0);
    // Served by the very next query, no waiting.
    const now = Math.floor(Date.now() / 1000);
    const direct = (await (await fetch(`${vigil.url}/prometheus/api/v1/query?${new URLSearchParams({ query: 'count(up)', time: String(now - 2) })}`)).json()) as { data: { result: unknown[] } };
    expect(direct.data.result).toHaveLength(1);

    reader = await startPrometheus(`global:\n  scrape_interval: 1h\nscrape_configs: []\nremote_read:\n  - url: ${vigil.url}/prometheus/api/v1/read\n    read_recent: true\n`);
    const at = Math.floor(Date.now() / 1000);
    await waitFor('the imported block to be served', async () => (await query(reader.url, 'count(up)', at - 2)).length > 0, 30_000, 500);

    const queries = [
      'count({__name__=~".+"})',
      'count by (__name__) ({__name__=~"prometheus_tsdb_.+"})',
      'up[1m]',
      'prometheus_http_requests_total[1m]',
      'sum by (handler) (rate(prometheus_http_requests_total[10s]))',
      'max_over_time(go_goroutines[1m])',
    ];
    for (const q of queries) {
      const want = await query(source.url, q, at - 2);
      expect(want.length, q).toBeGreaterThan(0);
      expect(await query(reader.url, q, at - 2), q).toEqual(want);
    }
  });
});
