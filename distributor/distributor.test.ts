/**
 * Replication through the ring: with RF 3 over three in-process ingesters, a push succeeds when
 * a quorum (2) of each series' replicas acknowledged it, and answers 5xx when it did not.
 */

import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { IngesterClient } from '../ingester/client.js';
import { Ingester } from '../ingester/ingester.js';
import { batchOf } from '../ingester/testing.js';
import { StaticClientPool } from '../ring/client-pool.js';
import { MemoryKV } from '../ring/kv.js';
import { Lifecycler } from '../ring/lifecycler.js';
import type { RingDesc } from '../ring/model.js';
import { Ring } from '../ring/ring.js';
import { Matcher } from '../tsdb/matchers.js';
import { StaticOverrides, limitsBlock } from '../util/limits.js';
import { buildBlock } from '../util/options.js';
import { httpStatusOf } from '../util/errors.js';
import { Distributor } from './distributor.js';
import { RateLimiter } from './rate-limit.js';

async function cluster(failing: number) {
  const overrides = new StaticOverrides(buildBlock('limits', limitsBlock, {}));
  const kv = new MemoryKV<RingDesc>();
  const ingesters = new Map<string, Ingester>();
  const clients = new Map<string, IngesterClient>();
  for (let i = 0; i < 3; i++) {
    const id = `ing-${i}`;
    await new Lifecycler(kv, { id, addr: id, zone: '', numTokens: 64, heartbeatPeriodMs: 0 }).join();
    const ing = new Ingester({ overrides, registry: new Registry() });
    ingesters.set(id, ing);
    clients.set(
      id,
      i < failing
        ? { ...ing, push: async () => Promise.reject(new Error(`${id} is down`)) } as unknown as IngesterClient
        : ing,
    );
  }
  const ring = new Ring(kv, { replicationFactor: 3, heartbeatTimeoutMs: 60_000 });
  ring.watch(new AbortController().signal);
  const registry = new Registry();
  const d = new Distributor({ ring, pool: new StaticClientPool(clients), overrides, rateLimiter: new RateLimiter(), registry, remoteTimeoutMs: 1000 });
  return { d, ingesters };
}

const now = Date.now();
const series = Array.from({ length: 50 }, (_, i) => ({ labels: { __name__: 'rep', i: String(i) }, samples: [[now, i]] as [number, number][] }));

describe('replication', () => {
  it('stores every series on all three replicas with RF 3', async () => {
    const { d, ingesters } = await cluster(0);
    const { batch } = batchOf(series);
    const out = await d.push('t', batch);
    expect(out.error).toBeNull();
    for (const ing of ingesters.values()) {
      expect(await ing.series('t', -Infinity, Infinity, [[new Matcher('=', '__name__', 'rep')]])).toHaveLength(50);
    }
  });

  it('succeeds with one replica down (quorum 2 of 3)', async () => {
    const { d } = await cluster(1);
    const out = await d.push('t', batchOf(series).batch);
    expect(out.error).toBeNull();
  });

  it('answers 5xx, to be retried, with two replicas down', async () => {
    const { d } = await cluster(2);
    const out = await d.push('t', batchOf(series).batch);
    expect(out.error).not.toBeNull();
    expect(httpStatusOf(out.error)).toBe(500);
    expect(out.error!.message).toMatch(/failed pushing to ingester: ing-\d is down/);
  });
});
