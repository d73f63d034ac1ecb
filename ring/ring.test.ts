import { describe, expect, it } from 'vitest';
import { MemoryKV } from './kv.js';
import { Lifecycler } from './lifecycler.js';
import type { RingDesc } from './model.js';
import { Ring, fnv1a32String } from './ring.js';

async function ringOf(n: number, rf: number, now = () => 1_000_000): Promise<{ ring: Ring; kv: MemoryKV<RingDesc> }> {
  const kv = new MemoryKV<RingDesc>();
  for (let i = 0; i < n; i++) {
    await new Lifecycler(kv, { id: `ing-${i}`, addr: `127.0.0.1:${9000 + i}`, zone: '', numTokens: 128, heartbeatPeriodMs: 0, now }).join();
  }
  const ring = new Ring(kv, { replicationFactor: rf, heartbeatTimeoutMs: 60_000, now });
  ring.watch(new AbortController().signal);
  return { ring, kv };
}

describe('Ring', () => {
  it('routes every key to one instance with RF 1', async () => {
    const { ring } = await ringOf(1, 1);
    const rs = ring.get(fnv1a32String('anonymous{__name__="up"}'), 'write');
    expect(rs.instances.map((i) => i.id)).toEqual(['ing-0']);
    expect(rs.minSuccess).toBe(1);
  });

  it('picks RF distinct instances and a quorum of floor(RF/2)+1', async () => {
    const { ring } = await ringOf(5, 3);
    for (let k = 0; k < 200; k++) {
      const rs = ring.get(fnv1a32String(`series-${k}`), 'write');
      expect(new Set(rs.instances.map((i) => i.id)).size).toBe(3);
      expect(rs.minSuccess).toBe(2);
    }
  });

  it('spreads keys over instances', async () => {
    const { ring } = await ringOf(3, 1);
    const counts = new Map<string, number>();
    for (let k = 0; k < 3000; k++) {
      const id = ring.get(fnv1a32String(`series-${k}`), 'write').instances[0]!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(c).toBeGreaterThan(600);
  });

  it('refuses a write when too few replicas are healthy', async () => {
    let t = 1_000_000;
    const { ring } = await ringOf(3, 3, () => t);
    t += 120_000; // every heartbeat is now older than the timeout
    expect(() => ring.get(1234, 'write')).toThrow(/at least 2 live replicas required, could only find 0/);
  });

  it('forgets an instance that left', async () => {
    const kv = new MemoryKV<RingDesc>();
    const l = new Lifecycler(kv, { id: 'a', addr: 'x', zone: '', numTokens: 4, heartbeatPeriodMs: 0 });
    await l.join();
    const ring = new Ring(kv, { replicationFactor: 1, heartbeatTimeoutMs: 60_000 });
    ring.watch(new AbortController().signal);
    expect(ring.instances()).toHaveLength(1);
    await l.leave();
    expect(() => ring.get(1, 'write')).toThrow('empty ring');
  });
});

describe('Ring.soleOwner', () => {
  it('is the one instance of a one-instance ring, else null', async () => {
    const one = await ringOf(1, 1);
    expect(one.ring.soleOwner('write')?.instances.map((i) => i.id)).toEqual(['ing-0']);
    const three = await ringOf(3, 1);
    expect(three.ring.soleOwner('write')).toBeNull();
  });
});
