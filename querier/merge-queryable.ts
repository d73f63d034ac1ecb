/**
 * The querier's one view of a tenant's data: recent samples from the ingesters, older ones from
 * the blocks in the bucket (the store), merged by label set with identical samples given once.
 * Which side is asked follows Cortex: ingesters only for the part of the range within
 * `-querier.query-ingesters-within` of now, the store only for the part older than
 * `-querier.query-store-after` (0 disables either cut). The two windows overlap so a block that
 * is being shipped is never missed. Without a store the ingesters are asked for everything.
 */

import type { MetricMetadata } from '../proto/write-batch.js';
import { type Labels, compareLabels, uniqueSorted } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { mergeSeriesSets } from '../tsdb/merge.js';
import { type SeriesSet, emptySeriesSet } from '../tsdb/storage.js';
import type { SeriesExemplars } from '../ingester/exemplars.js';
import type { SeriesMetadataReader } from './ingester-reader.js';
import type { SeriesSelector } from './remote-read.js';

/** The store side of a query (the bucket store, later the store-gateways). */
export interface StoreReader {
  select(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[], opts?: { seriesOnly?: boolean }): Promise<SeriesSet>;
  series(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<Labels[]>;
  labelNames(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]>;
  labelValues(tenant: string, name: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]>;
}

export interface MergeOptions {
  readonly queryIngestersWithinMs: number;
  readonly queryStoreAfterMs: number;
  readonly now?: () => number;
}

interface Range {
  readonly mint: number;
  readonly maxt: number;
}

export class MergeQueryable implements SeriesMetadataReader, SeriesSelector {
  private readonly now: () => number;

  constructor(
    private readonly ingesters: SeriesMetadataReader & SeriesSelector,
    private readonly store: StoreReader | null,
    private readonly opts: MergeOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The part of [mint, maxt] each side answers for; null when a side is not asked. */
  ranges(mint: number, maxt: number): { ingesters: Range | null; store: Range | null } {
    const now = this.now();
    let ing: Range | null = { mint, maxt };
    // Without a store the ingesters are all there is: they are asked for the whole range.
    if (this.store && this.opts.queryIngestersWithinMs > 0) {
      const from = Math.max(mint, now - this.opts.queryIngestersWithinMs);
      ing = maxt < from ? null : { mint: from, maxt };
    }
    let st: Range | null = null;
    if (this.store) {
      st = { mint, maxt };
      if (this.opts.queryStoreAfterMs > 0) {
        const to = Math.min(maxt, now - this.opts.queryStoreAfterMs);
        st = to < mint ? null : { mint, maxt: to };
      }
    }
    return { ingesters: ing, store: st };
  }

  async select(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesSet> {
    const r = this.ranges(mint, maxt);
    const sets = await Promise.all([
      r.ingesters ? this.ingesters.select(tenant, r.ingesters.mint, r.ingesters.maxt, matchers) : emptySeriesSet,
      r.store && this.store ? this.store.select(tenant, r.store.mint, r.store.maxt, matchers) : emptySeriesSet,
    ]);
    return mergeSeriesSets(sets);
  }

  async series(tenant: string, mint: number, maxt: number, sets: readonly (readonly Matcher[])[], limit: number): Promise<Labels[]> {
    const r = this.ranges(mint, maxt);
    const lists: Labels[][] = [];
    if (r.ingesters) lists.push(await this.ingesters.series(tenant, r.ingesters.mint, r.ingesters.maxt, sets, 0));
    const store = this.store;
    const sr = r.store;
    if (store && sr) for (const ms of sets) lists.push(await store.series(tenant, sr.mint, sr.maxt, ms));
    const all = lists.flat().sort(compareLabels);
    const out: Labels[] = [];
    for (const ls of all) {
      if (out.length > 0 && compareLabels(out[out.length - 1]!, ls) === 0) continue;
      out.push(ls);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  async labelNames(tenant: string, mint: number, maxt: number, sets: readonly (readonly Matcher[])[], limit: number): Promise<string[]> {
    const r = this.ranges(mint, maxt);
    const names: string[] = [];
    if (r.ingesters) names.push(...(await this.ingesters.labelNames(tenant, r.ingesters.mint, r.ingesters.maxt, sets, 0)));
    const store = this.store;
    const sr = r.store;
    if (store && sr) for (const ms of sets.length === 0 ? [[]] : sets) names.push(...(await store.labelNames(tenant, sr.mint, sr.maxt, ms)));
    return uniqueSorted(names, limit);
  }

  async labelValues(tenant: string, name: string, mint: number, maxt: number, sets: readonly (readonly Matcher[])[], limit: number): Promise<string[]> {
    const r = this.ranges(mint, maxt);
    const values: string[] = [];
    if (r.ingesters) values.push(...(await this.ingesters.labelValues(tenant, name, r.ingesters.mint, r.ingesters.maxt, sets, 0)));
    const store = this.store;
    const sr = r.store;
    if (store && sr) for (const ms of sets.length === 0 ? [[]] : sets) values.push(...(await store.labelValues(tenant, name, sr.mint, sr.maxt, ms)));
    return uniqueSorted(values, limit);
  }

  /** Exemplars live only in ingesters' memory (blocks hold none, as in Prometheus). */
  exemplars(tenant: string, start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): Promise<SeriesExemplars[]> {
    return this.ingesters.exemplars(tenant, start, end, matcherSets);
  }

  metadata(tenant: string, metric: string | null): Promise<MetricMetadata[]> {
    return this.ingesters.metadata(tenant, metric);
  }
}
