/**
 * The lifecycler puts one instance into the ring (random tokens, ACTIVE) and keeps its heartbeat
 * current; on stop it leaves the ring.
 */

import { randomInt } from 'node:crypto';
import type { KV } from './kv.js';
import type { InstanceDesc, RingDesc } from './model.js';
import { RING_KEY } from './ring.js';

export interface LifecyclerOptions {
  readonly id: string;
  readonly addr: string;
  readonly zone: string;
  readonly numTokens: number;
  readonly heartbeatPeriodMs: number;
  readonly now?: () => number;
}

export class Lifecycler {
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(
    private readonly kv: KV<RingDesc>,
    private readonly opts: LifecyclerOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async join(): Promise<void> {
    await this.kv.cas(RING_KEY, (cur) => {
      const instances = { ...(cur?.instances ?? {}) };
      const taken = new Set<number>();
      for (const i of Object.values(instances)) if (i.id !== this.opts.id) for (const t of i.tokens) taken.add(t);
      const existing = instances[this.opts.id];
      const tokens = existing && existing.tokens.length === this.opts.numTokens ? [...existing.tokens] : [];
      while (tokens.length < this.opts.numTokens) {
        const t = randomInt(0, 2 ** 32 - 1);
        if (!taken.has(t)) {
          taken.add(t);
          tokens.push(t);
        }
      }
      tokens.sort((a, b) => a - b);
      const now = this.now();
      const desc: InstanceDesc = {
        id: this.opts.id,
        addr: this.opts.addr,
        zone: this.opts.zone,
        state: 'ACTIVE',
        timestamp: now,
        registeredTimestamp: existing?.registeredTimestamp ?? now,
        tokens,
      };
      instances[this.opts.id] = desc;
      return { instances };
    });
    if (this.opts.heartbeatPeriodMs > 0) {
      this.timer = setInterval(() => void this.heartbeat(), this.opts.heartbeatPeriodMs);
      this.timer.unref();
    }
  }

  async heartbeat(): Promise<void> {
    await this.kv.cas(RING_KEY, (cur) => {
      const inst = cur?.instances[this.opts.id];
      if (!cur || !inst) return null;
      return { instances: { ...cur.instances, [this.opts.id]: { ...inst, timestamp: this.now() } } };
    });
  }

  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.kv.cas(RING_KEY, (cur) => {
      if (!cur?.instances[this.opts.id]) return null;
      const instances = { ...cur.instances };
      delete instances[this.opts.id];
      return { instances };
    });
  }
}
