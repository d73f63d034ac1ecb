/**
 * The functions over instant vectors and scalars, one table keyed by name (Prometheus 2.42's
 * promql/functions.go): math, clamping, label_replace/label_join, date functions in UTC,
 * histogram_quantile over classic buckets, sort, absent, vector and scalar.
 */

import { METRIC_NAME, getLabel, type Labels } from '../tsdb/labels.js';
import type { Expr, VectorSelector } from './ast.js';
import { deleteLabels, dropMetricName, isValidLabelName, labelsKey, setLabel } from './engine-labels.js';
import { execError, type Vec } from './engine-types.js';
import { compileAnchoredRegex } from './literals.js';
import { bucketQuantile, lessWithNaN, type Bucket } from './quantile.js';

/** One argument of a function at one step. */
export type StepArg = { readonly kind: 'vector'; readonly vec: Vec } | { readonly kind: 'scalar'; readonly v: number } | { readonly kind: 'string'; readonly s: string };

/** A function returning an instant vector: arguments at this step, the step time, the argument nodes. */
export type InstantFn = (args: readonly StepArg[], ts: number, exprs: readonly Expr[]) => Vec;
export type ScalarFn = (args: readonly StepArg[], ts: number) => number;

function vecArg(args: readonly StepArg[], i: number): Vec {
  const a = args[i];
  if (a?.kind !== 'vector') throw execError(`argument ${i} is not an instant vector`);
  return a.vec;
}

function scalarArg(args: readonly StepArg[], i: number): number {
  const a = args[i];
  if (a?.kind !== 'scalar') throw execError(`argument ${i} is not a scalar`);
  return a.v;
}

function stringArg(args: readonly StepArg[], i: number): string {
  const a = args[i];
  if (a?.kind !== 'string') throw execError(`argument ${i} is not a string`);
  return a.s;
}

/** A function applying `f` to every value and dropping the metric name. */
function simple(f: (v: number) => number): InstantFn {
  return (args) => vecArg(args, 0).map((s) => ({ labels: dropMetricName(s.labels), v: f(s.v) }));
}

export { formatFloatF } from './literals.js';

/** Go's strconv.ParseFloat for `le` values, or null when it would fail. */
export function parseGoFloat(s: string): number | null {
  const l = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(l)) return l.startsWith('-') ? -Infinity : Infinity;
  if (l === 'nan') return NaN;
  if (/^[+-]?(?:\d+(?:_\d+)*\.?(?:\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:e[+-]?\d+)?$/.test(l) && !l.includes('_')) return Number(s);
  return null;
}

/** The labels absent() gives its output: the equality matchers of a selector, once each. */
export function absentLabels(vs: VectorSelector): Labels {
  let ls: Labels = [];
  const has = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !has.has(m.name)) {
      ls = setLabel(ls, m.name, m.value);
      has.add(m.name);
    } else {
      ls = deleteLabels(ls, [m.name]);
    }
  }
  return ls;
}

/** Go's Regexp.Expand of `template` with the match `m`: `$1`, `${1}`, `$name`, `$$`. */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const i = rest.indexOf('$');
    if (i < 0) break;
    out += rest.slice(0, i);
    rest = rest.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    let name: string;
    const brace = rest.startsWith('{');
    const nm = brace ? /^\{([\p{L}\p{Nd}_]+)\}/u.exec(rest) : /^[\p{L}\p{Nd}_]+/u.exec(rest);
    if (!nm) {
      out += '$';
      continue;
    }
    name = brace ? nm[1]! : nm[0];
    rest = rest.slice(nm[0].length);
    if (/^[0-9]+$/.test(name)) {
      const num = name.length > 8 ? -1 : Number(name);
      if (num >= 0 && num < m.length) out += m[num] ?? '';
    } else {
      out += m.groups?.[name] ?? '';
    }
  }
  return out + rest;
}

function labelReplace(args: readonly StepArg[]): Vec {
  const vec = vecArg(args, 0);
  const dst = stringArg(args, 1);
  const repl = stringArg(args, 2);
  const src = stringArg(args, 3);
  const regexStr = stringArg(args, 4);
  let re: RegExp;
  try {
    re = compileAnchoredRegex(regexStr);
  } catch {
    throw execError(`invalid regular expression in label_replace(): ${regexStr}`);
  }
  if (!isValidLabelName(dst)) throw execError(`invalid destination label name in label_replace(): ${dst}`);
  const cache = new Map<string, Labels>();
  return vec.map((s) => {
    const k = labelsKey(s.labels);
    let out = cache.get(k);
    if (!out) {
      const m = re.exec(getLabel(s.labels, src));
      out = m ? setLabel(deleteLabels(s.labels, [dst]), dst, expandTemplate(repl, m)) : s.labels;
      cache.set(k, out);
    }
    return { labels: out, v: s.v };
  });
}

function labelJoin(args: readonly StepArg[]): Vec {
  const vec = vecArg(args, 0);
  const dst = stringArg(args, 1);
  const sep = stringArg(args, 2);
  const srcs: string[] = [];
  for (let i = 3; i < args.length; i++) {
    const src = stringArg(args, i);
    if (!isValidLabelName(src)) throw execError(`invalid source label name in label_join(): ${src}`);
    srcs.push(src);
  }
  if (!isValidLabelName(dst)) throw execError(`invalid destination label name in label_join(): ${dst}`);
  return vec.map((s) => ({ labels: setLabel(s.labels, dst, srcs.map((n) => getLabel(s.labels, n)).join(sep)), v: s.v }));
}

/** Date functions: of the sample values (seconds), or with no argument of the step time. */
function dateFn(f: (d: Date) => number): InstantFn {
  return (args, ts) => {
    if (args.length === 0) return [{ labels: [], v: f(new Date(Math.trunc(ts / 1000) * 1000)) }];
    return vecArg(args, 0).map((s) => ({ labels: dropMetricName(s.labels), v: f(new Date(Math.trunc(s.v) * 1000)) }));
  };
}

