/**
 * The cache in Redis (`-frontend.results-cache.backend=redis`): values under `<prefix><key>`,
 * read with one MGET, written with SET … PX in one pipeline. Redis evicts by its own policy
 * (`maxmemory-policy`); the TTL bounds how long an entry can live.
 */

import { Redis } from 'ioredis';
import type { Cache, CacheEntry } from './cache.js';

export interface RedisCacheOptions {
  /** `redis://host:port[/db]` or `host:port`. */
  readonly endpoint: string;
  readonly prefix: string;
}

export function redisUrl(endpoint: string): string {
  return /^rediss?:\/\//.test(endpoint) ? endpoint : `redis://${endpoint}`;
}

export class RedisCache implements Cache {
  private readonly client: Redis;

  constructor(private readonly opts: RedisCacheOptions) {
    // lazyConnect: the constructor does no I/O; the first command connects.
    this.client = new Redis(redisUrl(opts.endpoint), { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  }

  async get(keys: string[]): Promise<(Buffer | null)[]> {
    if (keys.length === 0) return [];
    return this.client.mgetBuffer(...keys.map((k) => this.opts.prefix + k));
  }

  async set(entries: CacheEntry[]): Promise<void> {
    const live = entries.filter((e) => e.ttlMs > 0);
    if (live.length === 0) return;
    const p = this.client.pipeline();
    for (const e of live) p.set(this.opts.prefix + e.key, e.value, 'PX', Math.ceil(e.ttlMs));
    const res = await p.exec();
    for (const [err] of res ?? []) if (err) throw err;
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
