/** The bucket index: its exact encoding (Cortex field names, gzip member name) and building it from a bucket listing. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FilesystemBucket } from '../objstore/filesystem.js';
import { encodeMeta, type BlockMeta } from '../tsdb/block/meta.js';
import { newULID } from '../tsdb/ulid.js';
import {
  buildBucketIndex,
  type BucketIndex,
  bucketIndexKey,
  decodeBucketIndex,
  encodeBucketIndex,
  gzipMemberName,
  readBucketIndex,
  segmentsFormat,
  updateBucketIndex,
  writeBucketIndex,
} from './bucket-index.js';
import { CountingBucket } from './testing.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-bucket-index-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;
function freshBucket(): CountingBucket {
  return new CountingBucket(new FilesystemBucket(join(tmp, `b${++seq}`)));
}

const T0 = 1_700_000_000_000;

function meta(ulid: string, minTime: number, maxTime: number): BlockMeta {
  return { ulid, minTime, maxTime, stats: { numSamples: 10, numSeries: 1, numChunks: 1 }, compaction: { level: 1, sources: [ulid] }, version: 1 };
}

/** A block's objects (contents do not matter to the index but meta.json). */
async function putBlock(b: CountingBucket, tenant: string, minTime: number, opts: { segments?: string[]; meta?: boolean } = {}): Promise<string> {
  const ulid = newULID();
  for (const s of opts.segments ?? ['000001']) await b.upload(`${tenant}/${ulid}/chunks/${s}`, Buffer.from('x'));
  await b.upload(`${tenant}/${ulid}/index`, Buffer.from('i'));
  if (opts.meta ?? true) await b.upload(`${tenant}/${ulid}/meta.json`, Buffer.from(encodeMeta(meta(ulid, minTime, minTime + 7_200_000))));
  return ulid;
}

const sample: BucketIndex = {
  version: 1,
  blocks: [
    { block_id: '01J0000000000000000000000A', min_time: T0, max_time: T0 + 7_200_000, segments_format: '1b6d', segments_num: 2, uploaded_at: 1_700_014_000 },
    { block_id: '01J0000000000000000000000B', min_time: T0, max_time: T0 + 7_200_000, series_max_size: 1234, chunk_max_size: 567, uploaded_at: 1_700_014_001 },
  ],
  block_deletion_marks: [{ block_id: '01J0000000000000000000000B', deletion_time: 1_700_010_000 }],
  updated_at: 1_700_014_100,
};

describe('bucket index encoding', () => {
  it('round-trips and uses Cortex JSON field names, compact, in Cortex order', () => {
    const gz = encodeBucketIndex(sample);
    expect(decodeBucketIndex(gz)).toEqual(sample);
    const text = gunzipSync(gz).toString('utf8');
    expect(text).toBe(
      '{"version":1,"blocks":[' +
        '{"block_id":"01J0000000000000000000000A","min_time":1700000000000,"max_time":1700007200000,"segments_format":"1b6d","segments_num":2,"uploaded_at":1700014000},' +
        '{"block_id":"01J0000000000000000000000B","min_time":1700000000000,"max_time":1700007200000,"series_max_size":1234,"chunk_max_size":567,"uploaded_at":1700014001}' +
        '],"block_deletion_marks":[{"block_id":"01J0000000000000000000000B","deletion_time":1700010000}],"updated_at":1700014100}',
    );
  });

  it('names the gzip member bucket-index.json', () => {
    const gz = encodeBucketIndex(sample);
    expect(gz[0]).toBe(0x1f);
    expect(gz[1]).toBe(0x8b);
    expect(gz[3]! & 0x08).toBe(0x08);
    expect(gzipMemberName(gz)).toBe('bucket-index.json');
  });

  it('reads an index written by Cortex with null lists', () => {
    const raw = gzipSync(Buffer.from('{"version":1,"blocks":null,"block_deletion_marks":null,"updated_at":5,"future":{}}'));
    expect(decodeBucketIndex(raw)).toEqual({ version: 1, blocks: [], block_deletion_marks: [], updated_at: 5 });
  });

  it('recognises segment naming 1b6d only for 000001..N', () => {
    expect(segmentsFormat(['000002', '000001'])).toEqual({ format: '1b6d', num: 2 });
    expect(segmentsFormat(['000001', '000003'])).toEqual({ format: '', num: 0 });
    expect(segmentsFormat([])).toEqual({ format: '', num: 0 });
  });
});

