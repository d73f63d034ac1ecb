/**
 * The PromQL scanner, behaving like Prometheus 2.42's (promql/parser/lex.go): the same tokens,
 * the same context rules (keywords are plain identifiers inside braces; a letter inside `[...]`
 * is scanned as the subquery colon) and the same error texts and positions. The parser pulls
 * tokens one at a time; after an ERROR token the scanner only returns EOF.
 */

import { goQuote, goQuoteRune, goQuoteTruncated, goRuneU } from './quote.js';

export type OperatorToken =
  | 'ADD' | 'DIV' | 'EQLC' | 'EQL_REGEX' | 'GTE' | 'GTR' | 'LAND' | 'LOR' | 'LSS' | 'LTE' | 'LUNLESS'
  | 'MOD' | 'MUL' | 'NEQ' | 'NEQ_REGEX' | 'POW' | 'SUB' | 'AT' | 'ATAN2';
export type AggregatorToken = 'AVG' | 'BOTTOMK' | 'COUNT' | 'COUNT_VALUES' | 'GROUP' | 'MAX' | 'MIN' | 'QUANTILE' | 'STDDEV' | 'STDVAR' | 'SUM' | 'TOPK';
export type KeywordToken = 'BOOL' | 'BY' | 'GROUP_LEFT' | 'GROUP_RIGHT' | 'IGNORING' | 'OFFSET' | 'ON' | 'WITHOUT';
export type PreprocessorToken = 'START' | 'END';
export type TokenType =
  | 'EOF' | 'ERROR' | 'COMMENT' | 'IDENTIFIER' | 'METRIC_IDENTIFIER' | 'NUMBER' | 'DURATION' | 'STRING'
  | 'EQL' | 'COLON' | 'COMMA' | 'LEFT_BRACE' | 'RIGHT_BRACE' | 'LEFT_BRACKET' | 'RIGHT_BRACKET' | 'LEFT_PAREN' | 'RIGHT_PAREN'
  | OperatorToken | AggregatorToken | KeywordToken | PreprocessorToken;

export interface Token {
  readonly type: TokenType;
  /** Offset of the token's first character (for ERROR: where Prometheus reports the error). */
  readonly pos: number;
  /** The source text of the token; for ERROR the message. */
  readonly val: string;
}

const OPERATORS = new Set<TokenType>(['ADD', 'DIV', 'EQLC', 'EQL_REGEX', 'GTE', 'GTR', 'LAND', 'LOR', 'LSS', 'LTE', 'LUNLESS', 'MOD', 'MUL', 'NEQ', 'NEQ_REGEX', 'POW', 'SUB', 'AT', 'ATAN2']);
const AGGREGATORS = new Set<TokenType>(['AVG', 'BOTTOMK', 'COUNT', 'COUNT_VALUES', 'GROUP', 'MAX', 'MIN', 'QUANTILE', 'STDDEV', 'STDVAR', 'SUM', 'TOPK']);
const KEYWORDS = new Set<TokenType>(['BOOL', 'BY', 'GROUP_LEFT', 'GROUP_RIGHT', 'IGNORING', 'OFFSET', 'ON', 'WITHOUT']);
/** Types Prometheus has a fixed string for (ItemTypeStr); they are described by their text. */
const FIXED = new Set<TokenType>([...[...OPERATORS].filter((t) => t !== 'AT'), ...AGGREGATORS, ...KEYWORDS, 'START', 'END', 'EQL', 'COLON', 'COMMA', 'LEFT_BRACE', 'RIGHT_BRACE', 'LEFT_BRACKET', 'RIGHT_BRACKET', 'LEFT_PAREN', 'RIGHT_PAREN']);

/** Words scanned as something other than an identifier (matched case-insensitively). */
export const KEYWORD_TOKENS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ['and', 'LAND'], ['or', 'LOR'], ['unless', 'LUNLESS'], ['atan2', 'ATAN2'],
  ['sum', 'SUM'], ['avg', 'AVG'], ['count', 'COUNT'], ['min', 'MIN'], ['max', 'MAX'], ['group', 'GROUP'],
  ['stddev', 'STDDEV'], ['stdvar', 'STDVAR'], ['topk', 'TOPK'], ['bottomk', 'BOTTOMK'], ['count_values', 'COUNT_VALUES'], ['quantile', 'QUANTILE'],
  ['offset', 'OFFSET'], ['by', 'BY'], ['without', 'WITHOUT'], ['on', 'ON'], ['ignoring', 'IGNORING'],
  ['group_left', 'GROUP_LEFT'], ['group_right', 'GROUP_RIGHT'], ['bool', 'BOOL'],
  ['start', 'START'], ['end', 'END'],
  ['inf', 'NUMBER'], ['nan', 'NUMBER'],
]);

