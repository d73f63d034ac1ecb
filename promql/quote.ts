/**
 * Go's quoting and PromQL's unquoting: `goQuote` is strconv.Quote (what Prometheus's `%q`
 * prints for strings), `goQuoteRune` is strconv.QuoteRune (`%q` of a rune), `goRuneU` is `%#U`,
 * `unquote` is Prometheus's strutil.Unquote for "…", '…' and `…` literals.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's unicode.IsPrint (letters, marks, numbers, punctuation, symbols and ASCII space). */
export function isPrint(cp: number): boolean {
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(cp: number, quote: number): string {
  if (cp === quote || cp === 0x5c) return '\\' + String.fromCodePoint(cp);
  if (isPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}

/** strconv.Quote. Lone surrogates are printed as Go prints invalid UTF-8's replacement. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0) ?? 0xfffd;
    if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
    out += escapeRune(cp, 0x22);
  }
  return out + '"';
}

/** strconv.QuoteRune; a negative rune (Go's EOF) becomes U+FFFD like in Go's fmt. */
export function goQuoteRune(cp: number): string {
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) cp = 0xfffd;
  return "'" + escapeRune(cp, 0x27) + "'";
}

/** fmt's `%#U`: `U+0071 'q'`, or just `U+000A` for a rune that is not printable. */
export function goRuneU(cp: number): string {
  if (cp < 0) cp = 0xfffd;
  const u = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return isPrint(cp) ? `${u} '${String.fromCodePoint(cp)}'` : u;
}

/** Go's `%.10q...` of a string as Prometheus uses it for long token values. */
export function goQuoteTruncated(s: string, runes: number): string {
  return goQuote(Array.from(s).slice(0, runes).join(''));
}

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/**
 * strutil.Unquote for a literal the lexer accepted. Escapes produce bytes (`\xff` is one
 * byte), the result is decoded as UTF-8 (invalid bytes become U+FFFD). Throws on bad syntax.
 */
export function unquote(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || q !== lit[lit.length - 1]) throw new Error('invalid syntax');
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new Error('invalid syntax');
    return body;
  }
  if ((q !== '"' && q !== "'") || body.includes('\n')) throw new Error('invalid syntax');
  if (!body.includes('\\') && !body.includes(q)) return body;
  const bytes: number[] = [];
  const pushCp = (cp: number): void => {
    for (const b of encoder.encode(String.fromCodePoint(cp))) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === q) throw new Error('invalid syntax');
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      pushCp(cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a': bytes.push(7); break;
      case 'b': bytes.push(8); break;
      case 'f': bytes.push(12); break;
      case 'n': bytes.push(10); break;
      case 'r': bytes.push(13); break;
      case 't': bytes.push(9); break;
      case 'v': bytes.push(11); break;
      case '\\': bytes.push(0x5c); break;
      case "'":
      case '"':
        if (e !== q) throw new Error('invalid syntax');
        bytes.push(e.charCodeAt(0));
        break;
      case 'x':
      case 'u':
      case 'U': {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const h = body.slice(i, i + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new Error('invalid syntax');
        i += n;
        const v = parseInt(h, 16);
        if (e === 'x') bytes.push(v);
        else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new Error('invalid syntax');
        else pushCp(v);
        break;
      }
      default: {
        const o = body.slice(i - 1, i + 2);
        if (!/^[0-7]{3}$/.test(o)) throw new Error('invalid syntax');
        const v = parseInt(o, 8);
        if (v > 255) throw new Error('invalid syntax');
        bytes.push(v);
        i += 2;
      }
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}
