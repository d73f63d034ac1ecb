/**
 * One contract suite for every KV implementation. The Redis one runs against the Redis on
 * 127.0.0.1:6379; under CI=true a missing Redis fails the suite instead of skipping it.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { requireRedis } from '../test/harness/redis.js';
import { type KV, MemoryKV } from './kv.js';
import { RedisKV } from './redis-kv.js';

interface Doc {
  n: number;
}

const redisUp = await requireRedis('the Redis KV contract tests');

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

const impls: [string, boolean, () => KV<Doc>][] = [
  ['memory', true, () => new MemoryKV<Doc>()],
  [
    'redis',
    redisUp,
    () => {
      const kv = new RedisKV<Doc>({ url: 'redis://127.0.0.1:6379', prefix: `vigil-test-${process.pid}-${Math.random()}:`, pollIntervalMs: 100 });
      closers.push(() => kv.close());
      return kv;
    },
  ],
];

describe.each(impls)('KV contract: %s', (_name, enabled, make) => {
  it.skipIf(!enabled)('gets what cas stored, null before', async () => {
    const kv = make();
    expect(await kv.get('a')).toBeNull();
    await kv.cas('a', (cur) => ({ n: (cur?.n ?? 0) + 1 }));
    expect(await kv.get('a')).toEqual({ n: 1 });
  });

  it.skipIf(!enabled)('leaves the value alone when update returns null', async () => {
    const kv = make();
    await kv.cas('b', () => ({ n: 5 }));
    await kv.cas('b', () => null);
    expect(await kv.get('b')).toEqual({ n: 5 });
  });

  it.skipIf(!enabled)('loses no increment under concurrent cas', async () => {
    const kv = make();
    await Promise.all(Array.from({ length: 20 }, () => kv.cas('c', (cur) => ({ n: (cur?.n ?? 0) + 1 }))));
    expect(await kv.get('c')).toEqual({ n: 20 });
  });

  it.skipIf(!enabled)('tells watchers about changes until aborted', async () => {
    const kv = make();
    const seen: (number | null)[] = [];
    const ctl = new AbortController();
    kv.watch('d', (v) => seen.push(v?.n ?? null), ctl.signal);
    await kv.cas('d', () => ({ n: 1 }));
    await expect.poll(() => seen.at(-1), { timeout: 3000 }).toBe(1);
    ctl.abort();
    await kv.cas('d', () => ({ n: 2 }));
    await new Promise((r) => setTimeout(r, 250));
    expect(seen).not.toContain(2);
  });
});