export function isOperatorToken(t: TokenType): t is OperatorToken {
  return OPERATORS.has(t);
}
export function isAggregatorToken(t: TokenType): t is AggregatorToken {
  return AGGREGATORS.has(t);
}
export function isKeywordToken(t: TokenType): t is KeywordToken {
  return KEYWORDS.has(t);
}

/** Prometheus's Item.desc(): how a token is named in "unexpected …" messages. */
export function describeToken(t: Token): string {
  if (t.type === 'EOF') return 'end of input';
  if (FIXED.has(t.type)) return tokenString(t);
  // Prometheus 2.42 has no display string for `@`, so it prints its yacc token number.
  if (t.type === 'AT') return `"<Item 57385>" ${tokenString(t)}`;
  const kind: Partial<Record<TokenType, string>> = {
    ERROR: 'error', COMMENT: 'comment', IDENTIFIER: 'identifier', METRIC_IDENTIFIER: 'metric identifier',
    STRING: 'string', NUMBER: 'number', DURATION: 'duration',
  };
  return `${kind[t.type] ?? t.type} ${tokenString(t)}`;
}

/** Prometheus's Item.String(). */
function tokenString(t: Token): string {
  if (t.type === 'EOF') return 'EOF';
  if (t.type === 'ERROR') return t.val;
  if (t.type === 'IDENTIFIER' || t.type === 'METRIC_IDENTIFIER') return goQuote(t.val);
  if (KEYWORDS.has(t.type)) return `<${t.val}>`;
  if (OPERATORS.has(t.type)) return `<op:${t.val}>`;
  if (AGGREGATORS.has(t.type)) return `<aggr:${t.val}>`;
  if (Buffer.byteLength(t.val, 'utf8') > 10) return goQuoteTruncated(t.val, 10) + '...';
  return goQuote(t.val);
}

const EOF = -1;

export function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0a || r === 0x0d;
}
export function isDigit(r: number): boolean {
  return r >= 0x30 && r <= 0x39;
}
export function isAlpha(r: number): boolean {
  return r === 0x5f || (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a);
}
export function isAlphaNumeric(r: number): boolean {
  return isAlpha(r) || isDigit(r);
}
/** A valid label name: a letter or `_`, then letters, digits, `_`. */
export function isLabel(s: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s);
}

const DIGITS = '0123456789';
const HEX_DIGITS = '0123456789abcdefABCDEF';

export class Lexer {
  private pos = 0;
  private start = 0;
  private width = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private gotColon = false;
  /** The next call scans a duration (right after `[`). */
  private durationNext = false;
  private done = false;

  constructor(readonly input: string) {}

  /** The next token, comments included; EOF forever after the end or an error. */
  next(): Token {
    if (this.done) return { type: 'EOF', pos: this.pos, val: '' };
    if (this.durationNext) {
      this.durationNext = false;
      return this.lexDuration();
    }
    for (;;) {
      const t = this.braceOpen ? this.insideBraces() : this.statements();
      if (t) {
        if (t.type === 'EOF' || t.type === 'ERROR') this.done = true;
        return t;
      }
    }
  }

  private read(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const cp = this.input.codePointAt(this.pos)!;
    this.width = cp > 0xffff ? 2 : 1;
    this.pos += this.width;
    return cp;
  }
  private backup(): void {
    this.pos -= this.width;
  }
  private peek(): number {
    const r = this.read();
    this.backup();
    return r;
  }
  private accept(valid: string): boolean {
    const r = this.read();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }
  private acceptRun(valid: string): void {
    while (this.accept(valid)) {
      /* consume */
    }
  }
  private emit(type: TokenType): Token {
    const t = { type, pos: this.start, val: this.input.slice(this.start, this.pos) };
    this.start = this.pos;
    return t;
  }
  private error(msg: string): Token {
    this.done = true;
    return { type: 'ERROR', pos: this.start, val: msg };
  }
  private skipSpaces(): void {
    while (isSpace(this.peek())) this.read();
    this.start = this.pos;
  }

