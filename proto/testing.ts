/** Test helpers: protobufjs as the reference codec, and reading a WriteBatch back as plain data. */

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { WriteBatch } from './write-batch.js';

const dir = fileURLToPath(new URL('.', import.meta.url)).replace(/\/dist\/proto\/$/, '/proto/');

export const protoRoot = protobuf.loadSync([`${dir}remote-write.proto`, `${dir}remote-write-v2.proto`]);
export const WriteRequestV1 = protoRoot.lookupType('prometheus.WriteRequest');
export const RequestV2 = protoRoot.lookupType('io.prometheus.write.v2.Request');

export interface PlainLabel {
  name: string;
  value: string;
}

export interface PlainExemplar {
  labels: PlainLabel[];
  timestamp: number;
  hi: number;
  lo: number;
}

export interface PlainSeries {
  labels: PlainLabel[];
  samples: { timestamp: number; hi: number; lo: number }[];
  histograms: number;
  exemplars: PlainExemplar[];
}

const dec = new TextDecoder();

function plainLabels(b: WriteBatch, p: Uint32Array, start: number, count: number): PlainLabel[] {
  const labels: PlainLabel[] = [];
  for (let j = start; j < start + count; j++) {
    labels.push({
      name: dec.decode(b.buf.subarray(p[4 * j]!, p[4 * j]! + p[4 * j + 1]!)),
      value: dec.decode(b.buf.subarray(p[4 * j + 2]!, p[4 * j + 2]! + p[4 * j + 3]!)),
    });
  }
  return labels;
}

export function batchToPlain(b: WriteBatch): PlainSeries[] {
  const out: PlainSeries[] = [];
  for (let i = 0; i < b.seriesCount; i++) {
    const labels = plainLabels(b, b.labelPos, b.labelStart[i]!, b.labelCount[i]!);
    const samples = [];
    for (let k = b.sampleStart[i]!; k < b.sampleStart[i]! + b.sampleCount[i]!; k++) {
      samples.push({ timestamp: b.ts[k]!, hi: b.valueHi[k]!, lo: b.valueLo[k]! });
    }
    const exemplars: PlainExemplar[] = [];
    for (let x = b.exemplarStart[i]!; x < b.exemplarStart[i]! + b.exemplarCount[i]!; x++) {
      exemplars.push({
        labels: plainLabels(b, b.exLabelPos, b.exLabelStart[x]!, b.exLabelCount[x]!),
        timestamp: b.exTs[x]!,
        hi: b.exValueHi[x]!,
        lo: b.exValueLo[x]!,
      });
    }
    out.push({ labels, samples, histograms: b.histogramCount[i]!, exemplars });
  }
  return out;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function bitsOf(v: number): { hi: number; lo: number } {
  f64[0] = v;
  return { hi: u32[1]!, lo: u32[0]! };
}
