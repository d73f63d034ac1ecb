/**
 * Prometheus's humanize* template functions (template/template.go, v2.42): Go's `%.4g` with SI,
 * binary and duration units. Pure number → string; the template executor converts arguments.
 */

/** Go's fmt `%.<prec>g` of a float64 (no `#` flag): rounded to prec significant digits, trailing zeros dropped. */
export function goFormatG(v: number, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const p = prec === 0 ? 1 : prec;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = roundHalfEven(Math.abs(v), p).split('e') as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  const sign = v < 0 ? '-' : '';
  let eprec = p;
  if (eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  if (exp < -4 || exp >= eprec) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** toExponential(p-1), except that exact ties round to even as Go's strconv does (JS rounds them up). */
function roundHalfEven(a: number, p: number): string {
  const up = a.toExponential(p - 1);
  const [m, e] = a.toExponential(99).split('e') as [string, string];
  const all = m.replace('.', '');
  if (!/^50*$/.test(all.slice(p))) return up;
  const kept = all.slice(0, p);
  if (Number(kept[p - 1]) % 2 === 1) return up;
  return `${kept[0]}${p > 1 ? '.' + kept.slice(1) : ''}e${e}`;
}

const g4 = (v: number): string => goFormatG(v, 4);

/** `humanize`: SI prefixes k…Y above 1, m…y below 1. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

/** `humanize1024`: binary prefixes ki…Yi above 1024 (|v| ≤ 1 printed plain). */
export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

/** `humanizeDuration` of seconds: `1d 2h 3m 4s`, `1.5s`, `123ms`, sign kept. */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return '0s';
  const sign = v < 0 ? '-' : '';
  v = Math.abs(v);
  if (v >= 1) {
    const secs = Math.trunc(v);
    const days = Math.trunc(secs / 86400);
    const hours = Math.trunc(secs / 3600) % 24;
    const minutes = Math.trunc(secs / 60) % 60;
    const seconds = secs % 60;
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a']) {
    if (v >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${sign}${g4(v)}${prefix}s`;
}

/** `humanizePercentage`: a ratio as `%.4g%`. */
export function humanizePercentage(v: number): string {
  return g4(v * 100) + '%';
}