  private statements(): Token | null {
    if (this.input.startsWith('#', this.pos)) return this.lineComment();
    const r = this.read();
    switch (r) {
      case EOF:
        if (this.parenDepth !== 0) return this.error('unclosed left parenthesis');
        if (this.bracketOpen) return this.error('unclosed left bracket');
        return this.emit('EOF');
      case 0x2c: return this.emit('COMMA');
      case 0x2a: return this.emit('MUL');
      case 0x2f: return this.emit('DIV');
      case 0x25: return this.emit('MOD');
      case 0x2b: return this.emit('ADD');
      case 0x2d: return this.emit('SUB');
      case 0x5e: return this.emit('POW');
      case 0x40: return this.emit('AT');
      case 0x3d: {
        const t = this.peek();
        if (t === 0x3d) {
          this.read();
          return this.emit('EQLC');
        }
        if (t === 0x7e) return this.error(`unexpected character after '=': ${goQuoteRune(t)}`);
        return this.emit('EQL');
      }
      case 0x21: {
        const t = this.read();
        if (t === 0x3d) return this.emit('NEQ');
        return this.error(`unexpected character after '!': ${goQuoteRune(t)}`);
      }
      case 0x3c:
      case 0x3e: {
        if (this.peek() === 0x3d) {
          this.read();
          return this.emit(r === 0x3c ? 'LTE' : 'GTE');
        }
        return this.emit(r === 0x3c ? 'LSS' : 'GTR');
      }
      case 0x22:
      case 0x27:
        return this.lexString(r);
      case 0x60:
        return this.lexRawString();
      case 0x28:
        this.parenDepth++;
        return this.emit('LEFT_PAREN');
      case 0x29: {
        const t = this.emit('RIGHT_PAREN');
        this.parenDepth--;
        if (this.parenDepth < 0) return this.error(`unexpected right parenthesis ${goQuoteRune(r)}`);
        return t;
      }
      case 0x7b:
        this.braceOpen = true;
        return this.emit('LEFT_BRACE');
      case 0x5b: {
        if (this.bracketOpen) return this.error(`unexpected left bracket ${goQuoteRune(r)}`);
        this.gotColon = false;
        const t = this.emit('LEFT_BRACKET');
        this.skipSpaces();
        this.bracketOpen = true;
        this.durationNext = true;
        return t;
      }
      case 0x5d:
        if (!this.bracketOpen) return this.error(`unexpected right bracket ${goQuoteRune(r)}`);
        this.bracketOpen = false;
        return this.emit('RIGHT_BRACKET');
    }
    if (isSpace(r)) {
      this.skipSpaces();
      return null;
    }
    if (isDigit(r) || (r === 0x2e && isDigit(this.peek()))) {
      this.backup();
      return this.numberOrDuration();
    }
    if (isAlpha(r) || r === 0x3a) {
      if (!this.bracketOpen) {
        this.backup();
        return this.keywordOrIdentifier();
      }
      if (this.gotColon) return this.error(`unexpected colon ${goQuoteRune(r)}`);
      this.gotColon = true;
      return this.emit('COLON');
    }
    return this.error(`unexpected character: ${goQuoteRune(r)}`);
  }

  private insideBraces(): Token | null {
    if (this.input.startsWith('#', this.pos)) return this.lineComment();
    const r = this.read();
    if (r === EOF) return this.error('unexpected end of input inside braces');
    if (isSpace(r)) {
      this.skipSpaces();
      return null;
    }
    if (isAlpha(r)) {
      while (isAlphaNumeric(this.read())) {
        /* absorb */
      }
      this.backup();
      return this.emit('IDENTIFIER');
    }
    switch (r) {
      case 0x2c: return this.emit('COMMA');
      case 0x22:
      case 0x27:
        return this.lexString(r);
      case 0x60:
        return this.lexRawString();
      case 0x3d:
        if (this.read() === 0x7e) return this.emit('EQL_REGEX');
        this.backup();
        return this.emit('EQL');
      case 0x21: {
        const n = this.read();
        if (n === 0x7e) return this.emit('NEQ_REGEX');
        if (n === 0x3d) return this.emit('NEQ');
        return this.error(`unexpected character after '!' inside braces: ${goQuoteRune(n)}`);
      }
      case 0x7b:
        return this.error(`unexpected left brace ${goQuoteRune(r)}`);
      case 0x7d:
        this.braceOpen = false;
        return this.emit('RIGHT_BRACE');
    }
    return this.error(`unexpected character inside braces: ${goQuoteRune(r)}`);
  }

