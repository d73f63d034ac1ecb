import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc32c } from '../encoding/crc32c.js';
import { replay } from './reader.js';
import { HEADER_SIZE, PAGE_SIZE, listSegments } from './segment.js';
import { WAL } from './wal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-wal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A record whose bytes say which one it is: i as be32, then a pattern of length n-4. */
function rec(i: number, n: number): Uint8Array {
  const b = new Uint8Array(Math.max(n, 4));
  new DataView(b.buffer).setUint32(0, i);
  for (let k = 4; k < b.length; k++) b[k] = (i * 31 + k * 7) & 0xff;
  return b.subarray(0, n);
}

async function readAll(d: string, from?: number): Promise<{ recs: Uint8Array[]; segs: number[] }> {
  const recs: Uint8Array[] = [];
  const segs: number[] = [];
  const r = await replay(d, from === undefined ? {} : { from }, (b, s) => {
    recs.push(b.slice());
    segs.push(s);
  });
  expect(r.corruption).toBeNull();
  expect(r.records).toBe(recs.length);
  return { recs, segs };
}

describe('segment files', () => {
  it('frames a small record as one full fragment with a CRC32C, Prometheus layout', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await w.log([new Uint8Array([1, 2, 3])]);
    await w.close();
    expect(await readdir(dir)).toEqual(['00000000']);
    const b = await readFile(join(dir, '00000000'));
    expect(b.length).toBe(PAGE_SIZE); // close pads the last page
    expect(Array.from(b.subarray(0, 10))).toEqual([1, 0, 3, ...be32(crc32c(new Uint8Array([1, 2, 3]))), 1, 2, 3]);
    expect(b.subarray(10).every((x) => x === 0)).toBe(true);
  });

  it('starts a new segment after the last one on open and never appends to old ones', async () => {
    await writeFile(join(dir, '00000004'), new Uint8Array(0));
    const w = await WAL.open(dir, { fsync: 'never' });
    expect(w.currentSegment).toBe(5);
    await w.log([rec(1, 10)]);
    expect(await w.segmentRange()).toEqual({ first: 4, last: 5 });
    await w.close();
    const w2 = await WAL.open(dir, { fsync: 'never' });
    expect(w2.currentSegment).toBe(6);
    await w2.close();
    expect((await stat(join(dir, '00000004'))).size).toBe(0);
    const { recs, segs } = await readAll(dir);
    expect(recs).toEqual([rec(1, 10)]);
    expect(segs).toEqual([5]);
  });

  it('rejects a segment size that is not a multiple of the page', async () => {
    await expect(WAL.open(dir, { fsync: 'never', segmentSize: 1000 })).rejects.toThrow(/multiple/);
  });
});

describe('fragmenting', () => {
  const sizes: [string, number][] = [
    ['empty', 0],
    ['1 byte', 1],
    ['page minus header', PAGE_SIZE - HEADER_SIZE],
    ['one page', PAGE_SIZE],
    ['several pages', 5 * PAGE_SIZE + 123],
  ];
  for (const compress of [false, true]) {
    for (const [name, n] of sizes) {
      it(`round-trips a ${name} record between small ones (compress=${compress})`, async () => {
        const w = await WAL.open(dir, { fsync: 'never', segmentSize: 16 * PAGE_SIZE, compress });
        const want = [rec(1, 5), rec(2, n), rec(3, 9), rec(4, n), rec(5, 1)];
        for (const r of want) await w.log([r]);
        await w.close();
        expectRecords((await readAll(dir)).recs, want);
      });
    }
  }

  it('page layout: a record exactly filling the page leaves no padding; a 7-byte remainder is padded', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await w.log([rec(1, PAGE_SIZE - HEADER_SIZE), rec(2, PAGE_SIZE - 2 * HEADER_SIZE), rec(3, 100)]);
    await w.close();
    const b = await readFile(join(dir, '00000000'));
    // page 0: one full fragment; page 1: a full fragment, 7 zero bytes; page 2: record 3.
    expect(b[0]).toBe(1);
    expect(b[PAGE_SIZE]).toBe(1);
    expect(b.subarray(2 * PAGE_SIZE - 7, 2 * PAGE_SIZE).every((x) => x === 0)).toBe(true);
    expect(b[2 * PAGE_SIZE]).toBe(1);
    expect((await readAll(dir)).recs.map((r) => r.length)).toEqual([PAGE_SIZE - 7, PAGE_SIZE - 14, 100]);
  });

  it('splits a large record into first/middle/last fragments that never cross a page', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await w.log([rec(9, 50)]);
    await w.log([rec(1, 3 * PAGE_SIZE)]);
    await w.close();
    const b = await readFile(join(dir, '00000000'));
    const types: number[] = [];
    let p = 0;
    while (p < b.length) {
      const t = b[p]!;
      if (t === 0) {
        p = (Math.floor(p / PAGE_SIZE) + 1) * PAGE_SIZE;
        continue;
      }
      const len = (b[p + 1]! << 8) | b[p + 2]!;
      expect(Math.floor(p / PAGE_SIZE)).toBe(Math.floor((p + HEADER_SIZE + len - 1) / PAGE_SIZE));
      types.push(t);
      p += HEADER_SIZE + len;
    }
    expect(types).toEqual([1, 2, 3, 3, 4]);
  });

  it('many small and odd-sized records cross pages and segments in order', async () => {
    const w = await WAL.open(dir, { fsync: 'never', segmentSize: 2 * PAGE_SIZE });
    const want: Uint8Array[] = [];
    let pending: Promise<void>[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = rec(i, i % 97 === 0 ? PAGE_SIZE + (i % 5000) : 4 + ((i * 13) % 300));
      want.push(r);
      pending.push(w.log([r]));
      if (pending.length > 50) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);
    await w.close();
    const segs = await listSegments(dir);
    expect(segs.length).toBeGreaterThan(10);
    for (const s of segs) {
      const size = (await stat(join(dir, String(s).padStart(8, '0')))).size;
      expect(size).toBeLessThanOrEqual(2 * PAGE_SIZE);
      expect(size % PAGE_SIZE).toBe(0);
    }
    expectRecords((await readAll(dir)).recs, want);
  });

  it('rejects a record larger than a segment without disturbing the log', async () => {
    const w = await WAL.open(dir, { fsync: 'never', segmentSize: PAGE_SIZE });
    await w.log([rec(1, 10)]);
    await expect(w.log([rec(2, 10), rec(3, PAGE_SIZE)])).rejects.toThrow(/exceeds/);
    await w.log([rec(4, 10)]);
    await w.close();
    expect((await readAll(dir)).recs).toEqual([rec(1, 10), rec(4, 10)]);
  });

  it('compression stores compressible records smaller', async () => {
    const w = await WAL.open(dir, { fsync: 'never', compress: true });
    const big = new Uint8Array(100_000).fill(7);
    await w.log([big]);
    await w.close();
    expect(w.stats.compressedRecords).toBe(1);
    // One padded page instead of four pages of zeros.
    expect(w.stats.bytesWritten).toBe(PAGE_SIZE);
    expectRecords((await readAll(dir)).recs, [big]);
  });
});

