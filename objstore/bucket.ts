/**
 * The object-storage seam: where blocks live once they leave an ingester's disk. Two
 * implementations keep one contract (objstore/contract.ts tests it against both):
 * `FilesystemBucket` (a directory, the default) and `S3Bucket` (S3, MinIO, any S3 API).
 *
 * Keys are '/'-separated paths such as `tenant/01J…/chunks/000001`. A key is not empty, does not
 * start or end with '/', has no empty, '.' or '..' segment and no NUL character; anything else is
 * refused with an `InvalidKeyError` before any I/O. A "directory" is only a key prefix ending in
 * '/': it exists while some object lies under it and is never created or deleted on its own.
 *
 * - `get`, `getRange` and `attributes` of an absent key reject with `ObjectNotFoundError`
 *   (test with `isObjectNotFound`); any other failure (unreachable store, denied access, missing
 *   bucket) rejects with the backend's own error.
 * - `getRange(key, offset, length)` returns bytes [offset, offset+length) clipped at the end of
 *   the object: a range starting at or past the end gives an empty buffer, not an error.
 * - `upload` and `uploadFile` are atomic for readers: a reader sees the old object, the whole new
 *   one, or (for a new key) none; never a part. The last writer of a key wins.
 * - `delete` of an absent key succeeds.
 * - `iter(prefix)` yields the keys and directories (ending in '/') directly under `prefix`; with
 *   `recursive` every object key under it and no directories. `prefix` is '' for the root or a
 *   directory ending in '/' (a missing trailing '/' is added). Order is ascending by the keys'
 *   UTF-8 bytes, the order S3 lists in. Objects written or deleted during an iteration may or may
 *   not be seen.
 * - `close` releases connections; the bucket must not be used afterwards.
 */

export interface ObjectAttributes {
  readonly size: number;
  readonly lastModified: Date;
}

export interface IterOptions {
  readonly recursive?: boolean;
}

export interface Bucket {
  /** For messages, e.g. "filesystem:/data/bucket" or "s3:my-bucket". */
  readonly name: string;
  /** The whole object; ObjectNotFoundError when absent. */
  get(key: string): Promise<Buffer>;
  /** Bytes [offset, offset+length), clipped at the end of the object; ObjectNotFoundError when absent. */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** ObjectNotFoundError when absent. */
  attributes(key: string): Promise<ObjectAttributes>;
  /** Atomic from a reader's point of view: a reader never sees a half-written object. */
  upload(key: string, body: Uint8Array): Promise<void>;
  /** Streams a local file into the object (S3: multipart above the part size); atomic like upload. */
  uploadFile(key: string, localPath: string): Promise<void>;
  /** Deleting an absent object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Object keys and "directories" directly under prefix ('' = root, else ending in '/');
   * directories end with '/'. recursive: every object key under prefix, no directory entries.
   * Ascending by UTF-8 bytes.
   */
  iter(prefix: string, options?: IterOptions): AsyncIterable<string>;
  close(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(
    readonly key: string,
    bucketName: string,
  ) {
    super(`object ${JSON.stringify(key)} not found in ${bucketName}`);
    this.name = 'ObjectNotFoundError';
  }
}

export function isObjectNotFound(e: unknown): boolean {
  return e instanceof ObjectNotFoundError;
}

export class InvalidKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidKeyError';
  }
}

function checkSegments(key: string, segments: readonly string[]): void {
  for (const s of segments) {
    if (s === '') throw new InvalidKeyError(key, 'empty path segment ("//")');
    if (s === '.' || s === '..') throw new InvalidKeyError(key, `"${s}" segments are not allowed`);
  }
}

/** Throws InvalidKeyError unless `key` names an object (see the contract above). */
export function validateKey(key: string): void {
  if (key === '') throw new InvalidKeyError(key, 'empty');
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'must not start with "/"');
  if (key.endsWith('/')) throw new InvalidKeyError(key, 'must not end with "/" (that names a directory)');
  if (key.includes('\0')) throw new InvalidKeyError(key, 'contains a NUL character');
  checkSegments(key, key.split('/'));
}

/** Validates a listing prefix and returns it ending in '/' ('' stays ''). */
export function normalizePrefix(prefix: string): string {
  if (prefix === '') return '';
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  if (p.startsWith('/')) throw new InvalidKeyError(prefix, 'must not start with "/"');
  if (p.includes('\0')) throw new InvalidKeyError(prefix, 'contains a NUL character');
  checkSegments(prefix, p.slice(0, -1).split('/'));
  return p;
}

/** Checks getRange's arguments: non-negative safe integers. */
export function validateRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`getRange: offset must be a non-negative integer, got ${offset}`);
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`getRange: length must be a non-negative integer, got ${length}`);
}

/** The listing order: ascending by UTF-8 bytes (what S3 uses), not by UTF-16 code units. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