  private lineComment(): Token {
    this.pos += 1;
    for (;;) {
      const r = this.read();
      if (r === EOF || r === 0x0a || r === 0x0d) break;
    }
    this.backup();
    return this.emit('COMMENT');
  }

  private lexString(quote: number): Token {
    for (;;) {
      const r = this.read();
      if (r === 0x5c) {
        const err = this.lexEscape(quote);
        if (err) return this.error(err);
        continue;
      }
      if (r === 0xfffd || (r >= 0xd800 && r < 0xe000)) return this.error('invalid UTF-8 rune');
      if (r === EOF || r === 0x0a) return this.error('unterminated quoted string');
      if (r === quote) return this.emit('STRING');
    }
  }

  /** Validates one escape sequence (the backslash was read); returns an error message or null. */
  private lexEscape(quote: number): string | null {
    let ch = this.read();
    let n: number;
    let base: number;
    let max: number;
    switch (ch) {
      case 0x61: case 0x62: case 0x66: case 0x6e: case 0x72: case 0x74: case 0x76: case 0x5c: case quote:
        return null;
      case 0x78:
        ch = this.read();
        [n, base, max] = [2, 16, 255];
        break;
      case 0x75:
        ch = this.read();
        [n, base, max] = [4, 16, 0x10ffff];
        break;
      case 0x55:
        ch = this.read();
        [n, base, max] = [8, 16, 0x10ffff];
        break;
      case EOF:
        return 'escape sequence not terminated';
      default:
        if (ch >= 0x30 && ch <= 0x37) {
          [n, base, max] = [3, 8, 255];
          break;
        }
        return `unknown escape sequence ${goRuneU(ch)}`;
    }
    let x = 0;
    while (n > 0) {
      const d = digitVal(ch);
      if (d >= base) {
        if (ch === EOF) return 'escape sequence not terminated';
        return `illegal character ${goRuneU(ch)} in escape sequence`;
      }
      x = x * base + d;
      n--;
      if (n > 0) ch = this.read();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) return 'escape sequence is an invalid Unicode code point';
    return null;
  }

  private lexRawString(): Token {
    for (;;) {
      const r = this.read();
      if (r === 0xfffd || (r >= 0xd800 && r < 0xe000)) return this.error('invalid UTF-8 rune');
      if (r === EOF) return this.error('unterminated raw string');
      if (r === 0x60) return this.emit('STRING');
    }
  }

  private lexDuration(): Token {
    if (this.scanNumber()) return this.error('missing unit character in duration');
    if (!this.acceptRemainingDuration()) return this.error(`bad duration syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
    this.backup();
    return this.emit('DURATION');
  }

  private numberOrDuration(): Token {
    if (this.scanNumber()) return this.emit('NUMBER');
    if (this.acceptRemainingDuration()) {
      this.backup();
      return this.emit('DURATION');
    }
    return this.error(`bad number or duration syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
  }

  private acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept(DIGITS)) {
      this.acceptRun(DIGITS);
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    return !isAlphaNumeric(this.read());
  }

  /** Scans something number-like; false when an alphanumeric character follows it. */
  private scanNumber(): boolean {
    let digits = DIGITS;
    if (this.accept('0') && this.accept('xX')) digits = HEX_DIGITS;
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (this.accept('eE')) {
      this.accept('+-');
      this.acceptRun(DIGITS);
    }
    return !isAlphaNumeric(this.peek());
  }

  private keywordOrIdentifier(): Token {
    for (;;) {
      const r = this.read();
      if (!(isAlphaNumeric(r) || r === 0x3a)) break;
    }
    this.backup();
    const word = this.input.slice(this.start, this.pos);
    const kw = KEYWORD_TOKENS.get(word.toLowerCase());
    if (kw) return this.emit(kw);
    return this.emit(word.includes(':') ? 'METRIC_IDENTIFIER' : 'IDENTIFIER');
  }
}

function digitVal(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return 16;
}

/** All tokens of `input` up to and including EOF or the first ERROR (comments included). */
export function lex(input: string): Token[] {
  const l = new Lexer(input);
  const out: Token[] = [];
  for (;;) {
    const t = l.next();
    out.push(t);
    if (t.type === 'EOF' || t.type === 'ERROR') return out;
  }
}
