/**
 * Cortex's per-tenant bucket index, `<tenant>/bucket-index.json.gz` (format reference §5.4): a
 * gzip member named `bucket-index.json` holding compact JSON
 *
 *   {"version":1,
 *    "blocks":[{"block_id","min_time","max_time","segments_format"?,"segments_num"?,
 *               "series_max_size"?,"chunk_max_size"?,"uploaded_at"}],
 *    "block_deletion_marks":[{"block_id","deletion_time"}],
 *    "updated_at":<seconds>}
 *
 * so that queriers learn a tenant's blocks with one GET instead of listing the bucket and
 * reading every meta.json.
 *
 * `buildBucketIndex` lists the tenant's prefix once, recursively: a ULID directory is a complete
 * block when it holds `meta.json` (the shipper uploads it last); directories without it are
 * partial and left out. meta.json is read (with its attributes, for `uploaded_at`) only for
 * blocks not already in the old index; deletion marks come from `<tenant>/markers/<ULID>-
 * deletion-mark.json` or `<tenant>/<ULID>/deletion-mark.json` and are read only when not already
 * in the old index. Every rebuild starts from a listing, so concurrent writers converge: the last
 * one to write reflects at least everything present when it listed.
 */

import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { type Bucket, isObjectNotFound } from '../objstore/bucket.js';
import { META_FILE, decodeMeta } from '../tsdb/block/meta.js';
import { isULID } from '../tsdb/ulid.js';

export const BUCKET_INDEX_FILE = 'bucket-index.json.gz';
/** The name of the gzip member, as Cortex writes it. */
export const BUCKET_INDEX_MEMBER = 'bucket-index.json';
export const BUCKET_INDEX_VERSION = 1;
/** Segments named exactly 000001..00000N. */
export const SEGMENTS_FORMAT_1B6D = '1b6d';
export const MARKERS_DIR = 'markers';
export const DELETION_MARK_FILE = 'deletion-mark.json';

export interface BucketIndexBlock {
  readonly block_id: string;
  /** Inclusive, ms. */
  readonly min_time: number;
  /** Exclusive, ms. */
  readonly max_time: number;
  readonly segments_format?: string;
  readonly segments_num?: number;
  readonly series_max_size?: number;
  readonly chunk_max_size?: number;
  /** meta.json's last-modified time, Unix seconds. */
  readonly uploaded_at: number;
}

export interface BlockDeletionMark {
  readonly block_id: string;
  /** Unix seconds. */
  readonly deletion_time: number;
}

export interface BucketIndex {
  readonly version: number;
  readonly blocks: readonly BucketIndexBlock[];
  readonly block_deletion_marks: readonly BlockDeletionMark[];
  /** Unix seconds. */
  readonly updated_at: number;
}

export interface BucketIndexLogger {
  warn(obj: object, msg: string): void;
}

export interface BuildOptions {
  readonly logger?: BucketIndexLogger;
  /** Clock for `updated_at` (ms); tests set it. */
  readonly nowMs?: number;
}

export function bucketIndexKey(tenant: string): string {
  return `${tenant}/${BUCKET_INDEX_FILE}`;
}

export function deletionMarkKey(tenant: string, ulid: string): string {
  return `${tenant}/${MARKERS_DIR}/${ulid}-${DELETION_MARK_FILE}`;
}

const int = z.number().int();
const indexSchema = z.object({
  version: int,
  blocks: z
    .array(
      z.object({
        block_id: z.string(),
        min_time: int,
        max_time: int,
        segments_format: z.string().optional(),
        segments_num: int.nonnegative().optional(),
        series_max_size: int.nonnegative().optional(),
        chunk_max_size: int.nonnegative().optional(),
        uploaded_at: int,
      }),
    )
    .nullable(),
  block_deletion_marks: z.array(z.object({ block_id: z.string(), deletion_time: int })).nullable(),
  updated_at: int,
});

const markSchema = z.object({ deletion_time: int });

/** Compact JSON with Cortex's field order; optional fields omitted when absent, empty or 0. */
export function encodeBucketIndexJSON(idx: BucketIndex): string {
  const blocks = idx.blocks.map((b) => {
    const o: Record<string, string | number> = { block_id: b.block_id, min_time: b.min_time, max_time: b.max_time };
    if (b.segments_format) o.segments_format = b.segments_format;
    if (b.segments_num) o.segments_num = b.segments_num;
    if (b.series_max_size) o.series_max_size = b.series_max_size;
    if (b.chunk_max_size) o.chunk_max_size = b.chunk_max_size;
    o.uploaded_at = b.uploaded_at;
    return o;
  });
  const marks = idx.block_deletion_marks.map((m) => ({ block_id: m.block_id, deletion_time: m.deletion_time }));
  return JSON.stringify({ version: idx.version, blocks, block_deletion_marks: marks, updated_at: idx.updated_at });
}

