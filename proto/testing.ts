/** Test helpers: protobufjs as the reference codec, and reading a WriteBatch back as plain data. */

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { WriteBatch } from './write-batch.js';

const dir = fileURLToPath(new URL('.', import.meta.url)).replace(/\/dist\/proto\/$/, '/proto/');

export const protoRoot = protobuf.loadSync([`${dir}remote-write.proto`, `${dir}remote-write-v2.proto`]);
export const WriteRequestV1 = protoRoot.lookupType('prometheus.WriteRequest');
export const RequestV2 = protoRoot.lookupType('io.prometheus.write.v2.Request');

export interface PlainSeries {
  labels: { name: string; value: string }[];
  samples: { timestamp: number; hi: number; lo: number }[];
  histograms: number;
  exemplars: number;
}

const dec = new TextDecoder();

export function batchToPlain(b: WriteBatch): PlainSeries[] {
  const out: PlainSeries[] = [];
  for (let i = 0; i < b.seriesCount; i++) {
    const labels = [];
    for (let j = b.labelStart[i]!; j < b.labelStart[i]! + b.labelCount[i]!; j++) {
      const p = b.labelPos;
      labels.push({
        name: dec.decode(b.buf.subarray(p[4 * j]!, p[4 * j]! + p[4 * j + 1]!)),
        value: dec.decode(b.buf.subarray(p[4 * j + 2]!, p[4 * j + 2]! + p[4 * j + 3]!)),
      });
    }
    const samples = [];
    for (let k = b.sampleStart[i]!; k < b.sampleStart[i]! + b.sampleCount[i]!; k++) {
      samples.push({ timestamp: b.ts[k]!, hi: b.valueHi[k]!, lo: b.valueLo[k]! });
    }
    out.push({ labels, samples, histograms: b.histogramCount[i]!, exemplars: b.exemplarCount[i]! });
  }
  return out;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function bitsOf(v: number): { hi: number; lo: number } {
  f64[0] = v;
  return { hi: u32[1]!, lo: u32[0]! };
}
