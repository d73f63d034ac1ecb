/**
 * Quantiles as Prometheus 2.42 computes them (promql/quantile.go): the φ-quantile of a set of
 * values, and histogram_quantile over classic `le` buckets with bucket coalescing and the
 * monotonicity fix.
 */

/** Go's sort order of vectorByValueHeap: NaN before everything. */
export function lessWithNaN(a: number, b: number): boolean {
  if (Number.isNaN(a)) return true;
  return a < b;
}

/** quantile(q, values): linear interpolation between the closest ranks. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort((a, b) => (lessWithNaN(a, b) ? -1 : lessWithNaN(b, a) ? 1 : 0));
  const n = sorted.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

export interface Bucket {
  upperBound: number;
  count: number;
}

/** bucketQuantile: the q-quantile of a classic histogram given by its cumulative buckets. */
export function bucketQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = input.map((b) => ({ ...b })).sort((a, b) => a.upperBound - b.upperBound);
  const last = sorted[sorted.length - 1];
  if (!last || last.upperBound !== Infinity) return NaN;
  const buckets = coalesce(sorted);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // sort.Search over all but the +Inf bucket: the first bucket with count >= rank.
  let b = 0;
  const n = buckets.length - 1;
  {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (!(buckets[m]!.count >= rank)) lo = m + 1;
      else hi = m;
    }
    b = lo;
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upperBound;
  if (b === 0 && buckets[0]!.upperBound <= 0) return buckets[0]!.upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

function coalesce(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  let last = buckets[0]!;
  for (const b of buckets.slice(1)) {
    if (b.upperBound === last.upperBound) last = { upperBound: last.upperBound, count: last.count + b.count };
    else {
      out.push(last);
      last = b;
    }
  }
  out.push(last);
  return out;
}

function ensureMonotonic(buckets: Bucket[]): void {
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
}
