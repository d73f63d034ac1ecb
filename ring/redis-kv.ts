/**
 * KV in Redis, for roles in separate processes: values are JSON strings under `<prefix><key>`;
 * cas is optimistic (WATCH/MULTI/EXEC, retried when another writer won); watchers are told of
 * changes through a pub/sub channel and, in case a message is lost, by polling.
 */

import { Redis } from 'ioredis';
import type { KV } from './kv.js';

export interface RedisKVOptions {
  readonly url: string;
  readonly prefix: string;
  readonly pollIntervalMs: number;
  readonly maxCasRetries?: number;
}

export class RedisKV<T> implements KV<T> {
  private readonly client: Redis;
  private subscriber: Redis | null = null;
  private readonly handlers = new Map<string, Set<() => void>>();

  constructor(private readonly opts: RedisKVOptions) {
    this.client = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true });
  }

  private k(key: string): string {
    return this.opts.prefix + key;
  }

  async get(key: string): Promise<T | null> {
    const v = await this.client.get(this.k(key));
    return v === null ? null : (JSON.parse(v) as T);
  }

  async cas(key: string, update: (current: T | null) => T | null): Promise<void> {
    const rk = this.k(key);
    const retries = this.opts.maxCasRetries ?? 20;
    // Each attempt uses its own connection state: WATCH applies to the connection, so run them
    // one at a time on a dedicated duplicate.
    const conn = this.client.duplicate();
    try {
      for (let attempt = 0; attempt < retries; attempt++) {
        await conn.watch(rk);
        const raw = await conn.get(rk);
        const next = update(raw === null ? null : (JSON.parse(raw) as T));
        if (next === null) {
          await conn.unwatch();
          return;
        }
        const res = await conn.multi().set(rk, JSON.stringify(next)).publish(rk, '1').exec();
        if (res !== null) return;
      }
      throw new Error(`redis kv: compare-and-swap on ${rk} failed ${retries} times in a row`);
    } finally {
      conn.disconnect();
    }
  }

  watch(key: string, onChange: (value: T | null) => void, signal: AbortSignal): void {
    const rk = this.k(key);
    let last: string | null | undefined;
    const check = (): void => {
      this.client.get(rk).then(
        (raw) => {
          if (signal.aborted || raw === last) return;
          last = raw;
          onChange(raw === null ? null : (JSON.parse(raw) as T));
        },
        () => {
          // Unreachable Redis: keep the last known value; the next poll tries again.
        },
      );
    };
    let set = this.handlers.get(rk);
    if (!set) {
      set = new Set();
      this.handlers.set(rk, set);
      void this.sub().then((s) => s.subscribe(rk));
    }
    set.add(check);
    const timer = setInterval(check, this.opts.pollIntervalMs);
    timer.unref();
    signal.addEventListener(
      'abort',
      () => {
        clearInterval(timer);
        set.delete(check);
      },
      { once: true },
    );
    check();
  }

  private async sub(): Promise<Redis> {
    if (!this.subscriber) {
      this.subscriber = this.client.duplicate();
      this.subscriber.on('message', (channel: string) => {
        for (const h of this.handlers.get(channel) ?? []) h();
      });
    }
    return this.subscriber;
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.client.disconnect();
  }
}
