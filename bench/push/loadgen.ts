/**
 * The push benchmark's load generator, a process of its own. It pre-encodes every request
 * (snappy + protobuf remote write 1.0) before the clock starts, then sends them with
 * `concurrency` requests in flight over keep-alive connections.
 *
 * Protocol with the runner: argv = JSON options. It prints `WARM <json>` after the first round
 * (which creates the series), waits for a line on stdin, runs the remaining rounds and prints
 * `DONE <json>`.
 */

import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { snappyEncode } from '../../proto/snappy.js';
import { encodeWriteRequestV1 } from '../../proto/write-encoder.js';
import { seriesLabels } from './series.js';

export interface LoadOptions {
  readonly url: string;
  readonly series: number;
  readonly samplesPerRequest: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly startMs: number;
}

export interface PhaseResult {
  readonly samples: number;
  readonly requests: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errors: number;
  readonly firstError: string | null;
}

function encodeRound(o: LoadOptions, round: number): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  const t = o.startMs + round * 15_000;
  for (let first = 0; first < o.series; first += o.samplesPerRequest) {
    const n = Math.min(o.samplesPerRequest, o.series - first);
    const timeseries = [];
    for (let i = first; i < first + n; i++) {
      timeseries.push({ labels: seriesLabels(i), samples: [{ timestamp: t, value: round * 10 + (i % 97) }] });
    }
    bodies.push(snappyEncode(encodeWriteRequestV1({ timeseries })));
  }
  return bodies;
}

async function send(pool: Pool, path: string, bodies: readonly Uint8Array[], o: LoadOptions): Promise<PhaseResult> {
  const lat = new Float64Array(bodies.length);
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      const s = performance.now();
      const res = await pool.request({
        method: 'POST',
        path,
        body: bodies[i]!,
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
      });
      const text = await res.body.text();
      lat[i] = performance.now() - s;
      if (res.statusCode >= 300) {
        errors++;
        firstError ??= `${res.statusCode} ${text.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const sorted = Array.from(lat).sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const samples = bodies.length === 0 ? 0 : Math.min(o.series, bodies.length * o.samplesPerRequest);
  return { samples, requests: bodies.length, seconds, samplesPerSecond: samples / seconds, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: sorted.at(-1) ?? 0, errors, firstError };
}

function merge(parts: PhaseResult[], allLat: PhaseResult[]): PhaseResult {
  const samples = parts.reduce((a, p) => a + p.samples, 0);
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  return {
    samples,
    requests: parts.reduce((a, p) => a + p.requests, 0),
    seconds,
    samplesPerSecond: samples / seconds,
    p50Ms: median(allLat.map((p) => p.p50Ms)),
    p99Ms: Math.max(...allLat.map((p) => p.p99Ms)),
    maxMs: Math.max(...allLat.map((p) => p.maxMs)),
    errors: parts.reduce((a, p) => a + p.errors, 0),
    firstError: parts.find((p) => p.firstError)?.firstError ?? null,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as LoadOptions;
  const u = new URL(o.url);
  const t0 = performance.now();
  const rounds: Uint8Array[][] = [];
  for (let r = 0; r < o.rounds; r++) rounds.push(encodeRound(o, r));
  const encodeSeconds = (performance.now() - t0) / 1000;
  const pool = new Pool(u.origin, { connections: o.concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const warm = await send(pool, u.pathname, rounds[0]!, o);
  process.stdout.write(`WARM ${JSON.stringify({ ...warm, encodeSeconds })}\n`);
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.once('line', () => resolve()));
  const steady: PhaseResult[] = [];
  for (let r = 1; r < o.rounds; r++) steady.push(await send(pool, u.pathname, rounds[r]!, o));
  process.stdout.write(`DONE ${JSON.stringify(merge(steady, steady))}\n`);
  rl.close();
  await pool.close();
}

void main();
