/**
 * The XOR chunk (FORMAT.md): Prometheus's float encoding, bit for bit. Appenders take a value as
 * its two raw 32-bit words so the stale marker survives; no BigInt on the per-sample path
 * (only for timestamps beyond 31-bit deltas, which real data never has).
 */

import { type SampleBuffer, type SampleIterator, valueFromBits } from '../storage.js';
import { BitReader, BitWriter } from './bstream.js';

export const Encoding = { XOR: 1 } as const;
export type EncodingValue = (typeof Encoding)[keyof typeof Encoding];

/** Prometheus's target samples per chunk. */
export const SAMPLES_PER_CHUNK = 120;
const NO_WINDOW = 0xff;

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

export class XorChunk {
  private readonly w = new BitWriter(16);
  private n = 0;
  private t = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = NO_WINDOW;
  private trailing = 0;
  minT = 0;

  constructor() {
    this.w.write(0, 16); // sample count, patched on every append
  }

  numSamples(): number {
    return this.n;
  }

  maxT(): number {
    return this.t;
  }

  append(t: number, hi: number, lo: number): void {
    const w = this.w;
    if (this.n === 0) {
      this.minT = t;
      writeVarintBytes(w, t);
      w.write(hi, 32);
      w.write(lo, 32);
    } else if (this.n === 1) {
      this.tDelta = t - this.t;
      writeUvarintBytes(w, this.tDelta);
      this.writeValue(hi, lo);
    } else {
      const delta = t - this.t;
      const dod = delta - this.tDelta;
      if (dod === 0) w.writeBit(0);
      else if (dod >= -8191 && dod <= 8192) {
        w.write(0b10, 2);
        w.write(dod, 14);
      } else if (dod >= -65535 && dod <= 65536) {
        w.write(0b110, 3);
        w.write(dod, 17);
      } else if (dod >= -524287 && dod <= 524288) {
        w.write(0b1110, 4);
        w.write(dod, 20);
      } else {
        w.write(0b1111, 4);
        const big = BigInt.asUintN(64, BigInt(dod));
        w.write(Number(big >> 32n), 32);
        w.write(Number(big & 0xffffffffn), 32);
      }
      this.tDelta = delta;
      this.writeValue(hi, lo);
    }
    this.t = t;
    this.vHi = hi >>> 0;
    this.vLo = lo >>> 0;
    this.n++;
    const b = w.buf;
    b[0] = this.n >>> 8;
    b[1] = this.n & 0xff;
  }

