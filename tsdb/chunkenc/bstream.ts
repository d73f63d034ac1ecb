/** A bit stream, most significant bit first, as XOR chunks are written. */

const MASK = [0];
for (let i = 1; i <= 32; i++) MASK.push(i === 32 ? 0xffffffff : (1 << i) - 1);

export class BitWriter {
  buf: Uint8Array;
  /** Bits written. */
  bits = 0;
  /**
   * Go's bstream appends a fresh byte after every whole byte it writes, so a write of 8·k bits
   * that starts byte-aligned leaves one empty byte at the end, and Prometheus stores it (a
   * 1-sample chunk ends with 0x00). Tracked so bytes() matches Prometheus byte for byte.
   */
  private emptyTail = false;

  constructor(initialBytes = 16) {
    this.buf = new Uint8Array(initialBytes);
  }

  private ensure(bytes: number): void {
    if (bytes <= this.buf.length) return;
    let n = this.buf.length * 2;
    while (n < bytes) n *= 2;
    const b = new Uint8Array(n);
    b.set(this.buf);
    this.buf = b;
  }

  /** Write the low `n` (0..32) bits of `v`. */
  write(v: number, n: number): void {
    this.ensure(((this.bits + n + 7) >>> 3) + 1);
    this.emptyTail = n > 0 && (n & 7) === 0 && (this.bits & 7) === 0;
    const b = this.buf;
    while (n > 0) {
      const idx = this.bits >>> 3;
      const free = 8 - (this.bits & 7);
      if (n <= free) {
        b[idx]! |= (v & MASK[n]!) << (free - n);
        this.bits += n;
        return;
      }
      b[idx]! |= (v >>> (n - free)) & MASK[free]!;
      this.bits += free;
      n -= free;
    }
  }

  writeBit(bit: number): void {
    this.ensure((this.bits >>> 3) + 1);
    this.emptyTail = false;
    if (bit) this.buf[this.bits >>> 3]! |= 0x80 >>> (this.bits & 7);
    this.bits++;
  }

  /** Bytes of the stream as Prometheus stores it, including Go's empty trailing byte. */
  byteLength(): number {
    return ((this.bits + 7) >>> 3) + (this.emptyTail ? 1 : 0);
  }

  /** The written bytes (a copy), as Prometheus would store them. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.byteLength());
  }
}

export class BitReader {
  /** Bit position. */
  pos = 0;
  /** Set when a read ran past the end. */
  eof = false;

  constructor(
    readonly buf: Uint8Array,
    startByte = 0,
  ) {
    this.pos = startByte * 8;
  }

  /** Read `n` (0..32) bits as an unsigned number. */
  read(n: number): number {
    const b = this.buf;
    const pos = this.pos;
    if (pos + n > b.length * 8) {
      this.eof = true;
      return 0;
    }
    const idx = pos >>> 3;
    if (n <= 25 && idx + 3 < b.length) {
      // The common case: the n bits lie within the four bytes from idx (offset ≤ 7, n ≤ 25).
      const word = (b[idx]! << 24) | (b[idx + 1]! << 16) | (b[idx + 2]! << 8) | b[idx + 3]!;
      this.pos = pos + n;
      return n === 0 ? 0 : (word << (pos & 7)) >>> (32 - n);
    }
    return this.readSlow(n);
  }

  /** Byte by byte: reads longer than 25 bits, and reads within the last three bytes. */
  private readSlow(n: number): number {
    let v = 0;
    const b = this.buf;
    while (n > 0) {
      const idx = this.pos >>> 3;
      const avail = 8 - (this.pos & 7);
      const take = n < avail ? n : avail;
      const bits = (b[idx]! >>> (avail - take)) & MASK[take]!;
      v = v * (1 << take) + bits;
      this.pos += take;
      n -= take;
    }
    return v;
  }

  readBit(): number {
    if (this.pos >= this.buf.length * 8) {
      this.eof = true;
      return 0;
    }
    const bit = (this.buf[this.pos >>> 3]! >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }
}
