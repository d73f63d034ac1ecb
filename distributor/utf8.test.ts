import { describe, expect, it } from 'vitest';
import { decodeEscaped, goQuote, isValidUtf8 } from './utf8.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('isValidUtf8', () => {
  it.each([
    ['empty', bytes(), true],
    ['ASCII', new TextEncoder().encode('job="node"'), true],
    ['2-byte é', bytes(0xc3, 0xa9), true],
    ['3-byte €', bytes(0xe2, 0x82, 0xac), true],
    ['4-byte 😀', bytes(0xf0, 0x9f, 0x98, 0x80), true],
    ['U+10FFFF', bytes(0xf4, 0x8f, 0xbf, 0xbf), true],
    ['lone continuation', bytes(0x80), false],
    ['0xff', bytes(0x61, 0xff), false],
    ['overlong 2-byte', bytes(0xc0, 0xaf), false],
    ['overlong 3-byte', bytes(0xe0, 0x80, 0xaf), false],
    ['overlong 4-byte', bytes(0xf0, 0x80, 0x80, 0xaf), false],
    ['encoded surrogate', bytes(0xed, 0xa0, 0x80), false],
    ['above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), false],
    ['cut 3-byte', bytes(0xe2, 0x82), false],
    ['cut 4-byte', bytes(0xf0, 0x9f, 0x98), false],
  ])('%s', (_name, b, ok) => {
    expect(isValidUtf8(b, 0, b.length)).toBe(ok);
  });

  it('looks only inside the given range', () => {
    const b = bytes(0xff, 0x61, 0x62, 0xff);
    expect(isValidUtf8(b, 1, 2)).toBe(true);
    expect(isValidUtf8(b, 1, 3)).toBe(false);
    // A sequence cut by the range end is ill-formed even if the buffer continues.
    const e = bytes(0xc3, 0xa9);
    expect(isValidUtf8(e, 0, 1)).toBe(false);
  });

  it('agrees with a fatal TextDecoder on random bytes', () => {
    const dec = new TextDecoder('utf-8', { fatal: true });
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let n = 0; n < 20_000; n++) {
      const len = rnd() % 8;
      const b = new Uint8Array(len);
      // Bias towards interesting lead and continuation bytes.
      for (let k = 0; k < len; k++) b[k] = rnd() % 3 === 0 ? 0x80 + (rnd() % 0x80) : rnd() % 256;
      let ok = true;
      try {
        dec.decode(b);
      } catch {
        ok = false;
      }
      expect(isValidUtf8(b, 0, len), Buffer.from(b).toString('hex')).toBe(ok);
    }
  });
});

describe('decodeEscaped and goQuote', () => {
  it('decodes well-formed text like Node', () => {
    const s = 'a é € 😀';
    const b = new TextEncoder().encode(s);
    expect(decodeEscaped(b, 0, b.length)).toBe(s);
  });

  it.each([
    ['plain', 'up', '"up"'],
    ['quote and backslash', 'a"b\\c', '"a\\"b\\\\c"'],
    ['short escapes', '\n\t\r\x07\x08\x0c\x0b', '"\\n\\t\\r\\a\\b\\f\\v"'],
    ['control', '\x01\x7f', '"\\x01\\x7f"'],
    ['printable unicode', 'é€😀', '"é€😀"'],
    ['no-break space', '\u00a0', '"\\u00a0"'],
    ['C1 control', '\u0085', '"\\u0085"'],
  ])('%s', (_name, s, want) => {
    expect(goQuote(s)).toBe(want);
  });

  it('prints ill-formed bytes as \\xNN, one rune each, as Go does', () => {
    const b = bytes(0x61, 0xff, 0xc3, 0x62);
    const s = decodeEscaped(b, 0, b.length);
    expect([...s]).toHaveLength(4);
    expect(goQuote(s)).toBe('"a\\xff\\xc3b"');
  });

  it('truncates to N runes before quoting (%.Nq)', () => {
    expect(goQuote('abcdef', 3)).toBe('"abc"');
    expect(goQuote('é€😀x', 3)).toBe('"é€😀"');
    expect(goQuote('ab', 3)).toBe('"ab"');
  });
});
