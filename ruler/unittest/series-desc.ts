/**
 * promtool's series notation (Prometheus 2.42 promql/parser ParseSeriesDesc and ParseMetric):
 * an input series is the line `metric{labels} values` that the lazy loader parses, where values
 * are separated by spaces, `a+bxN` / `a-bxN` is N+1 values starting at a, `axN` is a repeated
 * N+1 times, `_` is a missing sample and `_xN` N missing samples, `stale` a staleness marker.
 * Hexadecimal numbers are not allowed there (the `x` would be ambiguous); a number with a leading
 * 0 is octal, as Go's strconv.ParseInt(s, 0, 64) reads it.
 *
 * Errors are Prometheus's first parse error, positioned in that line (`1:COL: parse error: …`).
 * Where the generated LALR parser reports an error depends on where it can recover: inside a
 * label set ("in label set"), inside a value item that needs more tokens ("in series values"),
 * or, after an item is complete, at the top with no context.
 */

import { ParseError, type ParseErrorDetail } from '../../promql/errors.js';
import { KEYWORD_TOKENS, Lexer, type Token, type TokenType, describeToken, isAlpha, isAlphaNumeric, isDigit, isSpace } from '../../promql/lexer.js';
import { goQuote, unquote } from '../../promql/quote.js';
import { type Labels, METRIC_NAME, sortLabels } from '../../tsdb/labels.js';

/** A value of a series description: a number, a staleness marker, or an omitted sample (null). */
export type SeriesValue = number | 'stale' | null;

export interface SeriesDesc {
  readonly labels: Labels;
  readonly values: SeriesValue[];
}

class Stop extends Error {}

/** Token types that may name the metric (generated_parser.y's metric_identifier). */
const METRIC_IDENT = new Set<TokenType>([
  'AVG', 'BOTTOMK', 'BY', 'COUNT', 'COUNT_VALUES', 'GROUP', 'IDENTIFIER', 'LAND', 'LOR', 'LUNLESS', 'MAX',
  'METRIC_IDENTIFIER', 'MIN', 'OFFSET', 'QUANTILE', 'STDDEV', 'STDVAR', 'SUM', 'TOPK', 'WITHOUT', 'START', 'END',
]);

/** Value-sequence tokens Prometheus has a fixed display string for: shown as their quoted text. */
type ValueTokenType = TokenType | 'SPACE' | 'TIMES' | 'BLANK';
interface ValueToken {
  readonly type: ValueTokenType;
  readonly pos: number;
  readonly val: string;
}

function describe(t: ValueToken): string {
  if (t.type === 'SPACE' || t.type === 'TIMES' || t.type === 'BLANK') return goQuote(t.val);
  return describeToken(t as Token);
}

class DescParser {
  readonly errors: ParseErrorDetail[] = [];
  constructor(private readonly input: string) {}

  fail(pos: number, msg: string): never {
    this.errors.push({ pos: { start: pos, end: pos }, msg });
    throw new Stop();
  }

  /** Prometheus's `unexpected(context, expected)`; a scanner error is reported as itself. */
  unexpected(t: ValueToken, context: string, expected: string): never {
    if (t.type === 'ERROR') this.fail(t.pos, t.val);
    let msg = `unexpected ${describe(t)}`;
    if (context) msg += ` in ${context}`;
    if (expected) msg += `, expected ${expected}`;
    this.fail(t.pos, msg);
  }

