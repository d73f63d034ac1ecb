/**
 * A consistent-hash ring (Cortex's): every instance owns random 32-bit tokens; a key is owned by
 * the first `replicationFactor` distinct instances found walking clockwise from the first token
 * at or after the key. Writes succeed when a quorum, floor(RF/2)+1, of them acknowledged.
 */

import type { KV } from './kv.js';
import { type InstanceDesc, type Operation, type RingDesc, emptyRing, healthyFor } from './model.js';

export const RING_KEY = 'ring';

export interface ReplicationSet {
  readonly instances: readonly InstanceDesc[];
  /** How many of `instances` must succeed. */
  readonly minSuccess: number;
}

export class RingError extends Error {}

export interface RingOptions {
  readonly replicationFactor: number;
  readonly heartbeatTimeoutMs: number;
  readonly now?: () => number;
}

/** A read-only view of the ring, kept current by watching the KV. */
export class Ring {
  private desc: RingDesc = emptyRing;
  private tokens = new Uint32Array(0);
  private owners: InstanceDesc[] = [];
  private readonly now: () => number;

  constructor(
    private readonly kv: KV<RingDesc>,
    private readonly opts: RingOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Start following the KV until `signal` aborts. */
  watch(signal: AbortSignal): void {
    this.kv.watch(RING_KEY, (d) => this.update(d ?? emptyRing), signal);
  }

  update(desc: RingDesc): void {
    const pairs: [number, InstanceDesc][] = [];
    for (const inst of Object.values(desc.instances)) for (const t of inst.tokens) pairs.push([t, inst]);
    pairs.sort((a, b) => a[0] - b[0]);
    this.tokens = Uint32Array.from(pairs, (p) => p[0]);
    this.owners = pairs.map((p) => p[1]);
    this.desc = desc;
  }

  /**
   * When the ring holds exactly one instance it owns every key: its replication set, so callers
   * can skip hashing. Null otherwise. Throws like get() when that instance is unhealthy.
   */
  soleOwner(op: Operation): ReplicationSet | null {
    const all = Object.values(this.desc.instances);
    if (all.length !== 1) return null;
    return this.get(this.tokens[0] ?? 0, op);
  }

  instances(): readonly InstanceDesc[] {
    return Object.values(this.desc.instances);
  }

  replicationFactor(): number {
    return this.opts.replicationFactor;
  }

  /** The instances that own `key` for `op`, or a RingError when too few are healthy. */
  get(key: number, op: Operation): ReplicationSet {
    const rf = this.opts.replicationFactor;
    const n = this.tokens.length;
    if (n === 0) throw new RingError('empty ring');
    // Binary search for the first token >= key.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tokens[mid]! < key >>> 0) lo = mid + 1;
      else hi = mid;
    }
    const picked: InstanceDesc[] = [];
    const distinct = new Set<string>();
    let want = rf;
    for (let i = 0; i < n && picked.length < want; i++) {
      const inst = this.owners[(lo + i) % n]!;
      if (distinct.has(inst.id)) continue;
      distinct.add(inst.id);
      picked.push(inst);
      // Extend the set past an instance that cannot take writes, so RF healthy copies remain.
      if (op === 'write' && inst.state !== 'ACTIVE') want++;
    }
    const now = this.now();
    const healthy = picked.filter((i) => healthyFor(i, op, now, this.opts.heartbeatTimeoutMs));
    const minSuccess = Math.floor(Math.max(picked.length, rf) / 2) + 1;
    const need = Math.min(minSuccess, picked.length);
    if (healthy.length < need) {
      const bad = picked.filter((i) => !healthy.includes(i)).map((i) => i.id);
      throw new RingError(
        `at least ${need} live replicas required, could only find ${healthy.length} - unhealthy instances: ${bad.join(',')}`,
      );
    }
    return { instances: healthy, minSuccess: need };
  }
}

/** FNV-1a, 32 bits, over a byte range; continue a running hash by passing `h`. */
export function fnv1a32(buf: Uint8Array, off: number, len: number, h = 0x811c9dc5): number {
  for (let i = off, end = off + len; i < end; i++) {
    h ^= buf[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function fnv1a32String(s: string, h = 0x811c9dc5): number {
  const b = Buffer.from(s, 'utf8');
  return fnv1a32(b, 0, b.length, h);
}
