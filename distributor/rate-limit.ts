/**
 * The per-tenant ingestion rate limit: one token bucket per tenant, filled at `ingestion_rate`
 * tokens per second up to `ingestion_burst_size`. A request costs one token per sample and per
 * metadata entry that passed validation, and is taken whole or refused whole (429, reason
 * `rate_limited`). The strategy is Cortex's "local": each distributor enforces the full limit on
 * what it receives itself.
 *
 * Buckets refill lazily from the time the caller passes (no timers; tests pass their own clock).
 * The tenant's limits are read on every call, so a runtime-config change applies to the next
 * request without losing the bucket: tokens earned so far are counted at the old rate, then the
 * new rate applies, and a smaller burst caps the tokens held. A new tenant starts with a full bucket.
 */

import { type Limits, limitsBlock } from '../util/limits.js';

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  lastMs: number;
  /** Limits the bucket last ran with. */
  rate: number;
  burst: number;
}

/** How often idle buckets are forgotten. */
const PRUNE_INTERVAL_MS = 60_000;

const RATE_FLAG = `-${limitsBlock.ingestion_rate.flag ?? ''}`;
const BURST_FLAG = `-${limitsBlock.ingestion_burst_size.flag ?? ''}`;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastPruneMs = -Infinity;

  /**
   * Take `samples + metadata` tokens from the tenant's bucket at `nowMs`. Returns null when the
   * request may pass, else the 429 message (nothing is taken then). An empty request always passes.
   */
  allow(tenant: string, nowMs: number, samples: number, metadata: number, limits: Limits): string | null {
    const n = samples + metadata;
    if (n <= 0) return null;
    const rate = limits.ingestion_rate;
    const burst = limits.ingestion_burst_size;
    if (rate === Infinity) return null;
    this.maybePrune(nowMs);
    const b = this.bucket(tenant, nowMs, rate, burst);
    if (n <= b.tokens) {
      b.tokens -= n;
      return null;
    }
    return rateLimitMessage(rate, burst, samples, metadata);
  }

  /** Tokens the tenant could spend at `nowMs` (for tests and debugging); changes nothing but the refill. */
  available(tenant: string, nowMs: number, limits: Limits): number {
    if (limits.ingestion_rate === Infinity) return Infinity;
    return this.bucket(tenant, nowMs, limits.ingestion_rate, limits.ingestion_burst_size).tokens;
  }

  /** Number of tenants with a bucket. */
  size(): number {
    return this.buckets.size;
  }

  /** The tenant's bucket, refilled up to `nowMs` and switched to the given limits. */
  private bucket(tenant: string, nowMs: number, rate: number, burst: number): Bucket {
    let b = this.buckets.get(tenant);
    if (b === undefined) {
      b = { tokens: burst, lastMs: nowMs, rate, burst };
      this.buckets.set(tenant, b);
      return b;
    }
    refill(b, nowMs);
    if (b.rate !== rate || b.burst !== burst) {
      b.rate = rate;
      b.burst = burst;
      if (b.tokens > burst) b.tokens = burst;
    }
    return b;
  }

  /** Forget buckets that are full again: a new bucket would be identical. */
  private maybePrune(nowMs: number): void {
    if (nowMs - this.lastPruneMs < PRUNE_INTERVAL_MS) return;
    this.lastPruneMs = nowMs;
    for (const [tenant, b] of this.buckets) {
      refill(b, nowMs);
      if (b.tokens >= b.burst) this.buckets.delete(tenant);
    }
  }
}

/** Earn tokens for the time since `lastMs` at the bucket's rate, up to its burst. A clock that steps back earns nothing. */
function refill(b: Bucket, nowMs: number): void {
  if (nowMs <= b.lastMs) return;
  if (b.rate > 0 && b.tokens < b.burst) {
    b.tokens = Math.min(b.burst, b.tokens + ((nowMs - b.lastMs) / 1000) * b.rate);
  }
  b.lastMs = nowMs;
}

/** The 429 text: Cortex's first sentence, then what to change. */
export function rateLimitMessage(rate: number, burst: number, samples: number, metadata: number): string {
  const head = `ingestion rate limit (${rate}) exceeded while adding ${samples} samples and ${metadata} metadata`;
  const n = samples + metadata;
  if (n > burst) {
    return (
      `${head}: this request alone holds ${n} items, more than the burst size of ${burst}, so it can never be accepted; ` +
      `send smaller requests (in Prometheus, lower queue_config.max_samples_per_send) or raise ${BURST_FLAG} (now ${burst}) ` +
      `or the tenant's ingestion_burst_size in the runtime config`
    );
  }
  return (
    `${head}; to raise it, set ${RATE_FLAG} (now ${rate}) or ${BURST_FLAG} (now ${burst}), ` +
    `or the tenant's ingestion_rate / ingestion_burst_size in the runtime config`
  );
}
