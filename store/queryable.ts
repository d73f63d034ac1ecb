/**
 * The store behind the read seam (tsdb/storage.ts): a Queryable over one tenant's blocks in the
 * bucket, for the querier to merge with the ingesters' Queryable. Hints narrow the querier's
 * range; `seriesOnly` skips chunk reads; `limit` caps the number of series returned.
 */

import type { Matcher } from '../tsdb/matchers.js';
import type { Querier, Queryable, SelectHints, Series, SeriesSet } from '../tsdb/storage.js';
import type { BucketStore } from './bucket-store.js';

export function storeQueryable(store: BucketStore, tenant: string): Queryable {
  return {
    querier(mint: number, maxt: number): Querier {
      return {
        async select(_sorted: boolean, hints: SelectHints | null, matchers: readonly Matcher[]): Promise<SeriesSet> {
          const start = Math.max(mint, hints?.start ?? mint);
          const end = Math.min(maxt, hints?.end ?? maxt);
          const set = await store.select(tenant, start, end, matchers, hints?.seriesOnly ? { seriesOnly: true } : {});
          const limit = hints?.limit ?? 0;
          return limit > 0 ? new LimitedSeriesSet(set, limit) : set;
        },
        labelValues: (name: string, matchers: readonly Matcher[]) => store.labelValues(tenant, name, mint, maxt, matchers),
        labelNames: (matchers: readonly Matcher[]) => store.labelNames(tenant, mint, maxt, matchers),
        close(): void {},
      };
    },
  };
}

class LimitedSeriesSet implements SeriesSet {
  private n = 0;

  constructor(
    private readonly inner: SeriesSet,
    private readonly limit: number,
  ) {}

  get warnings(): readonly string[] {
    return this.inner.warnings;
  }

  next(): boolean {
    if (this.n >= this.limit) return false;
    if (!this.inner.next()) return false;
    this.n++;
    return true;
  }

  at(): Series {
    return this.inner.at();
  }

  err(): Error | null {
    return this.inner.err();
  }
}
