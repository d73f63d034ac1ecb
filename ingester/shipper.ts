/**
 * The shipper: uploads a tenant's local blocks to `<tenant>/<ULID>/…` in the bucket, chunks
 * first, then the index, meta.json last — a block without meta.json is "partial" to every
 * reader, so a crash mid-upload is never seen as a block. What went up is remembered in
 * `thanos.shipper.json` (Thanos's file: `{"version":1,"uploaded":[…]}`) in the tenant directory.
 * Failed uploads are retried with backoff, then left for the next ship interval.
 */

import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bucket } from '../objstore/bucket.js';
import type { BlockMeta } from '../tsdb/block/meta.js';
import { uploadBlock } from '../tsdb/block/upload.js';
import { writeThanosMeta } from '../tsdb/block/writer.js';
import { META_FILE } from '../tsdb/block/meta.js';

export const SHIPPER_FILE = 'thanos.shipper.json';

export interface ShipperLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ShipperOptions {
  readonly bucket: Bucket;
  readonly tenant: string;
  /** The tenant's TSDB directory (holding the block directories and thanos.shipper.json). */
  readonly dir: string;
  readonly logger: ShipperLogger;
  /** Attempts per block within one sync (default 3). */
  readonly attempts?: number;
  /** First retry delay; doubles per attempt (default 500 ms). */
  readonly backoffMs?: number;
}

export interface ShipResult {
  readonly uploaded: readonly string[];
  readonly failed: readonly string[];
}

export class Shipper {
  private uploaded: Set<string> | null = null;

  constructor(private readonly opts: ShipperOptions) {}

  /** ULIDs already in the bucket, as the shipper file says. */
  async shipped(): Promise<Set<string>> {
    if (this.uploaded) return this.uploaded;
    let ids: string[] = [];
    try {
      const doc = JSON.parse(await readFile(join(this.opts.dir, SHIPPER_FILE), 'utf8')) as { uploaded?: unknown };
      if (Array.isArray(doc.uploaded)) ids = doc.uploaded.filter((x): x is string => typeof x === 'string');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.opts.logger.warn({ tenant: this.opts.tenant, err: (e as Error).message }, `unreadable ${SHIPPER_FILE}; checking the bucket for each block instead`);
      }
    }
    this.uploaded = new Set(ids);
    return this.uploaded;
  }

  /** Upload every block not shipped yet, oldest first. */
  async sync(blocks: readonly BlockMeta[]): Promise<ShipResult> {
    const done = await this.shipped();
    const todo = blocks.filter((b) => !done.has(b.ulid) && b.compaction.level === 1 && (b.stats.numSamples ?? 0) > 0).sort((a, b) => a.minTime - b.minTime);
    const uploaded: string[] = [];
    const failed: string[] = [];
    for (const meta of todo) {
      const attempts = this.opts.attempts ?? 3;
      let delay = this.opts.backoffMs ?? 500;
      for (let i = 1; ; i++) {
        try {
          await this.upload(meta);
          done.add(meta.ulid);
          await this.save(done);
          uploaded.push(meta.ulid);
          break;
        } catch (e) {
          this.opts.logger.warn({ tenant: this.opts.tenant, block: meta.ulid, attempt: i, err: (e as Error).message }, 'block upload failed');
          if (i >= attempts) {
            failed.push(meta.ulid);
            break;
          }
          await new Promise((r) => setTimeout(r, delay));
          delay *= 2;
        }
      }
    }
    return { uploaded, failed };
  }

  private async upload(meta: BlockMeta): Promise<void> {
    const { bucket, tenant } = this.opts;
    const blockDir = join(this.opts.dir, meta.ulid);
    const prefix = `${tenant}/${meta.ulid}/`;
    if (await bucket.exists(prefix + META_FILE)) {
      // Uploaded before a crash that came ahead of saving the shipper file.
      this.opts.logger.info({ tenant, block: meta.ulid }, 'block already in the bucket');
      return;
    }
    const thanos = meta.thanos ?? { labels: { __org_id__: tenant }, downsample: { resolution: 0 }, source: 'receive' };
    const full = await writeThanosMeta(blockDir, thanos);
    await uploadBlock(bucket, prefix, blockDir);
    this.opts.logger.info({ tenant, block: full.ulid, minTime: full.minTime, maxTime: full.maxTime, bucket: bucket.name }, 'uploaded block');
  }

  private async save(ids: ReadonlySet<string>): Promise<void> {
    const path = join(this.opts.dir, SHIPPER_FILE);
    const tmp = `${path}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, uploaded: [...ids].sort() }, null, '\t'));
    await rename(tmp, path);
  }
}
