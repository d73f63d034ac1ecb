import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../labels.js';
import { mergeSeriesSets } from '../merge.js';
import { SampleBuffer, type SampleIterator, type Series, type SeriesSet, STALE_NAN_HI, STALE_NAN_LO, isStaleNaN } from '../storage.js';
import { type ChunkData, SeriesChunksIterator, readChunksInto } from './series-iterator.js';
import { Encoding, XorChunk } from './xor.js';

let seed = 4242;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};

/** Chunks of up to 40 samples from t0 on, some values stale markers or NaN. */
function chunks(t0: number, n: number): ChunkData[] {
  const out: ChunkData[] = [];
  let c = new XorChunk();
  let t = t0;
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  for (let i = 0; i < n; i++) {
    t += 1 + Math.floor(rnd() * 30);
    const r = rnd();
    if (r < 0.05) c.append(t, STALE_NAN_HI, STALE_NAN_LO);
    else {
      f64[0] = r < 0.08 ? NaN : Math.floor(rnd() * 1000) / 8;
      c.append(t, u32[1]!, u32[0]!);
    }
    if (c.numSamples() >= 40) {
      out.push({ encoding: Encoding.XOR, data: c.bytes() });
      c = new XorChunk();
    }
  }
  if (c.numSamples() > 0) out.push({ encoding: Encoding.XOR, data: c.bytes() });
  return out;
}

type Got = { ts: number[]; bits: string[]; stale: number[] };

function viaIterator(it: SampleIterator, mint: number, maxt: number): Got {
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const got: Got = { ts: [], bits: [], stale: [] };
  if (it.seek(mint)) {
    do {
      if (it.atT() > maxt) break;
      const v = it.atV();
      if (isStaleNaN(v)) got.stale.push(got.ts.length);
      f64[0] = v;
      got.ts.push(it.atT());
      got.bits.push(Number.isNaN(v) && !isStaleNaN(v) ? 'NaN' : `${u32[1]}:${u32[0]}`);
    } while (it.next());
  }
  return got;
}

function viaBuffer(buf: SampleBuffer): Got {
  const got: Got = { ts: [], bits: [], stale: buf.stale ?? [] };
  for (let k = 0; k < buf.n; k++) {
    got.ts.push(buf.ts[k]!);
    const hi = buf.vBits[2 * k + 1]!;
    const lo = buf.vBits[2 * k]!;
    const nan = (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) !== 0 || lo !== 0);
    got.bits.push(nan && !(buf.stale ?? []).includes(k) ? 'NaN' : `${hi}:${lo}`);
  }
  return got;
}

const series = (name: string, data: ChunkData[], mint = -Infinity, maxt = Infinity): Series => ({
  labels: labelsFromRecord({ __name__: name }),
  iterator: () => new SeriesChunksIterator(data, mint, maxt),
  readInto: (buf, lo, hi) => readChunksInto(data, buf, Math.max(lo, mint), Math.min(hi, maxt)),
});

const one = (s: Series): SeriesSet => {
  let i = -1;
  return { next: () => ++i < 1, at: () => s, err: () => null, warnings: [] };
};

describe('bulk reading (Series.readInto)', () => {
  it('gives what the iterator gives: times, value bits and stale markers, over any window', () => {
    const buf = new SampleBuffer(8); // small, so it grows
    for (let round = 0; round < 300; round++) {
      const data = chunks(Math.floor(rnd() * 1000), Math.floor(rnd() * 200));
      const mint = Math.floor(rnd() * 3000);
      const maxt = mint + Math.floor(rnd() * 4000);
      buf.reset();
      expect(readChunksInto(data, buf, mint, maxt)).toBeNull();
      expect(viaBuffer(buf), `round ${round}`).toEqual(viaIterator(new SeriesChunksIterator(data, -Infinity, Infinity), mint, maxt));
    }
  });

  it('reads merged parts one after the other when they do not overlap, and declines when they do', () => {
    const buf = new SampleBuffer();
    const a = chunks(0, 100);
    const b = chunks(10_000, 100);
    const apart = mergeSeriesSets([one(series('x', a)), one(series('x', b))]);
    expect(apart.next()).toBe(true);
    const s = apart.at();
    buf.reset();
    expect(s.readInto!(buf, 0, 100_000)).toBeNull();
    expect(viaBuffer(buf)).toEqual(viaIterator(s.iterator(), 0, 100_000));
    const overlapping = mergeSeriesSets([one(series('x', a)), one(series('x', chunks(50, 100)))]);
    expect(overlapping.next()).toBe(true);
    buf.reset();
    expect(overlapping.at().readInto!(buf, 0, 100_000)).toBe(false);
    const noBulk = mergeSeriesSets([one(series('x', a)), one({ labels: labelsFromRecord({ __name__: 'x' }), iterator: () => new SeriesChunksIterator(b, -Infinity, Infinity) })]);
    expect(noBulk.next()).toBe(true);
    buf.reset();
    expect(noBulk.at().readInto!(buf, 0, 100_000)).toBe(false);
  });

  it('reports a damaged chunk as an error', () => {
    const data = chunks(0, 50);
    const cut: ChunkData[] = [{ encoding: Encoding.XOR, data: data[0]!.data.subarray(0, 20) }];
    const buf = new SampleBuffer();
    expect(readChunksInto(cut, buf, 0, Infinity)).toBeInstanceOf(Error);
  });
});