describe('group commit', () => {
  for (const fsync of ['never', 'always', 'interval'] as const) {
    it(`1000 concurrent log() calls resolve, in call order, with few writes (fsync=${fsync})`, async () => {
      const w = await WAL.open(dir, { fsync, fsyncIntervalMs: 20, segmentSize: 8 * PAGE_SIZE });
      const want: Uint8Array[] = [];
      const calls: Promise<void>[] = [];
      const resolved: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const a = rec(2 * i, 20 + (i % 50));
        const b = rec(2 * i + 1, 3);
        want.push(a, b);
        calls.push(w.log([a, b]).then(() => void resolved.push(i)));
        // Some callers arrive while a write is in flight.
        if (i % 250 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(calls);
      expect(resolved).toEqual([...Array(1000).keys()]);
      expect(w.stats.logCalls).toBe(1000);
      expect(w.stats.records).toBe(2000);
      expect(w.stats.writes).toBeLessThan(50);
      if (fsync === 'always') expect(w.stats.fsyncs).toBeGreaterThan(0);
      if (fsync === 'always') expect(w.stats.fsyncs).toBeLessThan(50);
      await w.close();
      expectRecords((await readAll(dir)).recs, want);
    });
  }

  it('a log() promise resolves only once its bytes are in the file', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    const r = rec(77, 1000);
    await w.log([r]);
    // Still open: the bytes must already be readable by another reader.
    const { recs } = await readAll(dir);
    expect(recs).toEqual([r]);
    await w.close();
  });

  it('fsync=interval syncs on its timer when something was written', async () => {
    const w = await WAL.open(dir, { fsync: 'interval', fsyncIntervalMs: 10 });
    await w.log([rec(1, 10)]);
    const before = w.stats.fsyncs;
    const deadline = Date.now() + 2000;
    while (w.stats.fsyncs === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(w.stats.fsyncs).toBeGreaterThan(before);
    const settled = w.stats.fsyncs;
    await new Promise((r) => setTimeout(r, 60));
    expect(w.stats.fsyncs).toBe(settled); // nothing new written, no more fsyncs
    await w.close();
  });

  it('fsync=never fsyncs only when a segment is closed', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    for (let i = 0; i < 10; i++) await w.log([rec(i, 100)]);
    expect(w.stats.fsyncs).toBe(0);
    await w.nextSegment();
    expect(w.stats.fsyncs).toBe(1);
    await w.close();
  });

  it('log after close rejects', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await w.close();
    await expect(w.log([rec(1, 1)])).rejects.toThrow(/close/);
    await w.close();
  });
});

describe('segments management', () => {
  it('nextSegment closes the current segment page-aligned and starts the next', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await w.log([rec(1, 10)]);
    expect(await w.nextSegment()).toBe(1);
    expect((await stat(join(dir, '00000000'))).size).toBe(PAGE_SIZE);
    expect(await listSegments(dir)).toEqual([0, 1]);
    await w.log([rec(2, 10)]);
    expect(await w.nextSegment()).toBe(2);
    await w.log([rec(3, 10)]);
    expect(await w.segmentRange()).toEqual({ first: 0, last: 2 });
    expect(await w.truncate(2)).toBe(2);
    expect(await w.segmentRange()).toEqual({ first: 2, last: 2 });
    // Never the segment being written.
    expect(await w.truncate(10)).toBe(0);
    await w.log([rec(4, 10)]);
    await w.close();
    const { recs, segs } = await readAll(dir);
    expect(recs).toEqual([rec(3, 10), rec(4, 10)]);
    expect(segs).toEqual([2, 2]);
  });
});

function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** Byte-wise comparison; vitest's deep equality is slow on large typed arrays. */
function expectRecords(got: Uint8Array[], want: Uint8Array[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Buffer.from(got[i]!).equals(Buffer.from(want[i]!))) expect.fail(`record ${i} differs (${got[i]!.length} vs ${want[i]!.length} bytes)`);
  }
}
