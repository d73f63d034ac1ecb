import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FilesystemBucket } from '../objstore/filesystem.js';
import { WriteBatch } from '../proto/write-batch.js';
import { decodeWriteRequestV1 } from '../proto/write-decoder.js';
import { encodeWriteRequestV1 } from '../proto/write-encoder.js';
import { readBlockSamples } from '../tsdb/block/reader.js';
import { readMetaFile } from '../tsdb/block/meta.js';
import { labelsToRecord } from '../tsdb/labels.js';
import { Matcher } from '../tsdb/matchers.js';
import { type Limits, StaticOverrides, limitsBlock } from '../util/limits.js';
import { buildBlock } from '../util/options.js';
import { Ingester, type IngesterTsdbOptions } from './ingester.js';
import { type TestSeries, batchOf } from './testing.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-ing-'));
  dirs.push(d);
  return d;
}

const limits: Limits = buildBlock('limits', limitsBlock, {});
const RANGE = 10_000;

function tsdbOpts(dir: string, over: Partial<IngesterTsdbOptions> = {}): IngesterTsdbOptions {
  return {
    dir: join(dir, 'tsdb'),
    blockRangeMs: RANGE,
    retentionMs: 3600_000,
    headCompactionIntervalMs: 0,
    shipIntervalMs: 0,
    shipConcurrency: 2,
    flushOnShutdown: false,
    wal: { fsync: 'never', fsyncIntervalMs: 1000, segmentSize: 128 << 10, compress: false },
    ...over,
  };
}

function ingester(dir: string, over: Partial<IngesterTsdbOptions> = {}): Ingester {
  return new Ingester({
    overrides: new StaticOverrides(limits),
    registry: new Registry(),
    id: 'ing-1',
    tsdb: tsdbOpts(dir, over),
    bucket: new FilesystemBucket(join(dir, 'bucket')),
  });
}

async function push(ing: Ingester, series: TestSeries[], tenant = 't'): Promise<void> {
  const { batch, all } = batchOf(series);
  const r = await ing.push(tenant, { batch, series: all, seriesCount: all.length, metadata: [{ type: 1, metricFamilyName: 'up', help: 'Up.', unit: '' }] });
  expect(r.firstError).toBeNull();
}

async function dump(ing: Ingester, tenant = 't'): Promise<Record<string, [number, number][]>> {
  const set = await ing.select(tenant, -Infinity, Infinity, [new Matcher('=~', '__name__', '.+')]);
  const out: Record<string, [number, number][]> = {};
  while (set.next()) {
    const it = set.at().iterator();
    const xs: [number, number][] = [];
    while (it.next()) xs.push([it.atT(), it.atV()]);
    out[JSON.stringify(labelsToRecord(set.at().labels))] = xs;
  }
  return out;
}

/** n series with samples every second over [from, to). */
function load(n: number, from: number, to: number): TestSeries[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: { __name__: 'up', instance: `host-${i}`, job: 'node' },
    samples: Array.from({ length: (to - from) / 1000 }, (_, k): [number, number] => [from + k * 1000, i * 1000 + k]),
  }));
}

