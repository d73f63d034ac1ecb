/**
 * Opens a block directory (meta.json, the whole index in memory, the chunk segments for
 * positional reads, tombstones) and serves it through the Querier seam. select reads the
 * chunks of the selected series that overlap the range, in one batch, at select time; the
 * returned iterators are synchronous.
 */

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ChunkSegmentReader, type ChunkData } from '../chunks/segments.js';
import type { ChunkMeta } from '../index/writer.js';
import { IndexReader } from '../index/reader.js';
import { intersectPostings } from '../index/postings.js';
import { compareStrings, type Labels } from '../labels.js';
import type { Matcher } from '../matchers.js';
import { ListSeriesSet, type Querier, type SampleBuffer, type SampleIterator, type SelectHints, type Series, type SeriesSet } from '../storage.js';
import { SeriesChunksIterator, readChunksInto } from '../chunkenc/series-iterator.js';
import { readMetaFile, type BlockMeta } from './meta.js';
import { readTombstonesFile, type Interval, type Tombstones } from './tombstones.js';
import { CHUNKS_DIR, INDEX_FILE } from './writer.js';

export interface Block {
  readonly dir: string;
  readonly meta: BlockMeta;
  readonly index: IndexReader;
  readonly chunks: ChunkSegmentReader;
  readonly tombstones: Tombstones;
  /** A Querier over [mint, maxt] (inclusive, ms). */
  querier(mint: number, maxt: number): Querier;
  close(): Promise<void>;
}

