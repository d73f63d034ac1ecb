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
 * reqs. When parts fail, the error thrown is the earliest part's (the one an unsplit query would
 * have met first): a failure aborts only the parts after it, earlier ones still finish.
 */
export async function doRequests(
  next: RangeHandler,
  reqs: readonly RangeRequest[],
  parallelism: number,
  signal?: AbortSignal,
): Promise<RangeResponse[]> {
  const results = new Array<RangeResponse>(reqs.length);
  const controllers = reqs.map(() => new AbortController());
  const errors = new Map<number, unknown>();
  let firstFailed = Infinity;
  const onAbort = (): void => {
    for (const c of controllers) c.abort(signal?.reason);
  };
  if (signal !== undefined) {
    if (signal.aborted) throw signal.reason;
    signal.addEventListener('abort', onAbort, { once: true });
  }
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < reqs.length && nextIndex < firstFailed && !signal?.aborted) {
      const i = nextIndex++;
      try {
        results[i] = await next(reqs[i]!, controllers[i]!.signal);
      } catch (err) {
        errors.set(i, err);
        if (i < firstFailed) {
          firstFailed = i;
          for (let j = i + 1; j < controllers.length; j++) controllers[j]!.abort(err);
        }
      }
    }
  };
  const workers = Math.max(1, Math.min(parallelism, reqs.length));
  try {
    await Promise.all(Array.from({ length: workers }, () => worker()));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw signal.reason;
  if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
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