/** gzip of the JSON with the member name `bucket-index.json` in the header (FNAME), as Go's gzip.Writer with Name set writes it. */
export function encodeBucketIndex(idx: BucketIndex): Buffer {
  const gz = gzipSync(Buffer.from(encodeBucketIndexJSON(idx), 'utf8'));
  // node writes a 10-byte header without FNAME; the trailer's CRC and size cover only the
  // uncompressed data, so the name can be spliced in after the fixed header.
  const header = Buffer.from(gz.subarray(0, 10));
  header[3] = header[3]! | 0x08;
  return Buffer.concat([header, Buffer.from(BUCKET_INDEX_MEMBER + '\0', 'latin1'), gz.subarray(10)]);
}

/** The FNAME of a gzip stream's first member, or null when it has none. */
export function gzipMemberName(b: Uint8Array): string | null {
  if (b.length < 10 || b[0] !== 0x1f || b[1] !== 0x8b) throw new Error('not a gzip stream');
  const flags = b[3]!;
  if ((flags & 0x08) === 0) return null;
  let at = 10;
  if (flags & 0x04) at += 2 + (b[10]! | (b[11]! << 8)); // FEXTRA
  const end = b.indexOf(0, at);
  if (end < 0) throw new Error('gzip member name is not terminated');
  return Buffer.from(b.subarray(at, end)).toString('latin1');
}

