import { describe, expect, it } from 'vitest';
import { buildBlock } from '../util/options.js';
import { httpStatusOf } from '../util/errors.js';
import { MemoryCache } from './cache.js';
import { frontendBlock, frontendLimits, newResultsCache, validateFrontendConfig } from './config.js';
import { limitsBlock } from '../util/limits.js';
import { QueryFrontend, composeMiddlewares } from './frontend.js';
import { RedisCache } from './redis-cache.js';
import { stepAlignMiddleware } from './step-align.js';
import { expectedMatrix, fakeDownstream } from './testing.js';
import type { FrontendLimits, Middleware, RangeRequest } from './types.js';

const DAY = 24 * 3600_000;
const HOUR = 3600_000;
const limits = (): FrontendLimits => ({ maxQueryParallelism: 14, maxCacheFreshnessMs: 60_000, maxOutstandingPerTenant: 100 });
const q = (startMs: number, endMs: number, stepMs: number): RangeRequest => ({ tenant: 't', query: 'up', startMs, endMs, stepMs });

describe('step alignment', () => {
  it('rounds start and end down to a multiple of the step when on', async () => {
    const fake = fakeDownstream();
    const fe = new QueryFrontend({ downstream: fake.handler, cache: null, limits, splitIntervalMs: DAY, alignWithStep: true, maxConcurrent: 4 });
    const got = await fe.rangeQuery(q(1_000_017_123, 1_000_917_999, 60_000));
    expect(fake.requests.map((r) => [r.startMs, r.endMs])).toEqual([[1_000_020_000 - 60_000, 1_000_920_000 - 60_000]]);
    expect(got).toEqual(expectedMatrix(999_960_000, 1_000_860_000, 60_000));
  });

  it('leaves the request alone when off', async () => {
    const fake = fakeDownstream();
    const fe = new QueryFrontend({ downstream: fake.handler, cache: null, limits, splitIntervalMs: DAY, alignWithStep: false, maxConcurrent: 4 });
    await fe.rangeQuery(q(1_000_017_123, 1_000_917_999, 60_000));
    expect(fake.requests.map((r) => [r.startMs, r.endMs])).toEqual([[1_000_017_123, 1_000_917_999]]);
  });

  it('aligns before splitting, so parts fall on the step grid', async () => {
    const seen: RangeRequest[] = [];
    const h = composeMiddlewares([stepAlignMiddleware()], async (r) => {
      seen.push(r);
      return expectedMatrix(r.startMs, r.endMs, r.stepMs);
    });
    await h(q(7, 95, 10));
    expect(seen).toEqual([q(0, 90, 10)]);
  });
});

describe('QueryFrontend', () => {
  it('refuses a bad step or an end before the start with 400', async () => {
    const fe = new QueryFrontend({ downstream: fakeDownstream().handler, cache: null, limits, splitIntervalMs: DAY, alignWithStep: false, maxConcurrent: 4 });
    const e1 = await fe.rangeQuery(q(0, 10, 0)).catch((e: unknown) => e);
    expect(httpStatusOf(e1)).toBe(400);
    const e2 = await fe.rangeQuery(q(10, 0, 1)).catch((e: unknown) => e);
    expect(httpStatusOf(e2)).toBe(400);
  });

  it('composes middlewares with the first listed outermost', async () => {
    const order: string[] = [];
    const tag = (name: string): Middleware => (next) => (r, s) => {
      order.push(name);
      return next(r, s);
    };
    await composeMiddlewares([tag('a'), tag('b'), tag('c')], async () => ({ resultType: 'matrix', result: [] }))(q(0, 1, 1));
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('serves a week-long dashboard from cache on the second load', async () => {
    const fake = fakeDownstream();
    const now = 20_000 * DAY + 13 * HOUR;
    const fe = new QueryFrontend({ downstream: fake.handler, cache: new MemoryCache({ maxBytes: 64 << 20 }), now: () => now, limits, splitIntervalMs: DAY, alignWithStep: true, maxConcurrent: 16 });
    const r = q(now - 7 * DAY, now, 60_000);
    const first = await fe.rangeQuery(r);
    expect(fake.requests.length).toBe(8);
    fake.requests.length = 0;
    const second = await fe.rangeQuery(r);
    expect(second).toEqual(first);
    // Only the last minute (the freshness window) is asked again.
    expect(fake.requests.length).toBe(1);
    expect(fake.requests[0]!.endMs - fake.requests[0]!.startMs).toBeLessThanOrEqual(2 * 60_000);
    expect(second).toEqual(expectedMatrix(r.startMs, r.endMs, 60_000));
  });
});

describe('config', () => {
  it('has Cortex flag names and Vigil defaults', () => {
    const cfg = buildBlock('frontend', frontendBlock, {});
    validateFrontendConfig(cfg);
    expect(frontendBlock.split_queries_by_interval.flag).toBe('querier.split-queries-by-interval');
    expect(frontendBlock.align_queries_with_step.flag).toBe('querier.align-querier-with-step');
    expect(frontendBlock.max_outstanding_per_tenant.flag).toBe('querier.max-outstanding-requests-per-tenant');
    expect(limitsBlock.max_query_parallelism.flag).toBe('querier.max-query-parallelism');
    expect(limitsBlock.max_cache_freshness.flag).toBe('frontend.max-cache-freshness');
    expect(cfg.split_queries_by_interval).toBe(DAY);
    expect(cfg.align_queries_with_step).toBe(false);
    expect(cfg.results_cache_backend).toBe('memory');
    const lim = buildBlock('limits', limitsBlock, {});
    expect(frontendLimits(lim, cfg)).toEqual({ maxQueryParallelism: 14, maxCacheFreshnessMs: 60_000, maxOutstandingPerTenant: 100 });
    expect(newResultsCache(cfg)).toBeInstanceOf(MemoryCache);
  });

  it('builds the cache the backend names', async () => {
    expect(newResultsCache(buildBlock('frontend', frontendBlock, { results_cache_backend: 'none' }))).toBeNull();
    const redis = newResultsCache(buildBlock('frontend', frontendBlock, { results_cache_backend: 'redis', redis_endpoint: '127.0.0.1:1' }));
    expect(redis).toBeInstanceOf(RedisCache);
    await (redis as RedisCache).close();
    expect(() => buildBlock('frontend', frontendBlock, { results_cache_backend: 'memcached' })).toThrow(/results_cache_backend/);
  });

  it('refuses impossible values', () => {
    expect(() => validateFrontendConfig(buildBlock('frontend', frontendBlock, { max_concurrent_requests: 0 }))).toThrow(/max-concurrent-requests/);
    expect(() => validateFrontendConfig(buildBlock('frontend', frontendBlock, { split_queries_by_interval: '-1h' }))).toThrow();
  });
});
