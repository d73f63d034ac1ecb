/**
 * The push benchmark's load generator, a process of its own (spawned by run.ts).
 *
 * Requests are pre-encoded so the generator is not the bottleneck: each request's protobuf body
 * (remote write 1.0, `samplesPerRequest` series with one sample each) is encoded once as a
 * template, the byte offsets of every sample's value (fixed64) and timestamp (a varint whose
 * width is the same for every round) are recorded, and a round's bodies are made by patching
 * those bytes in place and snappy-compressing the template. Only compressed bodies are kept:
 * all rounds up front when they fit `maxPreencodedBytes`, otherwise one round at a time,
 * encoded between rounds outside the timed window. Values random-walk (counters only upward);
 * round r's timestamp is startMs + r * 15 s, and the runner picks startMs so that no sample is
 * in the future.
 *
 * Protocol: argv[2] = JSON LoadOptions. stdout lines:
 *   READY {encode stats}   — bodies ready; waits for a line on stdin before round 0
 *   WARM  {PhaseResult}    — round 0 (creates the series); waits for a line on stdin
 *   DONE  {PhaseResult}    — rounds 1..rounds-1 (steady state); exits when stdin closes
 */

import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { snappyEncode } from '../../proto/snappy.js';
import { encodeWriteRequestV1 } from '../../proto/write-encoder.js';
import { seriesIsCounter, seriesLabels } from './series.js';

export interface LoadOptions {
  readonly url: string;
  readonly series: number;
  readonly samplesPerRequest: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly startMs: number;
  readonly maxPreencodedBytes: number;
  readonly seed: number;
}

export interface EncodeStats {
  readonly requestsPerRound: number;
  readonly templateBytes: number;
  readonly compressedBytesPerRound: number;
  readonly templateSeconds: number;
  readonly preencodeSeconds: number;
  readonly mode: 'all-rounds-preencoded' | 'round-by-round';
}

export interface PhaseResult {
  readonly samples: number;
  readonly requests: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly perRoundSamplesPerSecond: number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  readonly firstError: string | null;
  readonly betweenRoundEncodeSeconds: number;
  readonly generatorRssBytes: number;
}

const HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
  'user-agent': 'vigil-bench-loadgen/1',
};

