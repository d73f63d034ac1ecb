import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareLabels, getLabel, type Labels } from '../labels.js';
import { Matcher, type MatchType } from '../matchers.js';
import type { SampleIterator } from '../storage.js';
import { readMetaFile } from './meta.js';
import { iterateBlockSeries, openBlock, readBlockSamples, type Block } from './reader.js';
import { randomSeries, toInput, type Sample, type TestSeries } from './testutil.js';
import { encodeTombstones } from './tombstones.js';
import { writeBlock, writeThanosMeta } from './writer.js';

const T0 = 1_700_000_000_000;
const SPAN = 2 * 3600_000;
const tmp = mkdtempSync(join(tmpdir(), 'vigil-block-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const series: TestSeries[] = randomSeries(42, 400, T0, SPAN);
let dir = '';
let block: Block;

beforeAll(async () => {
  // Small segments: the block spans several chunk files.
  const meta = await writeBlock(tmp, { series: toInput(series), minTime: T0, maxTime: T0 + SPAN, segmentSize: 64 * 1024 });
  dir = join(tmp, meta.ulid);
  block = await openBlock(dir);
});
afterAll(async () => block?.close());

type WithBits = SampleIterator & { atHi(): number; atLo(): number };
function drain(it: SampleIterator): Sample[] {
  const out: Sample[] = [];
  const b = it as WithBits;
  while (it.next()) out.push({ t: it.atT(), hi: b.atHi(), lo: b.atLo() });
  expect(it.err()).toBeNull();
  return out;
}

function brute(ms: readonly Matcher[], mint: number, maxt: number): TestSeries[] {
  return series
    .filter((s) => ms.every((m) => m.matches(getLabel(s.labels, m.name))))
    .map((s) => ({ labels: s.labels, samples: s.samples.filter((x) => x.t >= mint && x.t <= maxt) }))
    .filter((s) => s.samples.length > 0);
}

describe('block writer and reader', () => {
  it('writes several segments, stats and a readable meta', async () => {
    expect(readdirSync(join(dir, 'chunks')).length).toBeGreaterThan(2);
    expect(readdirSync(tmp).some((n) => n.endsWith('.tmp-for-creation'))).toBe(false);
    const meta = await readMetaFile(dir);
    expect(meta.stats.numSeries).toBe(series.length);
    expect(meta.stats.numSamples).toBe(series.reduce((n, s) => n + s.samples.length, 0));
    expect(meta.stats.numChunks).toBe(series.reduce((n, s) => n + Math.ceil(s.samples.length / 120), 0));
    expect(meta.compaction).toEqual({ level: 1, sources: [meta.ulid] });
  });

  it('reads back every series and every sample bit for bit (NaN, ±Inf, -0, stale marker)', async () => {
    const got = await readBlockSamples(dir);
    expect(got.length).toBe(series.length);
    expect(got).toEqual(series.map((s) => ({ labels: s.labels, samples: s.samples })));
    const bits = new Set(got.flatMap((s) => s.samples.map((x) => `${x.hi.toString(16)}:${x.lo.toString(16)}`)));
    for (const special of ['7ff00000:2', '7ff80000:1', '7ff00000:0', 'fff00000:0', '80000000:0']) expect(bits.has(special)).toBe(true);
  });

  it('streams the series one at a time and closes the block when the loop stops early', async () => {
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    const seen: TestSeries['labels'][] = [];
    for await (const s of iterateBlockSeries(dir)) {
      let n = 0;
      while (s.samples.next()) n++;
      expect(n).toBe(series[seen.length]!.samples.length);
      seen.push(s.labels);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(series.slice(0, 3).map((s) => s.labels));
    expect(fds()).toBe(before);
  });

  it('orders unicode label values byte-wise (é < \\uE000 < 😀)', () => {
    const values = block.index.labelValues('val');
    expect(values).toContain('😀');
    const enc = values.map((v) => Buffer.from(v));
    for (let i = 1; i < enc.length; i++) expect(Buffer.compare(enc[i - 1]!, enc[i]!)).toBe(-1);
    expect(values.indexOf('é')).toBeLessThan(values.indexOf('\uE000'));
    expect(values.indexOf('\uE000')).toBeLessThan(values.indexOf('😀'));
  });

  const cases: [string, MatchType, string][][] = [
    [['__name__', '=', 'up']],
    [['__name__', '=', 'up'], ['job', '!=', 'api']],
    [['__name__', '=~', 'up|temp'], ['val', '=~', '.*😀.*']],
    [['val', '!~', 'é|\uE000|a']],
    [['val', '=', '']],
    [['val', '!=', '']],
    [['zone', '=~', '|a|b']],
    [['zone', '!~', '.+'], ['job', '=', 'db']],
    [['job', '=', 'db'], ['job', '!=', 'api']],
    [['instance', '=~', 'host-1.*'], ['instance', '!=', 'host-10']],
    [['nope', '=', '']],
    [['nope', '=', 'x']],
    [['__name__', '=~', '.+']],
    [['__name__', '!=', 'up'], ['val', '!~', '(?:)']],
  ];
  it.each(cases.map((c) => [c.map(([n, t, v]) => `${n}${t}${JSON.stringify(v)}`).join(','), c] as const))(
    'select %s equals a brute-force filter',
    async (_name, spec) => {
      const ms = spec.map(([n, t, v]) => new Matcher(t, n, v));
      for (const [mint, maxt] of [
        [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
        [T0 + 1800_000, T0 + 2400_000],
      ] as const) {
        const want = brute(ms, mint, maxt);
        const set = await block.querier(mint, maxt).select(true, null, ms);
        const got: TestSeries[] = [];
        while (set.next()) got.push({ labels: set.at().labels, samples: drain(set.at().iterator()) });
        expect(set.err()).toBeNull();
        expect(got.map((s) => s.labels)).toEqual(want.map((s) => s.labels));
        expect(got).toEqual(want);
      }
    },
  );

  it('hints narrow the range; seriesOnly reads no chunks; limit caps the series', async () => {
    const ms = [new Matcher('=~', '__name__', '.+')];
    const q = block.querier(T0, T0 + SPAN);
    const narrow = await q.select(true, { start: T0 + 600_000, end: T0 + 700_000 }, ms);
    const want = brute(ms, T0 + 600_000, T0 + 700_000);
    let n = 0;
    while (narrow.next()) {
      expect(drain(narrow.at().iterator())).toEqual(want[n]!.samples);
      n++;
    }
    expect(n).toBe(want.length);
    const only = await q.select(true, { start: T0, end: T0 + SPAN, seriesOnly: true }, ms);
    let k = 0;
    while (only.next()) {
      expect(only.at().iterator().next()).toBe(false);
      k++;
    }
    expect(k).toBe(series.length);
    const lim = await q.select(true, { start: T0, end: T0 + SPAN, limit: 7 }, ms);
    let l = 0;
    while (lim.next()) l++;
    expect(l).toBe(7);
  });

  it('seek moves forward only, within the range', async () => {
    const s = series.find((x) => x.samples.length > 300)!;
    const ms = s.labels.map((l) => new Matcher('=', l.name, l.value));
    const set = await block.querier(T0, T0 + SPAN).select(true, null, ms);
    expect(set.next()).toBe(true);
    const it = set.at().iterator();
    const target = s.samples[250]!.t;
    expect(it.seek(target - 1)).toBe(true);
    expect(it.atT()).toBe(target);
    expect(it.seek(0)).toBe(true);
    expect(it.atT()).toBe(target);
    expect(it.seek(T0 + SPAN * 10)).toBe(false);
  });

  it('range bounds are inclusive at both ends', async () => {
    const s = series.find((x) => x.samples.length > 10)!;
    const ms = s.labels.map((l) => new Matcher('=', l.name, l.value));
    const a = s.samples[4]!;
    const b = s.samples[5]!;
    const one = await block.querier(a.t, a.t).select(true, null, ms);
    expect(one.next()).toBe(true);
    expect(drain(one.at().iterator())).toEqual([a]);
    const two = await block.querier(a.t, b.t).select(true, null, ms);
    expect(two.next()).toBe(true);
    expect(drain(two.at().iterator())).toEqual([a, b]);
    // A chunk overlaps the range, so (as in Prometheus) the series is there, without samples.
    const none = await block.querier(a.t + 1, b.t - 1).select(true, null, ms);
    expect(none.next()).toBe(true);
    expect(drain(none.at().iterator())).toEqual([]);
  });

  it('labelNames and labelValues, with and without matchers', async () => {
    const q = block.querier(T0, T0 + SPAN);
    const names = (ls: readonly Labels[]): string[] => [...new Set(ls.flatMap((l) => l.map((x) => x.name)))].sort();
    expect(await q.labelNames([])).toEqual(names(series.map((s) => s.labels)));
    const ms = [new Matcher('=', '__name__', 'temp')];
    const temp = series.filter((s) => getLabel(s.labels, '__name__') === 'temp');
    expect(await q.labelNames(ms)).toEqual(names(temp.map((s) => s.labels)));
    const vals = [...new Set(temp.map((s) => getLabel(s.labels, 'val')).filter((v) => v !== ''))].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(await q.labelValues('val', ms)).toEqual(vals);
    expect(await q.labelValues('job', [])).toEqual(['api', 'db', 'web']);
    expect(await q.labelValues('nope', [])).toEqual([]);
  });

  it('tombstones remove samples', async () => {
    const copy = join(tmp, 'tomb');
    const { cpSync } = await import('node:fs');
    cpSync(dir, copy, { recursive: true });
    const b = await openBlock(copy);
    const ids = b.index.allPostings();
    const id = ids[3]!;
    const labels = b.index.series(id).labels;
    await b.close();
    const s = series.find((x) => compareLabels(x.labels, labels) === 0)!;
    const cut = s.samples[Math.floor(s.samples.length / 2)]!.t;
    writeFileSync(join(copy, 'tombstones'), encodeTombstones(new Map([[id, [{ mint: cut, maxt: Number.MAX_SAFE_INTEGER }]]])));
    const got = (await readBlockSamples(copy)).find((x) => compareLabels(x.labels, labels) === 0)!;
    expect(got.samples).toEqual(s.samples.filter((x) => x.t < cut));
  });

  it('writeThanosMeta adds the Thanos section with the files to upload', async () => {
    const meta = await writeThanosMeta(dir, { labels: { __org_id__: 'tenant-a', __ingester_id__: 'ingester-1' }, downsample: { resolution: 0 }, source: 'receive' });
    const segs = readdirSync(join(dir, 'chunks')).sort();
    expect(meta.thanos?.segment_files).toEqual(segs);
    expect(meta.thanos?.files?.map((f) => f.rel_path)).toEqual([...segs.map((s) => `chunks/${s}`), 'index', 'meta.json']);
    expect(meta.thanos?.files?.at(-1)).toEqual({ rel_path: 'meta.json' });
    expect(meta.thanos?.files?.[0]?.size_bytes).toBe(readFileSync(join(dir, 'chunks', segs[0]!)).length);
    expect(await readMetaFile(dir)).toEqual(meta);
  });
});

describe('corruption', () => {
  it('a flipped symbol-table byte makes open fail with invalid checksum', async () => {
    const meta = await writeBlock(tmp, { series: toInput(series.slice(0, 20)), minTime: T0, maxTime: T0 + SPAN });
    const d = join(tmp, meta.ulid);
    const idx = readFileSync(join(d, 'index'));
    idx[20] = idx[20]! ^ 0xff;
    writeFileSync(join(d, 'index'), idx);
    await expect(openBlock(d)).rejects.toThrow(/read symbols: invalid checksum/);
  });

  it('a flipped chunk byte makes reading that series fail with a checksum error, others still read', async () => {
    const meta = await writeBlock(tmp, { series: toInput(series.slice(0, 20)), minTime: T0, maxTime: T0 + SPAN });
    const d = join(tmp, meta.ulid);
    const b = await openBlock(d);
    const victim = b.index.series(b.index.allPostings()[5]!);
    const other = b.index.series(b.index.allPostings()[6]!);
    await b.close();
    const seg = readFileSync(join(d, 'chunks', '000001'));
    const off = victim.chunks[0]!.ref + 4;
    seg[off] = seg[off]! ^ 0x01;
    writeFileSync(join(d, 'chunks', '000001'), seg);
    const b2 = await openBlock(d);
    const q = b2.querier(T0, T0 + SPAN);
    const eq = (ls: Labels): Matcher[] => ls.map((l) => new Matcher('=', l.name, l.value));
    await expect(q.select(true, null, eq(victim.labels))).rejects.toThrow(/checksum mismatch/);
    const ok = await q.select(true, null, eq(other.labels));
    expect(ok.next()).toBe(true);
    await b2.close();
  });

  it('meta.json with version 2 is refused; unknown keys are ignored', async () => {
    const meta = await writeBlock(tmp, { series: toInput(series.slice(0, 3)), minTime: T0, maxTime: T0 + SPAN });
    const d = join(tmp, meta.ulid);
    const text = readFileSync(join(d, 'meta.json'), 'utf8');
    writeFileSync(join(d, 'meta.json'), text.replace('"version": 1', '"version": 1, "extra": {"x": 1}'));
    expect(await readMetaFile(d)).toEqual(meta);
    writeFileSync(join(d, 'meta.json'), text.replace('"version": 1', '"version": 2'));
    await expect(openBlock(d)).rejects.toThrow(/unexpected meta file version 2/);
  });
});
