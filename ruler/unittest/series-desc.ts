/**
 * The expanding notation of promtool's `input_series` (PromQL's series descriptions): values
 * separated by spaces, where `a+bxN` / `a-bxN` is N+1 values starting at a, `axN` is a repeated
 * N+1 times, `_` is a missing sample and `_xN` N missing samples, `stale` a staleness marker.
 * Hexadecimal numbers are not allowed here (the `x` would be ambiguous).
 */

import { parseMetricSelector } from '../../promql/parser.js';
import { type Labels, sortLabels } from '../../tsdb/labels.js';

const NUM = String.raw`(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[Ii][Nn][Ff]|[Nn][Aa][Nn]`;
const BLANK = /^_(?:x([0-9]+))?$/;
const ITEM = new RegExp(String.raw`^([+-]?(?:${NUM})|stale)(?:([+-](?:${NUM}))?x([0-9]+))?$`);

function num(s: string): number {
  const sign = s[0] === '-' ? -1 : 1;
  const body = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
  const lower = body.toLowerCase();
  if (lower === 'inf') return sign * Infinity;
  if (lower === 'nan') return NaN;
  return sign * Number(body);
}

/** A value of a series description: a number, a staleness marker, or an omitted sample (null). */
export type SeriesValue = number | 'stale' | null;

/** Values in order; null marks an omitted sample (its slot still advances time). */
export function parseSeriesValues(text: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const item of text.split(/\s+/)) {
    if (item === '') continue;
    const b = BLANK.exec(item);
    if (b) {
      const n = b[1] === undefined ? 1 : Number(b[1]);
      for (let i = 0; i < n; i++) out.push(null);
      continue;
    }
    const m = ITEM.exec(item);
    if (!m) throw new Error(`invalid series values item ${JSON.stringify(item)}: want a number, "stale", "_", "a+bxN", "axN" or "_xN"`);
    if (m[1] === 'stale') {
      // A stale marker stays a marker (a NaN's payload does not reliably survive JS arrays).
      for (let i = 0; i <= (m[3] === undefined ? 0 : Number(m[3])); i++) out.push('stale');
      continue;
    }
    const start = num(m[1]!);
    if (m[3] === undefined) {
      out.push(start);
      continue;
    }
    const times = Number(m[3]);
    const step = m[2] === undefined ? 0 : num(m[2]);
    let v = start;
    for (let i = 0; i <= times; i++) {
      out.push(v);
      v += step;
    }
  }
  return out;
}

/** The label set of `metric{a="b"}` or `{__name__="metric", a="b"}` (only `=` is allowed). */
export function parseSeriesLabels(text: string): Labels {
  const matchers = parseMetricSelector(text);
  const out = [];
  for (const m of matchers) {
    if (m.type !== '=') throw new Error(`series ${text}: only = is allowed in a series description`);
    if (m.value !== '') out.push({ name: m.name, value: m.value });
  }
  return sortLabels(out);
}
