/** Options of the store that serves the blocks in the bucket to queries. */

import { opt } from '../util/options.js';

export const bucketStoreBlock = {
  sync_dir: opt('string', 'blocks-storage.bucket-store.sync-dir', './data/tsdb-sync', 'Local directory where the store caches the index files of blocks in the bucket.'),
  sync_interval: opt('duration', 'blocks-storage.bucket-store.sync-interval', 15_000, "How often a tenant's list of blocks is refreshed from the bucket index (or a listing of the bucket)."),
  index_cache_size_bytes: opt('int', 'blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes', 1 << 30, 'Most bytes of index files kept in the sync directory and in memory; the least recently used go first.'),
  bucket_index_max_stale_period: opt('duration', 'blocks-storage.bucket-store.bucket-index.max-stale-period', 3600_000, 'A bucket index older than this is not trusted: the bucket is listed instead.'),
} as const;
