/**
 * Durability: pushes run continuously (several in flight, so group commit is exercised) into a
 * real Vigil process that is `kill -9`ed at a random moment, restarted on the same directories,
 * pushed into and killed again, a few times. At the end Vigil flushes its heads into blocks in
 * the bucket, and every sample whose push was acknowledged must be in those blocks.
 */

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isULID } from '../../tsdb/ulid.js';
import { snappyEncode } from '../../proto/snappy.js';
import { encodeWriteRequestV1 } from '../../proto/write-encoder.js';
import { readBlockSamples } from '../../tsdb/block/reader.js';
import { type Proc, startVigil } from '../harness/process.js';
import { metricSum } from '../harness/metrics.js';

const WRITERS = 4;
const SERIES_PER_WRITER = 50;
const ROUNDS = 3;

const root = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const flags = [
  `-blocks-storage.tsdb.dir=${join(root, 'tsdb')}`,
  `-blocks-storage.filesystem.dir=${join(root, 'bucket')}`,
  '-blocks-storage.tsdb.ship-interval=0',
  '-distributor.ingestion-rate-limit=100000000',
  '-distributor.ingestion-burst-size=100000000',
  '-ingester.lifecycler.ID=crash-test',
];

/** Acknowledged samples: series key → timestamp → value. */
const acked = new Map<string, Map<number, number>>();
let clock = Date.now() - 60_000;

function seriesKey(writer: number, i: number): string {
  return `w${writer}-s${i}`;
}

/** Push until stop() is called; records what was acknowledged with 200. */
function writer(url: string, w: number, signal: AbortSignal): Promise<void> {
  return (async () => {
    while (!signal.aborted) {
      const t = clock++;
      const timeseries = Array.from({ length: SERIES_PER_WRITER }, (_, i) => ({
        labels: [
          { name: '__name__', value: 'crash_test' },
          { name: 'series', value: seriesKey(w, i) },
        ],
        samples: [{ timestamp: t, value: t % 100_000 + i }],
      }));
      const body = snappyEncode(encodeWriteRequestV1({ timeseries }));
      let ok = false;
      try {
        const r = await fetch(`${url}/api/v1/push`, {
          method: 'POST',
          body,
          headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
        });
        ok = r.status === 200;
        await r.arrayBuffer();
      } catch {
        return; // the process died under us: this push was not acknowledged
      }
      if (!ok) continue;
      for (let i = 0; i < SERIES_PER_WRITER; i++) {
        const k = seriesKey(w, i);
        let m = acked.get(k);
        if (!m) acked.set(k, (m = new Map()));
        m.set(t, t % 100_000 + i);
      }
    }
  })();
}

async function runAndCrash(v: Proc): Promise<void> {
  const stop = new AbortController();
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(v.url, w, stop.signal));
  // Let some pushes land, then kill at a random moment.
  await new Promise((r) => setTimeout(r, 400 + Math.random() * 1200));
  await v.crash();
  stop.abort();
  await Promise.all(writers);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function bitsToNumber(hi: number, lo: number): number {
  u32[0] = lo;
  u32[1] = hi;
  return f64[0]!;
}

function countAcked(): number {
  let n = 0;
  for (const m of acked.values()) n += m.size;
  return n;
}

describe('kill -9 loses no acknowledged sample', () => {
  it(`survives ${ROUNDS} crashes under continuous pushes`, { timeout: 120_000 }, async () => {
    const replayed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const v = await startVigil(flags);
      if (round > 0) replayed.push(metricSum(await (await fetch(`${v.url}/metrics`)).text(), 'vigil_ingester_wal_replayed_samples_total'));
      await runAndCrash(v);
      rmSync(v.dir, { recursive: true, force: true });
    }
    expect(countAcked()).toBeGreaterThan(1000);
    // Each restart replayed what the previous runs had acknowledged (at least).
    for (const r of replayed) expect(r).toBeGreaterThan(0);

    const v = await startVigil(flags);
    try {
      const r = await fetch(`${v.url}/ingester/flush?wait=true`, { method: 'POST' });
      expect(r.status).toBe(204);
    } finally {
      await v.stop();
    }
    const tenantDir = join(root, 'bucket', 'anonymous');
    const stored = new Map<string, Map<number, number>>();
    for (const ulid of readdirSync(tenantDir).filter(isULID)) {
      for (const s of await readBlockSamples(join(tenantDir, ulid))) {
        const key = s.labels.find((l) => l.name === 'series')!.value;
        let m = stored.get(key);
        if (!m) stored.set(key, (m = new Map()));
        for (const x of s.samples) m.set(x.t, bitsToNumber(x.hi, x.lo));
      }
    }
    const missing: string[] = [];
    for (const [k, samples] of acked) {
      for (const [t, val] of samples) {
        if (stored.get(k)?.get(t) !== val && missing.length < 10) missing.push(`${k}@${t}=${val} (found ${stored.get(k)?.get(t)})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
