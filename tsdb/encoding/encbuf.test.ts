import { describe, expect, it } from 'vitest';
import { Decbuf, Encbuf } from './encbuf.js';

describe('Encbuf/Decbuf', () => {
  it('round-trips every integer kind at the edges', () => {
    const e = new Encbuf(4);
    const uv = [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    const sv = [0, -1, 1, -64, 64, -(2 ** 40), 2 ** 40, 1700000000000, -1700000000000];
    for (const v of uv) e.putUvarint(v);
    for (const v of sv) e.putVarint(v);
    e.putBE16(0xbeef);
    e.putBE32(0xbaaad700);
    e.putBE64(2 ** 40 + 3);
    e.putUvarintStr('é😀');
    e.putUvarint(-5); // a wrapped difference: 10 bytes
    const d = new Decbuf(e.get());
    for (const v of uv) expect(d.uvarint()).toBe(v);
    for (const v of sv) expect(d.varint()).toBe(v);
    expect(d.be16()).toBe(0xbeef);
    expect(d.be32()).toBe(0xbaaad700);
    expect(d.be64()).toBe(2 ** 40 + 3);
    expect(d.uvarintStr()).toBe('é😀');
    expect(d.uvarintSigned()).toBe(-5);
    expect(d.err()).toBeNull();
    expect(d.remaining()).toBe(0);
  });

  it('matches Go encodings byte for byte', () => {
    const e = new Encbuf();
    e.putVarint(1700000000000); // Appendix A: 80a0abfef962
    e.putUvarint(45000); // c8df02
    expect(Buffer.from(e.get()).toString('hex')).toBe('80a0abfef962c8df02');
  });

  it('keeps a sticky error on truncation and never throws', () => {
    const d = new Decbuf(new Uint8Array([0x80, 0x80]));
    expect(d.uvarint()).toBe(0);
    expect(d.err()?.message).toMatch(/invalid size/);
    expect(d.be32()).toBe(0);
    expect(d.bytes(3).length).toBe(0);
    const o = new Decbuf(new Uint8Array(11).fill(0xff));
    o.uvarint();
    expect(o.err()?.message).toMatch(/overflows/);
  });

  it('pads to an alignment relative to a base offset', () => {
    const e = new Encbuf();
    e.putByte(1);
    e.padTo(16, 5);
    expect(e.len).toBe(11);
  });
});
