/**
 * A real Prometheus 2.42 with `remote_read` pointed at Vigil (read_recent: true, so it always
 * asks) answers queries over data that only Vigil holds exactly as that data says: raw range
 * selectors, aggregations and rates computed by Prometheus's own engine on Vigil's samples.
 * (Prometheus 2.42 asks for SAMPLES only; the streamed-chunks answer is checked frame by frame
 * in querier/remote-read.test.ts.)
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, requireBinaries, startPrometheus, startVigil } from '../harness/process.js';
import { pushV1 } from '../harness/push.js';

const enabled = requireBinaries('prometheus');

describe.skipIf(!enabled)('remote read by a real Prometheus 2.42', () => {
  let vigil: Proc;
  let prom: Proc;
  const step = 15_000;
  const t0 = Math.floor((Date.now() - 3600_000) / step) * step;
  const want = new Map<string, [number, number][]>();

  beforeAll(async () => {
    vigil = await startVigil(['-auth.enabled=false']);
    const series = [];
    for (let i = 0; i < 20; i++) {
      const samples = [];
      let v = i * 10;
      for (let k = 0; k < 200; k++) {
        // A counter with a reset halfway, to exercise rate() on Vigil's samples.
        v = k === 100 ? 1 : v + (i % 5) + 1;
        samples.push({ timestamp: t0 + k * step, value: v });
      }
      want.set(String(i), samples.map((s) => [s.timestamp, s.value]));
      series.push({ labels: [{ name: '__name__', value: 'rr_requests_total' }, { name: 'i', value: String(i) }, { name: 'job', value: i % 2 ? 'odd' : 'even' }], samples });
    }
    expect((await pushV1(vigil.url, series)).status).toBe(200);
    prom = await startPrometheus(
      `global:\n  scrape_interval: 1h\nscrape_configs: []\nremote_read:\n  - url: ${vigil.url}/prometheus/api/v1/read\n    read_recent: true\n`,
    );
  }, 60_000);

  afterAll(async () => {
    for (const p of [prom, vigil]) await p?.stop();
  });

  async function query(q: string, time: number): Promise<{ metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]> {
    const r = await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query: q, time: String(time / 1000) })}`);
    const body = (await r.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] } };
    expect(body.status, body.error).toBe('success');
    return body.data.result;
  }

  it('returns every raw sample through a range selector', async () => {
    const at = t0 + 199 * step;
    const res = await query('rr_requests_total[1h]', at);
    expect(res).toHaveLength(20);
    for (const s of res) {
      const exp = want.get(s.metric.i!)!.filter(([t]) => t > at - 3600_000 && t <= at);
      expect(s.values!.map(([t, v]) => [Math.round(t * 1000), Number(v)])).toEqual(exp);
    }
  });

  it('lets Prometheus compute aggregations and rates on the samples it read', async () => {
    const at = t0 + 150 * step;
    const sum = await query('sum by (job) (rr_requests_total)', at);
    const expSum = (job: string): number => [...want].filter(([i]) => (Number(i) % 2 ? 'odd' : 'even') === job).reduce((n, [, xs]) => n + xs[150]![1], 0);
    expect(Object.fromEntries(sum.map((s) => [s.metric.job, Number(s.value![1])]))).toEqual({ even: expSum('even'), odd: expSum('odd') });
    // increase over a window with no reset: exactly (last - first) extrapolated by Prometheus; compare to its own formula on the same points.
    const inc = await query('increase(rr_requests_total{i="3"}[5m])', at);
    expect(inc).toHaveLength(1);
    const pts = want.get('3')!.filter(([t]) => t > at - 300_000 && t <= at);
    const raw = pts[pts.length - 1]![1] - pts[0]![1];
    // 20 samples 15 s apart span 285 s of the 300 s window: Prometheus extrapolates to the window.
    expect(Number(inc[0]!.value![1])).toBeCloseTo(raw * (300 / 285), 6);
    const count = await query('count(rr_requests_total)', at);
    expect(Number(count[0]!.value![1])).toBe(20);
  });
});
