import { describe, expect, it } from 'vitest';
import { type BlockValue, buildBlock, displayValue } from '../util/options.js';
import { bucketBlock, bucketSettingsHint, filesystemBucketBlock, newBucket, s3BucketBlock } from './config.js';
import { FilesystemBucket } from './filesystem.js';
import { LazyBucket } from './lazy.js';

function config(
  backend: string,
  fsYaml: Record<string, unknown> = {},
  s3Yaml: Record<string, unknown> = {},
): { backend: string; filesystem: BlockValue<typeof filesystemBucketBlock>; s3: BlockValue<typeof s3BucketBlock> } {
  return {
    backend: buildBlock('blocks_storage', bucketBlock, { backend }).backend,
    filesystem: buildBlock('blocks_storage.filesystem', filesystemBucketBlock, fsYaml),
    s3: buildBlock('blocks_storage.s3', s3BucketBlock, s3Yaml),
  };
}

describe('bucket config', () => {
  it("uses Cortex's flag names and YAML keys", () => {
    const flags = [bucketBlock, filesystemBucketBlock, s3BucketBlock].flatMap((b) => Object.entries(b).map(([k, d]) => `${k}=-${d.flag}`));
    expect(flags).toEqual([
      'backend=-blocks-storage.backend',
      'dir=-blocks-storage.filesystem.dir',
      'endpoint=-blocks-storage.s3.endpoint',
      'region=-blocks-storage.s3.region',
      'bucket_name=-blocks-storage.s3.bucket-name',
      'access_key_id=-blocks-storage.s3.access-key-id',
      'secret_access_key=-blocks-storage.s3.secret-access-key',
      'insecure=-blocks-storage.s3.insecure',
      'bucket_lookup_type=-blocks-storage.s3.bucket-lookup-type',
      'part_size=-blocks-storage.s3.part-size',
    ]);
    expect(displayValue(s3BucketBlock.secret_access_key, 'hunter2')).toBe('********');
  });

  it('defaults to a filesystem bucket in ./data/bucket', () => {
    const c = config('filesystem');
    expect(c.filesystem.dir).toBe('./data/bucket');
    expect(bucketBlock.backend.default).toBe('filesystem');
    const b = newBucket(c);
    expect(b).toBeInstanceOf(FilesystemBucket);
    expect(b.name).toMatch(/^filesystem:\/.*\/data\/bucket$/);
    expect(bucketSettingsHint(c)).toEqual({ backend: 'filesystem', dir: './data/bucket' });
  });

  it('builds an S3 bucket without I/O, loading the AWS SDK only on first use', async () => {
    const c = config('filesystem', {}, { bucket_name: 'blocks', endpoint: '127.0.0.1:1', insecure: true, bucket_lookup_type: 'path' });
    const b = newBucket({ ...c, backend: 's3' });
    expect(b).toBeInstanceOf(LazyBucket);
    expect(b.name).toBe('s3:blocks');
    // The first call builds the S3 client; a closed port answers with a connection error.
    await expect(b.exists('x')).rejects.toThrow();
    expect(bucketSettingsHint({ ...c, backend: 's3' })).toEqual({ backend: 's3', bucketName: 'blocks', endpoint: '127.0.0.1:1' });
    await b.close();
  });

  it('refuses bad settings, naming the flag', () => {
    const c = config('s3');
    expect(() => newBucket(c)).toThrow('-blocks-storage.s3.bucket-name must be set when -blocks-storage.backend=s3');
    expect(() => newBucket({ ...config('s3', {}, { bucket_name: 'b', part_size: 1000 }) })).toThrow(/invalid -blocks-storage\.s3\.part-size=1000/);
    expect(() => newBucket({ ...config('s3', {}, { bucket_name: 'b', access_key_id: 'AK' }) })).toThrow(
      /set both -blocks-storage\.s3\.access-key-id and -blocks-storage\.s3\.secret-access-key/,
    );
    expect(() => newBucket({ ...config('filesystem', { dir: '' }) })).toThrow(/-blocks-storage\.filesystem\.dir must be set/);
    expect(() => newBucket({ ...config('filesystem'), backend: 'gcs' })).toThrow('invalid -blocks-storage.backend=gcs: must be one of filesystem, s3');
    expect(() => buildBlock('blocks_storage', bucketBlock, { backend: 'gcs' })).toThrow(/blocks_storage\.backend/);
    expect(() => buildBlock('blocks_storage.s3', s3BucketBlock, { bucket_lookup_type: 'dns' })).toThrow(/blocks_storage\.s3\.bucket_lookup_type/);
  });
});
