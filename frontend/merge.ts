/**
 * Merging and cutting matrices (Cortex's `PrometheusResponse` merger and extractor): series are
 * matched by their label set, samples kept in time order with duplicate timestamps dropped, and
 * the result sorted by labels the way Prometheus sorts a matrix.
 */

import type { MatrixSeries, RangeResponse } from './types.js';

type Sample = readonly [number, string];

/** Milliseconds of a sample's timestamp (Prometheus writes seconds, possibly fractional). */
export function sampleMs(s: Sample): number {
  return Math.round(s[0] * 1000);
}

function sortedPairs(metric: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(metric).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A string that is equal for equal label sets. */
export function labelsKey(metric: Readonly<Record<string, string>>): string {
  return JSON.stringify(sortedPairs(metric));
}

/** Prometheus's labels.Compare: name by name, then value by value, then the shorter first. */
export function compareLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): number {
  const pa = sortedPairs(a);
  const pb = sortedPairs(b);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const [an, av] = pa[i]!;
    const [bn, bv] = pb[i]!;
    if (an !== bn) return an < bn ? -1 : 1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return pa.length - pb.length;
}

/**
 * Merge partial responses of one query: the series of all of them, each with its samples in time
 * order and one sample per timestamp (the first response's, in the order given, wins). Warnings
 * are kept, each once.
 */
export function mergeResponses(responses: readonly RangeResponse[]): RangeResponse {
  const byLabels = new Map<string, { metric: Readonly<Record<string, string>>; values: Sample[] }>();
  const warnings: string[] = [];
  for (const r of responses) {
    for (const w of r.warnings ?? []) if (!warnings.includes(w)) warnings.push(w);
    for (const s of r.result) {
      const k = labelsKey(s.metric);
      const cur = byLabels.get(k);
      if (cur === undefined) byLabels.set(k, { metric: s.metric, values: [...s.values] });
      else cur.values.push(...s.values);
    }
  }
  const result: MatrixSeries[] = [];
  for (const { metric, values } of byLabels.values()) {
    // Stable sort: among equal timestamps the earlier response's sample comes first and is kept.
    const sorted = values.map((v, i) => ({ v, t: sampleMs(v), i })).sort((a, b) => a.t - b.t || a.i - b.i);
    const out: Sample[] = [];
    let last = Number.NEGATIVE_INFINITY;
    for (const { v, t } of sorted) {
      if (t === last) continue;
      out.push(v);
      last = t;
    }
    result.push({ metric, values: out });
  }
  result.sort((a, b) => compareLabels(a.metric, b.metric));
  const merged: RangeResponse = { resultType: 'matrix', result };
  return warnings.length > 0 ? { ...merged, warnings } : merged;
}

/** The part of a response with timestamps in [startMs, endMs]; series left empty are dropped. */
export function extractRange(startMs: number, endMs: number, from: RangeResponse): RangeResponse {
  const result: MatrixSeries[] = [];
  for (const s of from.result) {
    const values = s.values.filter((v) => {
      const t = sampleMs(v);
      return startMs <= t && t <= endMs;
    });
    if (values.length > 0) result.push({ metric: s.metric, values });
  }
  const out: RangeResponse = { resultType: 'matrix', result };
  return from.warnings !== undefined ? { ...out, warnings: from.warnings } : out;
}
