import { describe, expect, it } from 'vitest';
import type { MetricMetadata } from '../proto/write-batch.js';
import { type Labels, labelsFromRecord, labelsToRecord } from '../tsdb/labels.js';
import { Matcher } from '../tsdb/matchers.js';
import type { SampleIterator, Series, SeriesSet } from '../tsdb/storage.js';
import type { SeriesExemplars } from '../ingester/exemplars.js';
import type { SeriesMetadataReader } from './ingester-reader.js';
import { MergeQueryable, type StoreReader } from './merge-queryable.js';
import type { SeriesSelector } from './remote-read.js';

type Data = Record<string, [number, number][]>;

function iter(xs: readonly [number, number][]): SampleIterator {
  let i = -1;
  return {
    next: () => ++i < xs.length,
    seek(t) {
      if (i < 0) i = 0;
      while (i < xs.length && xs[i]![0] < t) i++;
      return i < xs.length;
    },
    atT: () => xs[i]![0],
    atV: () => xs[i]![1],
    err: () => null,
  };
}

/** A reader over fixed data that records the ranges it was asked for. */
class Fake implements SeriesMetadataReader, SeriesSelector, StoreReader {
  readonly asked: [number, number][] = [];
  constructor(private readonly data: Data) {}
  private pick(mint: number, maxt: number, ms: readonly Matcher[]): { labels: Labels; xs: [number, number][] }[] {
    this.asked.push([mint, maxt]);
    return Object.entries(this.data)
      .map(([name, xs]) => ({ labels: labelsFromRecord({ __name__: name }), xs: xs.filter(([t]) => t >= mint && t <= maxt) }))
      .filter((s) => s.xs.length > 0 && ms.every((m) => m.matches(labelsToRecord(s.labels)[m.name] ?? '')))
      .sort((a, b) => (a.labels[0]!.value < b.labels[0]!.value ? -1 : 1));
  }
  async select(_t: string, mint: number, maxt: number, ms: readonly Matcher[]): Promise<SeriesSet> {
    const list: Series[] = this.pick(mint, maxt, ms).map((s) => ({ labels: s.labels, iterator: () => iter(s.xs) }));
    let i = -1;
    return { next: () => ++i < list.length, at: () => list[i]!, err: () => null, warnings: [] };
  }
  async series(_t: string, mint: number, maxt: number, sets: readonly (readonly Matcher[])[] | readonly Matcher[]): Promise<Labels[]> {
    const ms = (sets.length > 0 && Array.isArray(sets[0]) ? (sets as readonly (readonly Matcher[])[]).flat() : sets) as readonly Matcher[];
    return this.pick(mint, maxt, ms).map((s) => s.labels);
  }
  async exemplars(): Promise<SeriesExemplars[]> {
    return [];
  }
  async labelNames(_t: string, mint: number, maxt: number): Promise<string[]> {
    return this.pick(mint, maxt, []).length > 0 ? ['__name__'] : [];
  }
  async labelValues(_t: string, _n: string, mint: number, maxt: number): Promise<string[]> {
    return this.pick(mint, maxt, []).map((s) => s.labels[0]!.value);
  }
  async metadata(): Promise<MetricMetadata[]> {
    return [];
  }
}

const H = 3600_000;
const NOW = 100 * H;

async function drain(s: SeriesSet): Promise<Data> {
  const out: Data = {};
  while (s.next()) {
    const it = s.at().iterator();
    const xs: [number, number][] = [];
    while (it.next()) xs.push([it.atT(), it.atV()]);
    out[s.at().labels[0]!.value] = xs;
  }
  return out;
}

describe('MergeQueryable', () => {
  const ingesters = (): Fake => new Fake({ a: [[NOW - 14 * H, 1], [NOW - 12.5 * H, 2], [NOW - H, 3]], b: [[NOW - H, 9]] });
  const store = (): Fake => new Fake({ a: [[NOW - 30 * H, 0], [NOW - 14 * H, 1], [NOW - 12.5 * H, 2]], old: [[NOW - 50 * H, 5]] });

  it('asks each side only for its window and merges the same series once per sample', async () => {
    const ing = ingesters();
    const st = store();
    const q = new MergeQueryable(ing, st, { queryIngestersWithinMs: 13 * H, queryStoreAfterMs: 12 * H, now: () => NOW });
    const got = await drain(await q.select('t', NOW - 60 * H, NOW, [new Matcher('=~', '__name__', '.+')]));
    expect(got).toEqual({ a: [[NOW - 30 * H, 0], [NOW - 14 * H, 1], [NOW - 12.5 * H, 2], [NOW - H, 3]], b: [[NOW - H, 9]], old: [[NOW - 50 * H, 5]] });
    expect(ing.asked).toEqual([[NOW - 13 * H, NOW]]);
    expect(st.asked).toEqual([[NOW - 60 * H, NOW - 12 * H]]);
  });

  it('skips a side whose window the query misses', async () => {
    const ing = ingesters();
    const st = store();
    const q = new MergeQueryable(ing, st, { queryIngestersWithinMs: 13 * H, queryStoreAfterMs: 12 * H, now: () => NOW });
    await q.select('t', NOW - 2 * H, NOW, []);
    await q.select('t', NOW - 60 * H, NOW - 40 * H, []);
    expect(ing.asked).toEqual([[NOW - 2 * H, NOW]]);
    expect(st.asked).toEqual([[NOW - 60 * H, NOW - 40 * H]]);
  });

  it('asks both sides for everything when the cuts are 0, and works without a store', async () => {
    const ing = ingesters();
    const st = store();
    await new MergeQueryable(ing, st, { queryIngestersWithinMs: 0, queryStoreAfterMs: 0, now: () => NOW }).select('t', 0, NOW, []);
    expect(ing.asked).toEqual([[0, NOW]]);
    expect(st.asked).toEqual([[0, NOW]]);
    const only = ingesters();
    const alone = new MergeQueryable(only, null, { queryIngestersWithinMs: 13 * H, queryStoreAfterMs: 12 * H, now: () => NOW });
    expect(await drain(await alone.select('t', 0, NOW, []))).toEqual({ a: [[NOW - 14 * H, 1], [NOW - 12.5 * H, 2], [NOW - H, 3]], b: [[NOW - H, 9]] });
    expect(only.asked).toEqual([[0, NOW]]);
  });

  it('merges the metadata endpoints of both sides, sorted and de-duplicated', async () => {
    const q = new MergeQueryable(ingesters(), store(), { queryIngestersWithinMs: 13 * H, queryStoreAfterMs: 12 * H, now: () => NOW });
    expect(await q.labelValues('t', '__name__', NOW - 60 * H, NOW, [], 0)).toEqual(['a', 'b', 'old']);
    expect((await q.series('t', NOW - 60 * H, NOW, [[new Matcher('=~', '__name__', '.+')]], 0)).map((l) => l[0]!.value)).toEqual(['a', 'b', 'old']);
    expect(await q.labelValues('t', '__name__', NOW - 60 * H, NOW, [], 2)).toEqual(['a', 'b']);
  });
});
