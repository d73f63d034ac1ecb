/**
 * Reads series, samples and metadata from every ingester that may hold the tenant's series, and
 * merges their answers (replicas hold the same series, so results are de-duplicated).
 */

import type { IngesterClient } from '../ingester/client.js';
import { type SeriesExemplars, mergeExemplars } from '../ingester/exemplars.js';
import type { MetricMetadata } from '../proto/write-batch.js';
import type { ClientPool } from '../ring/client-pool.js';
import type { Ring } from '../ring/ring.js';
import { type Labels, compareLabels, uniqueSorted } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { mergeSeriesSets } from '../tsdb/merge.js';
import { type SeriesSet, emptySeriesSet } from '../tsdb/storage.js';

export interface SeriesMetadataReader {
  series(tenant: string, mint: number, maxt: number, matcherSets: readonly (readonly Matcher[])[], limit: number): Promise<Labels[]>;
  labelNames(tenant: string, mint: number, maxt: number, matcherSets: readonly (readonly Matcher[])[], limit: number): Promise<string[]>;
  labelValues(tenant: string, name: string, mint: number, maxt: number, matcherSets: readonly (readonly Matcher[])[], limit: number): Promise<string[]>;
  metadata(tenant: string, metric: string | null): Promise<MetricMetadata[]>;
  /** Exemplars in [start, end] of the series matching any of the matcher sets, series sorted by labels. */
  exemplars(tenant: string, start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): Promise<SeriesExemplars[]>;
}

export class IngesterReader implements SeriesMetadataReader {
  constructor(
    private readonly ring: Ring,
    private readonly pool: ClientPool<IngesterClient>,
  ) {}

  private clients(): IngesterClient[] {
    return this.ring.instances().filter((i) => i.state !== 'PENDING').map((i) => this.pool.clientFor(i));
  }

  /** Samples of the matching series from every ingester, replicas merged into one series each. */
  async select(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesSet> {
    const sets = await Promise.all(this.clients().map((c) => c.select(tenant, mint, maxt, matchers)));
    return sets.length === 0 ? emptySeriesSet : mergeSeriesSets(sets);
  }

  async series(tenant: string, mint: number, maxt: number, sets: readonly (readonly Matcher[])[], limit: number): Promise<Labels[]> {
    const all = (await Promise.all(this.clients().map((c) => c.series(tenant, mint, maxt, sets)))).flat();
    all.sort(compareLabels);
    const out: Labels[] = [];
    for (const ls of all) {
      if (out.length > 0 && compareLabels(out[out.length - 1]!, ls) === 0) continue;
      out.push(ls);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  async labelNames(tenant: string, mint: number, maxt: number, sets: readonly (readonly Matcher[])[], limit: number): Promise<string[]> {
    const lists = await Promise.all(
      this.clients().flatMap((c) => (sets.length === 0 ? [[]] : sets).map((ms) => c.labelNames(tenant, mint, maxt, ms))),
    );
    return uniqueSorted(lists.flat(), limit);
  }

  async labelValues(
    tenant: string,
    name: string,
    mint: number,
    maxt: number,
    sets: readonly (readonly Matcher[])[],
    limit: number,
  ): Promise<string[]> {
    const lists = await Promise.all(
      this.clients().flatMap((c) => (sets.length === 0 ? [[]] : sets).map((ms) => c.labelValues(tenant, name, mint, maxt, ms))),
    );
    return uniqueSorted(lists.flat(), limit);
  }

  /** Every ingester's exemplars, replicas merged: each series once, each exemplar once, in time order. */
  async exemplars(tenant: string, start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): Promise<SeriesExemplars[]> {
    const lists = await Promise.all(this.clients().map((c) => c.exemplars(tenant, start, end, matcherSets)));
    return mergeExemplars(lists);
  }

  async metadata(tenant: string, metric: string | null): Promise<MetricMetadata[]> {
    const lists = await Promise.all(this.clients().map((c) => c.metadata(tenant, metric)));
    const seen = new Set<string>();
    const out: MetricMetadata[] = [];
    for (const m of lists.flat()) {
      const key = `${m.metricFamilyName}\xff${m.type}\xff${m.help}\xff${m.unit}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(m);
    }
    return out;
  }
}
