/**
 * The cache seam (DESIGN.md "caches"): byte values under string keys, each with a time to live.
 * A miss, an expired entry and an evicted one all read as null. Implementations: MemoryCache (an
 * LRU bounded in bytes, the default) and RedisCache (redis-cache.ts).
 */

export interface CacheEntry {
  readonly key: string;
  readonly value: Buffer;
  readonly ttlMs: number;
}

export interface Cache {
  /** One answer per key, in the order of keys. */
  get(keys: string[]): Promise<(Buffer | null)[]>;
  set(entries: CacheEntry[]): Promise<void>;
}

export interface MemoryCacheOptions {
  /** Most bytes held (keys and values); the least recently used entries go first. */
  readonly maxBytes: number;
  readonly now?: () => number;
}

interface Slot {
  readonly value: Buffer;
  readonly expiresAt: number;
  readonly bytes: number;
}

/** An in-process LRU bounded by the bytes of its keys and values. */
export class MemoryCache implements Cache {
  /** A Map iterates in insertion order: the first entry is the least recently used. */
  private readonly slots = new Map<string, Slot>();
  private used = 0;
  private readonly now: () => number;

  constructor(private readonly opts: MemoryCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.slots.size;
  }

  get(keys: string[]): Promise<(Buffer | null)[]> {
    const now = this.now();
    return Promise.resolve(
      keys.map((k) => {
        const slot = this.slots.get(k);
        if (slot === undefined) return null;
        this.slots.delete(k);
        if (slot.expiresAt <= now) {
          this.used -= slot.bytes;
          return null;
        }
        this.slots.set(k, slot); // most recently used now
        return slot.value;
      }),
    );
  }

  set(entries: CacheEntry[]): Promise<void> {
    const now = this.now();
    for (const e of entries) {
      this.remove(e.key);
      const bytes = Buffer.byteLength(e.key) + e.value.length;
      // An entry larger than the whole cache, or already expired, is not kept.
      if (bytes > this.opts.maxBytes || e.ttlMs <= 0) continue;
      this.slots.set(e.key, { value: Buffer.from(e.value), expiresAt: now + e.ttlMs, bytes });
      this.used += bytes;
      for (const [k] of this.slots) {
        if (this.used <= this.opts.maxBytes) break;
        this.remove(k);
      }
    }
    return Promise.resolve();
  }

  private remove(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.used -= slot.bytes;
  }
}
