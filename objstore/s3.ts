/**
 * A Bucket in S3 or an S3-compatible store (MinIO, Ceph, s3rver) through @aws-sdk/client-s3.
 * Objects above the part size are uploaded in parts, one part in memory at a time; a failed
 * multipart upload is aborted so no parts are left behind. Checksums are sent only where the API
 * requires them, which keeps older S3-compatible servers working.
 */

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { open } from 'node:fs/promises';
import {
  type BucketLookupType,
  DEFAULT_PART_SIZE,
  MAX_PARTS,
  MIN_PART_SIZE,
  type S3BucketOptions,
  endpointUrl,
  errorName,
  s3HttpStatus,
} from './s3-options.js';
import {
  type Bucket,
  type IterOptions,
  type ObjectAttributes,
  ObjectNotFoundError,
  compareKeys,
  normalizePrefix,
  validateKey,
  validateRange,
} from './bucket.js';

function usePathStyle(lookup: BucketLookupType, url: string | undefined): boolean {
  switch (lookup) {
    case 'path':
      return true;
    case 'virtual-hosted':
      return false;
    case 'auto':
      if (url === undefined) return false;
      try {
        return !new URL(url).hostname.endsWith('amazonaws.com');
      } catch {
        return true;
      }
  }
}

export class S3Bucket implements Bucket {
  readonly name: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;

  /** No I/O: the client connects on the first request. */
  constructor(opts: S3BucketOptions) {
    if (opts.bucketName === '') throw new Error('s3 bucket: the bucket name must not be empty');
    const partSize = opts.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
      throw new Error(`s3 bucket: the part size must be at least ${MIN_PART_SIZE} bytes (5 MiB), got ${partSize}`);
    }
    const accessKeyId = opts.accessKeyId ?? '';
    const secretAccessKey = opts.secretAccessKey ?? '';
    if ((accessKeyId === '') !== (secretAccessKey === '')) {
      throw new Error('s3 bucket: set both the access key id and the secret access key, or neither to use the default credential chain');
    }
    this.bucket = opts.bucketName;
    this.partSize = partSize;
    this.name = `s3:${opts.bucketName}`;

    const url = endpointUrl(opts.endpoint ?? '', opts.insecure ?? false);
    const region = opts.region ?? '';
    const config: S3ClientConfig = {
      region: region === '' ? 'us-east-1' : region,
      followRegionRedirects: region === '',
      forcePathStyle: usePathStyle(opts.bucketLookupType ?? 'auto', url),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (url !== undefined) config.endpoint = url;
    if (accessKeyId !== '') config.credentials = { accessKeyId, secretAccessKey };
    if (opts.maxAttempts !== undefined) config.maxAttempts = opts.maxAttempts;
    this.client = new S3Client(config);
  }

  private notFound(key: string): ObjectNotFoundError {
    return new ObjectNotFoundError(key, this.name);
  }

  async get(key: string): Promise<Buffer> {
    validateKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await bodyBytes(res.Body);
    } catch (e) {
      if (errorName(e) === 'NoSuchKey') throw this.notFound(key);
      throw e;
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    validateKey(key);
    validateRange(offset, length);
    if (length === 0) {
      await this.attributes(key); // absent → ObjectNotFoundError
      return Buffer.alloc(0);
    }
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }),
      );
      const buf = await bodyBytes(res.Body);
      // A server that ignores Range answers 200 with the whole object.
      if (res.ContentRange === undefined && s3HttpStatus(res) !== 206 && buf.length > length) {
        return buf.subarray(Math.min(offset, buf.length), Math.min(offset + length, buf.length));
      }
      return buf;
    } catch (e) {
      const name = errorName(e);
      if (name === 'NoSuchKey') throw this.notFound(key);
      // 416: the range starts at or past the end (an empty object has no satisfiable range).
      if (name === 'InvalidRange' || s3HttpStatus(e) === 416) return Buffer.alloc(0);
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    validateKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (e) {
      if (isHeadNotFound(e)) return false;
      throw e;
    }
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    validateKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) };
    } catch (e) {
      if (isHeadNotFound(e)) throw this.notFound(key);
      throw e;
    }
  }

  async upload(key: string, body: Uint8Array): Promise<void> {
    validateKey(key);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength }));
  }

  async uploadFile(key: string, localPath: string): Promise<void> {
    validateKey(key);
    const fh = await open(localPath, 'r');
    try {
      const size = (await fh.stat()).size;
      if (size <= this.partSize) {
        const body = await readExactly(fh, 0, size, localPath);
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength }));
        return;
      }
      const partSize = Math.max(this.partSize, Math.ceil(size / MAX_PARTS));
      const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
      const uploadId = created.UploadId;
      if (uploadId === undefined) throw new Error(`${this.name}: CreateMultipartUpload for ${JSON.stringify(key)} returned no upload id`);
      try {
        const parts: CompletedPart[] = [];
        const buf = Buffer.alloc(partSize);
        for (let offset = 0, n = 1; offset < size; offset += partSize, n++) {
          const len = Math.min(partSize, size - offset);
          const chunk = await readExactly(fh, offset, len, localPath, buf);
          const res = await this.client.send(
            new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: chunk, ContentLength: len }),
          );
          parts.push({ PartNumber: n, ETag: res.ETag });
        }
        await this.client.send(
          new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        );
      } catch (e) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
          .catch(() => undefined); // the original error matters more; S3 lifecycle rules clean up leftovers
        throw e;
      }
    } finally {
      await fh.close();
    }
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      if (errorName(e) === 'NoSuchKey') return;
      throw e;
    }
  }

  async *iter(prefix: string, options: IterOptions = {}): AsyncGenerator<string> {
    const p = normalizePrefix(prefix);
    const recursive = options.recursive === true;
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: p,
          ...(recursive ? {} : { Delimiter: '/' }),
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }),
      );
      const page: string[] = [];
      for (const o of res.Contents ?? []) if (o.Key !== undefined && o.Key !== p) page.push(o.Key);
      for (const cp of res.CommonPrefixes ?? []) if (cp.Prefix !== undefined) page.push(cp.Prefix);
      // Pages follow each other in key order; within a page, objects and prefixes come apart.
      page.sort(compareKeys);
      yield* page;
      token = res.IsTruncated === true ? res.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** HEAD has no body, so a missing key is just a 404 (named NotFound by the SDK). */
function isHeadNotFound(e: unknown): boolean {
  const name = errorName(e);
  return name === 'NotFound' || name === 'NoSuchKey' || s3HttpStatus(e) === 404;
}

interface ByteBody {
  transformToByteArray(): Promise<Uint8Array>;
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const b = body as ByteBody;
  const arr = await b.transformToByteArray();
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Reads exactly `len` bytes at `offset` (into `into` when given); fails if the file shrank. */
async function readExactly(fh: FileHandle, offset: number, len: number, path: string, into?: Buffer): Promise<Buffer> {
  const buf = into ? into.subarray(0, len) : Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, offset + got);
    if (bytesRead === 0) throw new Error(`uploading ${path}: the file shrank while it was read (expected ${offset + len} bytes, got ${offset + got})`);
    got += bytesRead;
  }
  return buf;
}

export { BUCKET_LOOKUP_TYPES, DEFAULT_PART_SIZE, MIN_PART_SIZE, endpointUrl, s3HttpStatus } from './s3-options.js';
export type { BucketLookupType, S3BucketOptions } from './s3-options.js';
