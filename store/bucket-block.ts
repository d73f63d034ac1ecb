/**
 * What the store does with one block's index, mirroring tsdb/block/reader.ts's BlockQuerier:
 * pick the series the matchers select that have chunks overlapping [mint, maxt] (inclusive),
 * label names and values; plus the list-backed SeriesSet the store merges. Synchronous: the
 * index is in memory; chunks are fetched by the caller.
 */

import type { IndexReader } from '../tsdb/index/reader.js';
import { intersectPostings } from '../tsdb/index/postings.js';
import type { ChunkMeta } from '../tsdb/index/writer.js';
import { SeriesChunksIterator, type ChunkData, readChunksInto } from '../tsdb/chunkenc/series-iterator.js';
import { compareStrings, type Labels } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import type { SampleBuffer, SampleIterator, Series } from '../tsdb/storage.js';

/** A block the store serves. */
export interface StoreBlock {
  readonly tenant: string;
  readonly ulid: string;
  /** Inclusive, ms. */
  readonly minTime: number;
  /** Exclusive, ms. */
  readonly maxTime: number;
  readonly segmentsNum?: number;
  /** meta.json's upload time, Unix seconds. */
  readonly uploadedAt?: number;
}

export interface PickedSeries {
  readonly labels: Labels;
  readonly chunks: readonly ChunkMeta[];
}

/** Whether a block's [minTime, maxTime) overlaps the inclusive query range [mint, maxt]. */
export function overlaps(b: StoreBlock, mint: number, maxt: number): boolean {
  return mint <= maxt && b.minTime <= maxt && b.maxTime > mint;
}

/** Series (ascending by labels, as ids are) with their chunks that overlap [mint, maxt]. */
export function pickSeries(index: IndexReader, matchers: readonly Matcher[], mint: number, maxt: number): PickedSeries[] {
  const out: PickedSeries[] = [];
  if (mint > maxt) return out;
  for (const id of index.postingsForMatchers(matchers)) {
    const s = index.series(id);
    const chunks = s.chunks.filter((c) => c.maxT >= mint && c.minT <= maxt);
    if (chunks.length > 0) out.push({ labels: s.labels, chunks });
  }
  return out;
}

export function blockLabelNames(index: IndexReader, matchers: readonly Matcher[]): string[] {
  if (matchers.length === 0) return index.labelNames();
  const names = new Set<string>();
  for (const id of index.postingsForMatchers(matchers)) for (const l of index.series(id).labels) names.add(l.name);
  return [...names].sort(compareStrings);
}

export function blockLabelValues(index: IndexReader, name: string, matchers: readonly Matcher[]): string[] {
  const values = index.labelValues(name);
  if (matchers.length === 0) return values;
  const ids = index.postingsForMatchers(matchers);
  if (ids.length === 0) return [];
  return values.filter((v) => intersectPostings(index.postings(name, [v]), ids).length > 0);
}

export class ChunksSeries implements Series {
  constructor(
    readonly labels: Labels,
    private readonly data: readonly ChunkData[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  get chunkCount(): number {
    return this.data.length;
  }

  iterator(): SampleIterator {
    return new SeriesChunksIterator(this.data, this.mint, this.maxt);
  }

  readInto(buf: SampleBuffer, mint: number, maxt: number): Error | null {
    return readChunksInto(this.data, buf, Math.max(mint, this.mint), Math.min(maxt, this.maxt));
  }
}

