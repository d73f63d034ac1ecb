/** Go's fmt.Sprintf for the verbs rule templates use: %s %v %d %f %e %g %x %X %q %t %c %%, flags, width, precision. */

import { goFormatG } from './humanize.js';
import { SafeHTML, type Value, formatValue, goTypeOf } from './values.js';

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

function fixed(v: number, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Math.abs(v) >= 1e21) return BigInt(Math.round(v)).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  // JS rounds an exact tie up; Go rounds it to even. The exact decimal expansion tells a tie.
  const exact = Math.abs(v).toFixed(Math.min(100, prec + 30));
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + prec);
  if (/^50*$/.test(rest)) {
    const kept = exact.slice(0, dot + 1 + prec).replace(/\.$/, '');
    const last = Number(kept[kept.length - 1]);
    if (last % 2 === 0) return (v < 0 ? '-' : '') + kept;
  }
  return v.toFixed(prec);
}

function exp(v: number, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [m, e] = v.toExponential(prec).split('e') as [string, string];
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

function bad(verb: string, v: Value): string {
  return `%!${verb}(${goTypeOf(v)}=${formatValue(v)})`;
}

function one(verb: string, v: Value, prec: number | null, plus: boolean, space: boolean): string {
  const str = v instanceof SafeHTML ? v.s : v;
  switch (verb) {
    case 'v':
      return typeof v === 'number' && prec !== null ? goFormatG(v, prec) : formatValue(v);
    case 's':
      if (typeof str === 'string') return prec !== null ? str.slice(0, prec) : str;
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return bad('s', v);
      return formatValue(v);
    case 'q':
      return typeof str === 'string' ? goQuote(str) : bad('q', v);
    case 'd':
      if (typeof v === 'bigint') return (plus && v >= 0n ? '+' : space && v >= 0n ? ' ' : '') + v.toString();
      return bad('d', v);
    case 'f':
    case 'F':
      if (typeof v !== 'number') return bad(verb, v);
      return (plus && v >= 0 ? '+' : space && v >= 0 ? ' ' : '') + fixed(v, prec ?? 6);
    case 'e':
      if (typeof v !== 'number') return bad('e', v);
      return (plus && v >= 0 ? '+' : '') + exp(v, prec ?? 6);
    case 'g':
      if (typeof v !== 'number') return bad('g', v);
      return (plus && v >= 0 ? '+' : '') + (prec === null ? formatValue(v) : goFormatG(v, prec));
    case 'x':
    case 'X': {
      let out: string;
      if (typeof v === 'bigint') out = (v < 0n ? '-' : '') + (v < 0n ? -v : v).toString(16);
      else if (typeof str === 'string') out = Buffer.from(str, 'utf8').toString('hex');
      else return bad(verb, v);
      return verb === 'X' ? out.toUpperCase() : out;
    }
    case 't':
      return typeof v === 'boolean' ? String(v) : bad('t', v);
    case 'c':
      return typeof v === 'bigint' ? String.fromCodePoint(Number(v)) : bad('c', v);
    default:
      return bad(verb, v);
  }
}

export function sprintf(format: string, args: readonly Value[]): string {
  let out = '';
  let a = 0;
  const re = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', w, p, verb = ''] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    let width = w === undefined ? 0 : w === '*' ? Number(args[a++] ?? 0) : Number(w);
    const prec = p === undefined ? (m[0].includes('.') ? 0 : null) : p === '*' ? Number(args[a++] ?? 0) : Number(p);
    if (a >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const v = args[a++]!;
    let s = one(verb, v, prec, flags.includes('+'), flags.includes(' '));
    if (width < 0) width = 0;
    if (s.length < width) {
      if (flags.includes('-')) s = s.padEnd(width);
      else if (flags.includes('0') && (typeof v === 'number' || typeof v === 'bigint')) {
        const sign = /^[+-]/.test(s) ? s[0]! : '';
        s = sign + s.slice(sign.length).padStart(width - sign.length, '0');
      } else s = s.padStart(width);
    }
    out += s;
  }
  out += format.slice(last);
  if (a < args.length) out += '%!(EXTRA ' + args.slice(a).map((v) => `${goTypeOf(v)}=${formatValue(v)}`).join(', ') + ')';
  return out;
}

