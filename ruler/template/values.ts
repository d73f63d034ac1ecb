/**
 * The values templates work with, modelled on the Go types Prometheus's template data and
 * functions use: strings, float64 (JS number), int (bigint), bool, nil (null), maps, slices,
 * query samples, times and html/template.HTML; and how fmt prints and compares them.
 */

import { goFormatFloat } from '../../promql/literals.js';

export class GoMap {
  constructor(
    readonly m: ReadonlyMap<string, Value>,
    /** The zero value of the element type: what a missing key gives under missingkey=zero. */
    readonly zero: Value,
    readonly goType: string,
  ) {}
}

export class GoStruct {
  constructor(
    readonly fields: ReadonlyMap<string, Value>,
    readonly goType: string,
  ) {}
}

/** Prometheus's template sample: `.Labels` and `.Value`. */
export class Sample {
  constructor(
    readonly labels: GoMap,
    readonly value: number,
  ) {}
}

export class GoTime {
  constructor(readonly ms: number) {}
}

export class SafeHTML {
  constructor(readonly s: string) {}
}

export type Value = string | number | bigint | boolean | null | readonly Value[] | GoMap | GoStruct | Sample | GoTime | SafeHTML;

export function stringMap(r: Readonly<Record<string, string>>): GoMap {
  return new GoMap(new Map(Object.entries(r)), '', 'map[string]string');
}

export function goTypeOf(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return 'template.queryResult';
  if (v instanceof GoMap) return v.goType;
  if (v instanceof GoStruct) return v.goType;
  if (v instanceof Sample) return '*template.sample';
  if (v instanceof GoTime) return '*time.Time';
  return 'template.HTML';
}

/** Go's text/template truth: false, zero numbers, nil, empty strings, slices and maps are false. */
export function truth(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoMap) return v.m.size > 0;
  if (v instanceof SafeHTML) return v.s !== '';
  return true;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** time.Time.String() in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTimeString(ms: number): string {
  const d = new Date(ms);
  let s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = ((ms % 1000) + 1000) % 1000;
  if (frac !== 0) s += '.' + pad(frac, 3).replace(/0+$/, '');
  return s + ' +0000 UTC';
}

/** fmt's %v of a value (fmt.Sprint of one operand). */
export function formatValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFormatFloat(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return '[' + v.map(formatValue).join(' ') + ']';
  if (v instanceof GoMap) return 'map[' + [...v.m.keys()].sort().map((k) => `${k}:${formatValue(v.m.get(k)!)}`).join(' ') + ']';
  if (v instanceof GoStruct) return '{' + [...v.fields.values()].map(formatValue).join(' ') + '}';
  if (v instanceof Sample) return `&{${formatValue(v.labels)} ${formatValue(v.value)}}`;
  if (v instanceof GoTime) return goTimeString(v.ms);
  return (v as SafeHTML).s;
}
