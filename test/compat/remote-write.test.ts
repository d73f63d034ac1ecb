/**
 * A real Prometheus 2.42 scrapes a real node_exporter and itself and remote-writes into a real
 * Vigil process. After Prometheus has sent everything, Vigil must hold exactly the series
 * Prometheus holds, and Prometheus's sent-sample count must equal Vigil's received count with
 * nothing failed, dropped or discarded.
 */

import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtool, scratchCopy, startPrometheusOnBlocks } from '../harness/prometheus-blocks.js';
import { scrape } from '../harness/metrics.js';
import { type Proc, requireBinaries, startNodeExporter, startPrometheus, startVigil, waitFor } from '../harness/process.js';

const enabled = requireBinaries('prometheus', 'prometheus-node-exporter');

function promConfig(vigil: string, scrapeTargets: string | null): string {
  const scrapes = scrapeTargets
    ? `scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['$SELF'] }]
  - job_name: node
    static_configs: [{ targets: ['${scrapeTargets}'] }]
`
    : '';
  return `global:
  scrape_interval: 1s
${scrapes}remote_write:
  - url: ${vigil}/api/v1/push
    queue_config: { batch_send_deadline: 1s, max_samples_per_send: 500 }
    metadata_config: { send_interval: 2s }
`;
}

type LabelSet = Record<string, string>;

async function seriesOf(url: string, start: number, end: number): Promise<string[]> {
  const q = new URLSearchParams({ 'match[]': '{__name__=~".+"}', start: String(start), end: String(end) });
  const r = await fetch(`${url}?${q}`);
  const body = (await r.json()) as { status: string; data: LabelSet[] };
  expect(body.status).toBe('success');
  return body.data.map((ls) => JSON.stringify(Object.fromEntries(Object.entries(ls).sort(([a], [b]) => (a < b ? -1 : 1))))).sort();
}

