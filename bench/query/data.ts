/**
 * The query benchmark's data: counters `x` (job, instance, group of 1,000 series each) and a
 * classic histogram `y_bucket` (10 `le` buckets per instance), one sample a minute, written
 * straight into Prometheus TSDB blocks of one day each (Vigil's writer; the blocks are
 * byte-compatible with Prometheus's) so both systems read the very same bytes.
 */

import { bitsOf, rng } from '../../tsdb/block/testutil.js';
import { type BlockChunk, type BlockSeriesInput, writeBlock } from '../../tsdb/block/writer.js';
import { XorChunk } from '../../tsdb/chunkenc/xor.js';
import { type Labels, labelsFromRecord } from '../../tsdb/labels.js';

export const STEP_MS = 60_000;
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

export interface DataSpec {
  /** Series of `x`; `y_bucket` has as many (n/10 instances × 10 buckets) unless histograms is false. */
  readonly series: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly histograms: boolean;
}


interface Gen {
  readonly labels: Labels;
  value: number;
  readonly next: (r: () => number, v: number) => number;
}

function generators(spec: DataSpec): Gen[] {
  const out: Gen[] = [];
  const groups = Math.max(1, Math.floor(spec.series / 1000));
  for (let n = 0; n < spec.series; n++) {
    out.push({
      labels: labelsFromRecord({ __name__: 'x', job: `job-${n % 20}`, instance: `i-${n}`, group: `g-${n % groups}` }),
      value: 0,
      next: (r, v) => v + Math.floor(r() * 10),
    });
  }
  if (spec.histograms) {
    for (let k = 0; k < spec.series / 10; k++) {
      LE.forEach((le, b) => {
        out.push({
          labels: labelsFromRecord({ __name__: 'y_bucket', job: `job-${k % 20}`, instance: `i-${k}`, le }),
          value: 0,
          // Cumulative buckets: each bucket grows by at least as much as the one below (same seed per instance and minute).
          next: (r, v) => v + Math.floor(r() * 3) + b,
        });
      });
    }
  }
  return out;
}

/** Writes one block per day (the last may be shorter) into dir; returns the number of samples. */
export async function writeBenchBlocks(dir: string, spec: DataSpec, log: (s: string) => void): Promise<number> {
  const gens = generators(spec);
  const r = rng(7);
  let samples = 0;
  const DAY = 24 * 3600_000;
  for (let from = spec.startMs; from < spec.endMs; from += DAY) {
    const to = Math.min(from + DAY, spec.endMs);
    const series: BlockSeriesInput[] = gens.map((g) => {
      const chunks: BlockChunk[] = [];
      let c = new XorChunk();
      let n = 0;
      let minT = 0;
      let lastT = 0;
      for (let t = from; t < to; t += STEP_MS) {
        g.value = g.next(r, g.value);
        const [hi, lo] = bitsOf(g.value);
        if (n === 0) minT = t;
        c.append(t, hi, lo);
        lastT = t;
        n++;
        if (n === 120) {
          chunks.push({ minT, maxT: lastT, encoding: 1, data: c.bytes() });
          c = new XorChunk();
          n = 0;
        }
      }
      if (n > 0) chunks.push({ minT, maxT: lastT, encoding: 1, data: c.bytes() });
      samples += Math.ceil((to - from) / STEP_MS);
      return { labels: g.labels, chunks };
    });
    const meta = await writeBlock(dir, { series, minTime: from, maxTime: to });
    log(`  block ${meta.ulid} [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) ${meta.stats.numSeries} series, ${meta.stats.numSamples} samples`);
  }
  return samples;
}