  /**
   * The metric: an optional name, then an optional label set. Returns the labels and the
   * offset where the metric ends (the lexer's position after the name or the `}`).
   */
  metric(lexer: Lexer, first: Token, seriesDesc: boolean): { labels: Labels; end: number; next: Token | null } {
    let name: string | null = null;
    let t = first;
    let end = 0;
    if (METRIC_IDENT.has(t.type)) {
      name = t.val;
      end = t.pos + t.val.length;
      // In a series description the values start right after the name unless a `{` follows.
      if (seriesDesc && this.input[end] !== '{') return { labels: withName(name, []), end, next: null };
      t = lexer.next();
      if (t.type !== 'LEFT_BRACE') return { labels: withName(name, []), end, next: t };
    }
    if (t.type !== 'LEFT_BRACE') return { labels: [], end: first.pos, next: first };
    const items: { name: string; value: string }[] = [];
    t = lexer.next();
    if (t.type !== 'RIGHT_BRACE') {
      for (;;) {
        if (t.type !== 'IDENTIFIER') this.unexpected(t, 'label set', 'identifier or "}"');
        const label = t.val;
        t = lexer.next();
        if (t.type !== 'EQL') this.unexpected(t, 'label set', '"="');
        t = lexer.next();
        if (t.type !== 'STRING') this.unexpected(t, 'label set', 'string');
        let value = '';
        try {
          value = unquote(t.val);
        } catch (e) {
          this.fail(t.pos, `error unquoting string ${goQuote(t.val)}: ${(e as Error).message}`);
        }
        items.push({ name: label, value });
        t = lexer.next();
        if (t.type === 'RIGHT_BRACE') break;
        if (t.type !== 'COMMA') this.unexpected(t, 'label set', '"," or "}"');
        t = lexer.next();
        if (t.type === 'RIGHT_BRACE') break;
      }
    }
    end = t.pos + 1;
    return { labels: name === null ? sortLabels(items) : withName(name, items), end, next: null };
  }
}

/** labels.NewBuilder(set).Set("__name__", name).Labels(): empty values dropped, the name wins. */
function withName(name: string, items: readonly { name: string; value: string }[]): Labels {
  return sortLabels([...items.filter((l) => l.value !== '' && l.name !== METRIC_NAME), { name: METRIC_NAME, value: name }]);
}

/** Go's parser.number: strconv.ParseInt(s, 0, 64), else ParseFloat. */
function goNumber(s: string): number | null {
  if (/^[0-9]+$/.test(s)) {
    if (s.length > 1 && s[0] === '0') {
      if (/^[0-7]+$/.test(s)) return parseInt(s, 8);
    } else return Number(s);
  }
  if (/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return Number(s);
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === 'nan') return NaN;
  return null;
}

/** The value-sequence scanner (lexValueSequence): spaces, `+`, `-`, `x`, `_`, numbers, words. */
class ValueLexer {
  private done = false;
  constructor(
    private readonly input: string,
    private pos: number,
  ) {}

  private cp(i: number): number {
    return i < this.input.length ? this.input.charCodeAt(i) : -1;
  }

  next(): ValueToken {
    if (this.done) return { type: 'EOF', pos: this.input.length, val: '' };
    const start = this.pos;
    const r = this.cp(start);
    if (r < 0) {
      this.done = true;
      return { type: 'EOF', pos: start, val: '' };
    }
    const ch = this.input[start]!;
    if (isSpace(r)) {
      this.pos++;
      while (isSpace(this.cp(this.pos))) this.pos++;
      return { type: 'SPACE', pos: start, val: ch };
    }
    if (ch === '+' || ch === '-' || ch === 'x' || ch === '_') {
      this.pos++;
      return { type: ch === '+' ? 'ADD' : ch === '-' ? 'SUB' : ch === 'x' ? 'TIMES' : 'BLANK', pos: start, val: ch };
    }
    if (isDigit(r) || (ch === '.' && isDigit(this.cp(start + 1)))) {
      let p = start;
      while (isDigit(this.cp(p))) p++;
      if (this.input[p] === '.') {
        p++;
        while (isDigit(this.cp(p))) p++;
      }
      if (this.input[p] === 'e' || this.input[p] === 'E') {
        p++;
        if (this.input[p] === '+' || this.input[p] === '-') p++;
        while (isDigit(this.cp(p))) p++;
      }
      this.pos = p;
      if (this.input[p] !== 'x' && isAlphaNumeric(this.cp(p))) {
        this.done = true;
        return { type: 'ERROR', pos: start, val: `bad number syntax: ${goQuote(this.input.slice(start, p))}` };
      }
      return { type: 'NUMBER', pos: start, val: this.input.slice(start, p) };
    }
    if (isAlpha(r)) {
      let p = start;
      while (isAlphaNumeric(this.cp(p)) || this.input[p] === ':') p++;
      this.pos = p;
      const word = this.input.slice(start, p);
      const kw = KEYWORD_TOKENS.get(word.toLowerCase());
      return { type: kw ?? (word.includes(':') ? 'METRIC_IDENTIFIER' : 'IDENTIFIER'), pos: start, val: word };
    }
    this.done = true;
    const c = String.fromCodePoint(this.input.codePointAt(start)!);
    return { type: 'ERROR', pos: start, val: `unexpected character in series sequence: ${goQuoteRune(c)}` };
  }
}

