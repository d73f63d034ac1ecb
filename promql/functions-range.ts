/**
 * The functions over range vectors (Prometheus 2.42's promql/functions.go): rate, increase and
 * delta with Prometheus's extrapolation, irate/idelta, resets, changes, deriv, predict_linear,
 * holt_winters and the *_over_time family. Each gets one series' window at one step and returns
 * its value, or null for no output.
 */

import { execError } from './engine-types.js';
import { quantile } from './quantile.js';

export interface RangeWindow {
  /** The non-stale samples in [rangeStart, rangeEnd]: indexes lo (inclusive) to hi (exclusive) of ts/vs. */
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly lo: number;
  readonly hi: number;
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly rangeMs: number;
  /** The evaluation time of the step. */
  readonly evalTs: number;
  /** Scalar arguments at this step by argument index (the range argument's slot is unused). */
  readonly args: readonly number[];
}

export type RangeFn = (w: RangeWindow) => number | null;

/** Neumaier's improved Kahan summation step. */
function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

function extrapolatedRate(w: RangeWindow, isCounter: boolean, isRate: boolean): number | null {
  const { ts, vs, lo, hi } = w;
  const n = hi - lo;
  if (n < 2) return null;
  const firstV = vs[lo]!;
  let result = vs[hi - 1]! - firstV;
  if (isCounter) {
    let lastValue = 0;
    for (let i = lo; i < hi; i++) {
      const v = vs[i]!;
      if (v < lastValue) result += lastValue;
      lastValue = v;
    }
  }
  let durationToStart = (ts[lo]! - w.rangeStart) / 1000;
  const durationToEnd = (w.rangeEnd - ts[hi - 1]!) / 1000;
  const sampledInterval = (ts[hi - 1]! - ts[lo]!) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);
  if (isCounter && result > 0 && firstV >= 0) {
    // Counters cannot go negative: extrapolate to the zero point at most.
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  let factor = extrapolateToInterval / sampledInterval;
  if (isRate) factor /= w.rangeMs / 1000;
  return result * factor;
}

function instantValue(w: RangeWindow, isRate: boolean): number | null {
  const { ts, vs, lo, hi } = w;
  if (hi - lo < 2) return null;
  const lastV = vs[hi - 1]!;
  const prevV = vs[hi - 2]!;
  let result = isRate && lastV < prevV ? lastV : lastV - prevV;
  const sampledInterval = ts[hi - 1]! - ts[hi - 2]!;
  if (sampledInterval === 0) return null;
  if (isRate) result /= sampledInterval / 1000;
  return result;
}

/** Least squares over (seconds since interceptTime, value). */
export function linearRegression(w: RangeWindow, interceptTime: number): [slope: number, intercept: number] {
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = w.vs[w.lo]!;
  let constY = true;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.vs[i]!;
    if (constY && i > w.lo && v !== initY) constY = false;
    n += 1;
    const x = (w.ts[i]! - interceptTime) / 1e3;
    [sumX, cX] = kahanInc(x, sumX, cX);
    [sumY, cY] = kahanInc(v, sumY, cY);
    [sumXY, cXY] = kahanInc(x * v, sumXY, cXY);
    [sumX2, cX2] = kahanInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

/** Go's %f. */
function goF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}

function holtWinters(w: RangeWindow): number | null {
  const sf = w.args[1]!;
  const tf = w.args[2]!;
  if (!(sf > 0 && sf < 1)) throw execError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${goF(sf)}`);
  if (!(tf > 0 && tf < 1)) throw execError(`invalid trend factor. Expected: 0 < tf < 1, got: ${goF(tf)}`);
  const { vs, lo, hi } = w;
  if (hi - lo < 2) return null;
  let s0 = 0;
  let s1 = vs[lo]!;
  let b = vs[lo + 1]! - vs[lo]!;
  for (let i = 1; i < hi - lo; i++) {
    const x = sf * vs[lo + i]!;
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

function avgOverTime(w: RangeWindow): number {
  let mean = 0;
  let c = 0;
  let count = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.vs[i]!;
    count++;
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      if (!Number.isFinite(v) && !Number.isNaN(v) && mean > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    [mean, c] = kahanInc(v / count - mean / count, mean, c);
  }
  if (!Number.isFinite(mean) && !Number.isNaN(mean)) return mean;
  return mean + c;
}

function stdvarOverTime(w: RangeWindow): number {
  let count = 0;
  let mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.vs[i]!;
    count++;
    const delta = v - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

export const RANGE_FUNCTIONS: ReadonlyMap<string, RangeFn> = new Map<string, RangeFn>([
  ['rate', (w) => extrapolatedRate(w, true, true)],
  ['increase', (w) => extrapolatedRate(w, true, false)],
  ['delta', (w) => extrapolatedRate(w, false, false)],
  ['irate', (w) => instantValue(w, true)],
  ['idelta', (w) => instantValue(w, false)],
  ['resets', (w) => {
    let n = 0;
    for (let i = w.lo + 1; i < w.hi; i++) if (w.vs[i]! < w.vs[i - 1]!) n++;
    return n;
  }],
  ['changes', (w) => {
    let n = 0;
    for (let i = w.lo + 1; i < w.hi; i++) {
      const cur = w.vs[i]!;
      const prev = w.vs[i - 1]!;
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
    }
    return n;
  }],
  ['deriv', (w) => (w.hi - w.lo < 2 ? null : linearRegression(w, w.ts[w.lo]!)[0])],
  ['predict_linear', (w) => {
    if (w.hi - w.lo < 2) return null;
    const [slope, intercept] = linearRegression(w, w.evalTs);
    return intercept + slope * w.args[1]!;
  }],
  ['holt_winters', holtWinters],
  ['avg_over_time', avgOverTime],
  ['count_over_time', (w) => w.hi - w.lo],
  ['sum_over_time', (w) => {
    let sum = 0;
    let c = 0;
    for (let i = w.lo; i < w.hi; i++) [sum, c] = kahanInc(w.vs[i]!, sum, c);
    return Number.isFinite(sum) ? sum + c : sum;
  }],
  ['min_over_time', (w) => {
    let min = w.vs[w.lo]!;
    for (let i = w.lo; i < w.hi; i++) {
      const v = w.vs[i]!;
      if (v < min || Number.isNaN(min)) min = v;
    }
    return min;
  }],
  ['max_over_time', (w) => {
    let max = w.vs[w.lo]!;
    for (let i = w.lo; i < w.hi; i++) {
      const v = w.vs[i]!;
      if (v > max || Number.isNaN(max)) max = v;
    }
    return max;
  }],
  ['last_over_time', (w) => w.vs[w.hi - 1]!],
  ['present_over_time', () => 1],
  ['absent_over_time', () => 1],
  ['quantile_over_time', (w) => quantile(w.args[0]!, Array.prototype.slice.call(w.vs, w.lo, w.hi) as number[])],
  ['stddev_over_time', (w) => Math.sqrt(stdvarOverTime(w))],
  ['stdvar_over_time', stdvarOverTime],
]);
