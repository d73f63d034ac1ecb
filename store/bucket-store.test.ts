/**
 * The store against a FilesystemBucket and against S3 (s3rver through @aws-sdk/client-s3): one
 * suite, run for both. Blocks are written with writeBlock and uploaded as the shipper does.
 */

import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from '../objstore/bucket.js';
import { FilesystemBucket } from '../objstore/filesystem.js';
import { S3Bucket } from '../objstore/s3.js';
import { randomSeries, toInput, type TestSeries } from '../tsdb/block/testutil.js';
import { writeBlock } from '../tsdb/block/writer.js';
import { IndexReader } from '../tsdb/index/reader.js';
import { Matcher, type MatchType } from '../tsdb/matchers.js';
import { getLabel } from '../tsdb/labels.js';
import type { SeriesSet } from '../tsdb/storage.js';
import { S3RVER_CREDENTIALS, type S3rverProc, startS3rver } from '../test/harness/s3rver.js';
import { updateBucketIndex } from './bucket-index.js';
import { BucketStore, type BucketStoreOptions } from './bucket-store.js';
import { storeQueryable } from './queryable.js';
import { bruteForce, CountingBucket, drainSet, uploadBlock } from './testing.js';
import { readFileSync } from 'node:fs';

const T0 = 1_700_000_000_000;
const H2 = 2 * 3600_000;
const tmp = mkdtempSync(join(tmpdir(), 'vigil-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface LocalBlock {
  readonly ulid: string;
  readonly dir: string;
  readonly series: readonly TestSeries[];
  readonly indexSize: number;
}

async function makeBlock(series: readonly TestSeries[], minTime: number, segmentSize?: number): Promise<LocalBlock> {
  const parent = join(tmp, 'blocks');
  const meta = await writeBlock(parent, { series: toInput(series), minTime, maxTime: minTime + H2, ...(segmentSize ? { segmentSize } : {}) });
  const dir = join(parent, meta.ulid);
  return { ulid: meta.ulid, dir, series, indexSize: statSync(join(dir, 'index')).size };
}

function shift(series: readonly TestSeries[], dt: number): TestSeries[] {
  return series.map((s) => ({ labels: s.labels, samples: s.samples.map((x) => ({ ...x, t: x.t + dt })) }));
}

// A: 2h of 150 series over several small segment files. B: the next 2h, the same 150 series
// plus 60 others. R1, R2: two replicas' blocks of the 2h after that, with identical samples.
const seriesA = randomSeries(1, 150, T0, H2);
const seriesB = [...shift(seriesA, H2), ...randomSeries(2, 60, T0 + H2, H2)].filter(
  (s, i, all) => all.findIndex((o) => JSON.stringify(o.labels) === JSON.stringify(s.labels)) === i,
);
const seriesR = randomSeries(3, 80, T0 + 2 * H2, H2);
let A: LocalBlock;
let B: LocalBlock;
let R1: LocalBlock;
let R2: LocalBlock;
let extra: LocalBlock[] = [];

beforeAll(async () => {
  A = await makeBlock(seriesA, T0, 32 * 1024);
  B = await makeBlock(seriesB, T0 + H2);
  R1 = await makeBlock(seriesR, T0 + 2 * H2);
  R2 = await makeBlock(seriesR, T0 + 2 * H2);
  extra = [await makeBlock(randomSeries(4, 20, T0, H2), T0), await makeBlock(randomSeries(5, 20, T0 + H2, H2), T0 + H2), await makeBlock(randomSeries(6, 20, T0, H2), T0)];
  expect(readdirSync(join(A.dir, 'chunks')).length).toBeGreaterThan(2);
});

function m(spec: [string, MatchType, string][]): Matcher[] {
  return spec.map(([n, t, v]) => new Matcher(t, n, v));
}

const MATCHERS: [string, MatchType, string][][] = [
  [['__name__', '=', 'up']],
  [['__name__', '=~', 'up|temp'], ['job', '!=', 'api']],
  [['__name__', '=~', '.+'], ['val', '!~', 'a|é|😀']],
  [['job', '=~', 'db|web'], ['instance', '!~', 'host-1.*']],
  [['__name__', '!=', 'up'], ['zone', '=', '']],
];
const RANGES: [number, number][] = [
  [T0, T0 + 3 * H2],
  [T0 + 3600_000, T0 + H2 + 1800_000],
  [T0 + 2 * H2 + 600_000, T0 + 3 * H2 - 600_000],
  [T0 - H2, T0 - 1],
];

function storeSuite(name: string, makeBucket: () => Promise<Bucket>): void {
  describe(`BucketStore over ${name}`, () => {
    let bucket: CountingBucket;
    let n = 0;
    const stores: BucketStore[] = [];
    const newStore = (extraOpts: Partial<BucketStoreOptions> = {}): BucketStore => {
      const s = new BucketStore({
        bucket,
        cacheDir: join(tmp, `cache-${name}-${++n}`),
        maxCacheBytes: 1 << 30,
        syncIntervalMs: 3600_000,
        indexMaxStaleMs: 3600_000,
        ...extraOpts,
      });
      stores.push(s);
      return s;
    };
    const all = [seriesA, seriesB, seriesR];

    beforeAll(async () => {
      bucket = new CountingBucket(await makeBucket());
      for (const b of [A, B, R1, R2]) await uploadBlock(bucket, 'main', b.dir, b.ulid);
    });
    afterAll(async () => {
      for (const s of stores) await s.stop();
      await bucket?.close();
    });

    it('selects what a brute force over the blocks gives, for every matcher type and range', async () => {
      const store = newStore();
      expect((await store.blocks('main')).map((b) => b.ulid).sort()).toEqual([A.ulid, B.ulid, R1.ulid, R2.ulid].sort());
      let nonEmpty = 0;
      for (const spec of MATCHERS) {
        for (const [mint, maxt] of RANGES) {
          const got = drainSet(await store.select('main', mint, maxt, m(spec), {}));
          const want = bruteForce(all, m(spec), mint, maxt);
          expect(got, `${JSON.stringify(spec)} [${mint}, ${maxt}]`).toEqual(want);
          if (want.length > 0) nonEmpty++;
        }
      }
      expect(nonEmpty).toBeGreaterThan(12);
    });

    it('gives each sample of the replicas once, and merges a series across blocks in time order', async () => {
      const store = newStore();
      const s = seriesR[0]!;
      const eq = s.labels.map((l) => new Matcher('=', l.name, l.value));
      const absent = ['job', 'val', 'instance', 'zone'].filter((n) => getLabel(s.labels, n) === '').map((n) => new Matcher('=', n, ''));
      const got = drainSet(await store.select('main', T0, T0 + 3 * H2, [...eq, ...absent]));
      expect(got).toHaveLength(1);
      expect(got[0]!.samples.map((x) => x.t)).toEqual(s.samples.map((x) => x.t));

      const a = seriesA[0]!;
      const eqa = a.labels.map((l) => new Matcher('=', l.name, l.value));
      const absentA = ['job', 'val', 'instance', 'zone'].filter((n) => getLabel(a.labels, n) === '').map((n) => new Matcher('=', n, ''));
      const ga = drainSet(await store.select('main', T0, T0 + 3 * H2, [...eqa, ...absentA]));
      expect(ga).toHaveLength(1);
      expect(ga[0]!.samples.length).toBe(a.samples.length * 2);
      const ts = ga[0]!.samples.map((x) => x.t);
      expect(ts).toEqual([...ts].sort((x, y) => x - y));
    });

    it('answers seriesOnly, series(), label names and values without reading chunks', async () => {
      const store = newStore();
      await store.blocks('main');
      for (const spec of MATCHERS) {
        const want = bruteForce(all, m(spec), T0 + 3600_000, T0 + H2 + 1800_000).map((s) => s.labels);
        const calls = store.stats.chunkGetRangeCalls;
        const set = await store.select('main', T0 + 3600_000, T0 + H2 + 1800_000, m(spec), { seriesOnly: true });
        const got: unknown[] = [];
        while (set.next()) got.push(set.at().labels);
        expect(got).toEqual(want);
        expect(await store.series('main', T0 + 3600_000, T0 + H2 + 1800_000, m(spec))).toEqual(want);
        expect(store.stats.chunkGetRangeCalls).toBe(calls);
      }
      const everything = bruteForce(all, m([['__name__', '=~', '.+']]), T0, T0 + 3 * H2);
      const names = [...new Set(everything.flatMap((s) => s.labels.map((l) => l.name)))].sort();
      expect(await store.labelNames('main', T0, T0 + 3 * H2, [])).toEqual(names);
      const jobs = [...new Set(everything.map((s) => getLabel(s.labels, 'job')).filter((v) => v !== ''))].sort();
      expect(await store.labelValues('main', 'job', T0, T0 + 3 * H2, [])).toEqual(jobs);
      // With matchers: only the matching series' labels; with a range: only overlapping blocks.
      const up = bruteForce(all, m([['__name__', '=', 'up']]), T0, T0 + 3 * H2);
      const upJobs = [...new Set(up.map((s) => getLabel(s.labels, 'job')).filter((v) => v !== ''))].sort();
      expect(await store.labelValues('main', 'job', T0, T0 + 3 * H2, m([['__name__', '=', 'up']]))).toEqual(upJobs);
      const upNames = [...new Set(up.flatMap((s) => s.labels.map((l) => l.name)))].sort();
      expect(await store.labelNames('main', T0, T0 + 3 * H2, m([['__name__', '=', 'up']]))).toEqual(upNames);
      const rNames = new Set(seriesR.map((s) => getLabel(s.labels, '__name__')));
      expect(await store.labelValues('main', '__name__', T0 + 2 * H2, T0 + 3 * H2, [])).toEqual([...rNames].sort());
      expect(await store.labelNames('main', T0 - H2, T0 - 1, [])).toEqual([]);
    });

    it('serves the Querier seam through storeQueryable', async () => {
      const store = newStore();
      const q = m(MATCHERS[1]!);
      const querier = storeQueryable(store, 'main').querier(T0, T0 + 3 * H2);
      expect(drainSet(await querier.select(true, { start: T0 + 3600_000, end: T0 + 4 * H2 }, q))).toEqual(bruteForce(all, q, T0 + 3600_000, T0 + 3 * H2));
      const limited = drainSet(await querier.select(true, { start: T0, end: T0 + 3 * H2, limit: 2 }, q));
      expect(limited).toEqual(bruteForce(all, q, T0, T0 + 3 * H2).slice(0, 2));
      expect(await querier.labelValues('job', q)).toEqual(await store.labelValues('main', 'job', T0, T0 + 3 * H2, q));
      expect(await querier.labelNames([])).toEqual(await store.labelNames('main', T0, T0 + 3 * H2, []));
    });

    it('caches indexes: a second query downloads nothing', async () => {
      const store = newStore();
      await store.select('main', T0, T0 + 3 * H2, m([['__name__', '=', 'up']]));
      expect(store.stats.indexCacheMisses).toBe(4);
      const bytes = store.stats.indexBytesDownloaded;
      expect(bytes).toBe(A.indexSize + B.indexSize + R1.indexSize + R2.indexSize);
      await store.select('main', T0, T0 + 3 * H2, m([['__name__', '=', 'temp']]));
      expect(store.stats.indexCacheMisses).toBe(4);
      expect(store.stats.indexBytesDownloaded).toBe(bytes);
      expect(store.stats.indexCacheHits).toBeGreaterThanOrEqual(4);
      expect(store.cacheBytes()).toBe(bytes);
      // A store restarted on the same directory adopts the files instead of downloading again.
      await store.stop();
      const again = newStore({ cacheDir: join(tmp, `cache-${name}-${n - 1}`) });
      await again.start();
      expect(again.cacheBytes()).toBe(bytes);
      await again.select('main', T0, T0 + 3 * H2, m([['__name__', '=', 'up']]));
      expect(again.stats.indexCacheMisses).toBe(0);
      expect(again.stats.indexCacheHits).toBe(4);
    });

    it('refreshes a block list at most every syncIntervalMs, and shares downloads between concurrent queries', async () => {
      let clock = Date.now();
      const store = newStore({ syncIntervalMs: 60_000, now: () => clock });
      const q = m([['__name__', '=~', '.+']]);
      const before = bucket.gets.filter((k) => k.endsWith('/index')).length;
      const sets = await Promise.all([1, 2, 3].map(() => store.select('main', T0, T0 + 3 * H2, q)));
      expect(store.stats.syncs).toBe(1);
      expect(store.stats.indexCacheMisses).toBe(4);
      expect(bucket.gets.filter((k) => k.endsWith('/index')).length - before).toBe(4);
      const want = bruteForce(all, q, T0, T0 + 3 * H2);
      for (const set of sets) expect(drainSet(set)).toEqual(want);
      clock += 59_000;
      await store.blocks('main');
      expect(store.stats.syncs).toBe(1);
      clock += 1_000;
      await store.blocks('main');
      expect(store.stats.syncs).toBe(2);
    });

    it('coalesces chunk reads into far fewer ranged GETs than chunks', async () => {
      const store = newStore();
      await store.blocks('main');
      const set = await store.select('main', T0, T0 + H2 - 1, m([['__name__', '=~', '.+']]));
      drainSet(set);
      const chunks = store.stats.chunksFetched;
      const numChunks = seriesA.reduce((k, s) => k + Math.ceil(s.samples.length / 120), 0);
      expect(chunks).toBe(numChunks);
      expect(store.stats.chunkGetRangeCalls).toBeGreaterThan(0);
      expect(store.stats.chunkGetRangeCalls * 10).toBeLessThan(chunks);
      // Without coalescing: one read per chunk (at least).
      const single = newStore({ chunkRead: { gap: 0, maxRead: 1 } });
      await single.blocks('main');
      const before = bucket.calls.getRange;
      drainSet(await single.select('main', T0, T0 + H2 - 1, m([['__name__', '=~', '.+']])));
      expect(bucket.calls.getRange - before).toBeGreaterThanOrEqual(numChunks);
      expect(single.stats.chunkGetRangeCalls).toBe(bucket.calls.getRange - before);
      // A guess too small for every run's last record (even for its length field): completed by more reads.
      const tiny = newStore({ chunkRead: { lastChunkGuess: 1 } });
      const q = m([['__name__', '=~', 'up|temp']]);
      expect(drainSet(await tiny.select('main', T0, T0 + 3 * H2, q))).toEqual(bruteForce(all, q, T0, T0 + 3 * H2));
    });

    it('rejects chunks beyond the end of a truncated segment with an error naming the block', async () => {
      const blk = extra[0]!;
      await uploadBlock(bucket, 'truncated', blk.dir, blk.ulid);
      const key = `truncated/${blk.ulid}/chunks/000001`;
      const seg = await bucket.get(key);
      await bucket.upload(key, seg.subarray(0, seg.length - 3));
      const store = newStore();
      await expect(drainAll(store.select('truncated', T0, T0 + H2, m([['__name__', '=~', '.+']])))).rejects.toThrow(
        new RegExp(`block truncated/${blk.ulid}: chunk ref \\d+ .*segment ends before`),
      );
    });

    it('evicts indexes to stay under a tiny cache bound and still answers correctly', async () => {
      const bound = Math.max(A.indexSize, B.indexSize, R1.indexSize) + 100;
      const store = newStore({ maxCacheBytes: bound });
      const dir = join(tmp, `cache-${name}-${n}`);
      for (const spec of MATCHERS.slice(0, 3)) {
        const got = drainSet(await store.select('main', T0, T0 + 3 * H2, m(spec)));
        expect(got).toEqual(bruteForce(all, m(spec), T0, T0 + 3 * H2));
        expect(dirBytes(dir)).toBeLessThanOrEqual(bound);
        expect(store.cacheBytes()).toBeLessThanOrEqual(bound);
      }
      expect(store.stats.indexEvictions).toBeGreaterThan(0);
      expect(dirBytes(dir)).toBeGreaterThan(0);
      // Smaller than any index: served from memory, nothing kept.
      const none = newStore({ maxCacheBytes: 10 });
      expect(drainSet(await none.select('main', T0, T0 + 3 * H2, m(MATCHERS[0]!)))).toEqual(bruteForce(all, m(MATCHERS[0]!), T0, T0 + 3 * H2));
      expect(none.cacheBytes()).toBe(0);
    });

    it('sees a block added later after a sync (listing, no bucket index)', async () => {
      const store = newStore();
      await uploadBlock(bucket, 'late', extra[0]!.dir, extra[0]!.ulid);
      expect((await store.blocks('late')).map((b) => b.ulid)).toEqual([extra[0]!.ulid]);
      await uploadBlock(bucket, 'late', extra[1]!.dir, extra[1]!.ulid);
      await uploadBlock(bucket, 'late', extra[2]!.dir, extra[2]!.ulid, false); // partial
      const q = m([['__name__', '=~', '.+']]);
      expect(drainSet(await store.select('late', T0, T0 + 2 * H2, q))).toEqual(bruteForce([extra[0]!.series], q, T0, T0 + 2 * H2));
      await store.sync('late');
      expect((await store.blocks('late')).map((b) => b.ulid)).toEqual([extra[0]!.ulid, extra[1]!.ulid]);
      expect(drainSet(await store.select('late', T0, T0 + 2 * H2, q))).toEqual(bruteForce([extra[0]!.series, extra[1]!.series], q, T0, T0 + 2 * H2));
      expect(store.stats.listingFallbacks).toBe(2);
      expect(store.stats.bucketIndexLoads).toBe(0);
    });

    it('serves blocks added to the bucket index by the next query, long before syncIntervalMs', async () => {
      let clock = Date.now();
      const store = newStore({ syncIntervalMs: 3600_000, now: () => clock });
      const ulids = (bs: readonly { ulid: string }[]) => bs.map((b) => b.ulid);
      await uploadBlock(bucket, 'fresh', extra[0]!.dir, extra[0]!.ulid);
      await updateBucketIndex(bucket, 'fresh');
      expect(ulids(await store.blocks('fresh'))).toEqual([extra[0]!.ulid]);
      await uploadBlock(bucket, 'fresh', extra[1]!.dir, extra[1]!.ulid);
      await updateBucketIndex(bucket, 'fresh');
      clock += 1000;
      expect(ulids(await store.blocks('fresh'))).toEqual([extra[0]!.ulid, extra[1]!.ulid]);
      expect(store.stats.syncs).toBe(2);
      // An unchanged index costs no sync; it is looked at no more than once a second.
      clock += 500;
      await store.blocks('fresh');
      clock += 1000;
      await store.blocks('fresh');
      expect(store.stats.syncs).toBe(2);
    });

    it('follows the bucket index: new blocks after updateBucketIndex, deletion marks hide blocks', async () => {
      const store = newStore();
      await uploadBlock(bucket, 'indexed', extra[0]!.dir, extra[0]!.ulid);
      await updateBucketIndex(bucket, 'indexed');
      expect((await store.blocks('indexed')).map((b) => b.ulid)).toEqual([extra[0]!.ulid]);
      await uploadBlock(bucket, 'indexed', extra[1]!.dir, extra[1]!.ulid);
      await store.sync('indexed');
      expect((await store.blocks('indexed')).map((b) => b.ulid)).toEqual([extra[0]!.ulid]); // the index is fresh and does not list it yet
      await updateBucketIndex(bucket, 'indexed');
      await store.sync('indexed');
      expect((await store.blocks('indexed')).map((b) => b.ulid)).toEqual([extra[0]!.ulid, extra[1]!.ulid]);
      expect(store.stats.bucketIndexLoads).toBe(3);
      expect(store.stats.listingFallbacks).toBe(0);

      const q = m([['__name__', '=~', '.+']]);
      await store.select('indexed', T0, T0 + 2 * H2, q);
      const mark = `{"id":"${extra[0]!.ulid}","version":1,"details":"test","deletion_time":${Math.floor(Date.now() / 1000)}}`;
      await bucket.upload(`indexed/${extra[0]!.ulid}/deletion-mark.json`, Buffer.from(mark));
      await bucket.upload(`indexed/markers/${extra[0]!.ulid}-deletion-mark.json`, Buffer.from(mark));
      await updateBucketIndex(bucket, 'indexed');
      await store.sync('indexed');
      expect((await store.blocks('indexed')).map((b) => b.ulid)).toEqual([extra[1]!.ulid]);
      expect(drainSet(await store.select('indexed', T0, T0 + 2 * H2, q))).toEqual(bruteForce([extra[1]!.series], q, T0, T0 + 2 * H2));
      expect(readdirSync(join(tmp, `cache-${name}-${n}`, 'indexed'))).toEqual([extra[1]!.ulid]);

      // A stale index is not trusted: the store lists the bucket (and still honours the mark).
      const later = newStore({ now: () => Date.now() + 7200_000 });
      const gets = bucket.gets.length;
      expect((await later.blocks('indexed')).map((b) => b.ulid)).toEqual([extra[1]!.ulid]);
      expect(later.stats.listingFallbacks).toBe(1);
      // The stale index still spares reading the metas it lists.
      expect(bucket.gets.slice(gets)).toEqual(['indexed/bucket-index.json.gz']);
    });

    it('discovers tenants from the bucket root on start and syncs them', async () => {
      const store = newStore();
      await store.start();
      // s3rver misses directories holding only directories at the root; "indexed" has a file.
      expect(await store.tenants()).toContain('indexed');
      expect(store.stats.syncs).toBeGreaterThanOrEqual(1);
      await store.stop();
      await expect(store.blocks('indexed')).rejects.toThrow(/stopped/);
    });

    it('rejects a select over a corrupted chunk with an error naming the block', async () => {
      const blk = extra[2]!;
      await uploadBlock(bucket, 'corrupt', blk.dir, blk.ulid);
      const ix = new IndexReader(readFileSync(join(blk.dir, 'index')));
      const target = ix.series(ix.allPostings()[5]!);
      const ref = target.chunks[0]!.ref;
      expect(Math.floor(ref / 2 ** 32)).toBe(0);
      const key = `corrupt/${blk.ulid}/chunks/000001`;
      const seg = Buffer.from(await bucket.get(key));
      let lenBytes = 1;
      while (seg[ref + lenBytes - 1]! >= 0x80) lenBytes++;
      seg[ref + lenBytes + 3] = seg[ref + lenBytes + 3]! ^ 0x40; // a data byte of that chunk
      await bucket.upload(key, seg);
      const store = newStore();
      const eq = target.labels.map((l) => new Matcher('=', l.name, l.value));
      await expect(store.select('corrupt', T0, T0 + H2, eq)).rejects.toThrow(new RegExp(`block corrupt/${blk.ulid}: chunk ref ${ref} .*checksum mismatch`));
      // Labels alone do not need chunks.
      expect(await store.series('corrupt', T0, T0 + H2, eq)).toEqual([target.labels]);
    });

    it('rejects a corrupted index with an error naming the block', async () => {
      const blk = extra[1]!;
      await uploadBlock(bucket, 'badindex', blk.dir, blk.ulid);
      const idx = Buffer.from(await bucket.get(`badindex/${blk.ulid}/index`));
      idx[idx.length - 10] = idx[idx.length - 10]! ^ 0xff; // inside the TOC
      await bucket.upload(`badindex/${blk.ulid}/index`, idx);
      const store = newStore();
      await expect(store.select('badindex', T0, T0 + 2 * H2, m([['__name__', '=~', '.+']]))).rejects.toThrow(new RegExp(`block badindex/${blk.ulid}: index: .*checksum`));
    });
  });
}

async function drainAll(p: Promise<SeriesSet>): Promise<void> {
  drainSet(await p);
}

function dirBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += statSync(p).size;
    }
  };
  try {
    walk(dir);
  } catch {
    return 0;
  }
  return total;
}

let fsSeq = 0;
storeSuite('filesystem', async () => new FilesystemBucket(join(tmp, `bucket-${++fsSeq}`)));

let server: S3rverProc | undefined;
beforeAll(async () => {
  server = await startS3rver([]);
});
afterAll(async () => server?.stop());
storeSuite('s3 (s3rver)', async () => {
  const endpoint = server!.endpoint;
  const name = `vigil-store-${process.pid}`;
  const admin = new S3Client({ endpoint: `http://${endpoint}`, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  try {
    await admin.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    admin.destroy();
  }
  return new S3Bucket({ bucketName: name, endpoint, insecure: true, region: 'us-east-1', bucketLookupType: 'path', ...S3RVER_CREDENTIALS });
});
