import { describe, expect, it } from 'vitest';
import { crc32c, crc32cUpdate } from './crc32c.js';

/** Bit-at-a-time reference, the definition itself. */
function slow(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('has the Castagnoli check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('matches the TSDB golden CRCs (empty tombstones, a promtool chunk)', () => {
    // Appendix A: chunk record at offset 40 is `16 01 <22 bytes>` with CRC dd397441 over encoding+data.
    const rec = Buffer.from('010002' + '80a0abfef962' + '3ff0000000000000' + 'b0ea01c25fff', 'hex');
    expect(crc32c(rec).toString(16)).toBe('dd397441');
  });

  it('equals the bit-wise definition at every length and split point', () => {
    const b = new Uint8Array(300);
    for (let i = 0; i < b.length; i++) b[i] = (i * 131 + 7) & 0xff;
    for (let n = 0; n <= b.length; n += 7) {
      const whole = crc32c(b, 0, n);
      expect(whole).toBe(slow(b.subarray(0, n)));
      const mid = n >> 1;
      expect(crc32cUpdate(crc32c(b, 0, mid), b, mid, n)).toBe(whole);
    }
  });
});