describe('ingester with a TSDB directory', () => {
  it('replays the WAL after a stop without flush: every acknowledged sample and the metadata come back', async () => {
    const dir = tempDir();
    const a = ingester(dir);
    await a.start();
    await push(a, load(20, 1000, 6000));
    await push(a, load(25, 6000, 8000));
    const before = await dump(a);
    await a.stop();
    const b = ingester(dir);
    await b.start();
    expect(await dump(b)).toEqual(before);
    expect(Object.keys(before)).toHaveLength(25);
    expect(await b.metadata('t', 'up')).toEqual([{ type: 1, metricFamilyName: 'up', help: 'Up.', unit: '' }]);
    // Pushes continue where they left off: the restored series are found, not recreated.
    await push(b, load(25, 8000, 9000));
    expect((await dump(b))['{"__name__":"up","instance":"host-0","job":"node"}']).toHaveLength(8);
    await b.stop();
  });

  it('cuts a block once the head spans 1.5 ranges, keeps the last range in the head, and still answers queries over both', async () => {
    const dir = tempDir();
    const ing = ingester(dir);
    await ing.start();
    await push(ing, load(10, 1000, 16_000));
    expect(await ing.cutAll(false)).toEqual([]); // spans 14 s: not yet 1.5 × 10 s
    await push(ing, load(10, 16_000, 18_000)); // now 16 s > 15 s
    const before = await dump(ing);
    const cut = await ing.cutAll(false);
    expect(cut).toHaveLength(1);
    expect(cut[0]!.minTime).toBe(1000);
    expect(cut[0]!.maxTime).toBe(10_000);
    expect(cut[0]!.stats.numSamples).toBe(10 * 9);
    expect(cut[0]!.thanos?.labels).toEqual({ __org_id__: 't', __ingester_id__: 'ing-1' });
    expect(await dump(ing)).toEqual(before); // head + local block
    const blockDir = join(dir, 'tsdb', 't', cut[0]!.ulid);
    const inBlock = await readBlockSamples(blockDir);
    expect(inBlock).toHaveLength(10);
    for (const s of inBlock) for (const x of s.samples) expect(x.t).toBeLessThan(10_000);
    await ing.stop();
    // After a restart the block is opened again and the WAL holds only the rest.
    const again = ingester(dir);
    await again.start();
    expect(await dump(again)).toEqual(before);
    await again.stop();
  });

  it('checkpoints and truncates the WAL after a cut so it does not grow without bound', async () => {
    const dir = tempDir();
    const ing = ingester(dir);
    await ing.start();
    const walDir = join(dir, 'tsdb', 't', 'wal');
    for (let round = 0; round < 6; round++) {
      await push(ing, load(50, round * 10_000, (round + 1) * 10_000));
      await ing.cutAll(false);
    }
    const files = readdirSync(walDir);
    expect(files.filter((f) => f.startsWith('checkpoint.'))).toHaveLength(1);
    expect(files.filter((f) => /^\d{8}$/.test(f)).length).toBeLessThanOrEqual(2);
    const before = await dump(ing);
    await ing.stop();
    const again = ingester(dir);
    await again.start();
    expect(await dump(again)).toEqual(before);
    await again.stop();
  });

  it('flush cuts everything and ships it: chunks, index, meta.json with the Thanos section; the shipper file remembers', async () => {
    const dir = tempDir();
    const ing = ingester(dir, { retentionMs: 0 });
    await ing.start();
    await push(ing, load(5, 1000, 25_000));
    const cut = await ing.flush();
    expect(cut.map((m) => [m.minTime, m.maxTime])).toEqual([[1000, 10_000], [10_000, 20_000], [20_000, 30_000]]);
    const bucketDir = join(dir, 'bucket', 't');
    for (const m of cut) {
      const b = join(bucketDir, m.ulid);
      expect(existsSync(join(b, 'index'))).toBe(true);
      expect(existsSync(join(b, 'chunks', '000001'))).toBe(true);
      const meta = await readMetaFile(b);
      expect(meta.thanos?.source).toBe('receive');
      expect(meta.thanos?.files?.map((f) => f.rel_path)).toEqual(['chunks/000001', 'index', 'meta.json']);
      expect(meta.thanos?.labels.__ingester_id__).toBe('ing-1');
    }
    const shipped = JSON.parse(readFileSync(join(dir, 'tsdb', 't', 'thanos.shipper.json'), 'utf8')) as { uploaded: string[] };
    expect(shipped.uploaded.sort()).toEqual(cut.map((m) => m.ulid).sort());
    // retention 0: shipped blocks are gone from local disk.
    expect(readdirSync(join(dir, 'tsdb', 't')).filter((f) => /^[0-9A-Z]{26}$/.test(f))).toEqual([]);
    let total = 0;
    for (const m of cut) for (const s of await readBlockSamples(join(bucketDir, m.ulid))) total += s.samples.length;
    expect(total).toBe(5 * 24);
    // Samples in the flushed range are refused now.
    const { batch, all } = batchOf([{ labels: { __name__: 'up', instance: 'host-0', job: 'node' }, samples: [[29_000, 1]] }]);
    const r = await ing.push('t', { batch, series: all, seriesCount: 1, metadata: [] });
    expect(r.firstError?.reason).toBe('sample-out-of-bounds');
    await ing.stop();
  });

  describe('a damaged WAL', () => {
    /** Pushes 4 rounds; returns the dir and the segment's size after each round. */
    async function fourPushes(): Promise<{ dir: string; segment: string; sizes: number[] }> {
      const dir = tempDir();
      const ing = ingester(dir);
      await ing.start();
      const walDir = join(dir, 'tsdb', 't', 'wal');
      const sizes: number[] = [];
      let segment = '';
      for (let round = 0; round < 4; round++) {
        await push(ing, load(30, 1000 + round * 1000, 2000 + round * 1000));
        segment = join(walDir, readdirSync(walDir).filter((f) => /^\d{8}$/.test(f)).sort().at(-1)!);
        sizes.push(statSync(segment).size);
      }
      // A crash: the WAL is not closed (closing would pad the last page).
      return { dir, segment, sizes };
    }

    async function restart(dir: string): Promise<{ ing: Ingester; samples: number; corruptions: number }> {
      const registry = new Registry();
      const ing = new Ingester({ overrides: new StaticOverrides(limits), registry, id: 'ing-1', tsdb: tsdbOpts(dir) });
      await ing.start();
      let samples = 0;
      for (const xs of Object.values(await dump(ing))) samples += xs.length;
      const corruptions = (await registry.getSingleMetric('vigil_ingester_wal_corruptions_total')!.get()).values[0]?.value ?? 0;
      return { ing, samples, corruptions };
    }

    it('with a torn last record keeps every earlier push and reports the loss', async () => {
      const { dir, segment, sizes } = await fourPushes();
      truncateSync(segment, Math.floor((sizes[2]! + sizes[3]!) / 2));
      const { ing, samples, corruptions } = await restart(dir);
      expect(samples).toBe(3 * 30);
      expect(corruptions).toBe(1);
      // The repaired WAL takes new pushes and replays them too.
      await push(ing, load(30, 5000, 6000));
      await ing.stop();
      const again = await restart(dir);
      expect(again.samples).toBe(4 * 30);
      expect(again.corruptions).toBe(0);
      await again.ing.stop();
    });

    it('with a corrupt record keeps the records before it', async () => {
      const { dir, segment, sizes } = await fourPushes();
      const bytes = readFileSync(segment);
      const at = Math.floor((sizes[1]! + sizes[2]!) / 2); // inside the third push's records
      bytes[at] = bytes[at]! ^ 0xff;
      writeFileSync(segment, bytes);
      const { ing, samples, corruptions } = await restart(dir);
      expect(samples).toBe(2 * 30);
      expect(corruptions).toBe(1);
      await ing.stop();
    });
  });
});

