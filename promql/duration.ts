/**
 * Prometheus durations (prometheus/common model.Duration, v0.39 as vendored by Prometheus 2.42):
 * `1y2w3d4h5m6s7ms`, each unit at most once and in this order. Values are milliseconds.
 */

import { goQuote } from './quote.js';

const UNITS: readonly (readonly [string, number])[] = [
  ['y', 1000 * 60 * 60 * 24 * 365],
  ['w', 1000 * 60 * 60 * 24 * 7],
  ['d', 1000 * 60 * 60 * 24],
  ['h', 1000 * 60 * 60],
  ['m', 1000 * 60],
  ['s', 1000],
  ['ms', 1],
];

const DURATION_RE = /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const MAX_NS = (1n << 63n) - 1n;

/** model.ParseDuration: the duration in ms, or throws with Prometheus's message. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration string');
  const m = DURATION_RE.exec(s);
  if (!m) throw new Error(`not a valid duration string: ${goQuote(s)}`);
  let totalNs = 0n;
  let overflow = false;
  UNITS.forEach(([, mult], i) => {
    const g = m[i + 1];
    if (g === undefined || g === '') return;
    const n = BigInt(g);
    if (n > MAX_NS / BigInt(mult) / 1_000_000n) overflow = true;
    totalNs += n * BigInt(mult) * 1_000_000n;
    if (totalNs > MAX_NS) overflow = true;
  });
  if (overflow) throw new Error('duration out of range');
  return Number(totalNs / 1_000_000n);
}

/** model.Duration.String: years and weeks only when they divide evenly; "0s" for zero. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.trunc(ms);
  let out = '';
  for (const [unit, mult] of UNITS) {
    if ((unit === 'y' || unit === 'w') && rest % mult !== 0) continue;
    const v = Math.trunc(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}
