import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, type S3rverProc, startS3rver } from '../test/harness/s3rver.js';
import { checkBucket } from './check.js';
import { FilesystemBucket } from './filesystem.js';
import { freePort } from '../test/harness/process.js';
import { S3Bucket, type S3BucketOptions } from './s3.js';

let dir = '';
let server: S3rverProc | undefined;
let endpoint = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-check-'));
  server = await startS3rver(['vigil-test']);
  endpoint = server.endpoint;
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** An HTTP server that answers every request with one S3 error document. */
async function s3ErrorServer(status: number, code: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const srv = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code} from the test server</Message></Error>`);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { endpoint: `127.0.0.1:${port}`, close: () => new Promise((resolve) => srv.close(() => resolve())) };
}


async function withS3(opts: Partial<S3BucketOptions>, fn: (b: S3Bucket, o: S3BucketOptions) => Promise<void>): Promise<void> {
  const o: S3BucketOptions = {
    bucketName: 'vigil-test',
    endpoint,
    insecure: true,
    region: 'us-east-1',
    bucketLookupType: 'path',
    ...S3RVER_CREDENTIALS,
    maxAttempts: 1,
    ...opts,
  };
  const b = new S3Bucket(o);
  try {
    await fn(b, o);
  } finally {
    await b.close();
  }
}

const s3Hint = (o: S3BucketOptions) => ({ backend: 's3', bucketName: o.bucketName, endpoint: o.endpoint ?? '' }) as const;

describe('checkBucket: filesystem', () => {
  it('passes on a writable directory and leaves nothing behind', async () => {
    const root = join(dir, 'fs-ok');
    const b = new FilesystemBucket(root);
    await checkBucket(b, { backend: 'filesystem', dir: root });
    expect(await readdir(root)).toEqual([]);
  });

  it('names -blocks-storage.filesystem.dir when the directory cannot be created', async () => {
    const file = join(dir, 'a-regular-file');
    await writeFile(file, 'not a directory');
    const root = join(file, 'bucket'); // under a file: fails even as root
    const err = await checkBucket(new FilesystemBucket(root), { backend: 'filesystem', dir: root }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).toMatch(/^bucket check of filesystem:.*a-regular-file\/bucket failed: directory not writable \(ENOTDIR/);
    expect(err?.message).toContain(`check -blocks-storage.filesystem.dir=${root}`);
  });

  it('names -blocks-storage.filesystem.dir when the directory is a file', async () => {
    const file = join(dir, 'bucket-is-a-file');
    await writeFile(file, 'x');
    await expect(checkBucket(new FilesystemBucket(file), { backend: 'filesystem', dir: file })).rejects.toThrow(
      /directory not writable.*check -blocks-storage\.filesystem\.dir/,
    );
  });
});

describe('checkBucket: s3', () => {
  it('passes against a reachable bucket and leaves nothing behind', async () => {
    await withS3({}, async (b, o) => {
      await checkBucket(b, s3Hint(o));
      const left: string[] = [];
      for await (const k of b.iter('', { recursive: true })) left.push(k);
      expect(left.filter((k) => k.startsWith('__vigil_check__/'))).toEqual([]);
    });
  });

  it('names -blocks-storage.s3.bucket-name when the bucket does not exist', async () => {
    await withS3({ bucketName: 'no-such-bucket' }, async (b, o) => {
      await expect(checkBucket(b, s3Hint(o))).rejects.toThrow(
        'bucket check of s3:no-such-bucket failed: bucket "no-such-bucket" not found at ' + endpoint + ': check -blocks-storage.s3.bucket-name',
      );
    });
  });

  it('names -blocks-storage.s3.endpoint when nothing listens there', async () => {
    const port = await freePort();
    await withS3({ endpoint: `127.0.0.1:${port}` }, async (b, o) => {
      await expect(checkBucket(b, s3Hint(o))).rejects.toThrow(
        `cannot reach the S3 endpoint 127.0.0.1:${port} (ECONNREFUSED): check -blocks-storage.s3.endpoint`,
      );
    });
  });

  it('names the access key flags for an unknown key id', async () => {
    await withS3({ accessKeyId: 'NOBODY' }, async (b, o) => {
      await expect(checkBucket(b, s3Hint(o))).rejects.toThrow(
        'access denied (InvalidAccessKeyId) to bucket "vigil-test": check -blocks-storage.s3.access-key-id / -blocks-storage.s3.secret-access-key',
      );
    });
  });

  // s3rver does not verify SigV4 signatures, so a wrong secret is answered by a stand-in server
  // with the error document S3 sends.
  it.each([
    [403, 'SignatureDoesNotMatch', 'access denied (SignatureDoesNotMatch)', '-blocks-storage.s3.secret-access-key'],
    [403, 'AccessDenied', 'access denied (AccessDenied)', '-blocks-storage.s3.access-key-id'],
    [301, 'PermanentRedirect', 'is in another region (PermanentRedirect)', '-blocks-storage.s3.region'],
  ])('explains HTTP %i %s', async (status, code, what, flagName) => {
    const srv = await s3ErrorServer(status, code);
    try {
      await withS3({ endpoint: srv.endpoint }, async (b, o) => {
        const err = await checkBucket(b, s3Hint(o)).then(
          () => null,
          (e: unknown) => e as Error,
        );
        expect(err?.message).toContain(what);
        expect(err?.message).toMatch(new RegExp(`: check .*${flagName.replaceAll(".", "\\.")}`));
      });
    } finally {
      await srv.close();
    }
  });

  it('names -blocks-storage.s3.insecure when https meets an http endpoint', async () => {
    await withS3({ insecure: false }, async (b, o) => {
      await expect(checkBucket(b, s3Hint(o))).rejects.toThrow(
        `TLS handshake with ${endpoint} failed (EPROTO): check -blocks-storage.s3.insecure (true for an http endpoint) and -blocks-storage.s3.endpoint`,
      );
    });
  });
});
