/**
 * Merging several sorted SeriesSets into one (head and blocks of an ingester now; ingesters,
 * store and replicas later): series with equal label sets become one series whose samples come
 * out in time order, a timestamp present in several sources given once (the first source's
 * value wins, as replicas hold identical samples).
 */

import { type Labels, compareLabels } from './labels.js';
import type { SampleBuffer, SampleIterator, Series, SeriesSet } from './storage.js';

export function mergeSeriesSets(sets: readonly SeriesSet[]): SeriesSet {
  if (sets.length === 1) return sets[0]!;
  return new MergedSeriesSet(sets);
}

class MergedSeriesSet implements SeriesSet {
  /** Sets positioned on a current series (next() returned true). */
  private readonly live: SeriesSet[] = [];
  private started = false;
  private cur: Series | null = null;
  private error: Error | null = null;
  readonly warnings: string[] = [];

  constructor(private readonly sets: readonly SeriesSet[]) {}

  private advance(s: SeriesSet): void {
    if (s.next()) this.live.push(s);
    else {
      this.error ??= s.err();
      this.warnings.push(...s.warnings);
    }
  }

  next(): boolean {
    if (!this.started) {
      this.started = true;
      for (const s of this.sets) this.advance(s);
    }
    if (this.live.length === 0) return false;
    if (this.live.length === 1) {
      // One source left (often the only one with data): its series pass through as they are.
      const only = this.live[0]!;
      this.cur = only.at();
      this.live.length = 0;
      this.advance(only);
      return this.error === null;
    }
    let lowest = this.live[0]!.at().labels;
    for (const s of this.live) {
      const ls = s.at().labels;
      if (compareLabels(ls, lowest) < 0) lowest = ls;
    }
    const same: Series[] = [];
    const moving: SeriesSet[] = [];
    for (let i = 0; i < this.live.length; ) {
      const s = this.live[i]!;
      if (compareLabels(s.at().labels, lowest) === 0) {
        same.push(s.at());
        moving.push(s);
        this.live.splice(i, 1);
      } else i++;
    }
    this.cur = same.length === 1 ? same[0]! : mergedSeries(lowest, same);
    for (const s of moving) this.advance(s);
    return this.error === null;
  }

  at(): Series {
    if (!this.cur) throw new Error('at() before next()');
    return this.cur;
  }

  err(): Error | null {
    return this.error;
  }
}

function mergedSeries(labels: Labels, parts: readonly Series[]): Series {
  let chunkCount = 0;
  for (const p of parts) chunkCount += p.chunkCount ?? 0;
  return {
    labels,
    chunkCount,
    iterator: () => new MergedIterator(parts.map((p) => p.iterator())),
    readInto: (buf, mint, maxt) => readPartsInto(parts, buf, mint, maxt),
  };
}

/**
 * The parts one after the other, when each can be read in bulk and each starts after the one
 * before ends (blocks of consecutive time ranges); otherwise false, and the caller merges them
 * sample by sample through iterator().
 */
function readPartsInto(parts: readonly Series[], buf: SampleBuffer, mint: number, maxt: number): Error | null | false {
  const start = buf.n;
  for (const p of parts) {
    if (!p.readInto) return false;
    const before = buf.n;
    const r = p.readInto(buf, mint, maxt);
    if (r !== null) return r;
    if (before > start && buf.n > before && buf.ts[before]! <= buf.ts[before - 1]!) return false;
  }
  return null;
}

/** K-way merge by timestamp over a handful of iterators; duplicates of a timestamp are skipped. */
export class MergedIterator implements SampleIterator {
  private readonly heads: SampleIterator[] = [];
  private cur: SampleIterator | null = null;
  private lastT = Number.NEGATIVE_INFINITY;
  /** The smallest timestamp among the heads other than cur: until cur passes it, cur stays the pick. */
  private othersMin = Number.NEGATIVE_INFINITY;
  private error: Error | null = null;
  private started = false;

  constructor(private readonly its: readonly SampleIterator[]) {}

  private init(): void {
    this.started = true;
    for (const it of this.its) {
      if (it.next()) this.heads.push(it);
      else this.error ??= it.err();
    }
  }

  /** Pick the iterator at the smallest timestamp above lastT, moving past stale duplicates. */
  private pick(): boolean {
    for (;;) {
      let best: SampleIterator | null = null;
      for (const it of this.heads) if (best === null || it.atT() < best.atT()) best = it;
      if (best === null) {
        this.cur = null;
        return false;
      }
      if (best.atT() > this.lastT) {
        this.cur = best;
        this.lastT = best.atT();
        let min = Number.POSITIVE_INFINITY;
        for (const it of this.heads) if (it !== best && it.atT() < min) min = it.atT();
        this.othersMin = min;
        return true;
      }
      this.step(best);
    }
  }

  private step(it: SampleIterator): void {
    if (!it.next()) {
      this.error ??= it.err();
      this.heads.splice(this.heads.indexOf(it), 1);
    }
  }

  next(): boolean {
    if (!this.started) this.init();
    else if (this.cur) {
      const cur = this.cur;
      if (cur.next()) {
        // Blocks of different time ranges do not overlap: the current iterator usually stays
        // the smallest, and the others need not be looked at.
        const t = cur.atT();
        if (t < this.othersMin && t > this.lastT) {
          this.lastT = t;
          return true;
        }
      } else {
        this.error ??= cur.err();
        this.heads.splice(this.heads.indexOf(cur), 1);
      }
    }
    return this.pick();
  }

  seek(t: number): boolean {
    if (!this.started) this.init();
    if (this.cur && this.cur.atT() >= t) return true;
    for (const it of [...this.heads]) {
      if (it.atT() >= t) continue;
      if (!it.seek(t)) {
        this.error ??= it.err();
        this.heads.splice(this.heads.indexOf(it), 1);
      }
    }
    this.lastT = Math.max(this.lastT, t - 1); // timestamps are whole milliseconds
    return this.pick();
  }

  atT(): number {
    return this.cur!.atT();
  }

  atV(): number {
    return this.cur!.atV();
  }

  err(): Error | null {
    return this.error;
  }
}