describe.skipIf(!enabled)('remote write from a real Prometheus 2.42', () => {
  let vigil: Proc;
  let ne: Proc;
  let prom: Proc & { writeConfig(yaml: string): void };
  const t0 = Math.floor(Date.now() / 1000) - 60;
  // While both targets are scraped: instant queries must land here, before the staleness
  // markers written when scraping stops (however long the later steps take on a busy machine).
  let scrapedAt = 0;

  beforeAll(async () => {
    vigil = await startVigil(['-auth.enabled=false', '-distributor.ingestion-rate-limit=10000000', '-distributor.ingestion-burst-size=10000000']);
    ne = await startNodeExporter();
    prom = await startPrometheus(promConfig(vigil.url, `127.0.0.1:${ne.port}`));
  }, 60_000);

  afterAll(async () => {
    for (const p of [prom, ne, vigil]) await p?.stop();
  });

  it('delivers every series and every sample, nothing failed', async () => {
    const remote = { url: `${vigil.url}/api/v1/push` };
    // Let a few scrapes of both targets reach Vigil.
    await waitFor('samples at Vigil', async () => (await scrape(vigil.url, 'vigil_distributor_received_samples_total', { user: 'anonymous' })) > 2000, 40_000, 250);
    await waitFor('three scrapes of node_exporter', async () => (await scrape(prom.url, 'prometheus_target_interval_length_seconds_count')) >= 6, 30_000, 250);

    // While the targets are scraped, the metadata endpoint answers as Prometheus's own, which reads
    // its targets' caches (Prometheus sends metadata every metadata_config.send_interval).
    const compared = ['node_cpu_seconds_total', 'node_load1', 'prometheus_http_requests_total', 'go_goroutines'];
    await waitFor('metadata at Vigil', async () => {
      const r = (await (await fetch(`${vigil.url}/prometheus/api/v1/metadata`)).json()) as { data: Record<string, unknown[]> };
      return compared.every((m) => r.data[m]) ? true : undefined;
    }, 20_000, 500);
    for (const q of ['metric=node_cpu_seconds_total', 'metric=node_load1', 'metric=prometheus_http_requests_total', 'metric=go_goroutines', 'metric=go_goroutines&limit_per_metric=1', 'metric=nope', 'limit=0']) {
      const [v, p] = await Promise.all([fetch(`${vigil.url}/prometheus/api/v1/metadata?${q}`), fetch(`${prom.url}/api/v1/metadata?${q}`)]);
      expect({ status: v.status, body: await v.text() }, q).toEqual({ status: p.status, body: await p.text() });
    }
    const families = async (url: string) => Object.keys(((await (await fetch(url)).json()) as { data: Record<string, unknown> }).data);
    const vigilFamilies = await families(`${vigil.url}/prometheus/api/v1/metadata`);
    const promFamilies = await families(`${prom.url}/api/v1/metadata`);
    expect(vigilFamilies.filter((f) => !promFamilies.includes(f))).toEqual([]);
    expect(vigilFamilies.length).toBeGreaterThan(100);
    scrapedAt = Math.floor(Date.now() / 1000) - 1;
    // Stop scraping deterministically: targets go away and Prometheus writes staleness markers.
    prom.writeConfig(promConfig(vigil.url, null));
    const reload = await fetch(`${prom.url}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);

    // Wait until Prometheus has sent all it appended: nothing pending and the count stable.
    let last = -1;
    let stableFor = 0;
    const sent = await waitFor(
      'Prometheus to finish sending',
      async () => {
        const pending = await scrape(prom.url, 'prometheus_remote_storage_samples_pending', remote);
        const total = await scrape(prom.url, 'prometheus_remote_storage_samples_total', remote);
        stableFor = pending === 0 && total === last ? stableFor + 1 : 0;
        last = total;
        return stableFor >= 6 ? total : undefined;
      },
      40_000,
      500,
    );

    const failed = await scrape(prom.url, 'prometheus_remote_storage_samples_failed_total', remote);
    const dropped = await scrape(prom.url, 'prometheus_remote_storage_samples_dropped_total', remote);
    const received = await scrape(vigil.url, 'vigil_distributor_received_samples_total', { user: 'anonymous' });
    const discarded = await scrape(vigil.url, 'vigil_discarded_samples_total');
    expect({ sent, received, failed, dropped, discarded }).toEqual({ sent, received: sent, failed: 0, dropped: 0, discarded: 0 });
    expect(sent).toBeGreaterThan(2000);

    const end = Math.ceil(Date.now() / 1000) + 5;
    const fromProm = await seriesOf(`${prom.url}/api/v1/series`, t0, end);
    const fromVigil = await seriesOf(`${vigil.url}/prometheus/api/v1/series`, t0, end);
    const onlyProm = fromProm.filter((s) => !fromVigil.includes(s));
    const onlyVigil = fromVigil.filter((s) => !fromProm.includes(s));
    expect({ onlyProm: onlyProm.slice(0, 5), onlyVigil: onlyVigil.slice(0, 5) }).toEqual({ onlyProm: [], onlyVigil: [] });
    expect(fromVigil.length).toBe(fromProm.length);
    expect(fromVigil.length).toBeGreaterThan(300);

    // Metadata travels too (Prometheus sends it every metadata_config.send_interval).
    await waitFor('metadata at Vigil', async () => {
      const r = (await (await fetch(`${vigil.url}/prometheus/api/v1/metadata?metric=node_cpu_seconds_total`)).json()) as { data: Record<string, { type: string }[]> };
      return r.data.node_cpu_seconds_total?.[0]?.type === 'counter' ? true : undefined;
    }, 20_000, 500);
  }, 120_000);

  it("ships blocks that promtool reads and a Prometheus started on them answers exactly like the sender", async () => {
    const flush = await fetch(`${vigil.url}/ingester/flush?wait=true`, { method: 'POST' });
    expect(flush.status).toBe(204);
    const tenantDir = join(vigil.dir, 'data', 'bucket', 'anonymous');
    const ulids = readdirSync(tenantDir).filter((f) => /^[0-9A-Z]{26}$/.test(f));
    expect(ulids.length).toBeGreaterThan(0);
    let numSamples = 0;
    for (const u of ulids) numSamples += (JSON.parse(readFileSync(join(tenantDir, u, 'meta.json'), 'utf8')) as { stats: { numSamples: number } }).stats.numSamples;
    const received = await scrape(vigil.url, 'vigil_distributor_received_samples_total', { user: 'anonymous' });
    expect(numSamples).toBe(received);

    // promtool: every block analyses cleanly (every chunk decoded, CRCs checked) and dumps every sample.
    const scratch = scratchCopy(tenantDir);
    try {
      for (const u of ulids) {
        const r = await promtool(['tsdb', 'analyze', '--extended', scratch, u]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain(`Block ID: ${u}`);
      }
      const dump = await promtool(['tsdb', 'dump', scratch]);
      expect(dump.code, dump.stderr).toBe(0);
      expect(dump.stdout.split('\n').filter((l) => l !== '').length).toBe(numSamples);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }

    // A Prometheus on a copy of the blocks answers as the Prometheus that sent the data.
    const onBlocks = await startPrometheusOnBlocks(tenantDir);
    try {
      const at = Math.floor(Date.now() / 1000);
      expect(scrapedAt).toBeGreaterThan(0);
      const queries: [string, number][] = [
        ['count({__name__=~".+"})', scrapedAt],
        ['count by (job) ({__name__=~".+"})', scrapedAt],
        ['node_cpu_seconds_total[10m]', at],
        ['up[10m]', at],
        ['prometheus_tsdb_head_samples_appended_total[10m]', at],
      ];
      for (const [q, time] of queries) {
        const ask = async (base: string): Promise<unknown> => {
          const r = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: q, time: String(time) })}`);
          const body = (await r.json()) as { status: string; data: { result: { metric: Record<string, string> }[] } };
          expect(body.status, q).toBe('success');
          return body.data.result.sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
        };
        const sender = await ask(prom.url);
        expect(Array.isArray(sender) && sender.length > 0, q).toBe(true);
        expect(await ask(onBlocks.url), q).toEqual(sender);
      }
    } finally {
      await onBlocks.stop();
    }
  }, 120_000);
});