function varintLen(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Read a varint at p; returns [value, next position]. Values here stay below 2^53. */
function readVarint(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[p++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return [v, p];
    mul *= 128;
  }
}

interface Template {
  readonly raw: Uint8Array;
  readonly view: DataView;
  /** Per series of the request: offset of the value's 8 bytes, then of the timestamp varint. */
  readonly offsets: Int32Array;
  readonly first: number;
}

/** Find each sample's value and timestamp offsets by walking the encoded WriteRequest. */
function locate(raw: Uint8Array, n: number, tsLen: number): Int32Array {
  const out = new Int32Array(n * 2);
  let k = 0;
  let p = 0;
  while (p < raw.length) {
    const [tag, p1] = readVarint(raw, p);
    const [len, p2] = readVarint(raw, p1);
    const end = p2 + len;
    if (tag !== 0x0a) throw new Error(`unexpected top-level tag ${tag}`);
    let q = p2;
    while (q < end) {
      const [t, q1] = readVarint(raw, q);
      const [l, q2] = readVarint(raw, q1);
      if (t === 0x12) {
        // Sample: 0x09 <8 bytes value> 0x10 <varint timestamp>
        if (raw[q2] !== 0x09 || raw[q2 + 9] !== 0x10) throw new Error('unexpected sample layout');
        out[k * 2] = q2 + 1;
        out[k * 2 + 1] = q2 + 10;
        if (l !== 10 + tsLen) throw new Error('unexpected timestamp width');
        k++;
      }
      q = q2 + l;
    }
    p = end;
  }
  if (k !== n) throw new Error(`located ${k} samples, expected ${n}`);
  return out;
}

function buildTemplates(o: LoadOptions, tsLen: number): Template[] {
  const out: Template[] = [];
  for (let first = 0; first < o.series; first += o.samplesPerRequest) {
    const n = Math.min(o.samplesPerRequest, o.series - first);
    const timeseries = [];
    for (let i = first; i < first + n; i++) timeseries.push({ labels: seriesLabels(i), samples: [{ timestamp: o.startMs, value: 1 }] });
    const raw = encodeWriteRequestV1({ timeseries });
    out.push({ raw, view: new DataView(raw.buffer, raw.byteOffset, raw.byteLength), offsets: locate(raw, n, tsLen), first });
  }
  return out;
}

/** xorshift32: cheap, deterministic. Returns [0, 1). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

class Encoder {
  private readonly values: Float64Array;
  private readonly counter: Uint8Array;
  private readonly rand: () => number;
  constructor(
    private readonly o: LoadOptions,
    private readonly templates: Template[],
    private readonly tsLen: number,
  ) {
    this.values = new Float64Array(o.series);
    this.counter = new Uint8Array(o.series);
    this.rand = rng(o.seed);
    for (let i = 0; i < o.series; i++) {
      this.counter[i] = seriesIsCounter(i) ? 1 : 0;
      this.values[i] = Math.floor(this.rand() * 1e6);
    }
  }

  round(r: number): Uint8Array[] {
    const ts = this.o.startMs + r * 15_000;
    // The timestamp's varint bytes, the same for every sample of the round.
    const tsBytes = new Uint8Array(this.tsLen);
    let v = ts;
    for (let j = 0; j < this.tsLen; j++) {
      const low = v % 128;
      v = Math.floor(v / 128);
      tsBytes[j] = j < this.tsLen - 1 ? low | 0x80 : low;
    }
    const bodies: Uint8Array[] = [];
    for (const t of this.templates) {
      const n = t.offsets.length >> 1;
      for (let k = 0; k < n; k++) {
        const i = t.first + k;
        const step = this.rand();
        const val = this.counter[i] ? this.values[i]! + Math.floor(step * 1000) : this.values[i]! + Math.round((step - 0.5) * 200);
        this.values[i] = val;
        t.view.setFloat64(t.offsets[2 * k]!, val, true);
        t.raw.set(tsBytes, t.offsets[2 * k + 1]!);
      }
      bodies.push(snappyEncode(t.raw));
    }
    return bodies;
  }
}

async function sendRound(pool: Pool, path: string, bodies: readonly Uint8Array[], concurrency: number, lat: Float64Array, latAt: number): Promise<{ seconds: number; non2xx: number; firstError: string | null }> {
  let next = 0;
  let non2xx = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      const s = performance.now();
      const res = await pool.request({ method: 'POST', path, body: bodies[i]!, headers: HEADERS });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await res.body.dump();
      } else {
        const text = await res.body.text();
        non2xx++;
        firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 500)}`;
      }
      lat[latAt + i] = performance.now() - s;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - t0) / 1000, non2xx, firstError };
}

function phase(lat: Float64Array, samples: number, parts: { seconds: number; non2xx: number; firstError: string | null; samples: number }[], encodeSeconds: number): PhaseResult {
  const sorted = lat.slice().sort();
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  return {
    samples,
    requests: lat.length,
    seconds,
    samplesPerSecond: samples / seconds,
    perRoundSamplesPerSecond: parts.map((p) => Math.round(p.samples / p.seconds)),
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    non2xx: parts.reduce((a, p) => a + p.non2xx, 0),
    firstError: parts.find((p) => p.firstError !== null)?.firstError ?? null,
    betweenRoundEncodeSeconds: encodeSeconds,
    generatorRssBytes: process.memoryUsage.rss(),
  };
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as LoadOptions;
  const u = new URL(o.url);
  const lastTs = o.startMs + (o.rounds - 1) * 15_000;
  const tsLen = varintLen(o.startMs);
  if (varintLen(lastTs) !== tsLen) throw new Error('timestamps of the first and last round differ in varint width');
  if (lastTs > Date.now()) throw new Error('the last round would be in the future');

  const rl = createInterface({ input: process.stdin });
  const lines: string[] = [];
  let waiter: (() => void) | null = null;
  rl.on('line', (l) => {
    lines.push(l);
    waiter?.();
  });
  const gate = async (): Promise<void> => {
    while (lines.length === 0) await new Promise<void>((r) => (waiter = r));
    lines.shift();
    waiter = null;
  };

  let t = performance.now();
  const templates = buildTemplates(o, tsLen);
  const templateSeconds = (performance.now() - t) / 1000;
  const enc = new Encoder(o, templates, tsLen);
  t = performance.now();
  const rounds: (Uint8Array[] | null)[] = new Array<Uint8Array[] | null>(o.rounds).fill(null);
  rounds[0] = enc.round(0);
  const perRound = rounds[0].reduce((a, b) => a + b.length, 0);
  const preencodeAll = perRound * o.rounds <= o.maxPreencodedBytes;
  if (preencodeAll) for (let r = 1; r < o.rounds; r++) rounds[r] = enc.round(r);
  const stats: EncodeStats = {
    requestsPerRound: templates.length,
    templateBytes: templates.reduce((a, x) => a + x.raw.length, 0),
    compressedBytesPerRound: perRound,
    templateSeconds,
    preencodeSeconds: (performance.now() - t) / 1000,
    mode: preencodeAll ? 'all-rounds-preencoded' : 'round-by-round',
  };
  process.stdout.write(`READY ${JSON.stringify(stats)}\n`);
  await gate();

  const pool = new Pool(u.origin, { connections: o.concurrency, pipelining: 1, keepAliveTimeout: 120_000, headersTimeout: 600_000, bodyTimeout: 600_000 });
  const nReq = templates.length;
  const warmLat = new Float64Array(nReq);
  const w = await sendRound(pool, u.pathname, rounds[0], o.concurrency, warmLat, 0);
  rounds[0] = null;
  process.stdout.write(`WARM ${JSON.stringify(phase(warmLat, o.series, [{ ...w, samples: o.series }], 0))}\n`);
  await gate();

  const steadyLat = new Float64Array(nReq * Math.max(0, o.rounds - 1));
  const parts: { seconds: number; non2xx: number; firstError: string | null; samples: number }[] = [];
  let encodeSeconds = 0;
  for (let r = 1; r < o.rounds; r++) {
    let bodies = rounds[r];
    if (!bodies) {
      const e0 = performance.now();
      bodies = enc.round(r);
      encodeSeconds += (performance.now() - e0) / 1000;
    }
    rounds[r] = null;
    parts.push({ ...(await sendRound(pool, u.pathname, bodies, o.concurrency, steadyLat, (r - 1) * nReq)), samples: o.series });
  }
  process.stdout.write(`DONE ${JSON.stringify(phase(steadyLat, o.series * (o.rounds - 1), parts, encodeSeconds))}\n`);
  await pool.close();
  // Stay until the runner has sampled this process and closed stdin.
  await new Promise<void>((r) => (rl as unknown as NodeJS.EventEmitter).once('close', () => r()));
}

main().catch((e: unknown) => {
  process.stderr.write(`loadgen: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
