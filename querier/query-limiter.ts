/**
 * Cortex's per-query fetch limits: `max_fetched_series_per_query` (distinct series, replicas and
 * the ingester and store sides of one series counted once) and `max_fetched_chunks_per_query`
 * (every chunk read, replicas included, as Cortex counts them). One limiter serves one query:
 * every selector of the query adds to the same counts. Past a limit the query fails with
 * Cortex's message as an `execution` error (HTTP 422).
 */

import { labelsKey } from '../promql/engine-labels.js';
import { EngineError } from '../promql/engine-types.js';
import type { Labels } from '../tsdb/labels.js';
import type { Series, SeriesSet } from '../tsdb/storage.js';

export interface FetchLimits {
  /** Distinct series one query may fetch; 0 means no limit. */
  readonly maxFetchedSeries: number;
  /** Chunks one query may fetch; 0 means no limit. */
  readonly maxFetchedChunks: number;
}

export const NO_FETCH_LIMITS: FetchLimits = { maxFetchedSeries: 0, maxFetchedChunks: 0 };

export class QueryLimiter {
  private readonly seen = new Set<string>();
  private chunks = 0;

  constructor(private readonly limits: FetchLimits) {}

  get active(): boolean {
    return this.limits.maxFetchedSeries > 0 || this.limits.maxFetchedChunks > 0;
  }

  /** Counts one fetched series and its chunks; throws once a limit is passed. */
  add(labels: Labels, chunkCount: number): void {
    const { maxFetchedSeries, maxFetchedChunks } = this.limits;
    if (maxFetchedSeries > 0) {
      this.seen.add(labelsKey(labels));
      if (this.seen.size > maxFetchedSeries) {
        throw new EngineError('execution', `the query hit the max number of series limit (limit: ${maxFetchedSeries} series)`);
      }
    }
    if (maxFetchedChunks > 0) {
      this.chunks += chunkCount;
      if (this.chunks > maxFetchedChunks) {
        throw new EngineError('execution', `the query hit the max number of chunks limit (limit: ${maxFetchedChunks} chunks)`);
      }
    }
  }

  /** The set with every series counted as it is read; a limit passed ends it with the error. */
  wrap(set: SeriesSet): SeriesSet {
    if (!this.active) return set;
    let error: Error | null = null;
    return {
      next: () => {
        if (error || !set.next()) return false;
        const s: Series = set.at();
        try {
          this.add(s.labels, s.chunkCount ?? 0);
        } catch (e) {
          error = e as Error;
          return false;
        }
        return true;
      },
      at: () => set.at(),
      err: () => error ?? set.err(),
      get warnings() {
        return set.warnings;
      },
    };
  }
}

/** The fetch limits of a tenant's `limits` block. */
export function fetchLimitsOf(l: { readonly max_fetched_series_per_query: number; readonly max_fetched_chunks_per_query: number }): FetchLimits {
  return { maxFetchedSeries: l.max_fetched_series_per_query, maxFetchedChunks: l.max_fetched_chunks_per_query };
}
