/**
 * Split by interval (`-querier.split-queries-by-interval`): a range query becomes one sub-query per
 * interval (days, aligned to the epoch), run in parallel up to the tenant's
 * `max_query_parallelism`, and the answers merged. Each sub-query ends at the last step before the
 * next interval boundary and the next one starts one step later, so every step of the original
 * query is evaluated exactly once (the behaviour of Cortex's splitQuery).
 */

import { resolveAtModifiers } from './at-modifier.js';
import { mergeResponses } from './merge.js';
import type { FrontendStats, LimitsFn, Middleware, RangeHandler, RangeRequest, RangeResponse } from './types.js';
import { withStartEnd } from './types.js';

/**
 * The last step timestamp (start + k·step) before the first interval boundary after t; when t is
 * the step just before a boundary, it is t itself.
 */
export function lastStepBeforeBoundary(t: number, stepMs: number, intervalMs: number): number {
  const nextBoundary = (Math.floor(t / intervalMs) + 1) * intervalMs;
  // The step timestamps are t + k·step; the largest one strictly below nextBoundary.
  const k = Math.ceil((nextBoundary - t) / stepMs) - 1;
  return t + k * stepMs;
}

/** The sub-queries of req, in time order; a query with start >= end is its own only part. */
export function splitQuery(req: RangeRequest, intervalMs: number): RangeRequest[] {
  if (intervalMs <= 0 || req.stepMs <= 0 || req.startMs >= req.endMs) return [req];
  const parts: RangeRequest[] = [];
  for (let start = req.startMs; start < req.endMs; ) {
    let end = lastStepBeforeBoundary(start, req.stepMs, intervalMs);
    // As Cortex: when the next part would hold at most the end itself, this part takes it, so no
    // part is a lone point and the last part ends exactly at the query's end.
    if (end + req.stepMs >= req.endMs) end = req.endMs;
    parts.push(withStartEnd(req, start, end));
    start = end + req.stepMs;
  }
  return parts;
}

/**
 * Run reqs through next with at most `parallelism` in flight; answers come back in the order of
 * reqs. The first failure aborts the others and is thrown.
 */
export async function doRequests(
  next: RangeHandler,
  reqs: readonly RangeRequest[],
  parallelism: number,
  signal?: AbortSignal,
): Promise<RangeResponse[]> {
  const results = new Array<RangeResponse>(reqs.length);
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(signal?.reason);
  if (signal !== undefined) {
    if (signal.aborted) throw signal.reason;
    signal.addEventListener('abort', onAbort, { once: true });
  }
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < reqs.length) {
      if (ac.signal.aborted) return;
      const i = nextIndex++;
      results[i] = await next(reqs[i]!, ac.signal);
    }
  };
  const workers = Math.max(1, Math.min(parallelism, reqs.length));
  try {
    await Promise.all(
      Array.from({ length: workers }, () =>
        worker().catch((err: unknown) => {
          ac.abort(err);
          throw err;
        }),
      ),
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  // Aborted while a downstream ignored its signal: some answers are missing.
  if (ac.signal.aborted) throw ac.signal.reason;
  return results;
}

export function splitByIntervalMiddleware(intervalMs: number, limits: LimitsFn, stats: FrontendStats): Middleware {
  return (next) => async (req, signal) => {
    const parts = splitQuery({ ...req, query: resolveAtModifiers(req.query, req.startMs, req.endMs) }, intervalMs);
    if (parts.length === 1) return next(parts[0]!, signal);
    stats.splitQueries += parts.length;
    const responses = await doRequests(next, parts, limits(req.tenant).maxQueryParallelism, signal);
    return mergeResponses(responses);
  };
}
