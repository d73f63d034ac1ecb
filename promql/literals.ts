/**
 * Number literals and regex matchers as Prometheus 2.42 reads them: numbers go through Go's
 * strconv.ParseInt(s, 0, 64) (so `0x1f` is hex and `010` is octal) and, failing that,
 * strconv.ParseFloat; regexes are fully anchored and their syntax errors are worded like Go's
 * regexp package for the common cases.
 */

import { Matcher, type MatchType } from '../tsdb/matchers.js';
import { goQuote } from './quote.js';

const INT64_MAX = (1n << 63n) - 1n;

function parseGoInt(s: string): bigint | null {
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = BigInt(s);
  else if (/^0[0-7]+$/.test(s)) v = BigInt('0o' + s.slice(1));
  else if (/^(?:0|[1-9][0-9]*)$/.test(s)) v = BigInt(s);
  else return null;
  return v > INT64_MAX ? null : v;
}

/** The value of a NUMBER token, or throws with Prometheus's "error parsing number" detail. */
export function parseNumber(s: string): number {
  const i = parseGoInt(s);
  if (i !== null) return Number(i);
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === 'infinity' || lower === '+inf' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return NaN;
  if (/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new Error(`strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`);
    return v;
  }
  throw new Error(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
}

/** Go's `%f` of a float64 (used in the @ timestamp bounds error). */
export function goFormatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Math.abs(v) < 1e21) return v.toFixed(6);
  return BigInt(v).toString() + '.000000';
}

/**
 * Go's shortest round-trip text of a float64, in exponent form (`1.5e-07`, `1e+06`) when the
 * decimal exponent is below `minExp` or at least `maxExp`, plain decimals otherwise.
 */
function formatShortest(v: number, minExp: number, maxExp: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant = '', expStr = '0'] = Math.abs(v).toExponential().split('e');
  const exp = Number(expStr);
  const digits = mant.replace('.', '');
  const sign = v < 0 ? '-' : '';
  if (exp < minExp || exp >= maxExp) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's `%v` of a float64: the shortest representation, in exponent form below 1e-4 and from 1e6. */
export function goFormatFloat(v: number): string {
  return formatShortest(v, -4, 6);
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits, never an exponent. */
export function formatFloatF(v: number): string {
  return formatShortest(v, -Infinity, Infinity);
}

/**
 * A sample value as Prometheus's JSON API writes it (jsonutil.MarshalValue): FormatFloat 'f'
 * (`1000000`), or 'e' (`1e-07`, `1e+21`) when the magnitude is below 1e-6 or from 1e21.
 */
export function formatSampleValue(v: number): string {
  // JS writes the same shortest digits, and plain decimals over the same magnitudes [1e-6, 1e21).
  const a = Math.abs(v);
  if (a >= 1e-6 && a < 1e21) return String(v);
  return formatShortest(v, -6, 21);
}

/** Go's message for a regex that JS's RegExp refused (approximated for the common cases). */
function regexError(value: string, e: unknown): string {
  const full = `^(?:${value})$`;
  const js = e instanceof Error ? e.message : String(e);
  if (/Unterminated group/i.test(js)) return `error parsing regexp: missing closing ): \`${full}\``;
  if (/Unmatched '\)'/i.test(js)) return `error parsing regexp: unexpected ): \`${full}\``;
  if (/Unterminated character class/i.test(js)) {
    const at = full.lastIndexOf('[');
    return `error parsing regexp: missing closing ]: \`${full.slice(at === -1 ? 0 : at)}\``;
  }
  const nested = /(?:[*+?]|\})[*+]/.exec(value);
  if (nested && /Nothing to repeat/i.test(js)) return `error parsing regexp: invalid nested repetition operator: \`${nested[0]}\``;
  if (/Nothing to repeat/i.test(js)) {
    const m = /(?:^|[^\\])([*+?]|\{\d+(?:,\d*)?\})/.exec(value);
    return `error parsing regexp: missing argument to repetition operator: \`${m?.[1] ?? '*'}\``;
  }
  return `error parsing regexp: ${js}`;
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/**
 * RE2 syntax JS lacks, rewritten for JS: leading flag groups `(?i)` / `(?s)` / `(?m)`, named
 * groups `(?P<n>…)`, `\z`, POSIX classes `[[:alpha:]]` and braces that are no repetition.
 */
function re2ToJs(value: string): { source: string; flags: string } {
  let source = value;
  let flags = 'u';
  for (let lead = /^\(\?([ism]+)\)/.exec(source); lead; lead = /^\(\?([ism]+)\)/.exec(source)) {
    source = source.slice(lead[0].length);
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\[:([a-z]+):\]/g, (m, cls: string) => POSIX_CLASSES[cls] ?? m);
  // Braces that are not a repetition are literals in RE2; `\z` is the end of the text.
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      out += n === 'z' && !inClass ? '$' : c + n;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (source[i + 1] === '^') out += source[++i];
      if (source[i + 1] === ']') out += '\\' + source[++i];
    } else if (c === '{') {
      const q = /^\{\d+(?:,\d*)?\}/.exec(source.slice(i));
      if (q) {
        out += q[0];
        i += q[0].length - 1;
      } else out += '\\{';
    } else if (c === '}' || c === ']') out += '\\' + c;
    else out += c;
  }
  return { source: out, flags };
}

/** A label matcher, or throws an Error with Prometheus's wording when the regex is invalid. */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  try {
    return new Matcher(type, name, value);
  } catch (e) {
    if (type !== '=~' && type !== '!~') throw e;
    const alt = re2ToJs(value);
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${alt.source})$`, alt.flags);
    } catch (e2) {
      throw new Error(regexError(value, e2));
    }
    // A Matcher whose regex is the JS rewrite of the RE2 one (tsdb's Matcher compiles only JS syntax).
    const m = new Matcher(type, name, '');
    Object.defineProperty(m, 'value', { value, enumerable: true });
    Object.defineProperty(m, 're', { value: re, enumerable: true });
    return m;
  }
}

/**
 * The fully anchored JS RegExp for an RE2 pattern, as matchers compile it (for label_replace);
 * throws when neither the pattern nor its rewrite compiles.
 */
export function compileAnchoredRegex(value: string): RegExp {
  try {
    return new RegExp(`^(?:${value})$`, 'u');
  } catch {
    const alt = re2ToJs(value);
    return new RegExp(`^(?:${alt.source})$`, alt.flags);
  }
}
