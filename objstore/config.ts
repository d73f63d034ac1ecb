/**
 * The bucket's options, with Cortex's flag names and YAML keys (`blocks_storage`,
 * `blocks_storage.filesystem`, `blocks_storage.s3`). `-blocks-storage.s3.part-size` is Mimir's
 * name; Cortex has no such option.
 */

import type { Bucket } from './bucket.js';
import type { BucketSettingsHint } from './check.js';
import { FilesystemBucket } from './filesystem.js';
import { LazyBucket } from './lazy.js';
import { BUCKET_LOOKUP_TYPES, DEFAULT_PART_SIZE, MIN_PART_SIZE } from './s3-options.js';
import { type BlockValue, opt } from '../util/options.js';

export const BUCKET_BACKENDS = ['filesystem', 's3'] as const;
export type BucketBackend = (typeof BUCKET_BACKENDS)[number];

/** YAML section `blocks_storage`. */
export const bucketBlock = {
  backend: opt('string', 'blocks-storage.backend', 'filesystem', `Where blocks are stored: ${BUCKET_BACKENDS.join(' or ')}.`, {
    oneOf: BUCKET_BACKENDS,
  }),
} as const;

/** YAML section `blocks_storage.filesystem`. */
export const filesystemBucketBlock = {
  dir: opt('string', 'blocks-storage.filesystem.dir', './data/bucket', 'Directory that holds the blocks when -blocks-storage.backend=filesystem.'),
} as const;

/** YAML section `blocks_storage.s3`. */
export const s3BucketBlock = {
  endpoint: opt(
    'string',
    'blocks-storage.s3.endpoint',
    '',
    'S3 endpoint as host:port (https unless -blocks-storage.s3.insecure) or a URL; empty for AWS S3 in -blocks-storage.s3.region.',
  ),
  region: opt('string', 'blocks-storage.s3.region', '', 'S3 region; when empty, us-east-1 and S3\'s redirects to the bucket\'s own region are followed.'),
  bucket_name: opt('string', 'blocks-storage.s3.bucket-name', '', 'S3 bucket name; required when -blocks-storage.backend=s3.'),
  access_key_id: opt('string', 'blocks-storage.s3.access-key-id', '', 'S3 access key id; when empty, the AWS SDK\'s default credential chain (AWS_ACCESS_KEY_ID, profiles, instance role).'),
  secret_access_key: opt('string', 'blocks-storage.s3.secret-access-key', '', 'S3 secret access key.', { secret: true }),
  insecure: opt('bool', 'blocks-storage.s3.insecure', false, 'Use http:// instead of https:// for a host:port endpoint (local MinIO and the like).'),
  bucket_lookup_type: opt(
    'string',
    'blocks-storage.s3.bucket-lookup-type',
    'auto',
    `How the bucket is addressed: ${BUCKET_LOOKUP_TYPES.join(', ')}. path puts it in the URL path (MinIO, most S3-compatible stores); auto uses path for any non-AWS endpoint.`,
    { oneOf: BUCKET_LOOKUP_TYPES },
  ),
  part_size: opt(
    'int',
    'blocks-storage.s3.part-size',
    DEFAULT_PART_SIZE,
    'Files larger than this many bytes are uploaded to S3 in parts of this size (at least 5 MiB; raised when a file would need more than 10,000 parts).',
  ),
} as const;

export interface BucketConfig {
  readonly backend: string;
  readonly filesystem: BlockValue<typeof filesystemBucketBlock>;
  readonly s3: BlockValue<typeof s3BucketBlock>;
}

function isLookupType(v: string): v is (typeof BUCKET_LOOKUP_TYPES)[number] {
  return (BUCKET_LOOKUP_TYPES as readonly string[]).includes(v);
}

/** The configured bucket. No I/O: checkBucket is the place to find out whether it works. */
export function newBucket(cfg: BucketConfig): Bucket {
  switch (cfg.backend) {
    case 'filesystem':
      if (cfg.filesystem.dir === '') throw new Error(`-${filesystemBucketBlock.dir.flag} must be set when -${bucketBlock.backend.flag}=filesystem`);
      return new FilesystemBucket(cfg.filesystem.dir);
    case 's3': {
      const s = cfg.s3;
      if (s.bucket_name === '') throw new Error(`-${s3BucketBlock.bucket_name.flag} must be set when -${bucketBlock.backend.flag}=s3`);
      if (!isLookupType(s.bucket_lookup_type)) {
        throw new Error(`invalid -${s3BucketBlock.bucket_lookup_type.flag}=${s.bucket_lookup_type}: must be one of ${BUCKET_LOOKUP_TYPES.join(', ')}`);
      }
      if (!Number.isSafeInteger(s.part_size) || s.part_size < MIN_PART_SIZE) {
        throw new Error(`invalid -${s3BucketBlock.part_size.flag}=${s.part_size}: must be at least ${MIN_PART_SIZE} (5 MiB), S3's smallest part`);
      }
      if ((s.access_key_id === '') !== (s.secret_access_key === '')) {
        throw new Error(
          `set both -${s3BucketBlock.access_key_id.flag} and -${s3BucketBlock.secret_access_key.flag}, or neither to use the AWS SDK's default credential chain`,
        );
      }
      const opts = {
        bucketName: s.bucket_name,
        endpoint: s.endpoint,
        region: s.region,
        accessKeyId: s.access_key_id,
        secretAccessKey: s.secret_access_key,
        insecure: s.insecure,
        bucketLookupType: s.bucket_lookup_type,
        partSize: s.part_size,
      };
      return new LazyBucket(`s3:${s.bucket_name}`, async () => new (await import('./s3.js')).S3Bucket(opts));
    }
    default:
      throw new Error(`invalid -${bucketBlock.backend.flag}=${cfg.backend}: must be one of ${BUCKET_BACKENDS.join(', ')}`);
  }
}

/** What checkBucket needs to name the setting that is probably wrong. */
export function bucketSettingsHint(cfg: BucketConfig): BucketSettingsHint {
  if (cfg.backend === 's3') return { backend: 's3', bucketName: cfg.s3.bucket_name, endpoint: cfg.s3.endpoint };
  return { backend: 'filesystem', dir: cfg.filesystem.dir };
}
