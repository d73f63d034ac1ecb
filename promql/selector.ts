/**
 * Series selectors as the metadata endpoints take them in `match[]`: `name`, `name{l="v", …}`,
 * `{l=~"re"}`, with the four matcher kinds and PromQL's string literals ("…", '…', `…`).
 * The full PromQL parser will subsume this; its error messages follow Prometheus's
 * `parse error at char N: …` wording.
 */

import { Matcher, type MatchType } from '../tsdb/matchers.js';
import { METRIC_NAME } from '../tsdb/labels.js';

export class SelectorParseError extends Error {}

const IDENT_START = /[a-zA-Z_:]/;
const IDENT = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL = /[a-zA-Z0-9_]/;

class Scanner {
  pos = 0;
  constructor(readonly src: string) {}
  skipSpace(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#') while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      else return;
    }
  }
  peek(): string | undefined {
    this.skipSpace();
    return this.src[this.pos];
  }
  fail(msg: string): never {
    throw new SelectorParseError(`1:${this.pos + 1}: parse error: ${msg}`);
  }
  ident(start: RegExp, rest: RegExp): string {
    this.skipSpace();
    const s = this.pos;
    if (!start.test(this.src[this.pos] ?? '')) return '';
    this.pos++;
    while (rest.test(this.src[this.pos] ?? '')) this.pos++;
    return this.src.slice(s, this.pos);
  }
  string(): string {
    this.skipSpace();
    const q = this.src[this.pos];
    if (q !== '"' && q !== "'" && q !== '`') this.fail(`unexpected ${describe(this.src, this.pos)} in label matching, expected string`);
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || (c === '\n' && q !== '`')) this.fail('unterminated quoted string');
      this.pos++;
      if (c === q) return out;
      if (c === '\\' && q !== '`') out += this.escape(q);
      else out += c;
    }
  }
  private escape(q: string): string {
    const c = this.src[this.pos++];
    switch (c) {
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'v': return '\v';
      case '\\': return '\\';
      case q: return q;
      case 'x': return this.hex(2);
      case 'u': return this.hex(4);
      case 'U': return this.hex(8);
      default:
        if (c !== undefined && c >= '0' && c <= '7') {
          const oct = c + this.src.slice(this.pos, this.pos + 2);
          if (!/^[0-7]{3}$/.test(oct)) this.fail('invalid octal escape in string');
          this.pos += 2;
          return String.fromCharCode(parseInt(oct, 8));
        }
        return this.fail(`unknown escape sequence ${JSON.stringify(c ?? '')}`);
    }
  }
  private hex(n: number): string {
    const h = this.src.slice(this.pos, this.pos + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) this.fail('invalid escape sequence in string');
    this.pos += n;
    const cp = parseInt(h, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) this.fail('escape sequence is an invalid Unicode code point');
    return String.fromCodePoint(cp);
  }
}

function describe(src: string, pos: number): string {
  const c = src[pos];
  if (c === undefined) return 'end of input';
  if (c === '}') return 'right brace';
  if (c === '{') return 'left brace';
  if (c === ',') return 'comma';
  if (c === '=') return '"="';
  return `character ${JSON.stringify(c)}`;
}

/** Parse one selector into its matchers; at least one matcher must not match the empty string. */
export function parseSelector(text: string): Matcher[] {
  const s = new Scanner(text);
  const matchers: Matcher[] = [];
  const name = s.ident(IDENT_START, IDENT);
  if (name !== '') matchers.push(new Matcher('=', METRIC_NAME, name));
  const braces = s.peek() === '{';
  if (name === '' && !braces) s.fail(`unexpected ${describe(s.src, s.pos)}`);
  if (braces) {
    s.pos++;
    for (;;) {
      if (s.peek() === '}') {
        s.pos++;
        break;
      }
      const label = s.ident(LABEL_START, LABEL);
      if (label === '') s.fail(`unexpected ${describe(s.src, s.pos)} in label matching, expected label`);
      s.skipSpace();
      const op = (['=~', '!~', '!=', '='] as const).find((o) => s.src.startsWith(o, s.pos));
      if (!op) s.fail(`unexpected ${describe(s.src, s.pos)} in label matching, expected label matching operator`);
      s.pos += op!.length;
      const value = s.string();
      if (name !== '' && label === METRIC_NAME) s.fail(`metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(value)}`);
      try {
        matchers.push(new Matcher(op as MatchType, label, value));
      } catch (e) {
        s.fail(`invalid regular expression ${JSON.stringify(value)}: ${(e as Error).message}`);
      }
      const c = s.peek();
      if (c === ',') s.pos++;
      else if (c !== '}') s.fail(`unexpected ${describe(s.src, s.pos)} in label matching, expected comma or right brace`);
    }
  }
  if (s.peek() !== undefined) s.fail(`unexpected ${describe(s.src, s.pos)}`);
  if (matchers.every((m) => m.matchesEmpty())) {
    throw new SelectorParseError('1:1: parse error: vector selector must contain at least one non-empty matcher');
  }
  return matchers;
}
