/** Random blocks for tests: seeded series with unicode labels, special values and many chunks. */

import { XorChunk } from '../chunkenc/xor.js';
import { compareLabels, type Label, type Labels } from '../labels.js';
import type { BlockChunk, BlockSeriesInput } from './writer.js';

export interface Sample {
  readonly t: number;
  readonly hi: number;
  readonly lo: number;
}

export interface TestSeries {
  readonly labels: Labels;
  readonly samples: readonly Sample[];
}

/** mulberry32. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
export function bitsOf(v: number): [number, number] {
  f64[0] = v;
  return [u32[1]!, u32[0]!];
}
export function valueOf(hi: number, lo: number): number {
  u32[0] = lo;
  u32[1] = hi;
  return f64[0]!;
}

export const STALE: [number, number] = [0x7ff00000, 0x00000002];
export const PROM_NAN: [number, number] = [0x7ff80000, 0x00000001];
export const VALUES = ['a', 'b', 'é', 'e', 'z', '😀', '\uE000', 'x😀y', 'ée', '0', '10', '9', 'with space', 'quote"back\\slash'];

/**
 * `n` distinct series over [t0, t0 + span), scraped every `step` ms with jitter; some values
 * NaN, ±Inf, -0 or the stale marker.
 */
export function randomSeries(seed: number, n: number, t0: number, span: number, step = 15_000): TestSeries[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const seen = new Set<string>();
  const out: TestSeries[] = [];
  let guard = 0;
  while (out.length < n && guard++ < n * 100) {
    const ls: Label[] = [{ name: '__name__', value: pick(['up', 'http_requests_total', 'node_cpu_seconds_total', 'temp']) }];
    if (r() < 0.8) ls.push({ name: 'job', value: pick(['api', 'db', 'web']) });
    if (r() < 0.7) ls.push({ name: 'val', value: pick(VALUES) });
    if (r() < 0.5) ls.push({ name: 'instance', value: `host-${Math.floor(r() * 40)}` });
    if (r() < 0.3) ls.push({ name: 'zone', value: pick(VALUES) });
    ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const key = JSON.stringify(ls);
    if (seen.has(key)) continue;
    seen.add(key);
    const samples: Sample[] = [];
    const start = t0 + Math.floor(r() * step);
    const count = Math.max(1, Math.floor(r() * (span / step)));
    let t = start;
    for (let i = 0; i < count && t < t0 + span; i++) {
      const x = r();
      let hv: [number, number];
      if (x < 0.02) hv = STALE;
      else if (x < 0.04) hv = PROM_NAN;
      else if (x < 0.05) hv = bitsOf(Infinity);
      else if (x < 0.06) hv = bitsOf(-Infinity);
      else if (x < 0.07) hv = bitsOf(-0);
      else if (x < 0.5) hv = bitsOf(Math.floor(r() * 1000));
      else hv = bitsOf((r() - 0.5) * 1e6);
      samples.push({ t, hi: hv[0], lo: hv[1] });
      t += step + Math.floor((r() - 0.5) * 200);
    }
    out.push({ labels: ls, samples });
  }
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}

/** Cuts samples into XOR chunks of at most `perChunk` samples. */
export function toChunks(samples: readonly Sample[], perChunk = 120): BlockChunk[] {
  const out: BlockChunk[] = [];
  for (let i = 0; i < samples.length; i += perChunk) {
    const part = samples.slice(i, i + perChunk);
    const c = new XorChunk();
    for (const s of part) c.append(s.t, s.hi, s.lo);
    out.push({ minT: part[0]!.t, maxT: part[part.length - 1]!.t, encoding: 1, data: c.bytes() });
  }
  return out;
}

export function toInput(series: readonly TestSeries[], perChunk = 120): BlockSeriesInput[] {
  return series.map((s) => ({ labels: s.labels, chunks: toChunks(s.samples, perChunk) }));
}
