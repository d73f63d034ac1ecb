/**
 * The notifier's bounded queue of encoded alerts, oldest first. When alerts arrive that do not
 * fit, the oldest queued ones make room (Prometheus's rule: newer alert states are worth more);
 * a single hand-over larger than the capacity keeps only its newest alerts. A batch is taken for
 * one tenant at a time (the tenant rides in the request's X-Scope-OrgID), in queue order.
 */

export interface QueuedAlert {
  readonly tenant: string;
  /** The PostableAlert's JSON. */
  readonly json: string;
}

/** Below this many consumed slots the array is not compacted (amortises the copy). */
const COMPACT_MIN = 1024;

export class AlertQueue {
  private items: QueuedAlert[] = [];
  /** Index of the oldest live item; slots before it are consumed. */
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`alert queue capacity must be a positive integer, got ${capacity}`);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends `alerts` and returns how many alerts (queued or new) were dropped to fit. */
  push(alerts: readonly QueuedAlert[]): number {
    let dropped = 0;
    let incoming = alerts;
    if (incoming.length > this.capacity) {
      dropped += incoming.length - this.capacity;
      incoming = incoming.slice(incoming.length - this.capacity);
    }
    const over = this.length + incoming.length - this.capacity;
    if (over > 0) {
      this.head += over;
      dropped += over;
    }
    for (const a of incoming) this.items.push(a);
    this.compact();
    return dropped;
  }

  /**
   * Removes and returns up to `max` alerts of the oldest alert's tenant, in queue order; the
   * other tenants' alerts passed over keep their places.
   */
  takeBatch(max: number): QueuedAlert[] {
    if (this.length === 0) return [];
    const tenant = this.items[this.head]!.tenant;
    const out: QueuedAlert[] = [];
    const passed: QueuedAlert[] = [];
    let i = this.head;
    for (; i < this.items.length && out.length < max; i++) {
      const a = this.items[i]!;
      (a.tenant === tenant ? out : passed).push(a);
    }
    // Put the passed-over alerts back just before index i, keeping their order.
    const start = i - passed.length;
    for (let j = 0; j < passed.length; j++) this.items[start + j] = passed[j]!;
    this.head = start;
    this.compact();
    return out;
  }

  /** Empties the queue; returns how many alerts it held. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.head = 0;
    return n;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= COMPACT_MIN && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