function goQuoteRune(c: string): string {
  return "'" + goQuote(c).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'") + "'";
}

/** The values of a series description, from the lexer's position after the metric. */
function parseValues(p: DescParser, lx: ValueLexer): SeriesValue[] {
  const out: SeriesValue[] = [];
  const SV = 'series values';
  let t = lx.next();
  const uint = (): number => {
    const n = lx.next();
    if (n.type !== 'NUMBER') p.unexpected(n, SV, '');
    if (!/^[0-9]+$/.test(n.val) || BigInt(n.val) > 18446744073709551615n) {
      const why = /^[0-9]+$/.test(n.val) ? 'value out of range' : 'invalid syntax';
      p.fail(n.pos, `invalid repetition in series values: strconv.ParseUint: parsing ${goQuote(n.val)}: ${why}`);
    }
    return Number(n.val);
  };
  const number = (n: ValueToken): number => {
    const v = goNumber(n.val);
    if (v === null) p.fail(n.pos, `error parsing number: strconv.ParseFloat: parsing ${goQuote(n.val)}: invalid syntax`);
    return v;
  };
  for (let atMetric = true; ; atMetric = false) {
    // After the metric or a complete item: a space, or the end. Right after the metric the
    // parser can still recover inside `series_values`; later only at the top.
    if (t.type === 'EOF') return out;
    if (t.type !== 'SPACE') p.unexpected(t, atMetric ? SV : '', '');
    t = lx.next();
    if (t.type === 'BLANK') {
      t = lx.next();
      if (t.type === 'TIMES') {
        const n = uint();
        for (let i = 0; i < n; i++) out.push(null);
        t = lx.next();
      } else out.push(null);
      continue;
    }
    let first: number | 'stale';
    if (t.type === 'IDENTIFIER') {
      if (t.val !== 'stale') p.unexpected(t, SV, 'number or "stale"');
      first = 'stale';
    } else if (t.type === 'NUMBER') first = number(t);
    else if (t.type === 'ADD' || t.type === 'SUB') {
      const n = lx.next();
      if (n.type !== 'NUMBER') p.unexpected(n, SV, '');
      first = t.type === 'SUB' ? -number(n) : number(n);
    } else continue; // `series_values SPACE` with no item: the token is looked at again above.
    t = lx.next();
    if (t.type === 'TIMES') {
      const n = uint();
      for (let i = 0; i <= n; i++) out.push(first);
      t = lx.next();
    } else if (t.type === 'ADD' || t.type === 'SUB') {
      const n = lx.next();
      if (n.type !== 'NUMBER') p.unexpected(n, SV, '');
      const step = t.type === 'SUB' ? -number(n) : number(n);
      const x = lx.next();
      if (x.type !== 'TIMES') p.unexpected(x, SV, '');
      const times = uint();
      // A stale marker's payload does not survive arithmetic: the values after it are plain NaN.
      let v = first === 'stale' ? NaN : first;
      out.push(first);
      for (let i = 1; i <= times; i++) {
        v += step;
        out.push(v);
      }
      t = lx.next();
    } else out.push(first);
  }
}