/** Parses the gzipped index; throws with what is wrong. */
export function decodeBucketIndex(b: Uint8Array): BucketIndex {
  let text: string;
  try {
    text = gunzipSync(b).toString('utf8');
  } catch (e) {
    throw new Error(`not gzip: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`invalid JSON: ${(e as Error).message}`);
  }
  const r = indexSchema.safeParse(raw);
  if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const d = r.data;
  if (d.version !== BUCKET_INDEX_VERSION) throw new Error(`unsupported version ${d.version}`);
  const blocks: BucketIndexBlock[] = (d.blocks ?? []).map((x) => ({
    block_id: x.block_id,
    min_time: x.min_time,
    max_time: x.max_time,
    ...(x.segments_format !== undefined && x.segments_format !== '' ? { segments_format: x.segments_format } : {}),
    ...(x.segments_num ? { segments_num: x.segments_num } : {}),
    ...(x.series_max_size ? { series_max_size: x.series_max_size } : {}),
    ...(x.chunk_max_size ? { chunk_max_size: x.chunk_max_size } : {}),
    uploaded_at: x.uploaded_at,
  }));
  return { version: d.version, blocks, block_deletion_marks: d.block_deletion_marks ?? [], updated_at: d.updated_at };
}

export async function writeBucketIndex(bucket: Bucket, tenant: string, idx: BucketIndex): Promise<void> {
  await bucket.upload(bucketIndexKey(tenant), encodeBucketIndex(idx));
}

/** The tenant's bucket index; null when there is none; an error naming the object when it is corrupt. */
export async function readBucketIndex(bucket: Bucket, tenant: string): Promise<BucketIndex | null> {
  const key = bucketIndexKey(tenant);
  let b: Buffer;
  try {
    b = await bucket.get(key);
  } catch (e) {
    if (isObjectNotFound(e)) return null;
    throw e;
  }
  try {
    return decodeBucketIndex(b);
  } catch (e) {
    throw new Error(`corrupted bucket index ${key} in ${bucket.name}: ${(e as Error).message}`, { cause: e });
  }
}

/** "1b6d" and N when the names are exactly 000001..N, else an empty format. */
export function segmentsFormat(names: readonly string[]): { format: string; num: number } {
  const sorted = [...names].sort();
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i] !== String(i + 1).padStart(6, '0')) return { format: '', num: 0 };
  }
  return sorted.length === 0 ? { format: '', num: 0 } : { format: SEGMENTS_FORMAT_1B6D, num: sorted.length };
}

interface Listed {
  hasMeta: boolean;
  localMark: boolean;
  segments: string[];
}

/**
 * Lists `<tenant>/` and returns the index of what is there now, reusing `old`'s entries for
 * blocks and marks it already knows.
 */
export async function buildBucketIndex(bucket: Bucket, tenant: string, old?: BucketIndex | null, opts: BuildOptions = {}): Promise<BucketIndex> {
  const prefix = `${tenant}/`;
  const dirs = new Map<string, Listed>();
  const globalMarks = new Set<string>();
  const entry = (id: string): Listed => {
    let e = dirs.get(id);
    if (!e) {
      e = { hasMeta: false, localMark: false, segments: [] };
      dirs.set(id, e);
    }
    return e;
  };
  const markerRe = new RegExp(`^${MARKERS_DIR}/([0-9A-Za-z]{26})-${DELETION_MARK_FILE.replace('.', '\\.')}$`);
  for await (const key of bucket.iter(prefix, { recursive: true })) {
    const rel = key.slice(prefix.length);
    const m = markerRe.exec(rel);
    if (m?.[1] !== undefined && isULID(m[1])) {
      globalMarks.add(m[1]);
      continue;
    }
    const slash = rel.indexOf('/');
    if (slash < 0) continue;
    const id = rel.slice(0, slash);
    if (!isULID(id)) continue;
    const file = rel.slice(slash + 1);
    const e = entry(id);
    if (file === META_FILE) e.hasMeta = true;
    else if (file === DELETION_MARK_FILE) e.localMark = true;
    else if (file.startsWith('chunks/') && /^\d+$/.test(file.slice(7))) e.segments.push(file.slice(7));
  }

  const oldBlocks = new Map((old?.blocks ?? []).map((b) => [b.block_id, b]));
  const oldMarks = new Map((old?.block_deletion_marks ?? []).map((m) => [m.block_id, m]));
  const blocks: BucketIndexBlock[] = [];
  for (const [id, e] of dirs) {
    if (!e.hasMeta) continue; // partial: upload in progress, or deletion in progress
    const known = oldBlocks.get(id);
    if (known) {
      blocks.push(known);
      continue;
    }
    const metaKey = `${prefix}${id}/${META_FILE}`;
    try {
      const [text, attrs] = await Promise.all([bucket.get(metaKey), bucket.attributes(metaKey)]);
      const meta = decodeMeta(text.toString('utf8'));
      if (meta.ulid !== id) throw new Error(`meta.json names block ${meta.ulid}`);
      const seg = segmentsFormat(e.segments);
      blocks.push({
        block_id: id,
        min_time: meta.minTime,
        max_time: meta.maxTime,
        ...(seg.format !== '' ? { segments_format: seg.format, segments_num: seg.num } : {}),
        uploaded_at: Math.floor(attrs.lastModified.getTime() / 1000),
      });
    } catch (err) {
      // Deleted between listing and reading: simply gone. Corrupt: left out, as Cortex does.
      if (!isObjectNotFound(err)) opts.logger?.warn({ tenant, block: id, err: (err as Error).message }, 'skipping block with unreadable meta.json in the bucket index');
    }
  }
  blocks.sort((a, b) => (a.block_id < b.block_id ? -1 : a.block_id > b.block_id ? 1 : 0));

  const marks: BlockDeletionMark[] = [];
  for (const [id, e] of dirs) {
    if (!globalMarks.has(id) && !e.localMark) continue;
    const known = oldMarks.get(id);
    if (known) {
      marks.push(known);
      continue;
    }
    const keys = globalMarks.has(id) ? [deletionMarkKey(tenant, id), `${prefix}${id}/${DELETION_MARK_FILE}`] : [`${prefix}${id}/${DELETION_MARK_FILE}`];
    for (const key of keys) {
      try {
        const r = markSchema.safeParse(JSON.parse((await bucket.get(key)).toString('utf8')));
        if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        marks.push({ block_id: id, deletion_time: r.data.deletion_time });
        break;
      } catch (err) {
        if (!isObjectNotFound(err)) opts.logger?.warn({ tenant, block: id, key, err: (err as Error).message }, 'skipping unreadable deletion mark');
      }
    }
  }
  marks.sort((a, b) => (a.block_id < b.block_id ? -1 : a.block_id > b.block_id ? 1 : 0));

  return { version: BUCKET_INDEX_VERSION, blocks, block_deletion_marks: marks, updated_at: Math.floor((opts.nowMs ?? Date.now()) / 1000) };
}

/** Read the old index (a corrupt one is rebuilt from scratch), rebuild it from a listing, write it. */
export async function updateBucketIndex(bucket: Bucket, tenant: string, opts: BuildOptions = {}): Promise<BucketIndex> {
  let old: BucketIndex | null = null;
  try {
    old = await readBucketIndex(bucket, tenant);
  } catch (e) {
    opts.logger?.warn({ tenant, err: (e as Error).message }, 'rebuilding the bucket index from scratch');
  }
  const idx = await buildBucketIndex(bucket, tenant, old, opts);
  await writeBucketIndex(bucket, tenant, idx);
  return idx;
}
