/**
 * The rules read API against Prometheus 2.42 running the same rule file: `/api/v1/rules` (all,
 * `type=alert`, `type=record`) and `/api/v1/alerts` answer the same JSON once times (evaluation
 * timestamps and durations, activeAt) and the file path are set aside.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, requireBinaries, startPrometheus, startVigil, waitFor } from '../harness/process.js';

const enabled = requireBinaries('prometheus');

const RULES = `groups:
  - name: api
    interval: 1s
    rules:
      - record: job:two:sum
        expr: sum(vector(2))
        labels:
          team: db
      - alert: AlwaysFiring
        expr: vector(3) > 1
        labels:
          severity: page
        annotations:
          summary: "value {{ $value }}"
      - alert: LongPending
        expr: vector(1)
        for: 1h
        keep_firing_for: 5m
      - alert: NeverFiring
        expr: vector(0) > 1
`;

type Json = unknown;

/** Times and the file path differ between two servers by nature; everything else must not. */
function normalise(v: Json): Json {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v as Record<string, Json>)) {
      if (k === 'lastEvaluation' || k === 'evaluationTime' || k === 'activeAt') out[k] = typeof x;
      else if (k === 'file') out[k] = 'rules.yaml';
      else out[k] = normalise(x);
    }
    return out;
  }
  return v;
}

describe.runIf(enabled)('rules and alerts API against Prometheus 2.42', () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-rules-api-'));
  let prom: Proc;
  let vigil: Proc;

  beforeAll(async () => {
    writeFileSync(join(root, 'rules.yaml'), RULES);
    mkdirSync(join(root, 'rules', 'anonymous'), { recursive: true });
    writeFileSync(join(root, 'rules', 'anonymous', 'rules.yaml'), RULES);
    prom = await startPrometheus(`global:\n  evaluation_interval: 1s\nrule_files: ['${join(root, 'rules.yaml')}']\n`);
    vigil = await startVigil([`-ruler-storage.local.directory=${join(root, 'rules')}`, '-ruler.evaluation-interval=1s', '-ruler.poll-interval=1s']);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await vigil?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const get = async (base: string, path: string): Promise<Json> => {
    const r = await fetch(base + path);
    return normalise(await r.json());
  };

  it('answers /api/v1/rules and /api/v1/alerts like Prometheus', async () => {
    // Both have evaluated the group a few times (ALERTS series written, states settled).
    const evaluated = async (base: string): Promise<boolean> => {
      const r = (await (await fetch(`${base}/api/v1/alerts`)).json()) as { data: { alerts: { state: string }[] } };
      return r.data.alerts.some((a) => a.state === 'firing');
    };
    await waitFor('Prometheus to evaluate', () => evaluated(prom.url), 30_000, 200);
    await waitFor('Vigil to evaluate', () => evaluated(`${vigil.url}/prometheus`), 30_000, 200);
    for (const path of ['/api/v1/rules', '/api/v1/rules?type=alert', '/api/v1/rules?type=record', '/api/v1/alerts', '/api/v1/rules?type=bogus']) {
      expect(await get(`${vigil.url}/prometheus`, path), path).toEqual(await get(prom.url, path));
    }
  }, 60_000);
});
