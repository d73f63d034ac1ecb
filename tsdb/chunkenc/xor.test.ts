import { describe, expect, it } from 'vitest';
import { XorChunk, XorIterator, chunkIterator } from './xor.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const bits = (v: number): [number, number] => {
  f64[0] = v;
  return [u32[1]!, u32[0]!];
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function chunkOf(samples: [number, number][]): Uint8Array {
  const c = new XorChunk();
  for (const [t, v] of samples) c.append(t, ...bits(v));
  return c.bytes();
}

// chunks/000001 of Appendix A of the format reference, written by promtool 2.42.
const SEGMENT = Buffer.from(
  '85bd40dd010000001a01000480a0abfef9623ff00000000000009875c267ffb5875b8180ebb950741601000280a0abfef9623ff0000000000000b0ea01c25fffdd3974411601000280a0abfef962403580000000000080dddb01dc1fe018a7f5',
  'hex',
);

/** The chunks of a segment file: uvarint length, encoding byte, data, CRC32C. */
function segmentChunks(seg: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 8;
  while (p < seg.length) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = seg[p++]!;
      len |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    expect(seg[p]).toBe(1);
    out.push(seg.subarray(p + 1, p + 1 + len));
    p += 1 + len + 4;
  }
  return out;
}

describe('XOR chunk', () => {
  it("keeps Go's empty trailing byte after a byte-aligned last field, as Prometheus stores it", () => {
    const one = new XorChunk();
    one.append(1700000000000, 0x3ff00000, 0);
    // count, varint t, 64 value bits, then the byte Go's bstream appended after the last whole byte.
    expect(Buffer.from(one.bytes()).toString('hex')).toBe('0001' + '80a0abfef962' + '3ff0000000000000' + '00');
    one.append(1700000015000, 0x3ff00000, 0); // the next write uses that byte: no extra byte left
    expect(one.bytes().length).toBe(2 + 6 + 8 + 2 + 1); // delta varint (2 bytes), then one 0 bit for an unchanged value
    const it = one.iterator();
    expect([it.next(), it.next(), it.next()]).toEqual([true, true, false]);
  });

  it('writes the worked example byte for byte', () => {
    const b = chunkOf([
      [1_700_000_000_000, 1],
      [1_700_000_015_000, 3],
      [1_700_000_030_000, 7],
      [1_700_000_045_000, 7.5],
    ]);
    expect(hex(b)).toBe('000480a0abfef9623ff00000000000009875c267ffb5875b8180');
  });

  it("writes exactly the chunks promtool 2.42 wrote (Appendix A)", () => {
    const golden = segmentChunks(SEGMENT);
    expect(golden).toHaveLength(3);
    expect(hex(chunkOf([[1_700_000_000_000, 1], [1_700_000_015_000, 3], [1_700_000_030_000, 7], [1_700_000_045_000, 7.5]]))).toBe(hex(golden[0]!));
    expect(hex(chunkOf([[1_700_000_000_000, 1], [1_700_000_030_000, 2]]))).toBe(hex(golden[1]!));
    expect(hex(chunkOf([[1_700_000_000_000, 21.5], [1_700_003_600_000, 22]]))).toBe(hex(golden[2]!));
  });

  it('reads promtool chunks back', () => {
    const it = new XorIterator(segmentChunks(SEGMENT)[0]!);
    const got: [number, number][] = [];
    while (it.next()) got.push([it.atT(), it.atV()]);
    expect(it.err()).toBeNull();
    expect(got).toEqual([[1_700_000_000_000, 1], [1_700_000_015_000, 3], [1_700_000_030_000, 7], [1_700_000_045_000, 7.5]]);
  });

  it('round-trips 1,500 random chunks bit-exactly, every dod bucket and special value', () => {
    let s = 12345;
    const rnd = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 4294967296;
    };
    const dods = [0, 1, -1, -8191, 8192, -8192, 8193, -65535, 65536, -65536, 65537, -524287, 524288, -524288, 524289, 1e9, -1e9, 3e12];
    const specials: [number, number][] = [
      [0x7ff00000, 2], // stale marker
      [0x7ff80000, 1], // Prometheus NaN
      bits(Infinity),
      bits(-Infinity),
      bits(0),
      bits(-0),
      bits(1e300),
      bits(-1e-300),
      bits(1),
      bits(-1.0000000000000002), // with 1.0 before it: S = 64
    ];
    for (let c = 0; c < 1500; c++) {
      const n = 1 + Math.floor(rnd() * 130);
      const samples: [number, number, number][] = [];
      let t = Math.floor((rnd() - 0.3) * 2e12);
      let delta = Math.floor(rnd() * 60_000);
      for (let i = 0; i < n; i++) {
        if (i > 0) {
          delta += rnd() < 0.5 ? dods[Math.floor(rnd() * dods.length)]! : 0;
          if (delta < 1) delta = 1 + Math.floor(rnd() * 1000);
          t += delta;
        }
        const v: [number, number] = rnd() < 0.3 ? specials[Math.floor(rnd() * specials.length)]! : bits(rnd() < 0.5 ? Math.floor(rnd() * 1000) : (rnd() - 0.5) * 1e6);
        samples.push([t, v[0], v[1]]);
      }
      const chunk = new XorChunk();
      for (const [tt, hi, lo] of samples) chunk.append(tt, hi, lo);
      expect(chunk.numSamples()).toBe(n);
      const it = chunkIterator(1, chunk.bytes());
      const got: [number, number, number][] = [];
      while (it.next()) got.push([it.atT(), it.atHi(), it.atLo()]);
      expect(it.err()).toBeNull();
      expect(got).toEqual(samples.map(([tt, hi, lo]) => [tt, hi >>> 0, lo >>> 0]));
    }
  });

  it('decodes every window position and width with a steady time delta (the one-look-ahead path)', () => {
    // Each chunk xors the value with patterns of `sig` bits at `trailing`: a new window, then
    // narrower patterns inside it (the window is reused), then an unchanged value.
    let checked = 0;
    for (let trailing = 0; trailing < 64; trailing++) {
      for (let sig = 1; sig <= 64 - trailing; sig += sig < 24 ? 1 : 7) {
        let v = 0x3ff0_0000_0000_0000n ^ (1n << 51n);
        const samples: [number, number, number][] = [];
        const push = (x: bigint): void => {
          v ^= x << BigInt(trailing);
          samples.push([1_700_000_000_000 + samples.length * 15_000, Number(v >> 32n), Number(v & 0xffff_ffffn)]);
        };
        push(0n);
        const top = 1n << BigInt(sig - 1);
        push(top | 1n); // exactly `sig` bits: opens the window
        push(1n); // inside it: reused
        push(top);
        push(0n); // unchanged
        push(top | 1n);
        const chunk = new XorChunk();
        for (const [tt, hi, lo] of samples) chunk.append(tt, hi, lo);
        const it = chunkIterator(1, chunk.bytes());
        const got: [number, number, number][] = [];
        while (it.next()) got.push([it.atT(), it.atHi(), it.atLo()]);
        expect(it.err()).toBeNull();
        expect(got, `trailing ${trailing} sig ${sig}`).toEqual(samples);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('reads timestamps and first deltas of every varint length, the 8-byte and longer ones too', () => {
    for (const t0 of [0, -1, 63, -64, 2 ** 48 - 1, -(2 ** 48), 2 ** 48, 2 ** 52, -(2 ** 52), 2 ** 53 - 2, -(2 ** 53) + 2]) {
      for (const delta of [1, 127, 128, 2 ** 35, 2 ** 49, 2 ** 52]) {
        const chunk = new XorChunk();
        chunk.append(t0, 0, 1);
        if (t0 + delta <= Number.MAX_SAFE_INTEGER) chunk.append(t0 + delta, 0, 2);
        const it = chunkIterator(1, chunk.bytes());
        const ts: number[] = [];
        while (it.next()) ts.push(it.atT());
        expect(it.err()).toBeNull();
        expect(ts).toEqual(t0 + delta <= Number.MAX_SAFE_INTEGER ? [t0, t0 + delta] : [t0]);
      }
    }
  });

  it('keeps the S = 64 case (1.0 then -1.0000000000000002)', () => {
    const it = new XorIterator(chunkOf([[1, 1], [2, -1.0000000000000002], [3, 1]]));
    const vs: number[] = [];
    while (it.next()) vs.push(it.atV());
    expect(vs).toEqual([1, -1.0000000000000002, 1]);
  });

  it('seeks forward only', () => {
    const it = new XorIterator(chunkOf([[10, 1], [20, 2], [30, 3]]));
    expect(it.seek(15)).toBe(true);
    expect(it.atT()).toBe(20);
    expect(it.seek(5)).toBe(true);
    expect(it.atT()).toBe(20);
    expect(it.seek(31)).toBe(false);
  });

  it('gives a sticky error on a truncated chunk instead of crashing', () => {
    const b = chunkOf(Array.from({ length: 50 }, (_, i) => [i * 15_000 + (i % 3), i * 1.5] as [number, number]));
    for (let cut = 0; cut < b.length; cut++) {
      const it = new XorIterator(b.subarray(0, cut));
      let n = 0;
      while (it.next()) n++;
      expect(n).toBeLessThan(50);
      expect(it.err()).not.toBeNull();
      expect(it.next()).toBe(false);
    }
  });

  it('refuses other encodings', () => {
    expect(() => chunkIterator(2, new Uint8Array(4))).toThrow(/unsupported chunk encoding 2/);
  });
});
