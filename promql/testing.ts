/**
 * An in-memory Queryable for engine tests: series given as label sets and samples, values kept
 * bit-exact (NaN and the stale marker included), selection by matchers within the querier's
 * time range, series sorted by labels.
 */

import { compareLabels, getLabel, labelsFromRecord, type Labels } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { ArraySampleIterator, type Querier, type Queryable, type SelectHints, type Series, type SeriesSet } from '../tsdb/storage.js';

/** Prometheus's stale marker as a JS number. */
export { STALE_NAN } from '../tsdb/storage.js';

export interface TestSeries {
  readonly labels: Labels;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

export class MemoryQueryable implements Queryable {
  private readonly series: TestSeries[] = [];
  /** How many times select was called (tests check that each selector is fetched once). */
  selects = 0;

  /** Adds samples to the series with these labels (created if new); samples must come in time order. */
  add(labels: Labels | Record<string, string>, samples: readonly (readonly [t: number, v: number])[]): this {
    const ls = Array.isArray(labels) ? (labels as Labels) : labelsFromRecord(labels as Record<string, string>);
    const i = this.series.findIndex((s) => compareLabels(s.labels, ls) === 0);
    const old = i >= 0 ? this.series[i]! : { labels: ls, ts: new Float64Array(0), vs: new Float64Array(0) };
    const ts = new Float64Array(old.ts.length + samples.length);
    const vs = new Float64Array(old.vs.length + samples.length);
    ts.set(old.ts);
    vs.set(old.vs);
    samples.forEach(([t, v], j) => {
      ts[old.ts.length + j] = t;
      vs[old.vs.length + j] = v;
    });
    const s = { labels: ls, ts, vs };
    if (i >= 0) this.series[i] = s;
    else {
      this.series.push(s);
      this.series.sort((a, b) => compareLabels(a.labels, b.labels));
    }
    return this;
  }

  querier(mint: number, maxt: number): Querier {
    return {
      select: async (_sorted: boolean, _hints: SelectHints | null, matchers: readonly Matcher[]): Promise<SeriesSet> => {
        this.selects++;
        const found = this.series.filter((s) => matchers.every((m) => m.matches(getLabel(s.labels, m.name))));
        let i = -1;
        return {
          next: () => ++i < found.length,
          at: (): Series => {
            const s = found[i]!;
            return { labels: s.labels, iterator: () => new ArraySampleIterator(s.ts, s.vs, mint, maxt) };
          },
          err: () => null,
          warnings: [],
        };
      },
      labelValues: async () => [],
      labelNames: async () => [],
      close: () => undefined,
    };
  }
}
