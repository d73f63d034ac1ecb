/**
 * Protobuf wire primitives for the hand-written codecs: a cursor over a byte array with bounds
 * checked before every read, varints decoded without BigInt, and fixed64 doubles kept as their
 * two raw 32-bit words (so a signalling-NaN stale marker keeps its exact bits).
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class ProtoError extends Error {
  constructor(message: string) {
    super(`proto: ${message}`);
    this.name = 'ProtoError';
  }
}

const TWO_32 = 4294967296;

/** A read cursor. `lo`/`hi` hold the last 64-bit value read by varint64 or fixed64. */
export class Reader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  lo = 0;
  hi = 0;

  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
  }

  /** An unsigned varint that must fit in 32 bits (keys, lengths, refs, enums). */
  uint32(end: number, what: string): number {
    const b = this.buf;
    let p = this.pos;
    let v = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= end) throw new ProtoError(`unexpected end of buffer reading ${what} at offset ${p}`);
      const c = b[p++]!;
      v += (c & 0x7f) * shift;
      if (c < 0x80) {
        this.pos = p;
        if (v > 0xffffffff) throw new ProtoError(`${what} at offset ${this.pos} does not fit in 32 bits`);
        return v;
      }
      shift *= 128;
    }
    throw new ProtoError(`varint longer than 10 bytes reading ${what} at offset ${p}`);
  }

  /** A 64-bit varint into lo (unsigned 32) and hi (unsigned 32). */
  varint64(end: number, what: string): void {
    const b = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let c: number;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) throw new ProtoError(`unexpected end of buffer reading ${what} at offset ${p}`);
      c = b[p++]!;
      lo |= (c & 0x7f) << shift;
      if (c < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        this.pos = p;
        return;
      }
    }
    if (p >= end) throw new ProtoError(`unexpected end of buffer reading ${what} at offset ${p}`);
    c = b[p++]!;
    lo |= (c & 0x0f) << 28;
    hi = (c & 0x7f) >> 4;
    if (c >= 0x80) {
      // Bytes 6..10 carry the high word's bits 3..31; the tenth may only hold the last bit.
      for (let shift = 3; ; shift += 7) {
        if (p >= end) throw new ProtoError(`unexpected end of buffer reading ${what} at offset ${p}`);
        c = b[p++]!;
        if (shift === 31) {
          if (c > 1) throw new ProtoError(`varint longer than 64 bits reading ${what} at offset ${p - 1}`);
          hi |= c << 31;
          break;
        }
        hi |= (c & 0x7f) << shift;
        if (c < 0x80) break;
      }
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.pos = p;
  }

  /** An int64 varint as an exact JS number; refuses values beyond ±2^53. */
  int64(end: number, what: string): number {
    this.varint64(end, what);
    const hi = this.hi | 0;
    if (hi > 0x1fffff || hi < -0x200000) throw new ProtoError(`${what} at offset ${this.pos} is outside ±2^53`);
    return hi * TWO_32 + this.lo;
  }

  /** 8 little-endian bytes into lo/hi. */
  fixed64(end: number, what: string): void {
    const p = this.pos;
    if (p + 8 > end) throw new ProtoError(`unexpected end of buffer reading ${what} at offset ${p}`);
    const b = this.buf;
    this.lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    this.hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    this.pos = p + 8;
  }

  /** Length of a length-delimited field, checked against `end`; the cursor is left at its start. */
  len(end: number, what: string): number {
    const n = this.uint32(end, what);
    if (n > end - this.pos) throw new ProtoError(`length ${n} of ${what} at offset ${this.pos} runs past the end of its message`);
    return n;
  }

  /** Skip a field of wire type `wt`. */
  skip(wt: number, end: number, what: string): void {
    switch (wt) {
      case WIRE_VARINT:
        this.varint64(end, what);
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > end) throw new ProtoError(`unexpected end of buffer skipping ${what} at offset ${this.pos}`);
        this.pos += 8;
        return;
      case WIRE_LEN: {
        const n = this.len(end, what);
        this.pos += n;
        return;
      }
      case WIRE_FIXED32:
        if (this.pos + 4 > end) throw new ProtoError(`unexpected end of buffer skipping ${what} at offset ${this.pos}`);
        this.pos += 4;
        return;
      default:
        throw new ProtoError(`invalid wire type ${wt} in ${what} at offset ${this.pos}`);
    }
  }

  /** Walk a message's fields without decoding them, so its framing is known to be sound. */
  checkMessage(end: number, what: string): void {
    while (this.pos < end) {
      const key = this.uint32(end, what);
      if (key >>> 3 === 0) throw new ProtoError(`field number 0 in ${what} at offset ${this.pos}`);
      this.skip(key & 7, end, what);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function utf8String(buf: Uint8Array, off: number, len: number, what: string): string {
  try {
    return utf8.decode(buf.subarray(off, off + len));
  } catch {
    throw new ProtoError(`invalid UTF-8 in ${what} at offset ${off}`);
  }
}