describe('bucket index in a bucket', () => {
  it('reads null when absent, and a clear error when corrupt', async () => {
    const b = freshBucket();
    expect(await readBucketIndex(b, 't')).toBeNull();
    await b.upload(bucketIndexKey('t'), Buffer.from('not gzip'));
    await expect(readBucketIndex(b, 't')).rejects.toThrow(/corrupted bucket index t\/bucket-index\.json\.gz in filesystem:.*not gzip/);
    await b.upload(bucketIndexKey('t'), gzipSync(Buffer.from('{"version":2,"blocks":[],"block_deletion_marks":[],"updated_at":1}')));
    await expect(readBucketIndex(b, 't')).rejects.toThrow(/corrupted bucket index .*unsupported version 2/);
    await writeBucketIndex(b, 't', sample);
    expect(await readBucketIndex(b, 't')).toEqual(sample);
  });

  it('lists complete blocks only, with segments and upload time, and the deletion marks', async () => {
    const b = freshBucket();
    const before = Math.floor(Date.now() / 1000);
    const a = await putBlock(b, 't', T0, { segments: ['000001', '000002'] });
    const partial = await putBlock(b, 't', T0, { meta: false });
    const marked = await putBlock(b, 't', T0 + 7_200_000);
    const localMarked = await putBlock(b, 't', T0 + 7_200_000);
    const odd = await putBlock(b, 't', T0, { segments: ['000001', '000005'] });
    await putBlock(b, 'other', T0);
    await b.upload(`t/markers/${marked}-deletion-mark.json`, Buffer.from(`{"id":"${marked}","version":1,"deletion_time":1700000123}`));
    await b.upload(`t/${localMarked}/deletion-mark.json`, Buffer.from(`{"id":"${localMarked}","version":1,"deletion_time":1700000456}`));
    await b.upload(`t/markers/${partial}-no-compact-mark.json`, Buffer.from('{}'));
    await b.upload('t/not-a-block/meta.json', Buffer.from('{}'));

    const idx = await buildBucketIndex(b, 't', null, { nowMs: 1_700_000_999_000 });
    expect(idx.version).toBe(1);
    expect(idx.updated_at).toBe(1_700_000_999);
    const ids = idx.blocks.map((x) => x.block_id);
    expect(ids).toEqual([a, marked, localMarked, odd].sort());
    expect(ids).not.toContain(partial);
    const ba = idx.blocks.find((x) => x.block_id === a)!;
    expect(ba).toMatchObject({ min_time: T0, max_time: T0 + 7_200_000, segments_format: '1b6d', segments_num: 2 });
    expect(ba.uploaded_at).toBeGreaterThanOrEqual(before - 1);
    expect(ba.uploaded_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    const bo = idx.blocks.find((x) => x.block_id === odd)!;
    expect(bo.segments_format).toBeUndefined();
    expect(bo.segments_num).toBeUndefined();
    expect(idx.block_deletion_marks).toEqual(
      [
        { block_id: marked, deletion_time: 1_700_000_123 },
        { block_id: localMarked, deletion_time: 1_700_000_456 },
      ].sort((x, y) => (x.block_id < y.block_id ? -1 : 1)),
    );
  });

  it('rebuilds incrementally: reads meta.json only for new blocks and marks only when new', async () => {
    const b = freshBucket();
    const first = [await putBlock(b, 't', T0), await putBlock(b, 't', T0 + 7_200_000)];
    await b.upload(`t/markers/${first[0]}-deletion-mark.json`, Buffer.from('{"deletion_time":1}'));
    const old = await updateBucketIndex(b, 't');
    expect(old.blocks).toHaveLength(2);
    const added = await putBlock(b, 't', T0 + 14_400_000);
    b.reset();
    const idx = await updateBucketIndex(b, 't');
    expect(idx.blocks.map((x) => x.block_id).sort()).toEqual([...first, added].sort());
    expect(idx.block_deletion_marks).toEqual([{ block_id: first[0], deletion_time: 1 }]);
    // The old index, then the new block's meta.json: nothing else.
    expect(b.gets).toEqual([bucketIndexKey('t'), `t/${added}/meta.json`]);
    expect(b.calls.attributes).toBe(1);
    expect(await readBucketIndex(b, 't')).toEqual(idx);
  });

  it('drops blocks that were deleted or lost meta.json since the old index', async () => {
    const b = freshBucket();
    const x = await putBlock(b, 't', T0);
    const y = await putBlock(b, 't', T0);
    await updateBucketIndex(b, 't');
    await b.delete(`t/${x}/meta.json`);
    const idx = await updateBucketIndex(b, 't');
    expect(idx.blocks.map((z) => z.block_id)).toEqual([y]);
  });

  it('rebuilds from scratch over a corrupt old index', async () => {
    const b = freshBucket();
    const x = await putBlock(b, 't', T0);
    await b.upload(bucketIndexKey('t'), Buffer.from('garbage'));
    const idx = await updateBucketIndex(b, 't');
    expect(idx.blocks.map((z) => z.block_id)).toEqual([x]);
  });
});
