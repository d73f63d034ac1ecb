/**
 * The startup sanity check of the bucket: write a small probe object, read it back, delete it.
 * A failure becomes one message that says what went wrong and which setting most likely causes
 * it, so a misconfigured process stops at start instead of failing its first block upload.
 */

import { randomBytes } from 'node:crypto';
import type { Bucket } from './bucket.js';
import { filesystemBucketBlock, s3BucketBlock } from './config.js';
import { s3HttpStatus } from './s3-options.js';

/** Keys under this prefix are reserved for the check. */
export const CHECK_PREFIX = '__vigil_check__/';

export type BucketSettingsHint =
  | { readonly backend: 'filesystem'; readonly dir: string }
  | { readonly backend: 's3'; readonly bucketName: string; readonly endpoint: string };

const flag = (d: { readonly flag: string | null }): string => `-${d.flag ?? '?'}`;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError']);
const CREDENTIAL_NAMES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'CredentialsProviderError']);
const REGION_NAMES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException']);

/** The error, its `cause` chain and the members of AggregateErrors, in that order. */
function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  const todo: unknown[] = [e];
  while (todo.length > 0 && out.length < 20) {
    const x = todo.shift();
    if (typeof x !== 'object' || x === null) continue;
    out.push(x);
    if ('cause' in x && x.cause !== undefined) todo.push(x.cause);
    if ('errors' in x && Array.isArray(x.errors)) todo.push(...(x.errors as unknown[]));
  }
  return out;
}

function field(x: unknown, name: 'code' | 'name' | 'Code'): string | undefined {
  if (typeof x !== 'object' || x === null || !(name in x)) return undefined;
  const v = (x as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

function anyOf(e: unknown, set: ReadonlySet<string>): string | undefined {
  for (const x of chain(e)) {
    for (const n of [field(x, 'code'), field(x, 'Code'), field(x, 'name')]) if (n !== undefined && set.has(n)) return n;
  }
  return undefined;
}

function detail(e: unknown): string {
  const code = field(e, 'code') ?? field(e, 'Code') ?? field(e, 'name');
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
  return code !== undefined && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

function explainS3(e: unknown, hint: Extract<BucketSettingsHint, { backend: 's3' }>, step: string): string {
  const endpoint = hint.endpoint === '' ? 'the AWS default endpoint' : hint.endpoint;
  const net = anyOf(e, NETWORK_CODES);
  if (net !== undefined) {
    return `cannot reach the S3 endpoint ${endpoint} (${net}): check ${flag(s3BucketBlock.endpoint)} (and ${flag(s3BucketBlock.insecure)} for http)`;
  }
  const tls = anyOf(e, new Set(['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']));
  if (tls !== undefined) {
    return `TLS handshake with ${endpoint} failed (${tls}): check ${flag(s3BucketBlock.insecure)} (true for an http endpoint) and ${flag(s3BucketBlock.endpoint)}`;
  }
  if (anyOf(e, new Set(['NoSuchBucket'])) !== undefined) {
    return `bucket ${JSON.stringify(hint.bucketName)} not found at ${endpoint}: check ${flag(s3BucketBlock.bucket_name)}`;
  }
  const cred = anyOf(e, CREDENTIAL_NAMES);
  const status = s3HttpStatus(e);
  if (cred !== undefined || status === 401 || status === 403) {
    return `access denied (${cred ?? `HTTP ${status ?? '?'}`}) to bucket ${JSON.stringify(hint.bucketName)}: check ${flag(s3BucketBlock.access_key_id)} / ${flag(s3BucketBlock.secret_access_key)} and that the key may write, read and delete in the bucket`;
  }
  const region = anyOf(e, REGION_NAMES);
  if (region !== undefined || status === 301) {
    return `the bucket ${JSON.stringify(hint.bucketName)} is in another region (${region ?? 'HTTP 301'}): check ${flag(s3BucketBlock.region)}`;
  }
  if (status === 404) {
    return `bucket ${JSON.stringify(hint.bucketName)} not found at ${endpoint} (HTTP 404 on ${step}): check ${flag(s3BucketBlock.bucket_name)} and ${flag(s3BucketBlock.endpoint)}`;
  }
  return `${step} failed: ${detail(e)}: check the ${flag(s3BucketBlock.endpoint).replace(/\.endpoint$/, '.*')} settings`;
}

function explainFilesystem(e: unknown, hint: Extract<BucketSettingsHint, { backend: 'filesystem' }>, step: string): string {
  const what = step === 'write' ? 'directory not writable' : `${step} failed`;
  return `${what} (${detail(e)}): check ${flag(filesystemBucketBlock.dir)}=${hint.dir}`;
}

/**
 * Writes, reads back and deletes a probe object under `__vigil_check__/`. Rejects with an Error
 * naming the bucket, the failed step and the setting to check.
 */
export async function checkBucket(bucket: Bucket, hint: BucketSettingsHint): Promise<void> {
  const key = `${CHECK_PREFIX}${randomBytes(8).toString('hex')}`;
  const probe = randomBytes(32);
  const fail = (step: string, e: unknown): Error => {
    const why = hint.backend === 's3' ? explainS3(e, hint, step) : explainFilesystem(e, hint, step);
    return new Error(`bucket check of ${bucket.name} failed: ${why}`, { cause: e });
  };
  try {
    await bucket.upload(key, probe);
  } catch (e) {
    throw fail('write', e);
  }
  let back: Buffer;
  try {
    back = await bucket.get(key);
  } catch (e) {
    throw fail('read back', e);
  }
  if (!back.equals(probe)) {
    throw fail('read back', new Error(`the probe object ${key} came back different (${back.length} bytes instead of ${probe.length})`));
  }
  try {
    await bucket.delete(key);
  } catch (e) {
    throw fail('delete', e);
  }
}