export async function openBlock(dir: string): Promise<Block> {
  let chunks: ChunkSegmentReader | null = null;
  try {
    const meta = await readMetaFile(dir);
    const index = new IndexReader(await readFile(join(dir, INDEX_FILE)));
    const tombstones = await readTombstonesFile(dir);
    chunks = await ChunkSegmentReader.open(join(dir, CHUNKS_DIR));
    return new OpenBlock(dir, meta, index, chunks, tombstones);
  } catch (e) {
    await chunks?.close();
    throw new Error(`open block ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

class OpenBlock implements Block {
  private closed = false;

  constructor(
    readonly dir: string,
    readonly meta: BlockMeta,
    readonly index: IndexReader,
    readonly chunks: ChunkSegmentReader,
    readonly tombstones: Tombstones,
  ) {}

  querier(mint: number, maxt: number): Querier {
    if (this.closed) throw new Error(`block ${this.meta.ulid} is closed`);
    return new BlockQuerier(this, mint, maxt);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chunks.close();
  }
}

class BlockSeries implements Series {
  constructor(
    readonly labels: Labels,
    private readonly data: readonly ChunkData[],
    private readonly mint: number,
    private readonly maxt: number,
    private readonly deleted: readonly Interval[],
  ) {}

  get chunkCount(): number {
    return this.data.length;
  }

  iterator(): SampleIterator {
    return new SeriesChunksIterator(this.data, this.mint, this.maxt, this.deleted);
  }

  /** Bulk reading skips no deleted interval: a series with tombstones is read through iterator(). */
  readInto(buf: SampleBuffer, mint: number, maxt: number): Error | null | false {
    if (this.deleted.length > 0) return false;
    return readChunksInto(this.data, buf, Math.max(mint, this.mint), Math.min(maxt, this.maxt));
  }
}

function covered(c: ChunkMeta, deleted: readonly Interval[]): boolean {
  for (const iv of deleted) if (iv.mint <= c.minT && c.maxT <= iv.maxt) return true;
  return false;
}

class BlockQuerier implements Querier {
  constructor(
    private readonly block: OpenBlock,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  async select(_sorted: boolean, hints: SelectHints | null, matchers: readonly Matcher[]): Promise<SeriesSet> {
    const mint = Math.max(this.mint, hints?.start ?? this.mint);
    const maxt = Math.min(this.maxt, hints?.end ?? this.maxt);
    const { index, tombstones } = this.block;
    const limit = hints?.limit ?? 0;
    // Ids ascend with label sets, so the result is sorted whether asked or not.
    const picked: { labels: Labels; chunks: ChunkMeta[]; deleted: readonly Interval[] }[] = [];
    if (mint <= maxt) {
      for (const id of index.postingsForMatchers(matchers)) {
        const s = index.series(id);
        const deleted = tombstones.get(id) ?? [];
        const chunks = s.chunks.filter((c) => c.maxT >= mint && c.minT <= maxt && !covered(c, deleted));
        if (chunks.length === 0) continue;
        picked.push({ labels: s.labels, chunks, deleted });
        if (limit > 0 && picked.length >= limit) break;
      }
    }
    if (hints?.seriesOnly) {
      return new ListSeriesSet(picked.map((p) => new BlockSeries(p.labels, [], mint, maxt, [])));
    }
    const refs: number[] = [];
    for (const p of picked) for (const c of p.chunks) refs.push(c.ref);
    const data = await this.block.chunks.readMany(refs);
    let k = 0;
    const out: Series[] = [];
    for (const p of picked) {
      const d = data.slice(k, k + p.chunks.length);
      k += p.chunks.length;
      out.push(new BlockSeries(p.labels, d, mint, maxt, p.deleted));
    }
    return new ListSeriesSet(out);
  }

  async labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]> {
    const { index } = this.block;
    const values = index.labelValues(name);
    if (matchers.length === 0) return values;
    const ids = index.postingsForMatchers(matchers);
    if (ids.length === 0) return [];
    return values.filter((v) => intersectPostings(index.postings(name, [v]), ids).length > 0);
  }

  async labelNames(matchers: readonly Matcher[]): Promise<string[]> {
    const { index } = this.block;
    if (matchers.length === 0) return index.labelNames();
    const names = new Set<string>();
    for (const id of index.postingsForMatchers(matchers)) for (const l of index.series(id).labels) names.add(l.name);
    return [...names].sort(compareStrings);
  }

  close(): void {}
}

export interface SeriesSamples {
  readonly labels: Labels;
  /** Timestamps and raw value bits (hi, lo words), so stale markers keep their bits. */
  readonly samples: readonly { readonly t: number; readonly hi: number; readonly lo: number }[];
}

/** A series of a block being read one at a time: its labels and an iterator over all its samples. */
export interface BlockSeriesCursor {
  readonly id: number;
  readonly labels: Labels;
  /** Raw value bits too (atHi/atLo), so stale markers keep their bits. */
  readonly samples: SeriesChunksIterator;
}

/**
 * Every series of the block in `dir`, one at a time, in index order: only the current series'
 * chunks are in memory, so a block of any size can be checked or copied. The block is closed
 * when the loop ends, a break included.
 */
export async function* iterateBlockSeries(dir: string): AsyncGenerator<BlockSeriesCursor> {
  const block = await openBlock(dir);
  try {
    for (const id of block.index.allPostings()) {
      const s = block.index.series(id);
      const data = await block.chunks.readMany(s.chunks.map((c) => c.ref));
      const samples = new SeriesChunksIterator(data, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, block.tombstones.get(id) ?? []);
      yield { id, labels: s.labels, samples };
    }
  } finally {
    await block.close();
  }
}

/** Every series of the block in `dir` with all its samples, as objects (for tests and small blocks). */
export async function readBlockSamples(dir: string): Promise<SeriesSamples[]> {
  const out: SeriesSamples[] = [];
  for await (const { id, labels, samples: it } of iterateBlockSeries(dir)) {
    const samples: { t: number; hi: number; lo: number }[] = [];
    while (it.next()) samples.push({ t: it.atT(), hi: it.atHi(), lo: it.atLo() });
    if (it.err()) throw new Error(`read series ${id} of ${dir}: ${it.err()!.message}`);
    out.push({ labels, samples });
  }
  return out;
}

/** Bytes of index + chunks + tombstones + meta.json, as `promtool tsdb list` counts them. */
export async function blockSize(dir: string): Promise<number> {
  let n = 0;
  for (const f of [INDEX_FILE, 'meta.json', 'tombstones']) n += await stat(join(dir, f)).then((s) => s.size, () => 0);
  const r = await ChunkSegmentReader.open(join(dir, CHUNKS_DIR));
  n += r.size();
  await r.close();
  return n;
}
