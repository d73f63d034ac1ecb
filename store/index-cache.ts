/**
 * The store's index cache: each block's index file, downloaded from the bucket on first use
 * into `<dir>/<tenant>/<ULID>/index` and held in memory as an IndexReader while cached.
 *
 * The bytes on disk are bounded by `maxBytes`: before a downloaded index is written, the least
 * recently used indexes not in use are evicted (from memory and disk) until it fits. An index
 * that cannot fit even then (larger than the bound, or everything else in use) is served from
 * memory for that use only and never written. Users `acquire` an index and `release` it when
 * done; an index in use is never evicted. Indexes left on disk by a previous run are adopted
 * at `init` (their CRCs are checked when first opened; a bad one is downloaded again).
 * Concurrent acquires of one index share a single download.
 */

import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bucket } from '../objstore/bucket.js';
import { IndexReader } from '../tsdb/index/reader.js';
import { isULID } from '../tsdb/ulid.js';

export const INDEX_FILE = 'index';

export interface IndexCacheStats {
  indexCacheHits: number;
  indexCacheMisses: number;
  indexBytesDownloaded: number;
  indexEvictions: number;
}

export interface IndexCacheLogger {
  warn(obj: object, msg: string): void;
}

interface Entry {
  readonly tenant: string;
  readonly ulid: string;
  /** Bytes on disk; 0 while not on disk. */
  size: number;
  onDisk: boolean;
  reader: IndexReader | null;
  loading: Promise<IndexReader> | null;
  pins: number;
  lastUsed: number;
  /** Removed from the store: delete when the last user releases it. */
  dropped: boolean;
}

export interface IndexLease {
  readonly reader: IndexReader;
  release(): void;
}

export class IndexCache {
  private readonly entries = new Map<string, Entry>();
  private tick = 0;
  private total = 0;
  /** Disk work (writes, evictions) in order, so the bound holds between steps. */
  private diskQueue: Promise<void> = Promise.resolve();

  constructor(
    private readonly bucket: Bucket,
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly stats: IndexCacheStats,
    private readonly logger: IndexCacheLogger,
  ) {}

  /** Bytes of the indexes on disk. */
  bytes(): number {
    return this.total;
  }

  private path(tenant: string, ulid: string): string {
    return join(this.dir, tenant, ulid, INDEX_FILE);
  }

  /** Adopts the indexes a previous run left in the directory, then trims to the bound. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const tenant of await readdir(this.dir)) {
      let ulids: string[];
      try {
        ulids = await readdir(join(this.dir, tenant));
      } catch {
        continue;
      }
      for (const ulid of ulids) {
        if (!isULID(ulid)) continue;
        const key = `${tenant}/${ulid}`;
        if (this.entries.has(key)) continue;
        try {
          await rm(`${this.path(tenant, ulid)}.tmp`, { force: true }); // a write cut short
          const s = await stat(this.path(tenant, ulid));
          this.entries.set(key, { tenant, ulid, size: s.size, onDisk: true, reader: null, loading: null, pins: 0, lastUsed: this.tick++, dropped: false });
          this.total += s.size;
        } catch {
          await rm(join(this.dir, tenant, ulid), { recursive: true, force: true });
        }
      }
    }
    await this.serialize(() => this.evict(0));
  }

  /** The index of a block, downloaded if needed; call `release` when done with it. */
  async acquire(tenant: string, ulid: string): Promise<IndexLease> {
    const key = `${tenant}/${ulid}`;
    let e = this.entries.get(key);
    if (!e) {
      e = { tenant, ulid, size: 0, onDisk: false, reader: null, loading: null, pins: 0, lastUsed: 0, dropped: false };
      this.entries.set(key, e);
    } else if (e.dropped) {
      e.dropped = false; // served again before its last user let go
    }
    const entry = e;
    entry.pins++;
    entry.lastUsed = this.tick++;
    try {
      if (entry.reader) {
        this.stats.indexCacheHits++;
      } else {
        entry.loading ??= this.load(entry).finally(() => {
          entry.loading = null;
        });
        entry.reader = await entry.loading;
      }
    } catch (err) {
      this.unpin(entry);
      throw err;
    }
    const reader = entry.reader;
    let released = false;
    return {
      reader,
      release: () => {
        if (released) return;
        released = true;
        this.unpin(entry);
      },
    };
  }

