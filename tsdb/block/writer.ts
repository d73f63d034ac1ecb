/**
 * Writes a Prometheus TSDB block (format reference §3, §4.9): chunks in series order, then the
 * index, meta.json and an empty tombstones file, all under `<ULID>.tmp-for-creation`, fsynced,
 * then renamed to `<ULID>`.
 */

import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ChunkSegmentWriter, DEFAULT_SEGMENT_SIZE } from '../chunks/segments.js';
import { writeIndex, type ChunkMeta, type IndexSeries } from '../index/writer.js';
import { compareLabels, labelsToString, type Labels } from '../labels.js';
import { newULID } from '../ulid.js';
import { META_FILE, META_VERSION, readMetaFile, writeMetaFile, type BlockMeta, type ThanosFile, type ThanosMeta } from './meta.js';
import { writeTombstonesFile } from './tombstones.js';

export const INDEX_FILE = 'index';
export const CHUNKS_DIR = 'chunks';
export const TMP_SUFFIX = '.tmp-for-creation';

export interface BlockChunk {
  /** First and last sample timestamps, inclusive. */
  readonly minT: number;
  readonly maxT: number;
  readonly encoding: number;
  readonly data: Uint8Array;
}

export interface BlockSeriesInput {
  readonly labels: Labels;
  readonly chunks: readonly BlockChunk[];
}

export interface WriteBlockInput {
  readonly series: Iterable<BlockSeriesInput>;
  /** Inclusive, ms. */
  readonly minTime: number;
  /** Exclusive, ms. Every chunk must lie in [minTime, maxTime - 1]. */
  readonly maxTime: number;
  /** Written into meta.json with `segment_files` and `files` filled in, ready for upload. */
  readonly thanos?: ThanosMeta;
  readonly ulid?: string;
  /** Maximum segment file size (tests use small ones to get several files). */
  readonly segmentSize?: number;
}

/** Samples in a chunk: XOR and histogram chunks start with a be16 count. */
function chunkSamples(c: BlockChunk): number {
  return c.data.length >= 2 ? (c.data[0]! << 8) | c.data[1]! : 0;
}

async function fsyncPath(path: string): Promise<void> {
  const f = await open(path, 'r');
  try {
    await f.sync();
  } finally {
    await f.close();
  }
}

/** Writes the block into `parentDir` and returns its meta. Series without chunks are dropped. */
export async function writeBlock(parentDir: string, input: WriteBlockInput): Promise<BlockMeta> {
  const ulid = input.ulid ?? newULID();
  if (!(input.minTime < input.maxTime)) throw new Error(`block range [${input.minTime}, ${input.maxTime}) is empty`);
  const series = [...input.series].filter((s) => s.chunks.length > 0).sort((a, b) => compareLabels(a.labels, b.labels));
  if (series.length === 0) throw new Error('refusing to write a block without samples');
  for (let i = 1; i < series.length; i++) {
    if (compareLabels(series[i - 1]!.labels, series[i]!.labels) === 0) throw new Error(`duplicate series ${labelsToString(series[i]!.labels)}`);
  }

  const tmp = join(parentDir, ulid + TMP_SUFFIX);
  const final = join(parentDir, ulid);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const chunksDir = join(tmp, CHUNKS_DIR);
    const cw = new ChunkSegmentWriter(chunksDir, input.segmentSize ?? DEFAULT_SEGMENT_SIZE);
    const indexSeries: IndexSeries[] = [];
    let numSamples = 0;
    let numChunks = 0;
    for (const s of series) {
      const chunks = [...s.chunks].sort((a, b) => a.minT - b.minT);
      const metas: ChunkMeta[] = [];
      let prevMaxT = -Infinity;
      for (const c of chunks) {
        if (c.minT > c.maxT || c.minT < input.minTime || c.maxT >= input.maxTime || c.minT <= prevMaxT) {
          throw new Error(`chunk [${c.minT}, ${c.maxT}] of ${labelsToString(s.labels)} overlaps its neighbour or lies outside the block [${input.minTime}, ${input.maxTime})`);
        }
        prevMaxT = c.maxT;
        const ref = await cw.write(c.encoding, c.data);
        metas.push({ minT: c.minT, maxT: c.maxT, ref });
        numSamples += chunkSamples(c);
        numChunks++;
      }
      indexSeries.push({ labels: s.labels, chunks: metas });
    }
    await cw.close();
    await fsyncPath(chunksDir);
    await writeIndex(join(tmp, INDEX_FILE), indexSeries);

    let meta: BlockMeta = {
      ulid,
      minTime: input.minTime,
      maxTime: input.maxTime,
      stats: { numSamples, numSeries: series.length, numChunks },
      compaction: { level: 1, sources: [ulid] },
      version: META_VERSION,
    };
    if (input.thanos) meta = { ...meta, thanos: await withFiles(tmp, input.thanos) };
    await writeMetaFile(tmp, meta);
    await writeTombstonesFile(tmp);
    await fsyncPath(tmp);
    await rename(tmp, final);
    await fsyncPath(parentDir);
    return meta;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** The Thanos section with `segment_files` and `files` (chunks/*, index, meta.json) of `blockDir`. */
async function withFiles(blockDir: string, thanos: ThanosMeta): Promise<ThanosMeta> {
  const segs = (await readdir(join(blockDir, CHUNKS_DIR))).filter((n) => /^\d+$/.test(n)).sort();
  const files: ThanosFile[] = [];
  for (const s of segs) files.push({ rel_path: `${CHUNKS_DIR}/${s}`, size_bytes: (await stat(join(blockDir, CHUNKS_DIR, s))).size });
  files.push({ rel_path: INDEX_FILE, size_bytes: (await stat(join(blockDir, INDEX_FILE))).size });
  files.push({ rel_path: META_FILE });
  return { ...thanos, segment_files: segs, files };
}

/**
 * Rewrites `<blockDir>/meta.json` with a Thanos section (its `segment_files` and `files`
 * computed from the directory), as a shipper does before uploading. Returns the new meta.
 */
export async function writeThanosMeta(blockDir: string, thanos: ThanosMeta): Promise<BlockMeta> {
  const meta = await readMetaFile(blockDir);
  const out: BlockMeta = { ...meta, thanos: await withFiles(blockDir, thanos) };
  await writeMetaFile(blockDir, out);
  return out;
}
