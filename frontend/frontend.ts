/**
 * The query-frontend: sits in front of the querier's `query_range` and makes long ranges fast on
 * the second load. Its steps are one ordered list, outermost first, as in Cortex's query-range
 * tripperware:
 *
 *   step alignment (optional) → split by interval → results cache → per-tenant queue → downstream
 *
 * The queue is innermost, as in Cortex's frontend v1 where each split (and cache-gap) request is
 * enqueued on its own: `max_outstanding_requests_per_tenant` counts those requests, and the
 * concurrency bound is the number of requests the querier runs at once.
 */

import { VigilError } from '../util/errors.js';
import type { Cache } from './cache.js';
import { TenantQueues } from './queue.js';
import { resultsCacheMiddleware } from './results-cache.js';
import { splitByIntervalMiddleware } from './split.js';
import { stepAlignMiddleware } from './step-align.js';
import type { FrontendStats, LimitsFn, Middleware, RangeHandler, RangeRequest, RangeResponse } from './types.js';
import { newStats } from './types.js';

/** How long an entry of the results cache lives unless set otherwise (Mimir's results-cache TTL). */
export const DEFAULT_RESULTS_CACHE_TTL_MS = 7 * 24 * 3600_000;

export interface QueryFrontendOptions {
  readonly downstream: RangeHandler;
  /** null: no results cache. */
  readonly cache: Cache | null;
  /** Milliseconds since the epoch; Date.now by default. */
  readonly now?: () => number;
  readonly limits: LimitsFn;
  /** 0 disables splitting. */
  readonly splitIntervalMs: number;
  readonly alignWithStep: boolean;
  /** Requests running downstream at once, over all tenants. */
  readonly maxConcurrent: number;
  /** Time to live of a results-cache entry; DEFAULT_RESULTS_CACHE_TTL_MS by default. */
  readonly cacheTtlMs?: number;
}

/** Compose middlewares: the first one listed sees the request first. */
export function composeMiddlewares(middlewares: readonly Middleware[], handler: RangeHandler): RangeHandler {
  return middlewares.reduceRight<RangeHandler>((next, m) => m(next), handler);
}

export class QueryFrontend {
  readonly stats: FrontendStats = newStats();
  private readonly queues: TenantQueues;
  private readonly handler: RangeHandler;

  constructor(opts: QueryFrontendOptions) {
    const now = opts.now ?? Date.now;
    const { stats } = this;
    this.queues = new TenantQueues({
      maxConcurrent: opts.maxConcurrent,
      maxOutstanding: (tenant) => opts.limits(tenant).maxOutstandingPerTenant,
      onReject: () => {
        stats.queueRejected++;
      },
    });
    const queued: RangeHandler = (req, signal) =>
      this.queues.run(
        req.tenant,
        () => {
          stats.downstreamRequests++;
          return opts.downstream(req, signal);
        },
        signal,
      );

    const middlewares: Middleware[] = [];
    if (opts.alignWithStep) middlewares.push(stepAlignMiddleware());
    if (opts.splitIntervalMs > 0) middlewares.push(splitByIntervalMiddleware(opts.splitIntervalMs, opts.limits, stats));
    if (opts.cache !== null) {
      middlewares.push(
        resultsCacheMiddleware({
          cache: opts.cache,
          limits: opts.limits,
          now,
          splitIntervalMs: opts.splitIntervalMs,
          ttlMs: opts.cacheTtlMs ?? DEFAULT_RESULTS_CACHE_TTL_MS,
          stats,
        }),
      );
    }
    this.handler = composeMiddlewares(middlewares, queued);
  }

  /** A tenant's queued plus running downstream requests. */
  outstanding(tenant: string): number {
    return this.queues.outstanding(tenant);
  }

  rangeQuery(req: RangeRequest, signal?: AbortSignal): Promise<RangeResponse> {
    if (!(req.stepMs > 0)) {
      return Promise.reject(new VigilError('bad-query-param', 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer'));
    }
    if (req.endMs < req.startMs) {
      return Promise.reject(new VigilError('bad-query-param', 'invalid parameter "end": end timestamp must not be before start time'));
    }
    return this.handler(req, signal);
  }
}
