/**
 * One contract suite for every Cache implementation. The Redis one runs against the Redis on
 * 127.0.0.1:6379; under CI=true a missing Redis fails the suite instead of skipping it.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { requireRedis } from '../test/harness/redis.js';
import { type Cache, MemoryCache } from './cache.js';
import { QueryFrontend } from './frontend.js';
import { RedisCache } from './redis-cache.js';
import { expectedMatrix, fakeDownstream } from './testing.js';

const redisUp = await requireRedis('the Redis cache contract tests');

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

const impls: [string, boolean, () => Cache][] = [
  ['memory', true, () => new MemoryCache({ maxBytes: 1 << 20 })],
  [
    'redis',
    redisUp,
    () => {
      const c = new RedisCache({ endpoint: '127.0.0.1:6379', prefix: `vigil-test-${process.pid}-${Math.random()}:` });
      closers.push(() => c.close());
      return c;
    },
  ],
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(impls)('Cache contract: %s', (_name, enabled, make) => {
  it.skipIf(!enabled)('answers null for a key never set', async () => {
    const c = make();
    expect(await c.get(['nope'])).toEqual([null]);
    expect(await c.get([])).toEqual([]);
  });

  it.skipIf(!enabled)('gets what was set, one answer per key in order', async () => {
    const c = make();
    await c.set([
      { key: 'a', value: Buffer.from('alpha'), ttlMs: 60_000 },
      { key: 'b', value: Buffer.from([0, 255, 1, 254]), ttlMs: 60_000 },
    ]);
    const got = await c.get(['b', 'missing', 'a']);
    expect(got.map((b) => (b === null ? null : [...b]))).toEqual([[0, 255, 1, 254], null, [...Buffer.from('alpha')]]);
  });

  it.skipIf(!enabled)('replaces a value set again', async () => {
    const c = make();
    await c.set([{ key: 'k', value: Buffer.from('one'), ttlMs: 60_000 }]);
    await c.set([{ key: 'k', value: Buffer.from('two'), ttlMs: 60_000 }]);
    expect((await c.get(['k']))[0]?.toString()).toBe('two');
  });

  it.skipIf(!enabled)('forgets an entry after its TTL', async () => {
    const c = make();
    await c.set([
      { key: 'short', value: Buffer.from('x'), ttlMs: 50 },
      { key: 'long', value: Buffer.from('y'), ttlMs: 60_000 },
    ]);
    await sleep(150);
    const [short, long] = await c.get(['short', 'long']);
    expect(short).toBeNull();
    expect(long?.toString()).toBe('y');
  });
});

describe.each(impls)('Cache as the frontend results cache: %s', (_name, enabled, make) => {
  it.skipIf(!enabled)('serves a repeated multi-day query without asking downstream', async () => {
    const fake = fakeDownstream();
    const day = 24 * 3600_000;
    const fe = new QueryFrontend({
      downstream: fake.handler,
      cache: make(),
      now: () => 30_000 * day,
      limits: () => ({ maxQueryParallelism: 4, maxCacheFreshnessMs: 60_000, maxOutstandingPerTenant: 100 }),
      splitIntervalMs: day,
      alignWithStep: false,
      maxConcurrent: 8,
    });
    const r = { tenant: `t${Math.random()}`, query: 'sum(rate(x[5m]))', startMs: 20_000 * day, endMs: 20_003 * day, stepMs: 300_000 };
    await fe.rangeQuery(r);
    expect(fake.requests.length).toBe(3);
    expect(await fe.rangeQuery(r)).toEqual(expectedMatrix(r.startMs, r.endMs, r.stepMs));
    expect(fake.requests.length).toBe(3);
    expect(fe.stats.cacheErrors).toBe(0);
  });
});

describe('MemoryCache', () => {
  const entry = (key: string, bytes: number) => ({ key, value: Buffer.alloc(bytes, 1), ttlMs: 60_000 });

  it('holds no more than its byte bound, evicting the least recently used', async () => {
    const c = new MemoryCache({ maxBytes: 1000 });
    await c.set([entry('a', 299), entry('b', 299), entry('c', 299)]); // 300 bytes each with the key
    expect(c.bytes).toBe(900);
    await c.get(['a']); // a is now the most recently used
    await c.set([entry('d', 299)]);
    expect(c.bytes).toBeLessThanOrEqual(1000);
    const [a, b, cc, d] = await c.get(['a', 'b', 'c', 'd']);
    expect(b).toBeNull();
    expect([a, cc, d].every((x) => x !== null)).toBe(true);
  });

  it('keeps within the bound under many writes and counts replaced entries once', async () => {
    const c = new MemoryCache({ maxBytes: 10_000 });
    for (let i = 0; i < 500; i++) {
      await c.set([entry(`k${i % 70}`, 100 + (i % 13) * 10)]);
      expect(c.bytes).toBeLessThanOrEqual(10_000);
    }
    let sum = 0;
    const keys = Array.from({ length: 70 }, (_, i) => `k${i}`);
    for (const [i, v] of (await c.get(keys)).entries()) if (v !== null) sum += v.length + Buffer.byteLength(keys[i]!);
    expect(sum).toBe(c.bytes);
  });

  it('does not keep an entry larger than the whole cache', async () => {
    const c = new MemoryCache({ maxBytes: 100 });
    await c.set([entry('small', 10)]);
    await c.set([entry('huge', 200)]);
    expect(await c.get(['huge'])).toEqual([null]);
    expect((await c.get(['small']))[0]).not.toBeNull();
  });

  it('expires by its clock', async () => {
    let now = 1000;
    const c = new MemoryCache({ maxBytes: 1000, now: () => now });
    await c.set([{ key: 'k', value: Buffer.from('v'), ttlMs: 100 }]);
    now = 1099;
    expect((await c.get(['k']))[0]).not.toBeNull();
    now = 1100;
    expect(await c.get(['k'])).toEqual([null]);
    expect(c.bytes).toBe(0);
  });
});
