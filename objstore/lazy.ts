/**
 * A Bucket whose implementation is built on first use: the S3 one imports the AWS SDK, which
 * costs a third of a second at start-up that filesystem users should not pay.
 */

import type { Bucket, IterOptions, ObjectAttributes } from './bucket.js';

export class LazyBucket implements Bucket {
  private inner: Promise<Bucket> | null = null;

  constructor(
    readonly name: string,
    private readonly make: () => Promise<Bucket>,
  ) {}

  private bucket(): Promise<Bucket> {
    this.inner ??= this.make();
    return this.inner;
  }

  async get(key: string): Promise<Buffer> {
    return (await this.bucket()).get(key);
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return (await this.bucket()).getRange(key, offset, length);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.bucket()).exists(key);
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    return (await this.bucket()).attributes(key);
  }

  async upload(key: string, body: Uint8Array): Promise<void> {
    return (await this.bucket()).upload(key, body);
  }

  async uploadFile(key: string, localPath: string): Promise<void> {
    return (await this.bucket()).uploadFile(key, localPath);
  }

  async delete(key: string): Promise<void> {
    return (await this.bucket()).delete(key);
  }

  async *iter(prefix: string, options?: IterOptions): AsyncIterable<string> {
    yield* (await this.bucket()).iter(prefix, options);
  }

  async close(): Promise<void> {
    if (this.inner) await (await this.inner).close();
  }
}