  private unpin(e: Entry): void {
    e.pins--;
    if (e.pins > 0) return;
    if (!e.onDisk) {
      // Transient (did not fit) or failed: nothing to keep.
      e.reader = null;
      if (this.entries.get(`${e.tenant}/${e.ulid}`) === e) this.entries.delete(`${e.tenant}/${e.ulid}`);
      return;
    }
    // Failures are logged by serialize; the query that released the index is not concerned.
    if (e.dropped) this.serialize(() => this.remove(e)).catch(() => undefined);
    else if (this.total > this.maxBytes) this.serialize(() => this.evict(0)).catch(() => undefined);
  }

  private async load(e: Entry): Promise<IndexReader> {
    const name = `${e.tenant}/${e.ulid}`;
    if (e.onDisk) {
      try {
        const reader = new IndexReader(await readFile(this.path(e.tenant, e.ulid)));
        this.stats.indexCacheHits++;
        return reader;
      } catch (err) {
        this.logger.warn({ block: name, err: (err as Error).message }, 'cached index unreadable; downloading it again');
        await this.serialize(() => this.remove(e));
      }
    }
    this.stats.indexCacheMisses++;
    const bytes = await this.bucket.get(`${e.tenant}/${e.ulid}/${INDEX_FILE}`);
    this.stats.indexBytesDownloaded += bytes.length;
    let reader: IndexReader;
    try {
      reader = new IndexReader(bytes);
    } catch (err) {
      throw new Error(`block ${name}: index: ${(err as Error).message}`, { cause: err });
    }
    // A failure to cache (disk full, say) is logged and the index served from memory this once.
    await this.serialize(async () => {
      if (e.dropped || e.onDisk) return;
      await this.evict(bytes.length);
      if (this.total + bytes.length > this.maxBytes) return; // serve it from memory this once
      const path = this.path(e.tenant, e.ulid);
      await mkdir(join(this.dir, e.tenant, e.ulid), { recursive: true });
      await writeFile(`${path}.tmp`, bytes);
      await rename(`${path}.tmp`, path);
      e.onDisk = true;
      e.size = bytes.length;
      this.total += bytes.length;
    }).catch(() => undefined);
    return reader;
  }

  /** Evicts least recently used unused entries until `incoming` more bytes fit (or none is left to evict). */
  private async evict(incoming: number): Promise<void> {
    while (this.total + incoming > this.maxBytes) {
      let victim: Entry | null = null;
      for (const e of this.entries.values()) {
        if (e.onDisk && e.pins === 0 && e.loading === null && (victim === null || e.lastUsed < victim.lastUsed)) victim = e;
      }
      if (victim === null) return;
      this.stats.indexEvictions++;
      await this.remove(victim);
    }
  }

  private async remove(e: Entry): Promise<void> {
    const key = `${e.tenant}/${e.ulid}`;
    if (e.onDisk) {
      e.onDisk = false;
      this.total -= e.size;
      e.size = 0;
      await rm(join(this.dir, e.tenant, e.ulid), { recursive: true, force: true });
    }
    e.reader = null;
    if (this.entries.get(key) === e && e.pins === 0) this.entries.delete(key);
  }

  private serialize(f: () => Promise<void>): Promise<void> {
    const p = this.diskQueue.then(f, f);
    this.diskQueue = p.catch((err: unknown) => {
      this.logger.warn({ err: (err as Error).message }, 'index cache disk operation failed');
    });
    return p;
  }

  /** A block left the store: forget its index (now, or when its last user releases it). */
  async drop(tenant: string, ulid: string): Promise<void> {
    const e = this.entries.get(`${tenant}/${ulid}`);
    if (!e) return;
    e.dropped = true;
    if (e.pins === 0) await this.serialize(() => this.remove(e));
  }

  /** Releases the in-memory readers; the files stay for the next run. */
  async close(): Promise<void> {
    await this.diskQueue;
    for (const e of this.entries.values()) e.reader = null;
  }
}
