/**
 * The functions rule templates can call: Go's text/template builtins and Prometheus 2.42's
 * template functions (template/template.go), with Prometheus's argument conversions and errors.
 */

import { parseDuration } from '../../promql/duration.js';
import { graphLinkForExpression, tableLinkForExpression } from '../links.js';
import type { FuncDef } from './exec.js';
import { FuncError } from './exec.js';
import { humanize, humanize1024, humanizeDuration, humanizePercentage, goFormatG } from './humanize.js';
import { sprintf } from './printf.js';
import { GoMap, GoTime, Sample, SafeHTML, type Value, formatValue, goTypeOf, stringMap, truth } from './values.js';

export interface QuerySample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export type TemplateQuery = (expr: string, timeMs: number) => Promise<readonly QuerySample[]>;

export interface FuncContext {
  readonly timeMs: number;
  readonly query: TemplateQuery | null;
  /**
   * The URL for `externalURL` and `pathPrefix`; null where Prometheus has none (promtool's rule
   * unit tests), where calling them fails as Prometheus's nil URL does.
   */
  readonly externalURL: string | null;
}

const NIL_URL = 'runtime error: invalid memory address or nil pointer dereference';

/** Prometheus's convertToFloat. */
function toFloat(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const t = v.trim() === v ? v : '';
    const lower = t.toLowerCase().replace(/^[+-]/, '');
    if (lower === 'inf' || lower === 'infinity') return v.startsWith('-') ? -Infinity : Infinity;
    if (lower === 'nan') return NaN;
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) || /^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return Number(t);
    throw new FuncError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  throw new FuncError(`can't convert ${goTypeOf(v)} to float`);
}

function str(v: Value, fn: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof SafeHTML) return v.s;
  throw new FuncError(`wrong type for value; expected string; got ${goTypeOf(v)}`.replace('value', `${fn} argument`));
}

/** Go regexp syntax into JS: named groups `(?P<n>` and replacement `${n}`. */
function goRegex(p: string): RegExp {
  try {
    return new RegExp(p.replace(/\(\?P</g, '(?<'), 'u');
  } catch (e) {
    throw new FuncError(`regexp: Compile(${JSON.stringify(p)}): error parsing regexp: ${(e as Error).message}`);
  }
}

function goReplacement(r: string): string {
  return r.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a?: string, b?: string) => {
    const n = a ?? b ?? '';
    return /^\d+$/.test(n) ? `$${n}` : `$<${n}>`;
  });
}

function eqValues(a: Value, b: Value): boolean {
  const basic = (v: Value): string | null => (typeof v === 'string' ? 'string' : typeof v === 'number' ? 'float' : typeof v === 'bigint' ? 'int' : typeof v === 'boolean' ? 'bool' : v instanceof SafeHTML ? 'string' : null);
  const ka = basic(a);
  const kb = basic(b);
  if (ka === null || kb === null) {
    if (a === null || b === null) return a === b;
    throw new FuncError('invalid type for comparison');
  }
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  const x = a instanceof SafeHTML ? a.s : a;
  const y = b instanceof SafeHTML ? b.s : b;
  return x === y;
}

function lessThan(a: Value, b: Value): boolean {
  const kind = (v: Value): string => (typeof v === 'string' ? 'string' : typeof v === 'number' ? 'float' : typeof v === 'bigint' ? 'int' : 'other');
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'other' || kb === 'other') throw new FuncError('invalid type for comparison');
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  return (a as string | number | bigint) < (b as string | number | bigint);
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: readonly Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

function url(externalURL: string): URL | null {
  try {
    return new URL(externalURL);
  } catch {
    return null;
  }
}

function stripPort(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end < 0 ? hostPort : hostPort.slice(1, end);
  }
  const colons = hostPort.split(':').length - 1;
  if (colons === 1) return hostPort.slice(0, hostPort.indexOf(':'));
  return hostPort;
}

