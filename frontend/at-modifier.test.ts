import { describe, expect, it } from 'vitest';
import { MemoryCache } from './cache.js';
import { latestAtModifier, resolveAtModifiers } from './at-modifier.js';
import { QueryFrontend } from './frontend.js';
import { fakeDownstream } from './testing.js';

describe('@ modifiers and the frontend', () => {
  it('replaces start() and end() by the request\'s times and leaves other queries as written', () => {
    expect(resolveAtModifiers('rate(x[5m] @ start()) + y @ end()', 1_000_000, 2_000_000)).toBe('rate(x[5m] @ 1000.000) + y @ 2000.000');
    expect(resolveAtModifiers('max_over_time(x[10m:1m] @ end())', 0, 60_000)).toBe('max_over_time(x[10m:1m] @ 60.000)');
    expect(resolveAtModifiers('sum(rate(x[5m]))  ', 0, 1)).toBe('sum(rate(x[5m]))  ');
    expect(resolveAtModifiers('x @ start(', 0, 1)).toBe('x @ start(');
  });

  it('finds the latest @ timestamp', () => {
    expect(latestAtModifier('x @ 100 + y @ 200')).toBe(200_000);
    expect(latestAtModifier('x')).toBeNull();
  });

  it('sends each split part the original start and end, and does not cache a result read at a recent time', async () => {
    const now = 100 * 86_400_000;
    const fake = fakeDownstream();
    const fe = new QueryFrontend({
      downstream: fake.handler,
      cache: new MemoryCache({ maxBytes: 1 << 20 }),
      now: () => now,
      limits: () => ({ maxQueryParallelism: 2, maxCacheFreshnessMs: 600_000, maxOutstandingPerTenant: 10 }),
      splitIntervalMs: 3_600_000,
      alignWithStep: false,
      maxConcurrent: 2,
    });
    const req = { tenant: 't', query: 'x @ end()', startMs: now - 7_200_000, endMs: now - 60_000, stepMs: 60_000 };
    await fe.rangeQuery(req);
    expect(new Set(fake.requests.map((r) => r.query))).toEqual(new Set([`x @ ${((now - 60_000) / 1000).toFixed(3)}`]));
    expect(fake.requests.length).toBeGreaterThan(1);
    const asked = fake.requests.length;
    await fe.rangeQuery(req);
    // @ end() is one minute ago: inside the 10 minute freshness window, so nothing was cached.
    expect(fake.requests.length).toBe(2 * asked);
  });
});
