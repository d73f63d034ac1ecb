/**
 * UTF-8 over request bytes without allocating, and Go-style quoting for error messages.
 *
 * Validation follows Go's `utf8.Valid` (Unicode table 3-7): no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF. A byte that does not start a well-formed sequence is one
 * error "rune" of width 1, as in Go's `range` over a string.
 *
 * Messages must show bad bytes the way Go's `%q` does (`\xff`), so bytes are turned into text with
 * "surrogate escapes": an ill-formed byte b becomes the lone surrogate U+DC00+b (U+DC80..U+DCFF),
 * which well-formed UTF-8 can never produce, and `goQuote` prints it back as `\xNN`. One escaped
 * byte is one code point, so truncating to N code points matches Go's `%.Nq` (N runes).
 */

/** Length of the well-formed sequence starting at buf[i] (1..4), or 0 when ill-formed or cut at `end`. */
export function utf8SequenceLength(buf: Uint8Array, i: number, end: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  if (b0 < 0xc2) return 0; // continuation byte or overlong 2-byte lead
  if (b0 < 0xe0) {
    return i + 1 < end && (buf[i + 1]! & 0xc0) === 0x80 ? 2 : 0;
  }
  if (b0 < 0xf0) {
    if (i + 2 >= end) return 0;
    const b1 = buf[i + 1]!;
    const lo = b0 === 0xe0 ? 0xa0 : 0x80; // E0: no overlongs
    const hi = b0 === 0xed ? 0x9f : 0xbf; // ED: no surrogates
    if (b1 < lo || b1 > hi) return 0;
    return (buf[i + 2]! & 0xc0) === 0x80 ? 3 : 0;
  }
  if (b0 < 0xf5) {
    if (i + 3 >= end) return 0;
    const b1 = buf[i + 1]!;
    const lo = b0 === 0xf0 ? 0x90 : 0x80; // F0: no overlongs
    const hi = b0 === 0xf4 ? 0x8f : 0xbf; // F4: nothing above U+10FFFF
    if (b1 < lo || b1 > hi) return 0;
    return (buf[i + 2]! & 0xc0) === 0x80 && (buf[i + 3]! & 0xc0) === 0x80 ? 4 : 0;
  }
  return 0;
}

/** True when buf[off, off+len) is well-formed UTF-8. Allocates nothing. */
export function isValidUtf8(buf: Uint8Array, off: number, len: number): boolean {
  const end = off + len;
  let i = off;
  while (i < end) {
    // ASCII runs are the common case: label values are mostly ASCII.
    if (buf[i]! < 0x80) {
      i++;
      continue;
    }
    const n = utf8SequenceLength(buf, i, end);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/** Decode bytes to text for messages; ill-formed bytes become surrogate escapes (see above). */
export function decodeEscaped(buf: Uint8Array, off: number, len: number): string {
  const end = off + len;
  let out = '';
  let i = off;
  while (i < end) {
    const b0 = buf[i]!;
    const n = utf8SequenceLength(buf, i, end);
    let cp: number;
    switch (n) {
      case 1:
        cp = b0;
        break;
      case 2:
        cp = ((b0 & 0x1f) << 6) | (buf[i + 1]! & 0x3f);
        break;
      case 3:
        cp = ((b0 & 0x0f) << 12) | ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f);
        break;
      case 4:
        cp = ((b0 & 0x07) << 18) | ((buf[i + 1]! & 0x3f) << 12) | ((buf[i + 2]! & 0x3f) << 6) | (buf[i + 3]! & 0x3f);
        break;
      default:
        cp = 0xdc00 + b0;
    }
    out += String.fromCodePoint(cp);
    i += n === 0 ? 1 : n;
  }
  return out;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
  0x5c: '\\\\',
  0x22: '\\"',
};

/**
 * Go's `%q` (strconv.Quote) of `s`, cut to its first `maxRunes` code points first when given
 * (Go's `%.200q`). Understands the surrogate escapes made by `decodeEscaped`.
 */
export function goQuote(s: string, maxRunes = Infinity): string {
  let out = '"';
  let n = 0;
  for (const ch of s) {
    if (n++ >= maxRunes) break;
    const cp = ch.codePointAt(0)!;
    const short = SHORT_ESCAPES[cp];
    if (short !== undefined) out += short;
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += '\\x' + (cp - 0xdc00).toString(16);
    else if (cp < 0x80 || PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}
