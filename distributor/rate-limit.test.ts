import { describe, expect, it } from 'vitest';
import { type Limits, limitsBlock } from '../util/limits.js';
import { buildBlock } from '../util/options.js';
import { RateLimiter, rateLimitMessage } from './rate-limit.js';

const limits = (rate: number, burst: number): Limits => buildBlock('limits', limitsBlock, { ingestion_rate: rate, ingestion_burst_size: burst });
const T0 = 1_700_000_000_000;

describe('RateLimiter', () => {
  it('starts a tenant with a full bucket and refuses what goes beyond the burst', () => {
    const rl = new RateLimiter();
    const l = limits(10, 100);
    expect(rl.allow('t', T0, 60, 0, l)).toBeNull();
    expect(rl.allow('t', T0, 40, 0, l)).toBeNull();
    expect(rl.allow('t', T0, 1, 0, l)).toBe(rateLimitMessage(10, 100, 1, 0));
  });

  it('is all or nothing: a refused request takes no tokens', () => {
    const rl = new RateLimiter();
    const l = limits(10, 100);
    expect(rl.allow('t', T0, 70, 0, l)).toBeNull();
    expect(rl.allow('t', T0, 31, 0, l)).not.toBeNull();
    expect(rl.available('t', T0, l)).toBe(30);
    expect(rl.allow('t', T0, 30, 0, l)).toBeNull();
  });

  it('counts metadata as well as samples', () => {
    const rl = new RateLimiter();
    const l = limits(10, 100);
    expect(rl.allow('t', T0, 90, 10, l)).toBeNull();
    expect(rl.allow('t', T0, 0, 1, l)).toBe(rateLimitMessage(10, 100, 0, 1));
  });

  it('refills at the rate over the injected clock, up to the burst', () => {
    const rl = new RateLimiter();
    const l = limits(10, 100);
    expect(rl.allow('t', T0, 100, 0, l)).toBeNull();
    expect(rl.allow('t', T0 + 1000, 11, 0, l)).not.toBeNull();
    expect(rl.allow('t', T0 + 1000, 10, 0, l)).toBeNull();
    expect(rl.allow('t', T0 + 1500, 5, 0, l)).toBeNull();
    expect(rl.available('t', T0 + 1500, l)).toBe(0);
    // A long pause fills the bucket, never beyond the burst.
    expect(rl.available('t', T0 + 3_600_000, l)).toBe(100);
  });

  it('never earns tokens from a clock that steps back', () => {
    const rl = new RateLimiter();
    const l = limits(10, 100);
    expect(rl.allow('t', T0, 100, 0, l)).toBeNull();
    expect(rl.available('t', T0 - 60_000, l)).toBe(0);
    expect(rl.available('t', T0 + 1000, l)).toBe(10);
  });

  it('never accepts a request larger than the burst, and says so', () => {
    const rl = new RateLimiter();
    const l = limits(25_000, 50_000);
    const msg = rl.allow('t', T0, 50_000, 1, l);
    expect(msg).toBe(
      'ingestion rate limit (25000) exceeded while adding 50000 samples and 1 metadata: this request alone holds 50001 items, ' +
        'more than the burst size of 50000, so it can never be accepted; send smaller requests (in Prometheus, lower ' +
        "queue_config.max_samples_per_send) or raise -distributor.ingestion-burst-size (now 50000) or the tenant's " +
        'ingestion_burst_size in the runtime config',
    );
    // The bucket was untouched: a request of exactly the burst passes.
    expect(rl.allow('t', T0, 50_000, 0, l)).toBeNull();
  });

  it('names the limit and both flags in the 429 message', () => {
    const rl = new RateLimiter();
    const l = limits(25_000, 50_000);
    expect(rl.allow('t', T0, 50_000, 0, l)).toBeNull();
    expect(rl.allow('t', T0, 100, 2, l)).toBe(
      'ingestion rate limit (25000) exceeded while adding 100 samples and 2 metadata; to raise it, set ' +
        '-distributor.ingestion-rate-limit (now 25000) or -distributor.ingestion-burst-size (now 50000), ' +
        "or the tenant's ingestion_rate / ingestion_burst_size in the runtime config",
    );
  });

  it('keeps tenants apart', () => {
    const rl = new RateLimiter();
    const l = limits(10, 100);
    expect(rl.allow('a', T0, 100, 0, l)).toBeNull();
    expect(rl.allow('a', T0, 1, 0, l)).not.toBeNull();
    expect(rl.allow('b', T0, 100, 0, l)).toBeNull();
  });

  it('lets empty requests through and ignores an infinite rate', () => {
    const rl = new RateLimiter();
    expect(rl.allow('t', T0, 0, 0, limits(10, 0))).toBeNull();
    expect(rl.allow('t', T0, 1e9, 0, { ...limits(10, 1), ingestion_rate: Infinity })).toBeNull();
    expect(rl.size()).toBe(0);
  });

  describe('picks up changed limits on the next call, keeping the bucket', () => {
    it('a higher rate applies from the change on, not before it', () => {
      const rl = new RateLimiter();
      expect(rl.allow('t', T0, 100, 0, limits(10, 100))).toBeNull();
      // 2 s at the old rate (10/s) are 20 tokens; then the rate becomes 50/s.
      expect(rl.available('t', T0 + 2000, limits(50, 100))).toBe(20);
      expect(rl.available('t', T0 + 3000, limits(50, 100))).toBe(70);
    });

    it('a lower burst caps the tokens held', () => {
      const rl = new RateLimiter();
      expect(rl.available('t', T0, limits(10, 100))).toBe(100);
      expect(rl.allow('t', T0, 60, 0, limits(10, 50))).not.toBeNull();
      expect(rl.allow('t', T0, 50, 0, limits(10, 50))).toBeNull();
    });

    it('a higher burst adds room, not tokens', () => {
      const rl = new RateLimiter();
      expect(rl.allow('t', T0, 100, 0, limits(10, 100))).toBeNull();
      expect(rl.available('t', T0, limits(10, 1000))).toBe(0);
      expect(rl.available('t', T0 + 50_000, limits(10, 1000))).toBe(500);
      expect(rl.allow('t', T0 + 50_000, 500, 0, limits(10, 1000))).toBeNull();
    });

    it('a raised burst lets a once-too-large request through', () => {
      const rl = new RateLimiter();
      expect(rl.allow('t', T0, 150, 0, limits(10, 100))).toMatch(/can never be accepted/);
      expect(rl.available('t', T0, limits(10, 200))).toBe(100);
      expect(rl.allow('t', T0 + 4000, 150, 0, limits(10, 200))).not.toBeNull();
      expect(rl.allow('t', T0 + 5000, 150, 0, limits(10, 200))).toBeNull();
    });
  });

  it('forgets tenants whose bucket is full again', () => {
    const rl = new RateLimiter();
    const l = limits(10, 100);
    expect(rl.allow('idle', T0, 100, 0, l)).toBeNull();
    expect(rl.allow('busy', T0, 100, 0, l)).toBeNull();
    expect(rl.size()).toBe(2);
    // 60 s later 'idle' is full (10 s would do); 'busy' keeps spending.
    expect(rl.allow('busy', T0 + 60_000, 100, 0, l)).toBeNull();
    expect(rl.size()).toBe(1);
    expect(rl.available('idle', T0 + 60_000, l)).toBe(100);
  });
});
