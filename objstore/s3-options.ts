/**
 * S3 settings and error helpers that need no AWS SDK: config validation and the bucket check use
 * them, and the SDK (a third of a second to load) is only imported when an S3 bucket is used.
 */

export const BUCKET_LOOKUP_TYPES = ['auto', 'virtual-hosted', 'path'] as const;
export type BucketLookupType = (typeof BUCKET_LOOKUP_TYPES)[number];

/** S3's smallest part, except the last (S3 refuses smaller ones with EntityTooSmall). */
export const MIN_PART_SIZE = 5 << 20;
/** S3's largest part count per upload; larger files get larger parts. */
export const MAX_PARTS = 10_000;
export const DEFAULT_PART_SIZE = 64 << 20;

export interface S3BucketOptions {
  readonly bucketName: string;
  /** `host:port` (scheme from `insecure`) or a URL; '' for AWS's own endpoint of the region. */
  readonly endpoint?: string;
  /** '' lets the client follow S3's redirect to the bucket's region (starting from us-east-1). */
  readonly region?: string;
  /** With secretAccessKey; both '' → the SDK's default credential chain (AWS_ACCESS_KEY_ID, profiles, IMDS…). */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** http:// instead of https:// for a `host:port` endpoint. */
  readonly insecure?: boolean;
  /** 'path' puts the bucket in the URL path (needed by MinIO, s3rver); 'auto' uses it for any non-AWS endpoint. */
  readonly bucketLookupType?: BucketLookupType;
  /** Files larger than this are uploaded in parts of this size; at least 5 MiB. */
  readonly partSize?: number;
  /** Attempts per request, retries included (SDK default 3). */
  readonly maxAttempts?: number;
}

export interface ErrorShape {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

export function errorName(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const s = e as ErrorShape;
  if (typeof s.Code === 'string') return s.Code;
  return typeof s.name === 'string' ? s.name : undefined;
}

/** The HTTP status of an SDK service error, if it has one. */
export function s3HttpStatus(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const st = (e as ErrorShape).$metadata?.httpStatusCode;
  return typeof st === 'number' ? st : undefined;
}

/** The endpoint URL handed to the SDK, or undefined for AWS's default. */
export function endpointUrl(endpoint: string, insecure: boolean): string | undefined {
  if (endpoint === '') return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) return endpoint;
  return `${insecure ? 'http' : 'https'}://${endpoint}`;
}