function sample(v: Value, fn: string): Sample {
  if (v instanceof Sample) return v;
  throw new FuncError(`wrong type for value; expected *template.sample; got ${goTypeOf(v)}`.replace('value', `${fn} argument`));
}

export function templateFuncs(ctx: FuncContext): Map<string, FuncDef> {
  const f = new Map<string, FuncDef>();
  const def = (name: string, arity: number | null, fn: FuncDef['fn']): void => void f.set(name, { fn, arity });
  // Go's builtins.
  def('and', null, (...a) => {
    for (const x of a) if (!truth(x)) return x;
    return a[a.length - 1] ?? null;
  });
  def('or', null, (...a) => {
    for (const x of a) if (truth(x)) return x;
    return a[a.length - 1] ?? null;
  });
  def('not', 1, (a) => !truth(a ?? null));
  def('len', 1, (a) => {
    const v = a ?? null;
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v, 'utf8'));
    if (Array.isArray(v)) return BigInt(v.length);
    if (v instanceof GoMap) return BigInt(v.m.size);
    throw new FuncError(`len of type ${goTypeOf(v)}`);
  });
  def('index', null, (item, ...keys) => {
    let cur: Value = item ?? null;
    for (const k of keys) {
      if (cur instanceof GoMap) {
        if (typeof k !== 'string') throw new FuncError(`value has type ${goTypeOf(k)}; should be string`);
        cur = cur.m.has(k) ? cur.m.get(k)! : cur.zero;
      }
      else if (Array.isArray(cur)) {
        const i = Number(k);
        if (!(i >= 0 && i < cur.length)) throw new FuncError(`index out of range: ${formatValue(k)}`);
        cur = cur[i]!;
      } else throw new FuncError(`can't index item of type ${goTypeOf(cur)}`);
    }
    return cur;
  });
  def('print', null, (...a) => sprint(a));
  def('println', null, (...a) => a.map(formatValue).join(' ') + '\n');
  def('printf', null, (format, ...a) => sprintf(str(format ?? null, 'printf'), a));
  def('html', null, (...a) => htmlEscape(sprint(a)));
  def('js', null, (...a) => sprint(a).replace(/[\\'"<>&=\n\r\t]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!));
  def('urlquery', null, (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()));
  def('eq', null, (a, ...bs) => {
    if (bs.length === 0) throw new FuncError('missing argument for comparison');
    return bs.some((b) => eqValues(a ?? null, b));
  });
  def('ne', 2, (a, b) => !eqValues(a ?? null, b ?? null));
  def('lt', 2, (a, b) => lessThan(a ?? null, b ?? null));
  def('le', 2, (a, b) => lessThan(a ?? null, b ?? null) || eqValues(a ?? null, b ?? null));
  def('gt', 2, (a, b) => !(lessThan(a ?? null, b ?? null) || eqValues(a ?? null, b ?? null)));
  def('ge', 2, (a, b) => !lessThan(a ?? null, b ?? null));

  // Prometheus's functions.
  def('query', 1, async (q) => {
    if (!ctx.query) throw new FuncError('query is not available here');
    const res = await ctx.query(str(q ?? null, 'query'), ctx.timeMs);
    return res.map((s) => new Sample(stringMap(s.labels), s.value));
  });
  def('first', 1, (v) => {
    if (!Array.isArray(v)) throw new FuncError(`wrong type for value; expected template.queryResult; got ${goTypeOf(v ?? null)}`);
    if (v.length === 0) throw new FuncError('first() called on vector with no elements');
    return v[0]!;
  });
  def('label', 2, (l, s) => {
    const smp = sample(s ?? null, 'label');
    return smp.labels.m.get(str(l ?? null, 'label')) ?? '';
  });
  def('value', 1, (s) => sample(s ?? null, 'value').value);
  def('strvalue', 1, (s) => sample(s ?? null, 'strvalue').labels.m.get('__value__') ?? '');
  def('args', null, (...a) => new GoMap(new Map(a.map((x, i) => [`arg${i}`, x])), null, 'map[string]interface {}'));
  def('reReplaceAll', 3, (pattern, repl, text) => str(text ?? null, 'reReplaceAll').replace(new RegExp(goRegex(str(pattern ?? null, 'reReplaceAll')).source, 'gu'), goReplacement(str(repl ?? null, 'reReplaceAll'))));
  def('safeHtml', 1, (t) => new SafeHTML(str(t ?? null, 'safeHtml')));
  def('match', 2, (pattern, s) => goRegex(str(pattern ?? null, 'match')).test(str(s ?? null, 'match')));
  def('title', 1, (s) => str(s ?? null, 'title').replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()));
  def('toUpper', 1, (s) => str(s ?? null, 'toUpper').toUpperCase());
  def('toLower', 1, (s) => str(s ?? null, 'toLower').toLowerCase());
  def('graphLink', 1, (e) => graphLinkForExpression(str(e ?? null, 'graphLink')));
  def('tableLink', 1, (e) => tableLinkForExpression(str(e ?? null, 'tableLink')));
  def('sortByLabel', 2, (l, v) => {
    if (!Array.isArray(v)) throw new FuncError(`wrong type for value; expected template.queryResult; got ${goTypeOf(v ?? null)}`);
    const name = str(l ?? null, 'sortByLabel');
    return [...(v as Sample[])].sort((a, b) => {
      const x = a.labels.m.get(name) ?? '';
      const y = b.labels.m.get(name) ?? '';
      return x < y ? -1 : x > y ? 1 : 0;
    });
  });
  def('humanize', 1, (v) => humanize(toFloat(v ?? null)));
  def('humanize1024', 1, (v) => humanize1024(toFloat(v ?? null)));
  def('humanizeDuration', 1, (v) => humanizeDuration(toFloat(v ?? null)));
  def('humanizePercentage', 1, (v) => humanizePercentage(toFloat(v ?? null)));
  def('humanizeTimestamp', 1, (v) => {
    const x = toFloat(v ?? null);
    if (!Number.isFinite(x)) return goFormatG(x, 4);
    if (Math.abs(x * 1e9) > 9.223372036854775807e18) throw new FuncError(`${formatValue(x)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
    return formatValue(new GoTime(Math.round(x * 1000)));
  });
  def('toTime', 1, (v) => {
    const x = toFloat(v ?? null);
    if (Math.abs(x * 1e9) > 9.223372036854775807e18) throw new FuncError(`${formatValue(x)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
    return new GoTime(Math.round(x * 1000));
  });
  def('pathPrefix', 0, () => {
    if (ctx.externalURL === null) throw new FuncError(NIL_URL);
    return url(ctx.externalURL)?.pathname.replace(/^\/$/, '') ?? '';
  });
  def('externalURL', 0, () => {
    if (ctx.externalURL === null) throw new FuncError(NIL_URL);
    return ctx.externalURL;
  });
  def('stripPort', 1, (h) => stripPort(str(h ?? null, 'stripPort')));
  def('stripDomain', 1, (h) => {
    const hp = str(h ?? null, 'stripDomain');
    if (/^\[/.test(hp) || /^\d+\.\d+\.\d+\.\d+(:\d+)?$/.test(hp)) return hp;
    const [host = '', port] = hp.split(':');
    const short = host.split('.')[0] ?? host;
    return port !== undefined ? `${short}:${port}` : short;
  });
  def('parseDuration', 1, (d) => {
    try {
      return parseDuration(str(d ?? null, 'parseDuration')) / 1000;
    } catch (e) {
      throw new FuncError((e as Error).message);
    }
  });
  return f;
}

/** The names only, for parsing (functions must be known when a template is parsed). */
export const FUNC_NAMES: ReadonlySet<string> = new Set(templateFuncs({ timeMs: 0, query: null, externalURL: '' }).keys());