function histogramQuantile(args: readonly StepArg[]): Vec {
  const q = scalarArg(args, 0);
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of vecArg(args, 1)) {
    const upperBound = parseGoFloat(getLabel(s.labels, 'le'));
    if (upperBound === null) continue;
    const labels = deleteLabels(s.labels, [METRIC_NAME, 'le']);
    const k = labelsKey(labels);
    let g = groups.get(k);
    if (!g) {
      g = { labels, buckets: [] };
      groups.set(k, g);
    }
    g.buckets.push({ upperBound, count: s.v });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, v: bucketQuantile(q, g.buckets) }));
}

const DEG = 180 / Math.PI;

function round(args: readonly StepArg[]): Vec {
  const toNearest = args.length >= 2 ? scalarArg(args, 1) : 1;
  // Invert as it seems to cause fewer floating point accuracy issues (as Prometheus does).
  const inv = 1 / toNearest;
  return vecArg(args, 0).map((s) => ({ labels: dropMetricName(s.labels), v: Math.floor(s.v * inv + 0.5) / inv }));
}

function clamp(args: readonly StepArg[]): Vec {
  const min = scalarArg(args, 1);
  const max = scalarArg(args, 2);
  if (max < min) return [];
  return vecArg(args, 0).map((s) => ({ labels: dropMetricName(s.labels), v: Math.max(min, Math.min(max, s.v)) }));
}

const sortAsc = (a: { v: number }, b: { v: number }): number => {
  // sort: ascending, NaN last (Prometheus reverses a descending sort with NaN first).
  const an = Number.isNaN(a.v);
  const bn = Number.isNaN(b.v);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a.v - b.v;
};

const sortDesc = (a: { v: number }, b: { v: number }): number => {
  if (lessWithNaN(a.v, b.v)) return 1;
  if (lessWithNaN(b.v, a.v)) return -1;
  return 0;
};

const daysInMonth = (d: Date): number => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
const dayOfYear = (d: Date): number => Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;

export const INSTANT_FUNCTIONS: ReadonlyMap<string, InstantFn> = new Map<string, InstantFn>([
  ['abs', simple(Math.abs)],
  ['ceil', simple(Math.ceil)],
  ['floor', simple(Math.floor)],
  ['exp', simple(Math.exp)],
  ['sqrt', simple(Math.sqrt)],
  ['ln', simple(Math.log)],
  ['log2', simple(Math.log2)],
  ['log10', simple(Math.log10)],
  ['sin', simple(Math.sin)],
  ['cos', simple(Math.cos)],
  ['tan', simple(Math.tan)],
  ['asin', simple(Math.asin)],
  ['acos', simple(Math.acos)],
  ['atan', simple(Math.atan)],
  ['sinh', simple(Math.sinh)],
  ['cosh', simple(Math.cosh)],
  ['tanh', simple(Math.tanh)],
  ['asinh', simple(Math.asinh)],
  ['acosh', simple(Math.acosh)],
  ['atanh', simple(Math.atanh)],
  ['deg', simple((v) => v * DEG)],
  ['rad', simple((v) => (v * Math.PI) / 180)],
  ['sgn', simple((v) => (v < 0 ? -1 : v > 0 ? 1 : v))],
  ['round', round],
  ['clamp', clamp],
  ['clamp_max', (args) => vecArg(args, 0).map((s) => ({ labels: dropMetricName(s.labels), v: Math.min(s.v, scalarArg(args, 1)) }))],
  ['clamp_min', (args) => vecArg(args, 0).map((s) => ({ labels: dropMetricName(s.labels), v: Math.max(s.v, scalarArg(args, 1)) }))],
  // timestamp() of anything but a selector: the step time (selectors are handled by the evaluator).
  ['timestamp', (args, ts) => vecArg(args, 0).map((s) => ({ labels: dropMetricName(s.labels), v: ts / 1000 }))],
  ['vector', (args) => [{ labels: [], v: scalarArg(args, 0) }]],
  ['sort', (args) => [...vecArg(args, 0)].sort(sortAsc)],
  ['sort_desc', (args) => [...vecArg(args, 0)].sort(sortDesc)],
  ['absent', (args, _ts, exprs) => {
    if (vecArg(args, 0).length > 0) return [];
    const e = exprs[0];
    return [{ labels: e?.kind === 'VectorSelector' ? absentLabels(e) : [], v: 1 }];
  }],
  ['label_replace', labelReplace],
  ['label_join', labelJoin],
  ['histogram_quantile', histogramQuantile],
  // Native histograms only: float samples give nothing.
  ['histogram_count', () => []],
  ['histogram_sum', () => []],
  ['histogram_fraction', () => []],
  ['day_of_month', dateFn((d) => d.getUTCDate())],
  ['day_of_week', dateFn((d) => d.getUTCDay())],
  ['day_of_year', dateFn(dayOfYear)],
  ['days_in_month', dateFn(daysInMonth)],
  ['hour', dateFn((d) => d.getUTCHours())],
  ['minute', dateFn((d) => d.getUTCMinutes())],
  ['month', dateFn((d) => d.getUTCMonth() + 1)],
  ['year', dateFn((d) => d.getUTCFullYear())],
]);

export const SCALAR_FUNCTIONS: ReadonlyMap<string, ScalarFn> = new Map<string, ScalarFn>([
  ['time', (_args, ts) => ts / 1000],
  ['pi', () => Math.PI],
  ['scalar', (args) => {
    const v = vecArg(args, 0);
    return v.length === 1 ? v[0]!.v : NaN;
  }],
]);


