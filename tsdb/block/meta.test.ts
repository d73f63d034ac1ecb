import { describe, expect, it } from 'vitest';
import { decodeMeta, encodeMeta, type BlockMeta } from './meta.js';
import { decodeTombstones, encodeTombstones } from './tombstones.js';

const ULID = '01M874EE679RRS8S23597EXC68';

describe('meta.json', () => {
  it('writes the Thanos section after version, in Thanos key order, Go-escaped', () => {
    const meta: BlockMeta = {
      ulid: ULID,
      minTime: 1_700_006_400_000,
      maxTime: 1_700_013_600_000,
      stats: { numSamples: 1440, numSeries: 3, numChunks: 12 },
      compaction: { level: 1, sources: [ULID] },
      version: 1,
      thanos: {
        labels: { __org_id__: 'tenant-a', __ingester_id__: 'ingester-1', team: 'a<b>&c' },
        downsample: { resolution: 0 },
        source: 'receive',
        segment_files: ['000001'],
        files: [{ rel_path: 'chunks/000001', size_bytes: 4321 }, { rel_path: 'index', size_bytes: 2100 }, { rel_path: 'meta.json' }],
      },
    };
    const text = encodeMeta(meta);
    expect(text).toBe(
      [
        '{',
        '\t"ulid": "01M874EE679RRS8S23597EXC68",',
        '\t"minTime": 1700006400000,',
        '\t"maxTime": 1700013600000,',
        '\t"stats": {',
        '\t\t"numSamples": 1440,',
        '\t\t"numSeries": 3,',
        '\t\t"numChunks": 12',
        '\t},',
        '\t"compaction": {',
        '\t\t"level": 1,',
        '\t\t"sources": [',
        '\t\t\t"01M874EE679RRS8S23597EXC68"',
        '\t\t]',
        '\t},',
        '\t"version": 1,',
        '\t"thanos": {',
        '\t\t"labels": {',
        '\t\t\t"__ingester_id__": "ingester-1",',
        '\t\t\t"__org_id__": "tenant-a",',
        '\t\t\t"team": "a\\u003cb\\u003e\\u0026c"',
        '\t\t},',
        '\t\t"downsample": {',
        '\t\t\t"resolution": 0',
        '\t\t},',
        '\t\t"source": "receive",',
        '\t\t"segment_files": [',
        '\t\t\t"000001"',
        '\t\t],',
        '\t\t"files": [',
        '\t\t\t{',
        '\t\t\t\t"rel_path": "chunks/000001",',
        '\t\t\t\t"size_bytes": 4321',
        '\t\t\t},',
        '\t\t\t{',
        '\t\t\t\t"rel_path": "index",',
        '\t\t\t\t"size_bytes": 2100',
        '\t\t\t},',
        '\t\t\t{',
        '\t\t\t\t"rel_path": "meta.json"',
        '\t\t\t}',
        '\t\t]',
        '\t}',
        '}',
      ].join('\n'),
    );
    expect(decodeMeta(text)).toEqual(meta);
  });

  it('omits zero stats and empty compaction fields, keeps parents and hints', () => {
    const meta: BlockMeta = {
      ulid: ULID,
      minTime: 0,
      maxTime: 10,
      stats: { numSamples: 0, numSeries: 0, numChunks: 0 },
      compaction: { level: 2, sources: ['A', 'B'], parents: [{ ulid: 'A', minTime: 0, maxTime: 5 }], hints: ['from-out-of-order'], deletable: false },
      version: 1,
    };
    const text = encodeMeta(meta);
    expect(text).toContain('"stats": {},');
    expect(text).not.toContain('deletable');
    expect(text).toContain('"parents": [\n\t\t\t{\n\t\t\t\t"ulid": "A",\n\t\t\t\t"minTime": 0,\n\t\t\t\t"maxTime": 5\n\t\t\t}\n\t\t],');
    expect(text.endsWith('}')).toBe(true);
    const { deletable: _d, ...compaction } = meta.compaction;
    expect(decodeMeta(text)).toEqual({ ...meta, compaction });
  });

  it('validates: version 1 only, required fields, unknown keys ignored', () => {
    const base = { ulid: ULID, minTime: 1, maxTime: 2, stats: { numSamples: 1 }, compaction: { level: 1, sources: [ULID] }, version: 1 };
    expect(decodeMeta(JSON.stringify({ ...base, future: { x: 1 } })).stats).toEqual({ numSamples: 1, numSeries: 0, numChunks: 0 });
    expect(() => decodeMeta(JSON.stringify({ ...base, version: 3 }))).toThrow(/unexpected meta file version 3/);
    expect(() => decodeMeta(JSON.stringify({ ...base, minTime: 'x' }))).toThrow(/minTime/);
    expect(() => decodeMeta('{')).toThrow(/meta.json/);
  });
});

describe('tombstones', () => {
  it('round-trips intervals and checks the CRC', () => {
    const t = new Map([
      [6, [{ mint: -5, maxt: 100 }]],
      [10, [{ mint: 1_700_000_000_000, maxt: 1_700_000_100_000 }, { mint: 1, maxt: 2 }]],
    ]);
    const b = encodeTombstones(t);
    const back = decodeTombstones(b);
    expect(back.get(6)).toEqual([{ mint: -5, maxt: 100 }]);
    expect(back.get(10)).toEqual([{ mint: 1, maxt: 2 }, { mint: 1_700_000_000_000, maxt: 1_700_000_100_000 }]);
    const bad = b.slice();
    bad[6] = bad[6]! ^ 1;
    expect(() => decodeTombstones(bad)).toThrow(/invalid checksum/);
    expect(() => decodeTombstones(new Uint8Array([1, 2, 3, 4, 1, 0, 0, 0, 0]))).toThrow(/magic/);
    expect(Buffer.from(encodeTombstones()).toString('hex')).toBe('0130ba300100000000');
    expect(decodeTombstones(encodeTombstones()).size).toBe(0);
  });
});