/**
 * One input series as promtool's lazy loader reads it: the line `SERIES VALUES`, trimmed.
 * Throws Prometheus's parse error.
 */
export function parseSeriesDesc(series: string, values: string): SeriesDesc {
  return parseSeriesLine(goTrimSpace(`${series} ${values}`));
}

/** parser.ParseSeriesDesc on one (trimmed) line of a load command; throws its first parse error. */
export function parseSeriesLine(line: string): SeriesDesc {
  const p = new DescParser(line);
  try {
    const lexer = new Lexer(line);
    const first = seriesDescNumber(line, lexer.next());
    if (first.type === 'ERROR') p.fail(first.pos, first.val);
    const m = p.metric(lexer, first, true);
    if (m.next !== null) {
      // No metric at all: an empty one, then the token cannot start the values.
      if (m.next.type === 'EOF') return { labels: m.labels, values: [] };
      p.unexpected(m.next, 'series values', '');
    }
    return { labels: m.labels, values: parseValues(p, new ValueLexer(line, m.end)) };
  } catch (e) {
    if (e instanceof Stop) throw new ParseError(line, p.errors);
    throw e;
  }
}

/**
 * The lexer reads a series description's first token in its series mode, where a number ends
 * before an `x` (a repetition): `3x2` and `0x10` start with the number 3 and 0, not an error
 * or a hexadecimal number as in an expression.
 */
function seriesDescNumber(line: string, t: Token): Token {
  const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]*)?/.exec(line.slice(t.pos));
  if (m === null || line[t.pos + m[0].length] !== 'x') return t;
  return { ...t, type: 'NUMBER', val: m[0] };
}

/** Unicode White_Space, as Go's strings.TrimSpace trims it (no U+FEFF, unlike String.trim). */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE, '');
}

/**
 * The input series of a test group as promtool 2.42 loads them: it writes them into one `load`
 * command, a line `  SERIES VALUES` each, and the lazy loader reads that text line by line
 * (promql/test.go getLines and parseLoad). So a value string holding a newline (a literal block
 * scalar, a quoted "\n") is cut into several lines, each read as a series description of its
 * own; an empty line (or one starting with `#`) ends the command, and the series after it are
 * never loaded. Series are kept by their labels: a series given again replaces the samples of
 * the earlier one, keeping its place. Throws the first line's parse error.
 */
export function parseLoadSeries(inputs: readonly { readonly series: string; readonly values: string }[]): SeriesDesc[] {
  const text = inputs.map((s) => `  ${s.series} ${s.values}\n`).join('');
  const defs = new Map<string, SeriesDesc>();
  for (const raw of text.split('\n')) {
    const line = goTrimSpace(raw);
    if (line === '' || line.startsWith('#')) break;
    const d = parseSeriesLine(line);
    defs.set(labelsKey(d.labels), d);
  }
  return [...defs.values()];
}

/** A key equal for equal label sets (labels.Labels.Hash as the load command uses it). */
function labelsKey(ls: Labels): string {
  return JSON.stringify(ls.map((l) => [l.name, l.value]));
}

/** Prometheus's parser.ParseMetric (expected samples' labels): `name{l="v", …}`, either part optional. */
export function parseMetric(text: string): Labels {
  const p = new DescParser(text);
  try {
    const lexer = new Lexer(text);
    let t = lexer.next();
    if (t.type === 'ERROR') p.fail(t.pos, t.val);
    const m = p.metric(lexer, t, false);
    t = m.next ?? lexer.next();
    if (t.type === 'ERROR') p.fail(t.pos, t.val);
    if (t.type !== 'EOF') p.unexpected(t, '', '');
    return m.labels;
  } catch (e) {
    if (e instanceof Stop) throw new ParseError(text, p.errors);
    throw e;
  }
}