  private writeValue(hi: number, lo: number): void {
    const w = this.w;
    const xh = (hi ^ this.vHi) >>> 0;
    const xl = (lo ^ this.vLo) >>> 0;
    if (xh === 0 && xl === 0) {
      w.writeBit(0);
      return;
    }
    let leading = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trailing = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    if (leading >= 32) leading = 31;
    if (this.leading !== NO_WINDOW && leading >= this.leading && trailing >= this.trailing) {
      w.write(0b10, 2);
      writeShifted(w, xh, xl, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = leading;
    this.trailing = trailing;
    const sig = 64 - leading - trailing;
    w.write(0b11, 2);
    w.write(leading, 5);
    w.write(sig & 63, 6);
    writeShifted(w, xh, xl, trailing, sig);
  }

  /** The chunk's bytes as Prometheus stores them (a copy). */
  bytes(): Uint8Array {
    return this.w.bytes();
  }

  /** Bytes in use plus the object, for memory accounting. */
  sizeBytes(): number {
    return this.w.buf.length + 96;
  }

  iterator(): XorIterator {
    return new XorIterator(this.w.buf.subarray(0, (this.w.bits + 7) >>> 3));
  }
}

/** Write (x >>> shift) in n bits, x = (xh, xl). */
function writeShifted(w: BitWriter, xh: number, xl: number, shift: number, n: number): void {
  let sh: number;
  let sl: number;
  if (shift === 0) {
    sh = xh;
    sl = xl;
  } else if (shift < 32) {
    sl = ((xl >>> shift) | (xh << (32 - shift))) >>> 0;
    sh = xh >>> shift;
  } else {
    sl = xh >>> (shift - 32);
    sh = 0;
  }
  if (n > 32) {
    w.write(sh, n - 32);
    w.write(sl, 32);
  } else w.write(sl, n);
}

function writeUvarintBytes(w: BitWriter, v: number): void {
  if (v < 0 || v > Number.MAX_SAFE_INTEGER) {
    let big = BigInt.asUintN(64, BigInt(v));
    while (big >= 0x80n) {
      w.write(Number(big & 0x7fn) | 0x80, 8);
      big >>= 7n;
    }
    w.write(Number(big), 8);
    return;
  }
  while (v >= 0x80) {
    w.write((v % 0x80) | 0x80, 8);
    v = Math.floor(v / 0x80);
  }
  w.write(v, 8);
}

function writeVarintBytes(w: BitWriter, v: number): void {
  if (v > -(2 ** 51) && v < 2 ** 51) {
    // zigzag, exact in a double at this size
    writeUvarintBytes(w, v >= 0 ? v * 2 : -v * 2 - 1);
    return;
  }
  // zigzag in 64 bits
  let z = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
  while (z >= 0x80n) {
    w.write(Number(z & 0x7fn) | 0x80, 8);
    z >>= 7n;
  }
  w.write(Number(z), 8);
}

/** Reads an XOR chunk's samples; a truncated chunk ends with a sticky error. */
export class XorIterator implements SampleIterator {
  private readonly r: BitReader;
  private readonly total: number;
  private i = 0;
  private t = 0;
  private tDelta = 0;
  private hi = 0;
  private lo = 0;
  private leading = 0;
  private trailing = 0;
  private error: Error | null = null;

  constructor(bytes: Uint8Array) {
    if (bytes.length < 2) {
      this.r = new BitReader(bytes);
      this.total = 0;
      this.error = new Error('xor chunk: shorter than its 2-byte header');
      return;
    }
    this.total = (bytes[0]! << 8) | bytes[1]!;
    this.r = new BitReader(bytes, 2);
  }

  next(): boolean {
    if (this.error || this.i >= this.total) return false;
    if (this.i >= 2 && this.nextFast()) return true;
    const r = this.r;
    if (this.i === 0) {
      this.t = this.readVarint(true);
      this.hi = r.read(32);
      this.lo = r.read(32);
    } else if (this.i === 1) {
      this.tDelta = this.readVarint(false);
      this.t += this.tDelta;
      this.readValue();
    } else {
      let prefix = 0;
      let nbits = 0;
      for (; prefix < 4; prefix++) if (r.readBit() === 0) break;
      let dod = 0;
      if (prefix === 1) nbits = 14;
      else if (prefix === 2) nbits = 17;
      else if (prefix === 3) nbits = 20;
      if (nbits > 0) {
        const raw = r.read(nbits);
        dod = raw > 2 ** (nbits - 1) ? raw - 2 ** nbits : raw;
      } else if (prefix === 4) {
        const h = r.read(32);
        const l = r.read(32);
        dod = Number(BigInt.asIntN(64, (BigInt(h) << 32n) | BigInt(l)));
      }
      this.tDelta += dod;
      this.t += this.tDelta;
      this.readValue();
    }
    if (r.eof) {
      this.error = new Error(`xor chunk: truncated at sample ${this.i} of ${this.total}`);
      return false;
    }
    this.i++;
    return true;
  }

  /**
   * The common sample, decoded from one 32-bit look-ahead: an unchanged time delta (dod prefix
   * `0`), and a value that is unchanged (`0`), reuses the previous window (`10`) or opens a new one
   * (`11`, 5 bits leading, 6 bits length), with all its bits inside the 32. Anything else (or the
   * last four bytes of the chunk) returns false having consumed nothing, and next() reads it bit
   * by bit.
   */
  private nextFast(): boolean {
    const r = this.r;
    const b = r.buf;
    const pos = r.pos;
    const idx = pos >>> 3;
    if (idx + 4 >= b.length) return false;
    const off = pos & 7;
    // The next 32 bits of the stream, most significant first (int32).
    const w = (((b[idx]! << 24) | (b[idx + 1]! << 16) | (b[idx + 2]! << 8) | b[idx + 3]!) << off) | (b[idx + 4]! >>> (8 - off));
    if (w < 0) return false; // the time delta changed
    if ((w & 0x40000000) === 0) {
      r.pos = pos + 2;
      this.t += this.tDelta;
      this.i++;
      return true;
    }
    let used = 3;
    let leading = this.leading;
    let trailing = this.trailing;
    if ((w & 0x20000000) !== 0) {
      leading = (w >>> 24) & 0x1f;
      const sig = (w >>> 18) & 0x3f;
      if (sig === 0) return false; // 64 significant bits
      trailing = 64 - leading - sig;
      used = 14;
    }
    const n = 64 - leading - trailing;
    if (used + n > 32) return false;
    const bits = (w << used) >>> (32 - n);
    // The xor word is bits << trailing, across the two 32-bit halves: readValue's shift with a
    // zero high word, written out here because this is the decoder's hottest line.
    let xh: number;
    let xl: number;
    if (trailing >= 32) {
      xh = (bits << (trailing - 32)) >>> 0;
      xl = 0;
    } else if (trailing === 0) {
      xh = 0;
      xl = bits;
    } else {
      xh = bits >>> (32 - trailing);
      xl = (bits << trailing) >>> 0;
    }
    this.hi = (this.hi ^ xh) >>> 0;
    this.lo = (this.lo ^ xl) >>> 0;
    this.leading = leading;
    this.trailing = trailing;
    r.pos = pos + used + n;
    this.t += this.tDelta;
    this.i++;
    return true;
  }

  private readVarint(signed: boolean): number {
    // Up to 7 bytes (49 bits) the value is exact in a double: the common case (ms timestamps
    // need 6). Longer ones are read again with BigInt.
    const start = this.r.pos;
    let v = 0;
    let scale = 1;
    for (let k = 0; k < 7; k++) {
      const b = this.r.read(8);
      v += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!signed) return v;
        return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
      }
      scale *= 128;
    }
    this.r.pos = start;
    return this.readVarintBig(signed);
  }

