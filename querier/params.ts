/** Query-API parameter parsing with Prometheus's formats and error texts. */

import { VigilError } from '../util/errors.js';
import { parseDuration } from '../util/duration.js';
import type { Matcher } from '../tsdb/matchers.js';
import { SelectorParseError, parseSelector } from '../promql/selector.js';

/** Prometheus's minTime/maxTime as the API prints them; both are accepted as parameters. */
export const MIN_TIME_MS = -9223309901257974;
export const MAX_TIME_MS = 9223309901257974;
const MIN_TIME_TEXT = '-292273086-05-16T16:47:06Z';
const MAX_TIME_TEXT = '292277025-08-18T07:12:54.999999999Z';

export type Params = ReadonlyMap<string, string | readonly string[]>;

export function badParam(message: string): VigilError {
  return new VigilError('bad-query-param', message);
}

export function one(p: Params, name: string): string | undefined {
  const v = p.get(name);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

export function many(p: Params, name: string): readonly string[] {
  const v = p.get(name);
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Unix seconds (float) or RFC 3339 → milliseconds. */
export function parseTime(text: string): number | null {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const s = Number(text);
    if (!Number.isFinite(s)) return null;
    return Math.round(s * 1000);
  }
  if (text === MIN_TIME_TEXT) return MIN_TIME_MS;
  if (text === MAX_TIME_TEXT) return MAX_TIME_MS;
  const m = RFC3339.exec(text);
  if (!m) return null;
  const frac = m[7] ? Number(m[7].slice(0, 4).padEnd(4, '0')) : 0;
  const base = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]!.toUpperCase()}`);
  if (Number.isNaN(base)) return null;
  return base + Math.round(frac * 1000);
}

export function timeParam(p: Params, name: string, def: number): number {
  const v = one(p, name);
  if (v === undefined || v === '') return def;
  const t = parseTime(v);
  if (t === null) throw badParam(`invalid parameter "${name}": Invalid time value for '${name}': cannot parse "${v}" to a valid timestamp`);
  return t;
}

/** Float seconds or a duration (`5m`) → milliseconds. */
export function durationParam(p: Params, name: string): number | undefined {
  const v = one(p, name);
  if (v === undefined || v === '') return undefined;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    const s = Number(v);
    if (!Number.isFinite(s) || s * 1000 > Number.MAX_SAFE_INTEGER) throw badParam(`invalid parameter "${name}": cannot parse "${v}" to a valid duration. It overflows int64`);
    return Math.round(s * 1000);
  }
  try {
    return parseDuration(v);
  } catch {
    throw badParam(`invalid parameter "${name}": cannot parse "${v}" to a valid duration`);
  }
}

export function limitParam(p: Params): number {
  const v = one(p, 'limit');
  if (v === undefined || v === '') return 0;
  if (!/^\d+$/.test(v)) throw badParam(`invalid parameter "limit": cannot parse "${v}" to a valid limit`);
  return Number(v);
}

export function startEnd(p: Params): { start: number; end: number } {
  const start = timeParam(p, 'start', MIN_TIME_MS);
  const end = timeParam(p, 'end', MAX_TIME_MS);
  // Prometheus 2.42 answers an empty result, not an error, when end < start.
  return { start, end };
}

export function matcherSets(p: Params): Matcher[][] {
  return many(p, 'match[]').map((s) => {
    try {
      return parseSelector(s);
    } catch (e) {
      if (e instanceof SelectorParseError) {
        const msg = e.message.endsWith('at least one non-empty matcher') ? 'match[] must contain at least one non-empty matcher' : e.message;
        throw badParam(`invalid parameter "match[]": ${msg}`);
      }
      throw e;
    }
  });
}
