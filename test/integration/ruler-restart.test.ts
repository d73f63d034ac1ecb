/**
 * A ruler restart during `for`: an alert pending for a while when Vigil is killed (-9) resumes
 * its pending time after the restart (restored from ALERTS_FOR_STATE, which the ingester's WAL
 * kept), instead of starting over; only the time Vigil was down is added, as Prometheus does.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Proc, startVigil, waitFor } from '../harness/process.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-ruler-restart-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const flags = [
  `-blocks-storage.tsdb.dir=${join(root, 'tsdb')}`,
  `-blocks-storage.filesystem.dir=${join(root, 'bucket')}`,
  `-ruler-storage.local.directory=${join(root, 'rules')}`,
  '-blocks-storage.tsdb.ship-interval=0',
  '-ingester.lifecycler.ID=ruler-restart',
  '-ruler.evaluation-interval=1s',
  '-ruler.for-grace-period=1s',
  '-ruler.poll-interval=1s',
];

interface ApiAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

async function alerts(p: Proc): Promise<ApiAlert[]> {
  const r = await fetch(`${p.url}/prometheus/api/v1/alerts`);
  const body = (await r.json()) as { data: { alerts: ApiAlert[] } };
  return body.data.alerts.filter((a) => a.labels.alertname === 'LongPending');
}

describe('ruler restart during for', () => {
  it('resumes the pending time instead of starting over', async () => {
    mkdirSync(join(root, 'rules', 'anonymous'), { recursive: true });
    writeFileSync(
      join(root, 'rules', 'anonymous', 'pending.yaml'),
      'groups:\n  - name: pending\n    interval: 1s\n    rules:\n      - alert: LongPending\n        expr: vector(1)\n        for: 60s\n        labels:\n          severity: ticket\n',
    );
    let vigil = await startVigil(flags);
    let activeBefore: number;
    try {
      const first = await waitFor('the alert to be pending', async () => (await alerts(vigil))[0], 20_000, 200);
      expect(first.state).toBe('pending');
      activeBefore = Date.parse(first.activeAt);
      // Pending for at least 10 s, with ALERTS_FOR_STATE written (from the third evaluation on).
      await waitFor('10 s of pending time', async () => Date.now() - activeBefore > 10_000, 20_000, 200);
      const r = await fetch(`${vigil.url}/prometheus/api/v1/query?query=ALERTS_FOR_STATE`);
      const q = (await r.json()) as { data: { result: { value: [number, string] }[] } };
      expect(q.data.result.length).toBe(1);
      expect(Number(q.data.result[0]!.value[1])).toBe(Math.floor(activeBefore / 1000));
    } finally {
      await vigil.crash();
    }
    await new Promise((r) => setTimeout(r, 2000));
    const restartedAt = Date.now();
    vigil = await startVigil(flags);
    try {
      // Before the restore (after the second evaluation) the alert is newly pending; after it, its
      // activeAt lies before the restart: the pending time before the crash still counts.
      const restored = await waitFor(
        'the restored pending time',
        async () => {
          const a = (await alerts(vigil))[0];
          return a && Date.parse(a.activeAt) < restartedAt ? a : undefined;
        },
        20_000,
        200,
      );
      expect(restored.state).toBe('pending');
      expect(Date.parse(restored.activeAt)).toBeGreaterThanOrEqual(activeBefore);
    } finally {
      await vigil.stop();
    }
  }, 90_000);
});
