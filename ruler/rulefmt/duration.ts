/**
 * Prometheus model durations (prometheus/common `model.ParseDuration` and `Duration.String()`),
 * the notation of `interval`, `for` and `keep_firing_for` in rule files: integer amounts of
 * y, w, d, h, m, s, ms in that order, each at most once, or a bare `0`. No fractions, no signs,
 * no spaces. (util/duration.ts also accepts Go's notation and fractions; rule files must not.)
 */

import { goQuote } from '../../promql/quote.js';

const MS_PER: Readonly<Record<'y' | 'w' | 'd' | 'h' | 'm' | 's' | 'ms', number>> = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNITS = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;
/** time.Duration is int64 nanoseconds: about 292 years. */
const MAX_NS = 2n ** 63n - 1n;

/** Parses a Prometheus duration into milliseconds; throws with Prometheus's message. */
export function parsePromDuration(text: string): number {
  if (text === '0') return 0;
  if (text === '') throw new Error('empty duration string');
  const m = DURATION_RE.exec(text);
  if (!m) throw new Error(`not a valid duration string: ${goQuote(text)}`);
  let totalNs = 0n;
  let overflow = false;
  UNITS.forEach((unit, i) => {
    const digits = m[i + 1];
    if (digits === undefined || digits === '') return;
    const n = BigInt(digits);
    const multNs = BigInt(MS_PER[unit]) * 1_000_000n;
    if (n > MAX_NS / multNs) overflow = true;
    totalNs += n * multNs;
    if (totalNs > MAX_NS) overflow = true;
  });
  if (overflow) throw new Error('duration out of range');
  return Number(totalNs / 1_000_000n);
}

/** Prometheus's model.Duration.String(): years and weeks only when exact, `0s` for zero. */
export function formatPromDuration(ms: number): string {
  let rest = Math.trunc(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of UNITS) {
    const mult = MS_PER[unit];
    if ((unit === 'y' || unit === 'w') && rest % mult !== 0) continue;
    const v = Math.trunc(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}
