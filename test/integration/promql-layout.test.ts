/**
 * Issue 5's store-and-merge differential: the PromQL differential suite's dataset
 * (promql/engine-compat-data.ts) spread over a bucket-only block (first hour, written and
 * uploaded directly with the bucket index updated), blocks cut and shipped by the ingester
 * ([30m, 2h): kept locally and in the bucket, overlapping the bucket-only block on [30m, 1h)),
 * and the head (the rest, stale markers included). Every query of the suite, as instant queries
 * and range queries through the HTTP API (query-frontend included), must answer exactly like
 * the same engine over the same data held in memory.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../../app/testing.js';
import { FilesystemBucket } from '../../objstore/filesystem.js';
import { differentialCases, generate, generateStale, randomQueries, STALE_END, T0, type DifferentialCase, type GenSeries } from '../../promql/engine-compat-data.js';
import { Engine, EngineError } from '../../promql/engine.js';
import { MemoryQueryable, STALE_NAN } from '../../promql/testing.js';
import { snappyEncode } from '../../proto/snappy.js';
import { encodeWriteRequestV1 } from '../../proto/write-encoder.js';
import { resultJson } from '../../querier/query-api.js';
import { updateBucketIndex } from '../../store/bucket-index.js';
import { toInput, type Sample } from '../../tsdb/block/testutil.js';
import { uploadBlock } from '../../tsdb/block/upload.js';
import { writeBlock } from '../../tsdb/block/writer.js';
import { isStaleNaN, STALE_NAN_HI, STALE_NAN_LO } from '../../tsdb/storage.js';

const TENANT = 'anonymous';
const H = 3600_000;
const T0MS = T0 * 1000;
const RANDOM = Number(process.env.PROMQL_LAYOUT_RANDOM ?? 200);

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function bits(v: number): Sample & { t: number } {
  f64[0] = v;
  return { t: 0, hi: u32[1]!, lo: u32[0]! };
}

function slice(data: readonly GenSeries[], from: number, to: number): GenSeries[] {
  return data.map((s) => ({ labels: s.labels, samples: s.samples.filter(([t]) => t >= from && t < to) })).filter((s) => s.samples.length > 0);
}

type Case = DifferentialCase;

const cases = (): Case[] => differentialCases(randomQueries(RANDOM, 2042));

/** An answer as a canonical JSON string: the data on success, errorType and message on failure. */
type Answer = { ok: true; data: string } | { ok: false; errorType: string; error: string };

let t: TestApp;
let scratch: string;
const store = new MemoryQueryable();
const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 50_000_000, timeoutMs: 120_000 });

async function push(series: readonly GenSeries[]): Promise<void> {
  const body = encodeWriteRequestV1({
    timeseries: series.map((s) => ({
      labels: s.labels,
      samples: s.samples.map(([timestamp, value]) => (isStaleNaN(value) ? { timestamp, value, valueBits: { hi: STALE_NAN_HI, lo: STALE_NAN_LO } } : { timestamp, value })),
    })),
  });
  const r = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    payload: Buffer.from(snappyEncode(body)),
  });
  if (r.statusCode !== 200) throw new Error(`push answered ${r.statusCode}: ${r.body}`);
}

/** Pushes [from, to) in 10-minute slices across all series, so no sample falls out of the head's appendable window. */
async function pushRange(data: readonly GenSeries[], from: number, to: number): Promise<void> {
  for (let a = from; a < to; a += 600_000) await push(slice(data, a, Math.min(a + 600_000, to)));
}

