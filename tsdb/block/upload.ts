/**
 * Uploading a block directory to a bucket in the order that keeps a half-done upload invisible:
 * the chunk segments, then the index, meta.json last (a block without meta.json is partial to
 * every reader). The tombstones file stays behind, as Thanos and Cortex uploads do.
 */

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bucket } from '../../objstore/bucket.js';
import { META_FILE } from './meta.js';
import { CHUNKS_DIR, INDEX_FILE } from './writer.js';

/** Upload `blockDir` under `prefix` (`<tenant>/<ULID>/`); `meta: false` leaves it partial (tests). */
export async function uploadBlock(bucket: Bucket, prefix: string, blockDir: string, opts: { readonly meta?: boolean } = {}): Promise<void> {
  const segments = (await readdir(join(blockDir, CHUNKS_DIR))).filter((f) => /^\d+$/.test(f)).sort();
  for (const s of segments) await bucket.uploadFile(`${prefix}${CHUNKS_DIR}/${s}`, join(blockDir, CHUNKS_DIR, s));
  await bucket.uploadFile(prefix + INDEX_FILE, join(blockDir, INDEX_FILE));
  if (opts.meta !== false) await bucket.upload(prefix + META_FILE, await readFile(join(blockDir, META_FILE)));
}