  private readVarintBig(signed: boolean): number {
    let v = 0n;
    let shift = 0n;
    for (let k = 0; k < 10; k++) {
      const b = this.r.read(8);
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    if (signed) v = (v >> 1n) ^ -(v & 1n);
    return Number(BigInt.asIntN(64, v));
  }

  private readValue(): void {
    const r = this.r;
    if (r.readBit() === 0) return;
    if (r.readBit() === 1) {
      this.leading = r.read(5);
      let sig = r.read(6);
      if (sig === 0) sig = 64;
      this.trailing = 64 - this.leading - sig;
    }
    const n = 64 - this.leading - this.trailing;
    let sh = 0;
    let sl: number;
    if (n > 32) {
      sh = r.read(n - 32);
      sl = r.read(32);
    } else sl = r.read(n);
    // x = (sh, sl) << trailing
    const t = this.trailing;
    let xh: number;
    let xl: number;
    if (t === 0) {
      xh = sh;
      xl = sl;
    } else if (t < 32) {
      xh = ((sh << t) | (sl >>> (32 - t))) >>> 0;
      xl = (sl << t) >>> 0;
    } else {
      xh = (sl << (t - 32)) >>> 0;
      xl = 0;
    }
    this.hi = (this.hi ^ xh) >>> 0;
    this.lo = (this.lo ^ xl) >>> 0;
  }

  /**
   * Appends this chunk's samples in [mint, maxt] to buf, all in one loop (no call per sample
   * from outside). True when a sample after maxt was met: later chunks need not be read.
   */
  drainInto(buf: SampleBuffer, mint: number, maxt: number): boolean {
    while (this.next()) {
      const t = this.t;
      if (t < mint) continue;
      if (t > maxt) return true;
      buf.push(t, this.hi, this.lo);
    }
    return false;
  }

  seek(t: number): boolean {
    if (this.error) return false;
    if (this.i > 0 && this.t >= t) return true;
    while (this.next()) if (this.t >= t) return true;
    return false;
  }

  atT(): number {
    return this.t;
  }

  atV(): number {
    return valueFromBits(this.hi, this.lo);
  }

  atHi(): number {
    return this.hi;
  }

  atLo(): number {
    return this.lo;
  }

  err(): Error | null {
    return this.error;
  }
}

/** Open chunk bytes of a given encoding for reading. */
export function chunkIterator(encoding: number, bytes: Uint8Array): XorIterator {
  if (encoding !== Encoding.XOR) throw new Error(`unsupported chunk encoding ${encoding}: only XOR (1) is supported`);
  return new XorIterator(bytes);
}
