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
import type { SeriesDesc } from './series-desc.js';

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

interface Pending {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
  readonly stale: boolean;
}

/**
 * promtool's lazy loader (Prometheus 2.42 promql.LazyLoader.appendTill): the input series'
 * samples go into the storage up to each evaluation time, through one appender per call. The
 * head refuses a series whose labels are all empty ("empty labelset: invalid sample"); the
 * loader then stops and gives that error without committing, so nothing of that call is
 * stored, and the series that came before in its walk have lost the samples it took from them.
 * The empty series keeps its samples, so every later call fails again. A sample the head
 * would not take (out of order, or another value at a timestamp already written) is dropped
 * silently at commit.
 */
export class LazyLoader {
  private readonly defs: { readonly labels: Labels; samples: Pending[] }[];

  constructor(
    private readonly storage: MemoryStorage,
    series: readonly SeriesDesc[],
    interval: number,
  ) {
    this.defs = series.map((d) => {
      // The head drops labels with empty values.
      const labels = d.labels.filter((l) => l.value !== '');
      const samples: Pending[] = [];
      d.values.forEach((v, i) => {
        if (v === null) return;
        samples.push(v === 'stale' ? { labels, t: i * interval, v: STALE_NAN, stale: true } : { labels, t: i * interval, v, stale: false });
      });
      return { labels, samples };
    });
  }

  /** Loads every sample at or before ts; returns the head's error (nothing stored then), or null. */
  appendTill(ts: number): Error | null {
    const pending: Pending[] = [];
    for (const d of this.defs) {
      let i = 0;
      for (; i < d.samples.length && d.samples[i]!.t <= ts; i++) {
        if (d.labels.length === 0) return new Error('empty labelset: invalid sample');
        pending.push(d.samples[i]!);
      }
      if (i > 0) d.samples = d.samples.slice(i);
    }
    for (const s of pending) {
      try {
        this.storage.append(s.labels, s.t, s.v, s.stale);
      } catch (e) {
        if (!(e instanceof AppendError)) throw e;
      }
    }
    return null;
  }
}
