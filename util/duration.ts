/**
 * Durations in the two notations Vigil's users write: Prometheus's (`1h30m`, `2d`, `1w`, `1y`,
 * `500ms`; integers per unit) and Go's (`1.5h`, `300ms`, `2h45m0.5s`). Both give milliseconds.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|ns|y|w|d|h|m|s)/y;

export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration string');
  let neg = false;
  let i = 0;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    i = 1;
  }
  let total = 0;
  let parts = 0;
  while (i < s.length) {
    PART.lastIndex = i;
    const m = PART.exec(s);
    if (!m) throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    i = PART.lastIndex;
    parts++;
  }
  if (parts === 0) throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
  return neg ? -total : total;
}

/** Prometheus's model.Duration.String(): largest units first, `0s` for zero. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  for (const [u, f] of [
    ['y', UNIT_MS.y!],
    ['w', UNIT_MS.w!],
    ['d', UNIT_MS.d!],
    ['h', UNIT_MS.h!],
    ['m', UNIT_MS.m!],
    ['s', UNIT_MS.s!],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / f);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * f;
    }
  }
  return out;
}
