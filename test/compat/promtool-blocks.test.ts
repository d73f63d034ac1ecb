/**
 * Vigil's TSDB blocks against the real promtool and Prometheus 2.42 (Debian package
 * `prometheus`), both ways: blocks Vigil writes must list, analyse, dump and serve PromQL with
 * exactly the samples written; blocks promtool backfills must read back in Vigil sample for
 * sample, and Vigil's XOR encoder must reproduce promtool's chunk bytes.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XorChunk, XorIterator } from '../../tsdb/chunkenc/xor.js';
import { ChunkSegmentReader } from '../../tsdb/chunks/segments.js';
import { blockSize, openBlock, readBlockSamples } from '../../tsdb/block/reader.js';
import type { BlockMeta } from '../../tsdb/block/meta.js';
import { bitsOf, PROM_NAN, randomSeries, STALE, toInput, valueOf, type Sample, type TestSeries } from '../../tsdb/block/testutil.js';
import { writeBlock } from '../../tsdb/block/writer.js';
import { compareLabels, type Label, type Labels } from '../../tsdb/labels.js';
import { isULID } from '../../tsdb/ulid.js';
import { requireBinaries } from '../harness/process.js';
import { type BlocksServer, promtool, scratchCopy, startPrometheusOnBlocks } from '../harness/prometheus-blocks.js';

const enabled = requireBinaries('promtool', 'prometheus');

const H2 = 2 * 3600_000;
const T0 = 1_700_006_400_000; // a 2h boundary
const key = (ls: Labels): string => JSON.stringify(ls.map((l) => [l.name, l.value]));

/** Go's strconv.Unquote for the double-quoted strings labels.String prints. */
function goUnquote(s: string, at: number): { value: string; end: number } {
  if (s[at] !== '"') throw new Error(`expected a quote at ${at} in ${s}`);
  let out = '';
  let i = at + 1;
  for (;;) {
    const c = s[i];
    if (c === undefined) throw new Error(`unterminated string in ${s}`);
    if (c === '"') return { value: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = s[i + 1];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (e !== undefined && simple[e] !== undefined) {
      out += simple[e];
      i += 2;
    } else if (e === 'x') {
      out += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === 'u') {
      out += String.fromCodePoint(parseInt(s.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (e === 'U') {
      out += String.fromCodePoint(parseInt(s.slice(i + 2, i + 10), 16));
      i += 10;
    } else throw new Error(`unknown escape \\${e} in ${s}`);
  }
}

/** `{a="x", b="y"} <value> <ts>` as promtool tsdb dump prints it. */
function parseDumpLine(line: string): { labels: Label[]; value: number; t: number } {
  const labels: Label[] = [];
  let i = 1;
  if (line[i] !== '}') {
    for (;;) {
      const eq = line.indexOf('=', i);
      const name = line.slice(i, eq);
      const { value, end } = goUnquote(line, eq + 1);
      labels.push({ name, value });
      if (line[end] === '}') {
        i = end + 1;
        break;
      }
      if (line.slice(end, end + 2) !== ', ') throw new Error(`bad dump line ${line}`);
      i = end + 2;
    }
  } else i = 2;
  const [v, t] = line.slice(i + 1).split(' ');
  return { labels, value: parseGoFloat(v!), t: Number(t) };
}

function parseGoFloat(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`not a float: ${s}`);
  return v;
}

function sameValue(got: number, s: Sample): boolean {
  const want = valueOf(s.hi, s.lo);
  return Number.isNaN(want) ? Number.isNaN(got) : Object.is(got, want);
}

describe.skipIf(!enabled)('Vigil blocks read by promtool and Prometheus 2.42', () => {
  let root = '';
  let data = '';
  const blocks: { meta: BlockMeta; series: TestSeries[] }[] = [];
  /** All samples of each series over both blocks. */
  const all = new Map<string, { labels: Labels; samples: Sample[] }>();
  let prom: BlocksServer | null = null;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'vigil-compat-blocks-'));
    data = join(root, 'data');
    for (const [i, seed] of [7, 8].entries()) {
      const minTime = T0 + i * H2;
      const series = randomSeries(seed, 250, minTime, H2);
      // A series with several chunks and every special value.
      const special: Sample[] = [];
      for (let k = 0; k < 400; k++) {
        const hv = k === 10 ? STALE : k === 20 ? PROM_NAN : k === 30 ? bitsOf(Infinity) : k === 40 ? bitsOf(-Infinity) : k === 50 ? bitsOf(-0) : bitsOf(k * 1.5);
        special.push({ t: minTime + k * 15_000, hi: hv[0], lo: hv[1] });
      }
      series.push({ labels: [{ name: '__name__', value: 'vigil_special' }, { name: 'val', value: 'é😀\uE000' }], samples: special });
      const meta = await writeBlock(data, { series: toInput(series), minTime, maxTime: minTime + H2 });
      blocks.push({ meta, series });
      for (const s of series) {
        const k = key(s.labels);
        const e = all.get(k) ?? { labels: s.labels, samples: [] };
        e.samples.push(...s.samples);
        all.set(k, e);
      }
    }
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('promtool tsdb list shows both blocks with their stats and sizes', async () => {
    const r = await promtool(['tsdb', 'list', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows.length).toBe(2);
    for (const { meta } of blocks) {
      const row = rows.find((x) => x[0] === meta.ulid);
      expect(row).toEqual([
        meta.ulid,
        String(meta.minTime),
        String(meta.maxTime),
        '2h0m0s',
        String(meta.stats.numSamples),
        String(meta.stats.numChunks),
        String(meta.stats.numSeries),
        String(await blockSize(join(data, meta.ulid))),
      ]);
    }
  });

  it('promtool tsdb analyze --extended decodes every chunk and counts the series', async () => {
    for (const { meta } of blocks) {
      const r = await promtool(['tsdb', 'analyze', '--extended', data, meta.ulid]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Block ID: ${meta.ulid}`);
      expect(r.stdout).toMatch(new RegExp(`^Series: ${meta.stats.numSeries}$`, 'm'));
      expect(r.stdout).toContain('Compaction analysis');
    }
  });

  it('promtool tsdb dump prints exactly the written samples', async () => {
    const copy = scratchCopy(data);
    try {
      const r = await promtool(['tsdb', 'dump', copy]);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.split('\n').filter((l) => l !== '');
      const total = blocks.reduce((n, b) => n + b.meta.stats.numSamples, 0);
      expect(lines.length).toBe(total);
      const got = new Map<string, { t: number; value: number }[]>();
      for (const line of lines) {
        const p = parseDumpLine(line);
        const k = key(p.labels);
        const list = got.get(k) ?? [];
        list.push({ t: p.t, value: p.value });
        got.set(k, list);
      }
      expect(got.size).toBe(all.size);
      let mismatches = 0;
      for (const [k, want] of all) {
        const g = got.get(k);
        expect(g, `series ${k} missing from dump`).toBeDefined();
        expect(g!.map((x) => x.t)).toEqual(want.samples.map((s) => s.t));
        want.samples.forEach((s, i) => {
          if (!sameValue(g![i]!.value, s)) mismatches++;
        });
      }
      expect(mismatches).toBe(0);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);

  it('promtool refuses the same corruptions as Vigil’s reader', async () => {
    const { meta } = blocks[0]!;
    // A flipped symbol-table byte: the whole data dir is refused.
    const sym = scratchCopy(data);
    try {
      const p = join(sym, meta.ulid, 'index');
      const b = readFileSync(p);
      b[20] = b[20]! ^ 0xff;
      writeFileSync(p, b);
      const r = await promtool(['tsdb', 'list', sym]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`corrupted block ${meta.ulid}`);
      expect(r.stderr).toContain('read symbols: invalid checksum');
      await expect(openBlock(join(sym, meta.ulid))).rejects.toThrow(/read symbols: invalid checksum/);
    } finally {
      rmSync(sym, { recursive: true, force: true });
    }
    // A flipped chunk byte: analyze --extended fails on the checksum.
    const chk = scratchCopy(data);
    try {
      const p = join(chk, meta.ulid, 'chunks', '000001');
      const b = readFileSync(p);
      b[100] = b[100]! ^ 0x01;
      writeFileSync(p, b);
      const r = await promtool(['tsdb', 'analyze', '--extended', chk, meta.ulid]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('checksum mismatch');
      await expect(readBlockSamples(join(chk, meta.ulid))).rejects.toThrow(/checksum mismatch/);
    } finally {
      rmSync(chk, { recursive: true, force: true });
    }
  });

  it('a Prometheus 2.42 server on the blocks answers PromQL with the written samples', async () => {
    prom = await startPrometheusOnBlocks(data);
    for (const { meta } of blocks) expect(prom.logs()).toContain(`ulid=${meta.ulid}`);

    // An evaluation time inside block 1 with no sample exactly on a window edge.
    let t = T0 + 3_600_000 + 123;
    const edge = (x: number): boolean => [...all.values()].some((s) => s.samples.some((p) => p.t === x || p.t === x - 300_000));
    while (edge(t)) t += 7;
    const sec = (t / 1000).toFixed(3);

    // count(): series whose newest sample in [t-5m, t] exists and is not a stale marker.
    let want = 0;
    for (const s of all.values()) {
      const inWin = s.samples.filter((p) => p.t >= t - 300_000 && p.t <= t);
      const last = inWin[inWin.length - 1];
      if (last && !(last.hi === STALE[0] && last.lo === STALE[1])) want++;
    }
    const q = async (query: string): Promise<{ metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]> => {
      const r = await fetch(`${prom!.url}/api/v1/query?${new URLSearchParams({ query, time: sec })}`);
      const body = (await r.json()) as { status: string; data: { result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] } };
      expect(body.status).toBe('success');
      return body.data.result;
    };
    const count = await q('count({__name__=~".+"})');
    expect(Number(count[0]!.value![1])).toBe(want);
    expect(want).toBeGreaterThan(100);

    // Raw range vectors: the samples in [t-5m, t], stale markers dropped (as PromQL does).
    for (const name of ['up', 'http_requests_total', 'node_cpu_seconds_total', 'temp', 'vigil_special']) {
      const res = await q(`${name}[5m]`);
      const wantSeries = [...all.values()]
        .filter((s) => s.labels.some((l) => l.name === '__name__' && l.value === name))
        .map((s) => ({ labels: s.labels, samples: s.samples.filter((p) => p.t >= t - 300_000 && p.t <= t && !(p.hi === STALE[0] && p.lo === STALE[1])) }))
        .filter((s) => s.samples.length > 0);
      expect(res.length).toBe(wantSeries.length);
      for (const s of wantSeries) {
        const r = res.find((x) => key(Object.entries(x.metric).map(([name, value]) => ({ name, value })).sort((a, b) => compareLabels([a], [b]))) === key(s.labels));
        expect(r, `series ${key(s.labels)}`).toBeDefined();
        expect(r!.values!.map(([ts]) => Math.round(ts * 1000))).toEqual(s.samples.map((p) => p.t));
        r!.values!.forEach(([, v], i) => expect(sameValue(parseGoFloat(v), s.samples[i]!), `${name} sample ${i}: ${v}`).toBe(true));
      }
    }
  }, 120_000);
});

describe.skipIf(!enabled)('promtool-backfilled blocks read by Vigil', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'vigil-compat-backfill-'));
  });
  afterAll(() => {
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('reads every sample promtool wrote and re-encodes its chunks byte for byte', async () => {
    // OpenMetrics input: timestamps in seconds with millisecond fractions; one long series spans
    // two 2h blocks and several chunks.
    const want = new Map<string, { labels: Labels; samples: { t: number; v: number }[] }>();
    const lines: string[] = [];
    const families: [string, Record<string, string>[]][] = [
      ['vigil_backfill_gauge', [{ job: 'a' }, { job: 'b', val: 'é' }, { job: 'c', val: '😀' }, { job: 'd', val: 'x y' }]],
      ['vigil_backfill_long', [{ shard: '1' }]],
      ['vigil_backfill_short', [{ n: '1' }, { n: '2' }]],
    ];
    const base = 1_700_000_000_000;
    for (const [name, sets] of families) {
      lines.push(`# TYPE ${name} gauge`);
      for (const [si, ls] of sets.entries()) {
        const n = name === 'vigil_backfill_long' ? 1000 : name === 'vigil_backfill_short' ? si + 1 : 50 + si * 10;
        const labels = [{ name: '__name__', value: name }, ...Object.entries(ls).map(([k, v]) => ({ name: k, value: v }))].sort((a, b) => compareLabels([a], [b]));
        const samples: { t: number; v: number }[] = [];
        for (let i = 0; i < n; i++) {
          const t = base + i * 15_000 + (i % 7) * 13;
          const v = i === 3 ? NaN : i === 4 ? Infinity : i === 5 ? -Infinity : i === 6 ? -0 : Math.round(Math.sin(i + si) * 1e6) / 64;
          samples.push({ t, v });
          const vs = Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : Object.is(v, -0) ? '-0' : String(v);
          const lt = Object.entries(ls).map(([k, x]) => `${k}="${x}"`).join(',');
          lines.push(`${name}{${lt}} ${vs} ${(t / 1000).toFixed(3)}`);
        }
        want.set(key(labels), { labels, samples });
      }
    }
    lines.push('# EOF');
    const file = join(root, 'input.om');
    writeFileSync(file, lines.join('\n') + '\n');
    const out = join(root, 'blocks');
    const r = await promtool(['tsdb', 'create-blocks-from', 'openmetrics', file, out]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const ulids = readdirSync(out).filter(isULID).sort();
    expect(ulids.length).toBeGreaterThanOrEqual(2);

    const got = new Map<string, { t: number; hi: number; lo: number }[]>();
    let chunksChecked = 0;
    let trailingByte = 0;
    for (const u of ulids) {
      for (const s of await readBlockSamples(join(out, u))) {
        const list = got.get(key(s.labels)) ?? [];
        list.push(...s.samples);
        got.set(key(s.labels), list);
      }
      // XOR golden bytes: decode each chunk promtool wrote, re-encode with Vigil's encoder.
      const block = await openBlock(join(out, u));
      const reader = await ChunkSegmentReader.open(join(out, u, 'chunks'));
      for (const id of block.index.allPostings()) {
        const s = block.index.series(id);
        for (const c of await reader.readMany(s.chunks.map((x) => x.ref))) {
          expect(c.encoding).toBe(1);
          const it = new XorIterator(c.data);
          const x = new XorChunk();
          while (it.next()) x.append(it.atT(), it.atHi(), it.atLo());
          expect(it.err()).toBeNull();
          // Byte for byte, including Go's empty trailing byte after a byte-aligned last field.
          expect(Buffer.from(x.bytes()).toString('hex')).toBe(Buffer.from(c.data).toString('hex'));
          if (c.data.length > 0 && c.data[c.data.length - 1] === 0) trailingByte++;
          chunksChecked++;
        }
      }
      await reader.close();
      await block.close();
    }
    expect(chunksChecked).toBeGreaterThan(ulids.length);
    expect(trailingByte).toBeGreaterThan(0); // the input has 1-sample series: Go's empty trailing byte is exercised
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, w] of want) {
      const g = got.get(k)!;
      expect(g.map((s) => s.t)).toEqual(w.samples.map((s) => s.t));
      w.samples.forEach((s, i) => {
        const v = valueOf(g[i]!.hi, g[i]!.lo);
        expect(Number.isNaN(s.v) ? Number.isNaN(v) : Object.is(v, s.v), `${k} sample ${i}`).toBe(true);
      });
    }
  }, 120_000);
});
