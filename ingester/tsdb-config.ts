/** Options of the ingester's TSDB: local directory, block cutting, WAL durability, shipping. */

import { opt } from '../util/options.js';

export const WAL_FSYNC_POLICIES = ['always', 'interval', 'never'] as const;
export type WalFsyncPolicy = (typeof WAL_FSYNC_POLICIES)[number];

export const tsdbBlock = {
  dir: opt('string', 'blocks-storage.tsdb.dir', './data/tsdb', 'Local directory of the ingesters\' per-tenant TSDBs (WAL and blocks not yet shipped).'),
  block_ranges_period: opt('duration', 'blocks-storage.tsdb.block-ranges-period', 2 * 3600_000, 'Time range of a block cut from the head; the head is cut when it spans 1.5 times this.'),
  retention_period: opt('duration', 'blocks-storage.tsdb.retention-period', 6 * 3600_000, 'How long a shipped block stays on the ingester\'s disk (counted from its max time).'),
  ship_interval: opt('duration', 'blocks-storage.tsdb.ship-interval', 60_000, 'How often blocks not yet in the bucket are uploaded; 0 disables shipping.'),
  ship_concurrency: opt('int', 'blocks-storage.tsdb.ship-concurrency', 10, 'Tenants whose blocks are uploaded at the same time.'),
  head_compaction_interval: opt('duration', 'blocks-storage.tsdb.head-compaction-interval', 60_000, 'How often each tenant\'s head is checked for a block to cut.'),
  wal_fsync: opt(
    'string',
    'blocks-storage.tsdb.wal-fsync',
    'interval',
    'When the WAL is fsynced. always: before every push is acknowledged (loses nothing, even on power loss). interval: acknowledged pushes are written to the OS first, fsynced every -blocks-storage.tsdb.wal-fsync-interval (a process crash loses nothing; a power loss or kernel crash loses at most that interval). never: fsync only when a segment is closed (same for process crashes; a power loss can lose a whole segment).',
    { oneOf: ['always', 'interval', 'never'] },
  ),
  wal_fsync_interval: opt('duration', 'blocks-storage.tsdb.wal-fsync-interval', 1000, 'Fsync period of the WAL when -blocks-storage.tsdb.wal-fsync=interval.'),
  wal_segment_size_bytes: opt('int', 'blocks-storage.tsdb.wal-segment-size-bytes', 128 << 20, 'Largest WAL segment file.'),
  wal_compression_enabled: opt('bool', 'blocks-storage.tsdb.wal-compression-enabled', false, 'Snappy-compress WAL records.'),
  flush_blocks_on_shutdown: opt('bool', 'blocks-storage.tsdb.flush-blocks-on-shutdown', true, 'On shutdown cut the whole head into blocks and ship them (Cortex defaults this to false; Vigil ships on SIGTERM).'),
} as const;
