/**
 * Per-tenant request queues (Cortex's frontend v1 queue): each tenant has its own FIFO; at most
 * `max_outstanding_requests_per_tenant` of a tenant's requests may be queued or running, beyond
 * that a request is refused with 429 "too many outstanding requests"; at most `maxConcurrent` run
 * downstream at once, and a free slot goes to the tenants in turn (round-robin), so one tenant's
 * burst cannot starve another.
 */

import { VigilError } from '../util/errors.js';

export const TOO_MANY_OUTSTANDING = 'too many outstanding requests';

/** The error of a full tenant queue; util/errors.ts maps 'rate-limited' to 429. */
export function tooManyOutstandingError(): VigilError {
  return new VigilError('rate-limited', TOO_MANY_OUTSTANDING);
}

export interface TenantQueuesOptions {
  /** Requests running at once over all tenants. */
  readonly maxConcurrent: number;
  /** A tenant's queued plus running requests; 0 or less means no limit. */
  readonly maxOutstanding: (tenant: string) => number;
  readonly onReject?: () => void;
}

interface Item {
  readonly start: () => void;
  readonly cancel: (reason: unknown) => void;
}

export class TenantQueues {
  private readonly queues = new Map<string, Item[]>();
  /** Tenants with a non-empty queue, in the order they will be served. */
  private readonly turn: string[] = [];
  private readonly outstandingBy = new Map<string, number>();
  private running = 0;

  constructor(private readonly opts: TenantQueuesOptions) {
    if (!(opts.maxConcurrent >= 1)) throw new Error(`query-frontend: max concurrent requests must be at least 1, got ${opts.maxConcurrent}`);
  }

  /** The tenant's queued plus running requests. */
  outstanding(tenant: string): number {
    return this.outstandingBy.get(tenant) ?? 0;
  }

  /** Requests waiting over all tenants. */
  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Run fn when the tenant's turn comes; refused at once when the tenant has too many outstanding. */
  run<T>(tenant: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const max = this.opts.maxOutstanding(tenant);
    const current = this.outstanding(tenant);
    if (max > 0 && current >= max) {
      this.opts.onReject?.();
      return Promise.reject(tooManyOutstandingError());
    }
    this.outstandingBy.set(tenant, current + 1);

    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => item.cancel(signal?.reason);
      const item: Item = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running++;
          let p: Promise<T>;
          try {
            p = fn();
          } catch (err) {
            p = Promise.reject(err);
          }
          p.then(resolve, reject).finally(() => {
            this.running--;
            this.release(tenant);
            this.dispatch();
          });
        },
        cancel: (reason) => {
          const q = this.queues.get(tenant);
          const i = q?.indexOf(item) ?? -1;
          if (q === undefined || i < 0) return; // already started
          q.splice(i, 1);
          if (q.length === 0) this.dropTenant(tenant);
          this.release(tenant);
          reject(reason);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let q = this.queues.get(tenant);
      if (q === undefined) {
        q = [];
        this.queues.set(tenant, q);
        this.turn.push(tenant);
      }
      q.push(item);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running < this.opts.maxConcurrent) {
      const tenant = this.turn.shift();
      if (tenant === undefined) return;
      const q = this.queues.get(tenant);
      const item = q?.shift();
      if (q === undefined || item === undefined) continue;
      if (q.length === 0) this.queues.delete(tenant);
      else this.turn.push(tenant); // back of the line
      item.start();
    }
  }

  private dropTenant(tenant: string): void {
    this.queues.delete(tenant);
    const i = this.turn.indexOf(tenant);
    if (i >= 0) this.turn.splice(i, 1);
  }

  private release(tenant: string): void {
    const n = this.outstanding(tenant) - 1;
    if (n <= 0) this.outstandingBy.delete(tenant);
    else this.outstandingBy.set(tenant, n);
  }
}
