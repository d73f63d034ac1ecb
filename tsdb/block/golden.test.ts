/**
 * Golden bytes: the block promtool 2.42 backfilled from Appendix A of the format reference
 * (testdata/01M874EE679RRS8S23597EXC68). Vigil's writers must reproduce its index, chunk
 * segment, meta.json and tombstones byte for byte, and its reader must read it back.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XorChunk } from '../chunkenc/xor.js';
import { ChunkSegmentReader, ChunkSegmentWriter } from '../chunks/segments.js';
import { writeIndex } from '../index/writer.js';
import { labelsFromRecord } from '../labels.js';
import { decodeMeta, encodeMeta, readMetaFile } from './meta.js';
import { openBlock, readBlockSamples } from './reader.js';
import { encodeTombstones } from './tombstones.js';
import { writeBlock, type BlockSeriesInput } from './writer.js';

const ULID = '01M874EE679RRS8S23597EXC68';
const GOLDEN = join(import.meta.dirname, 'testdata', ULID);
const golden = (f: string): Buffer => readFileSync(join(GOLDEN, f));
const tmp = mkdtempSync(join(tmpdir(), 'vigil-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function chunkOf(samples: readonly (readonly [number, number])[]): Uint8Array {
  const c = new XorChunk();
  for (const [t, v] of samples) {
    f64[0] = v;
    c.append(t, u32[1]!, u32[0]!);
  }
  return c.bytes();
}

const T = 1_700_000_000_000;
const SAMPLES = [
  { labels: { __name__: 'http_requests_total', code: '200', method: 'get' }, samples: [[T, 1], [T + 15_000, 3], [T + 30_000, 7], [T + 45_000, 7.5]] },
  { labels: { __name__: 'http_requests_total', code: '500', method: 'get' }, samples: [[T, 1], [T + 30_000, 2]] },
  { labels: { __name__: 'temp', room: 'a' }, samples: [[T, 21.5], [T + 3_600_000, 22]] },
] as const;

function input(): BlockSeriesInput[] {
  // Given out of order on purpose: the writer sorts.
  return [...SAMPLES].reverse().map((s) => ({
    labels: labelsFromRecord(s.labels),
    chunks: [{ minT: s.samples[0]![0], maxT: s.samples[s.samples.length - 1]![0], encoding: 1, data: chunkOf(s.samples) }],
  }));
}

describe('golden block (promtool 2.42, Appendix A)', () => {
  it('writeBlock reproduces index, chunks/000001, meta.json and tombstones byte for byte', async () => {
    const meta = await writeBlock(tmp, { series: input(), minTime: T, maxTime: 1_700_003_600_001, ulid: ULID });
    const dir = join(tmp, ULID);
    expect(readFileSync(join(dir, 'chunks', '000001')).toString('hex')).toBe(golden('chunks/000001').toString('hex'));
    expect(readFileSync(join(dir, 'index')).toString('hex')).toBe(golden('index').toString('hex'));
    expect(readFileSync(join(dir, 'meta.json'), 'utf8')).toBe(golden('meta.json').toString('utf8'));
    expect(readFileSync(join(dir, 'tombstones')).toString('hex')).toBe('0130ba300100000000');
    expect(meta.stats).toEqual({ numSamples: 8, numSeries: 3, numChunks: 3 });
  });

  it('the segment writer and index writer alone reproduce the golden files', async () => {
    const dir = join(tmp, 'parts');
    const w = new ChunkSegmentWriter(join(dir, 'chunks'));
    const series = [];
    for (const s of SAMPLES) {
      const ref = await w.write(1, chunkOf(s.samples));
      series.push({ labels: labelsFromRecord(s.labels), chunks: [{ minT: s.samples[0]![0], maxT: s.samples[s.samples.length - 1]![0], ref }] });
    }
    await w.close();
    expect(series.map((s) => s.chunks[0]!.ref)).toEqual([8, 40, 68]);
    await writeIndex(join(dir, 'index'), series);
    expect(readFileSync(join(dir, 'index')).equals(golden('index'))).toBe(true);
    expect(readFileSync(join(dir, 'chunks', '000001')).equals(golden('chunks/000001'))).toBe(true);
  });

  it('writeIndex refuses unsorted series', async () => {
    const a = { labels: labelsFromRecord({ a: '2' }), chunks: [] };
    const b = { labels: labelsFromRecord({ a: '1' }), chunks: [] };
    await expect(writeIndex(join(tmp, 'bad-index'), [a, b])).rejects.toThrow(/out-of-order series/);
  });

  it('meta.json and tombstones encoders match the golden text and bytes', () => {
    const meta = decodeMeta(golden('meta.json').toString('utf8'));
    expect(encodeMeta(meta)).toBe(golden('meta.json').toString('utf8'));
    expect(Buffer.from(encodeTombstones()).equals(golden('tombstones'))).toBe(true);
  });

  it('the reader reads promtool’s block', async () => {
    const meta = await readMetaFile(GOLDEN);
    expect(meta).toMatchObject({ ulid: ULID, minTime: T, maxTime: 1_700_003_600_001, stats: { numSamples: 8, numSeries: 3, numChunks: 3 } });
    const got = await readBlockSamples(GOLDEN);
    const want = SAMPLES.map((s) => ({
      labels: labelsFromRecord(s.labels),
      samples: s.samples.map(([t, v]) => {
        f64[0] = v;
        return { t, hi: u32[1]!, lo: u32[0]! };
      }),
    }));
    expect(got).toEqual(want);

    const block = await openBlock(GOLDEN);
    expect(block.index.symbols()).toEqual(['', '200', '500', '__name__', 'a', 'code', 'get', 'http_requests_total', 'method', 'room', 'temp']);
    expect(block.index.allPostings()).toEqual([6, 8, 10]);
    expect(block.index.labelNames()).toEqual(['__name__', 'code', 'method', 'room']);
    expect(block.index.labelValues('__name__')).toEqual(['http_requests_total', 'temp']);
    expect(block.index.postings('code', ['500', '200', 'nope'])).toEqual([6, 8]);
    expect(block.index.series(10)).toEqual({ labels: labelsFromRecord({ __name__: 'temp', room: 'a' }), chunks: [{ minT: T, maxT: T + 3_600_000, ref: 68 }] });
    await block.close();

    const r = await ChunkSegmentReader.open(join(GOLDEN, 'chunks'));
    const [c] = await r.readMany([40]);
    expect(c!.encoding).toBe(1);
    expect(Buffer.from(c!.data).equals(Buffer.from(chunkOf(SAMPLES[1].samples)))).toBe(true);
    await r.close();
  });
});
