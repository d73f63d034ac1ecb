import { copyFile, mkdir, mkdtemp, open, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Corruption, repair, replay } from './reader.js';
import { HEADER_SIZE, PAGE_SIZE, listSegments, segmentPath } from './segment.js';
import { WAL } from './wal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-walr-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rec(i: number, n: number): Uint8Array {
  const b = new Uint8Array(Math.max(n, 4));
  new DataView(b.buffer).setUint32(0, i);
  for (let k = 4; k < b.length; k++) b[k] = (i * 31 + k * 7) & 0xff;
  return b.subarray(0, n);
}

function idOf(r: Uint8Array): number {
  return new DataView(r.buffer, r.byteOffset, r.byteLength).getUint32(0);
}

interface Read {
  ids: number[];
  where: { segment: number; offset: number }[];
  corruption: Corruption | null;
}

async function readIds(d: string, check = true): Promise<Read> {
  const ids: number[] = [];
  const where: { segment: number; offset: number }[] = [];
  const r = await replay(d, {}, (b, segment, offset) => {
    ids.push(idOf(b));
    where.push({ segment, offset });
    // The content must be exactly what rec() made.
    if (check && !Buffer.from(b).equals(Buffer.from(rec(idOf(b), b.length)))) throw new Error(`record ${idOf(b)} damaged`);
  });
  return { ids, where, corruption: r.corruption };
}

const range = (n: number, from = 0): number[] => [...Array(n).keys()].map((i) => i + from);

describe('torn tail', () => {
  it('a segment cut anywhere inside its last record replays every earlier record and reports the torn one', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    // 20 small records, then one of 2.5 pages starting mid-page.
    for (let i = 0; i < 20; i++) await w.log([rec(i, 100 + i * 37)]);
    await w.log([rec(20, Math.floor(2.5 * PAGE_SIZE))]);
    await w.close();
    const all = await readIds(dir);
    expect(all.ids).toEqual(range(21));
    const start = all.where[20]!.offset;
    const seg = segmentPath(dir, 0);
    const end = start + Math.floor(2.5 * PAGE_SIZE) + 3 * HEADER_SIZE;
    const cuts = new Set<number>();
    for (let c = start; c < end; c += 997) cuts.add(c);
    // (A cut at `start` itself leaves a WAL without that record: nothing torn.)
    for (let k = 1; k <= HEADER_SIZE + 1; k++) cuts.add(start + k);
    for (let p = Math.ceil(start / PAGE_SIZE) * PAGE_SIZE; p < end; p += PAGE_SIZE) for (const d of [-1, 0, 1, 7, 8]) cuts.add(p + d);
    cuts.add(end - 1);
    const torn = join(dir, 'torn');
    for (const cut of [...cuts].filter((c) => c > start && c < end)) {
      await rm(torn, { recursive: true, force: true });
      await mkdir(torn);
      await copyFile(seg, segmentPath(torn, 0));
      await truncate(segmentPath(torn, 0), cut);
      const r = await readIds(torn);
      expect(r.ids, `cut at ${cut}`).toEqual(range(20));
      expect(r.corruption, `cut at ${cut}`).toMatchObject({ segment: 0, offset: start, reason: 'torn-record' });
    }
    // Cut right after the record: nothing lost, nothing reported.
    await truncate(seg, end);
    expect((await readIds(dir)).corruption).toBeNull();
  });

  it('after repair the WAL opens, appends, and replays old and new records', async () => {
    const w = await WAL.open(dir, { fsync: 'never', segmentSize: 4 * PAGE_SIZE });
    for (let i = 0; i < 30; i++) await w.log([rec(i, 1000)]);
    const last = w.currentSegment;
    await w.log([rec(30, 5000)]);
    // Simulate the crash: the file ends 10 bytes into the last record.
    const before = await readIds(dir);
    const tornAt = before.where[30]!.offset + 10;
    await truncate(segmentPath(dir, last), tornAt);
    const r = await readIds(dir);
    expect(r.ids).toEqual(range(30));
    expect(r.corruption).toMatchObject({ segment: last, reason: 'torn-record' });
    const fixed = await repair(dir, r.corruption!);
    expect(fixed.deletedSegments).toEqual([]);
    expect(fixed.droppedBytes).toBe(10);
    expect(fixed.keptBytes % PAGE_SIZE).toBe(0);
    const w2 = await WAL.open(dir, { fsync: 'never', segmentSize: 4 * PAGE_SIZE });
    expect(w2.currentSegment).toBe(last + 1);
    for (let i = 31; i < 40; i++) await w2.log([rec(i, 700)]);
    await w2.close();
    const after = await readIds(dir);
    expect(after.corruption).toBeNull();
    expect(after.ids).toEqual([...range(30), ...range(9, 31)]);
  });

  it('zero bytes running to the end of the file end a segment cleanly', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await w.log([rec(1, 50)]);
    // The writer process is gone with the file left unpadded; the file system appended zeros.
    const f = await open(segmentPath(dir, 0), 'r+');
    await f.truncate(50 + HEADER_SIZE + 1000);
    await f.close();
    const r = await readIds(dir);
    expect(r.ids).toEqual([1]);
    expect(r.corruption).toBeNull();
    await w.close();
  });
});

