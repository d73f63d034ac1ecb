/**
 * Options of the query-frontend, with Cortex's flag names where Cortex has the option:
 * `query_range` (split, align), the frontend's queue, and the results cache. The per-tenant
 * limits it reads (`max_query_parallelism`, `max_cache_freshness`) are in util/limits.ts.
 *
 * Differences from Cortex, on purpose: splitting by 24h is on by default (Cortex: 0, off) and the
 * results cache is on by default in memory (Cortex: `-querier.cache-results=false`);
 * `-frontend.results-cache.backend` and `-frontend.max-concurrent-requests` are Vigil's own.
 */

import type { Limits } from '../util/limits.js';
import { type BlockValue, opt } from '../util/options.js';
import type { Cache } from './cache.js';
import { MemoryCache } from './cache.js';
import { RedisCache } from './redis-cache.js';
import type { FrontendLimits } from './types.js';

export const RESULTS_CACHE_BACKENDS = ['memory', 'redis', 'none'] as const;

export const frontendBlock = {
  split_queries_by_interval: opt('duration', 'querier.split-queries-by-interval', 24 * 3600_000, 'Split range queries at multiples of this interval (aligned to the epoch) and run the parts in parallel; the results cache keeps one entry per interval. 0 disables splitting.'),
  align_queries_with_step: opt('bool', 'querier.align-querier-with-step', false, 'Round the start and end of range queries down to a multiple of their step, so that repeated queries hit the results cache. Changes the timestamps of the answer.'),
  max_outstanding_per_tenant: opt('int', 'querier.max-outstanding-requests-per-tenant', 100, 'Most requests of one tenant queued or running in the query-frontend (each split part counts); beyond it requests fail with HTTP 429.'),
  max_concurrent_requests: opt('int', 'frontend.max-concurrent-requests', 16, 'Most requests the query-frontend sends to queriers at once, shared between tenants in turn.'),
  results_cache_backend: opt('string', 'frontend.results-cache.backend', 'memory', 'Where the results cache lives: memory (an LRU in this process), redis, or none (no results cache).', { oneOf: RESULTS_CACHE_BACKENDS }),
  results_cache_validity: opt('duration', 'frontend.default-validity', 7 * 24 * 3600_000, 'How long an entry of the results cache lives.'),
  results_cache_max_size_bytes: opt('int', 'frontend.fifocache.max-size-bytes', 256 * 1024 * 1024, 'Most bytes the in-memory results cache holds; the least recently used entries are evicted first.'),
  redis_endpoint: opt('string', 'frontend.redis.endpoint', '127.0.0.1:6379', 'Redis of the results cache when -frontend.results-cache.backend=redis: host:port or a redis:// URL.'),
  redis_prefix: opt('string', null, 'vigil:frontend:', 'Prefix of the results cache keys in Redis.'),
} as const;

export type FrontendConfig = BlockValue<typeof frontendBlock>;

/** The frontend's limits of a tenant from its limits and the frontend's queue size. */
export function frontendLimits(limits: Pick<Limits, 'max_query_parallelism' | 'max_cache_freshness'>, cfg: FrontendConfig): FrontendLimits {
  return {
    maxQueryParallelism: limits.max_query_parallelism,
    maxCacheFreshnessMs: limits.max_cache_freshness,
    maxOutstandingPerTenant: cfg.max_outstanding_per_tenant,
  };
}

/** The results cache the config asks for; null when it is off. No I/O happens here. */
export function newResultsCache(cfg: FrontendConfig): (Cache & { close?: () => Promise<void> }) | null {
  switch (cfg.results_cache_backend) {
    case 'memory':
      return new MemoryCache({ maxBytes: cfg.results_cache_max_size_bytes });
    case 'redis':
      return new RedisCache({ endpoint: cfg.redis_endpoint, prefix: cfg.redis_prefix });
    case 'none':
      return null;
    default:
      throw new Error(`invalid value ${JSON.stringify(cfg.results_cache_backend)} for flag -frontend.results-cache.backend: must be one of ${RESULTS_CACHE_BACKENDS.join(', ')}`);
  }
}

/** Refuse combinations that cannot work; called once when the config is built. */
export function validateFrontendConfig(cfg: FrontendConfig): void {
  if (cfg.split_queries_by_interval < 0) throw new Error('invalid configuration: -querier.split-queries-by-interval must not be negative');
  if (cfg.max_concurrent_requests < 1) throw new Error('invalid configuration: -frontend.max-concurrent-requests must be at least 1');
  if (cfg.results_cache_validity <= 0) throw new Error('invalid configuration: -frontend.default-validity must be positive');
}
