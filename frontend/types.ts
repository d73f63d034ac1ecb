/**
 * The query-frontend's seam with the querier: a range query in, Prometheus's `query_range`
 * matrix out. Errors from the downstream are thrown and passed through unchanged.
 */

export interface RangeRequest {
  readonly tenant: string;
  readonly query: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
  /** `Cache-Control: no-store`: neither read nor write the results cache. */
  readonly noCache?: boolean;
}

/** Prometheus's query_range success data: resultType "matrix" and its series (values as [seconds, "string"]). */
export interface MatrixSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

export interface RangeResponse {
  readonly resultType: 'matrix';
  readonly result: readonly MatrixSeries[];
  readonly warnings?: readonly string[];
}

export interface RangeHandler {
  (req: RangeRequest, signal?: AbortSignal): Promise<RangeResponse>;
}

/** One step of the frontend's pipeline: wraps the next handler (Cortex's queryrange.Middleware). */
export type Middleware = (next: RangeHandler) => RangeHandler;

/** The per-tenant limits the frontend reads (Cortex's `max_query_parallelism`, `max_cache_freshness`, …). */
export interface FrontendLimits {
  readonly maxQueryParallelism: number;
  readonly maxCacheFreshnessMs: number;
  readonly maxOutstandingPerTenant: number;
}

export type LimitsFn = (tenant: string) => FrontendLimits;

/** Counters the frontend keeps; read them, never write them. */
export interface FrontendStats {
  /** Queries (or split parts) that found an entry in the results cache. */
  cacheHits: number;
  /** Queries (or split parts) that looked in the results cache and found nothing. */
  cacheMisses: number;
  /** Requests the results cache sent downstream for the parts it lacked. */
  extentsFetched: number;
  /** Cache reads or writes that failed; the query went on without the cache. */
  cacheErrors: number;
  /** Sub-queries produced by splitting by interval. */
  splitQueries: number;
  /** Requests sent to the downstream (the querier). */
  downstreamRequests: number;
  /** Requests refused with 429 because the tenant had too many outstanding. */
  queueRejected: number;
}

export function newStats(): FrontendStats {
  return { cacheHits: 0, cacheMisses: 0, extentsFetched: 0, cacheErrors: 0, splitQueries: 0, downstreamRequests: 0, queueRejected: 0 };
}

/** The request with another start and end (Cortex's `WithStartEnd`). */
export function withStartEnd(req: RangeRequest, startMs: number, endMs: number): RangeRequest {
  return { ...req, startMs, endMs };
}
