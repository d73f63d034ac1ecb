/** Builds WriteBatch inputs for ingester tests without the protobuf decoder. */

import { WriteBatch } from '../proto/write-batch.js';

export type TestSeries = { labels: Record<string, string>; samples: [number, number | { hi: number; lo: number }][] };

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function batchOf(series: readonly TestSeries[]): { batch: WriteBatch; all: Uint32Array } {
  const enc = new TextEncoder();
  const chunks: number[] = [];
  const b = new WriteBatch();
  const positions: [number, number, number, number][][] = [];
  for (const s of series) {
    const ps: [number, number, number, number][] = [];
    for (const [name, value] of Object.entries(s.labels)) {
      const n = enc.encode(name);
      const v = enc.encode(value);
      const nOff = chunks.length;
      chunks.push(...n);
      const vOff = chunks.length;
      chunks.push(...v);
      ps.push([nOff, n.length, vOff, v.length]);
    }
    positions.push(ps);
  }
  b.reset(Uint8Array.from(chunks), 1);
  series.forEach((s, i) => {
    b.ensureSeries(i);
    b.labelStart[i] = b.labelTotal;
    b.labelCount[i] = positions[i]!.length;
    for (const p of positions[i]!) {
      b.ensureLabel(b.labelTotal);
      b.labelPos.set(p, 4 * b.labelTotal);
      b.labelTotal++;
    }
    b.sampleStart[i] = b.sampleTotal;
    b.sampleCount[i] = s.samples.length;
    for (const [t, v] of s.samples) {
      const k = b.sampleTotal++;
      b.ensureSample(k);
      b.ts[k] = t;
      if (typeof v === 'number') {
        f64[0] = v;
        b.valueLo[k] = u32[0]!;
        b.valueHi[k] = u32[1]!;
      } else {
        b.valueLo[k] = v.lo;
        b.valueHi[k] = v.hi;
      }
    }
    b.seriesCount = i + 1;
  });
  return { batch: b, all: Uint32Array.from(series.map((_, i) => i)) };
}