describe('corruption', () => {
  async function threeSegments(): Promise<Read> {
    const w = await WAL.open(dir, { fsync: 'never', segmentSize: 3 * PAGE_SIZE });
    for (let i = 0; i < 200; i++) await w.log([rec(i, 300 + ((i * 131) % 1500))]);
    await w.nextSegment();
    for (let i = 200; i < 250; i++) await w.log([rec(i, 300 + ((i * 131) % 1500))]);
    await w.close();
    expect(await listSegments(dir)).toEqual([0, 1, 2, 3]);
    const r = await readIds(dir);
    expect(r.ids).toEqual(range(250));
    return r;
  }

  async function patch(segment: number, offset: number, f: (b: number) => number): Promise<void> {
    const p = segmentPath(dir, segment);
    const b = await readFile(p);
    b[offset] = f(b[offset]!);
    await writeFile(p, b);
  }

  it('a flipped byte in a middle record stops the replay there with segment and offset', async () => {
    const good = await threeSegments();
    const victim = good.where.findIndex((w) => w.segment === 1) + 5;
    const at = good.where[victim]!;
    await patch(at.segment, at.offset + HEADER_SIZE + 20, (b) => b ^ 0x10);
    const r = await readIds(dir, false);
    expect(r.ids).toEqual(range(victim));
    expect(r.corruption).toMatchObject({ segment: 1, offset: at.offset, reason: 'crc-mismatch' });

    const fixed = await repair(dir, r.corruption!);
    expect(fixed.deletedSegments).toEqual([2, 3]);
    expect(await listSegments(dir)).toEqual([0, 1]);
    expect((await stat(segmentPath(dir, 1))).size % PAGE_SIZE).toBe(0);
    expect((await readIds(dir)).corruption).toBeNull();

    const w = await WAL.open(dir, { fsync: 'never', segmentSize: 3 * PAGE_SIZE });
    expect(w.currentSegment).toBe(2);
    await w.log([rec(1000, 10), rec(1001, 9000)]);
    await w.close();
    const after = await readIds(dir);
    expect(after.corruption).toBeNull();
    expect(after.ids).toEqual([...range(victim), 1000, 1001]);
  });

  it('a corrupted header of a multi-fragment record reports the record start', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await w.log([rec(0, 100)]);
    await w.log([rec(1, 3 * PAGE_SIZE)]);
    await w.log([rec(2, 100)]);
    await w.close();
    const good = await readIds(dir);
    const start = good.where[1]!.offset;
    // The middle fragment's header starts the second page.
    await patch(0, PAGE_SIZE + 2, (b) => b ^ 1);
    const r = await readIds(dir, false);
    expect(r.ids).toEqual([0]);
    expect(r.corruption).toMatchObject({ segment: 0, offset: start });
  });

  it('reports bad fragment sequences, bad type bytes and non-zero padding', async () => {
    const cases: [string, (where: Read['where']) => [number, (b: number) => number], string][] = [
      ['full → last', (wh) => [wh[1]!.offset, () => 4], 'invalid-fragment-sequence'],
      ['full → middle', (wh) => [wh[1]!.offset, () => 3], 'invalid-fragment-sequence'],
      ['full → first', (wh) => [wh[1]!.offset, () => 2], 'invalid-fragment-sequence'],
      ['unknown type', (wh) => [wh[1]!.offset, () => 0x21], 'invalid-fragment'],
      ['type 7', (wh) => [wh[1]!.offset, () => 7], 'invalid-fragment'],
      ['padding', () => [PAGE_SIZE - 3, () => 9], 'non-zero-padding'],
    ];
    for (const [name, where, reason] of cases) {
      await rm(dir, { recursive: true, force: true });
      const w = await WAL.open(dir, { fsync: 'never' });
      await w.log([rec(0, 100), rec(1, 100), rec(2, 100)]);
      await w.close();
      const good = await readIds(dir);
      const [offset, f] = where(good.where);
      await patch(0, offset, f);
      const r = await readIds(dir, false);
      expect(r.corruption?.reason, name).toBe(reason);
      if (reason === 'non-zero-padding') {
        expect(r.ids, name).toEqual([0, 1, 2]);
        expect(r.corruption?.offset, name).toBe(3 * (HEADER_SIZE + 100));
      } else {
        expect(r.ids, name).toEqual([0]);
        expect(r.corruption?.offset, name).toBe(offset);
      }
    }
  });

  it('a missing segment in the middle is an error, not a corruption', async () => {
    await threeSegments();
    await unlink(segmentPath(dir, 1));
    await expect(replay(dir, {}, () => undefined)).rejects.toThrow(/not sequential/);
    // A range that avoids the gap reads fine.
    expect((await replay(dir, { from: 2 }, () => undefined)).corruption).toBeNull();
  });

  it('replays a range of segments and awaits async callbacks in order', async () => {
    const good = await threeSegments();
    const order: number[] = [];
    const r = await replay(dir, { from: 1, to: 1 }, async (b) => {
      await new Promise((res) => setImmediate(res));
      order.push(idOf(b));
    });
    const want = good.ids.filter((_, i) => good.where[i]!.segment === 1);
    expect(order).toEqual(want);
    expect(r).toMatchObject({ first: 1, last: 1, segments: 1, records: want.length, corruption: null });
  });
});