describe('ingester exemplars on disk', () => {
  const exLimits: Limits = buildBlock('limits', limitsBlock, { max_exemplars: 10 });
  const upMatch = [[new Matcher('=', '__name__', 'up')]];

  function exIngester(dir: string): Ingester {
    return new Ingester({ overrides: new StaticOverrides(exLimits), registry: new Registry(), id: 'ing-1', tsdb: tsdbOpts(dir), bucket: new FilesystemBucket(join(dir, 'bucket')) });
  }

  async function pushExemplars(ing: Ingester, xs: [instance: string, t: number, trace: string][]): Promise<void> {
    const batch = new WriteBatch();
    decodeWriteRequestV1(
      encodeWriteRequestV1({
        timeseries: xs.map(([instance, t, trace]) => ({
          labels: [{ name: '__name__', value: 'up' }, { name: 'instance', value: instance }, { name: 'job', value: 'node' }],
          samples: [],
          exemplars: [{ labels: [{ name: 'trace_id', value: trace }], value: t / 1000, timestamp: t }],
        })),
      }),
      batch,
    );
    const all = Uint32Array.from(xs.map((_, i) => i));
    const r = await ing.push('t', { batch, series: all, seriesCount: all.length, metadata: [] });
    expect(r.exemplarsAppended).toBe(xs.length);
  }

  const traces = async (ing: Ingester): Promise<string[]> =>
    (await ing.exemplars('t', -Infinity, Infinity, upMatch)).flatMap((s) => s.exemplars.map((e) => `${labelsToRecord(s.seriesLabels).instance}@${e.t}=${e.labels[0]!.value}`));

  it('replays exemplars from the WAL, and keeps those at or after the cut in the checkpoint', async () => {
    const dir = tempDir();
    const a = exIngester(dir);
    await a.start();
    await push(a, load(2, 1000, 6000));
    await pushExemplars(a, [['host-0', 2000, 'a'], ['host-1', 3000, 'b']]);
    await pushExemplars(a, [['host-0', 5000, 'c']]);
    expect(await traces(a)).toEqual(['host-0@2000=a', 'host-0@5000=c', 'host-1@3000=b']);
    await a.stop();

    const b = exIngester(dir);
    await b.start();
    expect(await traces(b)).toEqual(['host-0@2000=a', 'host-0@5000=c', 'host-1@3000=b']);
    await push(b, load(2, 6000, 18_000));
    await pushExemplars(b, [['host-0', 12_000, 'd']]);
    expect(await b.cutAll(false)).toHaveLength(1); // [1 s, 10 s) becomes a block; the WAL is checkpointed at 10 s
    expect(await traces(b)).toEqual(['host-0@2000=a', 'host-0@5000=c', 'host-0@12000=d', 'host-1@3000=b']);
    await b.stop();

    const c = exIngester(dir);
    await c.start();
    expect(await traces(c)).toEqual(['host-0@12000=d']);
    await c.stop();
  });
});
