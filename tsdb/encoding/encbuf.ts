/**
 * Byte buffers for the TSDB formats (index, chunk segments, tombstones, WAL records), after
 * Prometheus's tsdb/encoding: fixed-width integers are big-endian; uvarint is LEB128; varint is
 * zigzag then LEB128. Numbers are exact up to 2^53; beyond that (a negative "uvarint" difference
 * written as two's complement, a zigzag of a huge value) the slow path uses BigInt.
 *
 * Decbuf keeps a sticky error, checks the length before every read and never throws: callers
 * read a whole entry, then check err() once.
 */

const TWO32 = 0x1_0000_0000;

export class Encbuf {
  buf: Uint8Array;
  len = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
  }

  reset(): void {
    this.len = 0;
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let n = this.buf.length * 2;
    while (n < need) n *= 2;
    const b = new Uint8Array(n);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  /** The bytes written so far (a view; valid until the next write). */
  get(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  putByte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  putBytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  putBE16(v: number): void {
    this.ensure(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
  }

  putBE32(v: number): void {
    this.ensure(4);
    writeBE32(this.buf, this.len, v);
    this.len += 4;
  }

  /** A non-negative integer up to 2^53. */
  putBE64(v: number): void {
    this.putBE32(Math.floor(v / TWO32));
    this.putBE32(v % TWO32);
  }

  /** A 64-bit pattern given as two 32-bit words (float bits, for instance). */
  putBE64Words(hi: number, lo: number): void {
    this.putBE32(hi);
    this.putBE32(lo);
  }

  /** Overwrite 4 bytes at `at` (back-patching a length or CRC). */
  setBE32(at: number, v: number): void {
    writeBE32(this.buf, at, v);
  }

  putUvarint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    if (v < 0 || v > Number.MAX_SAFE_INTEGER) {
      let big = BigInt.asUintN(64, BigInt(v));
      while (big >= 0x80n) {
        b[this.len++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      b[this.len++] = Number(big);
      return;
    }
    while (v >= 0x80) {
      b[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.len++] = v;
  }

  putVarint(v: number): void {
    if (v > -(2 ** 52) && v < 2 ** 52) {
      this.putUvarint(v >= 0 ? v * 2 : -v * 2 - 1);
      return;
    }
    const z = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
    this.ensure(10);
    let big = z;
    while (big >= 0x80n) {
      this.buf[this.len++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buf[this.len++] = Number(big);
  }

  /** uvarint byte length, then the UTF-8 bytes. */
  putUvarintStr(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.putUvarint(n);
    this.ensure(n);
    Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).write(s, this.len, 'utf8');
    this.len += n;
  }

  /** uvarint length, then src[from, to) (no view is made: label-sized copies). */
  putUvarintRange(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.putUvarint(n);
    this.ensure(n);
    const b = this.buf;
    let at = this.len;
    for (let i = from; i < to; i++) b[at++] = src[i]!;
    this.len = at;
  }

  /** uvarint byte length, then the bytes. */
  putUvarintBytes(b: Uint8Array): void {
    this.putUvarint(b.length);
    this.putBytes(b);
  }

  /** Zero bytes until len is a multiple of `align`, counting from `base`. */
  padTo(align: number, base = 0): void {
    const r = (base + this.len) % align;
    if (r === 0) return;
    const n = align - r;
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
}

export function writeBE32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

export function readBE32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export class Decbuf {
  pos: number;
  private error: Error | null = null;
  /** A Buffer over b, made on the first string read. */
  private text: Buffer | null = null;

  constructor(
    readonly b: Uint8Array,
    start = 0,
    readonly end = b.length,
  ) {
    this.pos = start;
  }

  err(): Error | null {
    return this.error;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  private fail(what: string): void {
    this.error ??= new Error(`invalid size: ${what} at offset ${this.pos}`);
    this.pos = this.end;
  }

  byte(): number {
    if (this.pos + 1 > this.end) {
      this.fail('byte');
      return 0;
    }
    return this.b[this.pos++]!;
  }

  be16(): number {
    if (this.pos + 2 > this.end) {
      this.fail('be16');
      return 0;
    }
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  be32(): number {
    if (this.pos + 4 > this.end) {
      this.fail('be32');
      return 0;
    }
    const v = readBE32(this.b, this.pos);
    this.pos += 4;
    return v;
  }

  /** A be64 as a number (exact up to 2^53). */
  be64(): number {
    const hi = this.be32();
    const lo = this.be32();
    return hi * TWO32 + lo;
  }

  /** uvarint as a number; values past 2^53 lose precision (use uvarint64 where they matter). */
  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        this.fail('uvarint');
        return 0;
      }
      const c = this.b[this.pos++]!;
      v += (c & 0x7f) * mul;
      if (c < 0x80) return v;
      mul *= 128;
    }
    this.error ??= new Error(`varint overflows a 64-bit integer at offset ${this.pos}`);
    this.pos = this.end;
    return 0;
  }

  /** uvarint as an unsigned 64-bit BigInt. */
  uvarint64(): bigint {
    let v = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        this.fail('uvarint');
        return 0n;
      }
      const c = this.b[this.pos++]!;
      v |= BigInt(c & 0x7f) << shift;
      if (c < 0x80) return BigInt.asUintN(64, v);
      shift += 7n;
    }
    this.error ??= new Error(`varint overflows a 64-bit integer at offset ${this.pos}`);
    this.pos = this.end;
    return 0n;
  }

  /** A "uvarint of a difference" that may wrap (two's complement), as a signed number. */
  uvarintSigned(): number {
    const start = this.pos;
    const v = this.uvarint();
    if (v <= Number.MAX_SAFE_INTEGER && this.pos - start < 10) return v;
    this.pos = start;
    return Number(BigInt.asIntN(64, this.uvarint64()));
  }

  varint(): number {
    const start = this.pos;
    const z = this.uvarint();
    if (z <= Number.MAX_SAFE_INTEGER && this.pos - start < 9) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    this.pos = start;
    const big = this.uvarint64();
    return Number((big >> 1n) ^ -(big & 1n));
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) {
      this.fail('bytes');
      return new Uint8Array(0);
    }
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  uvarintBytes(): Uint8Array {
    return this.bytes(this.uvarint());
  }

  /** A uvarint-length-prefixed UTF-8 string, decoded straight from the buffer (no view per string). */
  uvarintStr(): string {
    const n = this.uvarint();
    if (n < 0 || this.pos + n > this.end) {
      this.fail('string');
      return '';
    }
    this.text ??= Buffer.isBuffer(this.b) ? this.b : Buffer.from(this.b.buffer, this.b.byteOffset, this.b.byteLength);
    const s = this.text.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      this.fail('skip');
      return;
    }
    this.pos += n;
  }
}
