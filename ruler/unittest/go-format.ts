/** Go's printing of the values promtool's rule unit tests report, so Vigil's reports read the same. */

import { type Labels, labelsToString } from '../../tsdb/labels.js';

/** Go's time.Duration.String() of a whole number of milliseconds: `0s`, `1.5s`, `5m0s`, `1h0m0s`, `500ms`. */
export function goDurationString(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) out = `${rest}ms`;
  else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = Math.floor(rest / 1000);
    const frac = rest - s * 1000;
    const secs = frac === 0 ? `${s}` : `${s}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
    out = h > 0 ? `${h}h${m}m${secs}s` : m > 0 ? `${m}m${secs}s` : `${secs}s`;
  }
  return neg ? '-' + out : out;
}

/** Go's strconv.FormatFloat(v, 'E', -1, 64): shortest digits, `1E+00`, `1.5E-07`. */
export function goFormatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0E+00' : '0E+00';
  const [mant = '', exp = '0'] = v.toExponential().split('e');
  const e = Number(exp);
  return `${mant}E${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** promtool's indentLines: every line after the first gets the indent. */
export function indentLines(lines: string, indent: string): string {
  return lines
    .split('\n')
    .map((l, i) => (i > 0 ? indent + l : l))
    .join('\n');
}

export interface LabelsAndAnnotations {
  readonly labels: Labels;
  readonly annotations: Labels;
}

/** promtool's labelsAndAnnotations.String(). */
export function alertsString(la: readonly LabelsAndAnnotations[]): string {
  if (la.length === 0) return '[]';
  const one = (a: LabelsAndAnnotations): string => `Labels:${labelsToString(a.labels)}\nAnnotations:${labelsToString(a.annotations)}`;
  let s = '[\n0:' + indentLines('\n' + one(la[0]!), '  ');
  la.slice(1).forEach((a, i) => {
    s += ',\n' + (i + 1) + ':' + indentLines('\n' + one(a), '  ');
  });
  return s + '\n]';
}
