import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChunkSegmentReader, ChunkSegmentWriter, SEGMENT_HEADER_SIZE } from './segments.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-seg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function chunk(seed: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

describe('chunk segments', () => {
  it('cuts segments at the size limit, refs carry the segment index, reads come back in any order', async () => {
    const dir = join(tmp, 'a');
    const w = new ChunkSegmentWriter(dir, 4096);
    const lens = Array.from({ length: 300 }, (_, i) => (i % 37 === 0 ? 2000 : 5 + ((i * 13) % 200)));
    const refs: number[] = [];
    for (const [i, n] of lens.entries()) refs.push(await w.write(1, chunk(i, n)));
    await w.close();
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(5);
    expect(files[0]).toBe('000001');
    for (const f of files) {
      const b = readFileSync(join(dir, f));
      expect(b.length).toBeLessThanOrEqual(4096);
      expect(b.subarray(0, SEGMENT_HEADER_SIZE).toString('hex')).toBe('85bd40dd01000000');
    }
    expect(refs[0]).toBe(8);
    expect(Math.floor(refs[refs.length - 1]! / 2 ** 32)).toBe(files.length - 1);
    for (let i = 1; i < refs.length; i++) expect(refs[i]!).toBeGreaterThan(refs[i - 1]!);

    const r = await ChunkSegmentReader.open(dir);
    expect(r.segmentNames()).toEqual(files);
    const order = refs.map((_, i) => i).reverse();
    for (const [gap, maxRead] of [[0, 1], [16 * 1024, 1024 * 1024], [64, 600]] as const) {
      const got = await r.readMany(order.map((i) => refs[i]!), gap, maxRead);
      got.forEach((c, k) => {
        const i = order[k]!;
        expect(c.encoding).toBe(1);
        expect(Buffer.from(c.data).equals(Buffer.from(chunk(i, lens[i]!)))).toBe(true);
      });
    }
    expect(Buffer.from((await r.read(refs[37]!)).data).equals(Buffer.from(chunk(37, 2000)))).toBe(true);
    await expect(r.read(5 * 2 ** 32 + 8 + 2 ** 32 * 100)).rejects.toThrow(/segment index \d+ out of range/);
    await r.close();
    await expect(r.read(refs[0]!)).rejects.toThrow(/closed/);
  });

  it('detects a corrupt record and a bad header', async () => {
    const dir = join(tmp, 'b');
    const w = new ChunkSegmentWriter(dir);
    const a = await w.write(1, chunk(1, 30));
    const b = await w.write(1, chunk(2, 30));
    await w.close();
    const f = join(dir, '000001');
    const bytes = readFileSync(f);
    bytes[b + 10] = bytes[b + 10]! ^ 0x40;
    writeFileSync(f, bytes);
    const r = await ChunkSegmentReader.open(dir);
    expect((await r.read(a)).data.length).toBe(30);
    await expect(r.read(b)).rejects.toThrow(/checksum mismatch expected:[0-9a-f]{8}, actual:[0-9a-f]{8}/);
    await expect(r.readMany([a, b])).rejects.toThrow(/checksum mismatch/);
    await r.close();
    bytes[0] = 0;
    writeFileSync(f, bytes);
    await expect(ChunkSegmentReader.open(dir)).rejects.toThrow(/invalid magic number/);
  });
});