async function viaApp(c: Case): Promise<Answer> {
  const url = 'time' in c.params ? '/prometheus/api/v1/query' : '/prometheus/api/v1/query_range';
  const r = await t.app.server.inject({ method: 'POST', url, payload: new URLSearchParams(c.params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const body = JSON.parse(r.body) as { status: string; errorType?: string; error?: string; data?: unknown };
  if (body.status !== 'success') return { ok: false, errorType: body.errorType ?? '', error: body.error ?? '' };
  return { ok: true, data: JSON.stringify(body.data) };
}

async function viaReference(c: Case): Promise<Answer> {
  const p = c.params;
  try {
    const res = p.time !== undefined
      ? await engine.instantQuery(store, c.query, Math.round(Number(p.time) * 1000))
      : await engine.rangeQuery(store, c.query, Math.round(Number(p.start) * 1000), Math.round(Number(p.end) * 1000), Math.round(Number(p.step) * 1000));
    return { ok: true, data: JSON.stringify(resultJson(res.value)) };
  } catch (e) {
    if (e instanceof EngineError) return { ok: false, errorType: e.type, error: e.message };
    if (e instanceof Error && e.name === 'ParseError') return { ok: false, errorType: 'bad_data', error: e.message };
    throw e;
  }
}

/** Null when equal; errors are equal by type, and the app's message must end with the engine's (the API may add a prefix). */
function difference(want: Answer, got: Answer): string | null {
  if (want.ok && got.ok) return want.data === got.data ? null : `want ${want.data.slice(0, 400)}\n    got  ${got.data.slice(0, 400)}`;
  if (!want.ok && !got.ok) return want.errorType === got.errorType && got.error.endsWith(want.error) ? null : `error want ${want.errorType}: ${want.error} got ${got.errorType}: ${got.error}`;
  return want.ok ? `app error ${got.ok ? '' : `${got.errorType}: ${got.error}`}` : `app answered, reference error ${want.errorType}: ${want.error}`;
}

beforeAll(async () => {
  const data = [...generate(), ...generateStale(STALE_NAN)];
  for (const s of data) store.add(s.labels, s.samples);
  t = await startTestApp([
    '-querier.query-store-after=0',
    '-querier.query-ingesters-within=0',
    // Shipped blocks stay local as well: the same samples in a local block and in the bucket.
    '-blocks-storage.tsdb.retention-period=100000h',
    '-blocks-storage.bucket-store.sync-interval=100ms',
    '-blocks-storage.tsdb.ship-interval=0',
  ]);
  // (a) Bucket only: the first hour of every series, written directly and indexed.
  scratch = mkdtempSync(join(tmpdir(), 'vigil-layout-'));
  const first = slice(data, T0MS, T0MS + H).map((s) => ({ labels: s.labels, samples: s.samples.map(([ts, v]) => ({ ...bits(v), t: ts })) }));
  const meta = await writeBlock(scratch, { series: toInput(first), minTime: T0MS, maxTime: T0MS + H, thanos: { labels: { __org_id__: TENANT }, downsample: { resolution: 0 }, source: 'test' } });
  const bucket = new FilesystemBucket(join(t.dir, 'bucket'));
  await uploadBlock(bucket, `${TENANT}/${meta.ulid}/`, join(scratch, meta.ulid));
  await updateBucketIndex(bucket, TENANT);
  // (b) Through remote write from 30m to 2h, then cut and shipped (local + bucket; [30m, 1h) overlaps (a)).
  await pushRange(data, T0MS + H / 2, T0MS + 2 * H);
  const f = await t.app.server.inject({ method: 'POST', url: '/ingester/flush?wait=true' });
  if (f.statusCode !== 204) throw new Error(`flush answered ${f.statusCode}: ${f.body}`);
  await updateBucketIndex(bucket, TENANT);
  // (c) The rest, stale markers included, into the head.
  await pushRange(data, T0MS + 2 * H, (STALE_END + 3600) * 1000);
  // Wait until the store has synced both the bucket-only block and the shipped one.
  const probe: Case = { name: 'probe', query: 'count_over_time(cpu_temp[2h])', params: { query: 'count_over_time(cpu_temp[2h])', time: String(T0 + 7199) } };
  const want = await viaReference(probe);
  const deadline = Date.now() + 20_000;
  while (difference(want, await viaApp(probe)) !== null) {
    if (Date.now() > deadline) throw new Error(`the store never served the bucket blocks: ${difference(want, await viaApp(probe))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(async () => {
  await t?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('PromQL over head, local blocks and bucket blocks with overlaps', () => {
  it('answers every differential query exactly like the same data in memory', async () => {
    const all = cases();
    const failures: string[] = [];
    let passed = 0;
    let nonEmpty = 0;
    // Each case twice: the second range query may come from the frontend's results cache.
    for (const round of [1, 2]) {
      for (const c of all) {
        const [want, got] = [await viaReference(c), await viaApp(c)];
        const d = difference(want, got);
        if (d === null) passed++;
        else failures.push(`${round === 2 ? '(repeat) ' : ''}${c.name}: ${d}`);
        if (round === 1 && want.ok && !want.data.includes('"result":[]')) nonEmpty++;
      }
    }
    console.log(`layout differential: ${passed}/${all.length * 2} equal (${all.length} cases, each asked twice; ${nonEmpty} non-empty)`);
    if (failures.length) console.log(`FAILURES (${failures.length}):\n  ${failures.slice(0, 20).join('\n  ')}`);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(nonEmpty).toBeGreaterThan(all.length / 2);
  }, 600_000);
});
