/**
 * The in-memory storage rule unit tests run on: series appended in time order (as the head
 * would take them: an older sample is out of order, a different value at the same timestamp a
 * duplicate), read through the `Queryable` seam by the PromQL engine. Series are kept in the
 * order they were created, the order of the head's series ids.
 */

import { type Labels, compareLabels, getLabel } from '../../tsdb/labels.js';
import type { Matcher } from '../../tsdb/matchers.js';
import { ArraySampleIterator, STALE_NAN, isStaleNaN, type Querier, type Queryable, type SelectHints, type Series, type SeriesSet } from '../../tsdb/storage.js';
import { labelSetKey } from '../rules/label-builder.js';

interface StoredSeries {
  readonly labels: Labels;
  readonly ts: number[];
  readonly vs: number[];
  /** Indexes of stale markers: their values are given back as STALE_NAN, whatever the array kept. */
  readonly stale: Set<number>;
}

export class AppendError extends Error {}

/** Gives stale markers back as STALE_NAN. */
class StaleAwareIterator extends ArraySampleIterator {
  constructor(
    private readonly series: StoredSeries,
    mint: number,
    maxt: number,
  ) {
    super(series.ts, series.vs, mint, maxt);
  }
  override atV(): number {
    return this.series.stale.has(this.position()) ? STALE_NAN : super.atV();
  }
}

const f = new Float64Array(2);
const u = new Uint32Array(f.buffer);
function bitsEqual(a: number, b: number): boolean {
  f[0] = a;
  f[1] = b;
  return u[0] === u[2] && u[1] === u[3];
}

export class MemoryStorage implements Queryable {
  private readonly series = new Map<string, StoredSeries>();

  /** Appends one sample; throws AppendError (nothing stored) when it is out of order or a duplicate. */
  append(labels: Labels, t: number, v: number, stale = isStaleNaN(v)): void {
    const key = labelSetKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, ts: [], vs: [], stale: new Set() };
      this.series.set(key, s);
    }
    const n = s.ts.length;
    if (n > 0) {
      const lastT = s.ts[n - 1]!;
      if (t < lastT) throw new AppendError('out of order sample');
      if (t === lastT) {
        if (s.stale.has(n - 1) ? stale : !stale && bitsEqual(s.vs[n - 1]!, v)) return;
        throw new AppendError('duplicate sample for timestamp');
      }
    }
    if (stale) s.stale.add(s.ts.length);
    s.ts.push(t);
    s.vs.push(v);
  }

  /**
   * The storage as Prometheus 2.42's engine reads it: that engine selects series unsorted, and
   * the head then gives them in the order they were created (by series id), so a plain
   * selector's result (and what a template's `query` returns) comes in creation order, not
   * sorted by labels. Vigil's engine always asks for sorted series; this view ignores that.
   */
  readonly engineView: Queryable = {
    querier: (mint, maxt) => {
      const q = this.querier(mint, maxt);
      return {
        select: (_sorted, hints, matchers) => q.select(false, hints, matchers),
        labelValues: (name, matchers) => q.labelValues(name, matchers),
        labelNames: (matchers) => q.labelNames(matchers),
        close: () => q.close(),
      };
    },
  };

  querier(mint: number, maxt: number): Querier {
    const all = [...this.series.values()];
    return {
      select: async (sorted: boolean, _hints: SelectHints | null, matchers: readonly Matcher[]): Promise<SeriesSet> => {
        const found = all.filter((s) => matchers.every((m) => m.matches(getLabel(s.labels, m.name))));
        if (sorted) found.sort((a, b) => compareLabels(a.labels, b.labels));
        let i = -1;
        return {
          next: () => ++i < found.length,
          at: (): Series => {
            const s = found[i]!;
            return { labels: s.labels, iterator: () => new StaleAwareIterator(s, mint, maxt) };
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
