/**
 * A tenant's exemplars on an ingester, kept as Prometheus's circular exemplar storage keeps them:
 * one ring buffer of `capacity` entries for the whole tenant (the newest overwrite the oldest),
 * threaded per series into a list from oldest to newest. Per series an exemplar is refused as a
 * duplicate when it equals the newest one held, and as out of order when it is not newer than it.
 * Series are found by their label set, so exemplars outlive the head series they were added to
 * (a block cut does not drop them), as in Prometheus.
 */

import type { WriteBatch } from '../proto/write-batch.js';
import { type Label, type Labels, compareLabels, getLabel } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';

export interface Exemplar {
  readonly labels: Labels;
  readonly t: number;
  /** The value's raw IEEE-754 bits, as samples keep them. */
  readonly hi: number;
  readonly lo: number;
}

export interface SeriesExemplars {
  readonly seriesLabels: Labels;
  readonly exemplars: Exemplar[];
}

export type ExemplarAddResult = 'added' | 'duplicate' | 'out-of-order' | 'disabled';

interface SeriesIndex {
  readonly key: string;
  readonly labels: Labels;
  /** The head series ref the newest exemplar was added under (WAL records name series by ref). */
  ref: number;
  oldest: number;
  newest: number;
}

interface Entry {
  readonly series: SeriesIndex;
  readonly e: Exemplar;
  /** The series' next newer entry, or -1. */
  next: number;
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

function sameExemplar(a: Exemplar, b: Exemplar): boolean {
  return a.t === b.t && a.hi === b.hi && a.lo === b.lo && sameLabels(a.labels, b.labels);
}

export class ExemplarStore {
  private entries: (Entry | null)[];
  private nextIndex = 0;
  private held = 0;
  private readonly index = new Map<string, SeriesIndex>();

  constructor(private cap: number) {
    this.entries = new Array<Entry | null>(Math.max(0, cap)).fill(null);
  }

  get capacity(): number {
    return this.cap;
  }

  /** Exemplars held now. */
  get size(): number {
    return this.held;
  }

  /** Add an exemplar to the series known by `key` (its label bytes) with labels `seriesLabels`. */
  add(key: string, seriesLabels: () => Labels, ref: number, e: Exemplar): ExemplarAddResult {
    if (this.cap <= 0) return 'disabled';
    const known = this.index.get(key);
    if (known) {
      const newest = this.entries[known.newest]!.e;
      if (sameExemplar(e, newest)) return 'duplicate';
      if (e.t <= newest.t) return 'out-of-order';
    }
    const slot = this.nextIndex;
    this.evict(slot);
    let series = this.index.get(key);
    if (series) {
      this.entries[series.newest]!.next = slot;
      series.newest = slot;
      series.ref = ref;
    } else {
      series = { key, labels: seriesLabels(), ref, oldest: slot, newest: slot };
      this.index.set(key, series);
    }
    this.entries[slot] = { series, e, next: -1 };
    this.held++;
    this.nextIndex = (slot + 1) % this.cap;
    return 'added';
  }

  /** Frees a slot: the entry there is the oldest of its series (the ring is in time of arrival). */
  private evict(slot: number): void {
    const old = this.entries[slot];
    if (!old) return;
    this.entries[slot] = null;
    this.held--;
    if (old.next < 0) this.index.delete(old.series.key);
    else old.series.oldest = old.next;
  }

  /** Changes the capacity, keeping the newest exemplars that fit (Prometheus's Resize). */
  resize(cap: number): void {
    if (cap === this.cap) return;
    const kept: { key: string; labels: Labels; ref: number; e: Exemplar }[] = [];
    for (let k = 0; k < this.cap; k++) {
      const entry = this.entries[(this.nextIndex + k) % this.cap];
      if (entry) kept.push({ key: entry.series.key, labels: entry.series.labels, ref: entry.series.ref, e: entry.e });
    }
    this.cap = Math.max(0, cap);
    this.entries = new Array<Entry | null>(this.cap).fill(null);
    this.nextIndex = 0;
    this.held = 0;
    this.index.clear();
    for (const x of kept.slice(Math.max(0, kept.length - this.cap))) this.add(x.key, () => x.labels, x.ref, x.e);
  }

  /** Every exemplar in [start, end] of the series matching any of the matcher sets, series sorted by labels. */
  select(start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): SeriesExemplars[] {
    const out: SeriesExemplars[] = [];
    for (const s of this.index.values()) {
      if (!matcherSets.some((ms) => ms.every((m) => m.matches(getLabel(s.labels, m.name))))) continue;
      const exemplars: Exemplar[] = [];
      for (let k = s.oldest; k >= 0; k = this.entries[k]!.next) {
        const e = this.entries[k]!.e;
        if (e.t > end) break;
        if (e.t >= start) exemplars.push(e);
      }
      if (exemplars.length > 0) out.push({ seriesLabels: s.labels, exemplars });
    }
    return out.sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  }

  /** Every exemplar held, oldest first, with the series ref it was last added under (for a WAL checkpoint). */
  *all(): Generator<{ ref: number; e: Exemplar }> {
    for (let k = 0; k < this.cap; k++) {
      const entry = this.entries[(this.nextIndex + k) % this.cap];
      if (entry) yield { ref: entry.series.ref, e: entry.e };
    }
  }
}

/** What one push did with its exemplars. */
export interface ExemplarTally {
  appended: number;
  /** Refused as not newer than the series' newest (a duplicate, an identical resend, is a no-op and not counted). */
  outOfOrder: number;
}

/** The exemplars of series i of a batch, their labels decoded from the request bytes. */
export function batchExemplars(batch: WriteBatch, i: number): Exemplar[] {
  const out: Exemplar[] = [];
  const text = Buffer.from(batch.buf.buffer, batch.buf.byteOffset, batch.buf.byteLength);
  const pos = batch.exLabelPos;
  for (let x = batch.exemplarStart[i]!, end = x + batch.exemplarCount[i]!; x < end; x++) {
    const labels: Label[] = [];
    for (let e = batch.exLabelStart[x]!, le = e + batch.exLabelCount[x]!; e < le; e++) {
      labels.push({ name: text.toString('utf8', pos[4 * e]!, pos[4 * e]! + pos[4 * e + 1]!), value: text.toString('utf8', pos[4 * e + 2]!, pos[4 * e + 2]! + pos[4 * e + 3]!) });
    }
    out.push({ labels: labels.filter((l) => l.value !== ''), t: batch.exTs[x]!, hi: batch.exValueHi[x]!, lo: batch.exValueLo[x]! });
  }
  return out;
}

/** A head series' identity in the exemplar store: its label bytes. */
export function exemplarSeriesKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/** Answers of several ingesters merged: replicas' copies of a series become one, each exemplar once, in time order. */
export function mergeExemplars(lists: readonly (readonly SeriesExemplars[])[]): SeriesExemplars[] {
  if (lists.length === 1) return [...lists[0]!];
  const all = lists.flat().sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  const out: SeriesExemplars[] = [];
  for (const s of all) {
    const last = out[out.length - 1];
    if (!last || compareLabels(last.seriesLabels, s.seriesLabels) !== 0) {
      out.push({ seriesLabels: s.seriesLabels, exemplars: [...s.exemplars] });
      continue;
    }
    const merged = [...last.exemplars, ...s.exemplars].sort((a, b) => a.t - b.t);
    last.exemplars.length = 0;
    for (const e of merged) {
      const prev = last.exemplars[last.exemplars.length - 1];
      if (!prev || !sameExemplar(prev, e)) last.exemplars.push(e);
    }
  }
  return out;
}
