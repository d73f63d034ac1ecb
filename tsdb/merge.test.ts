import { describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsToRecord } from './labels.js';
import { MergedIterator, mergeSeriesSets } from './merge.js';
import { SampleBuffer, type SampleIterator, type Series, type SeriesSet } from './storage.js';

function iter(xs: readonly [number, number][]): SampleIterator {
  let i = -1;
  return {
    next: () => ++i < xs.length,
    seek(t) {
      if (i < 0) i = 0;
      while (i < xs.length && xs[i]![0] < t) i++;
      return i < xs.length;
    },
    atT: () => xs[i]![0],
    atV: () => xs[i]![1],
    err: () => null,
  };
}

/** A series that can also be read in bulk, as block and head series can. */
function bulk(xs: readonly [number, number][]): NonNullable<Series['readInto']> {
  return (buf, mint, maxt) => {
    for (const [t, v] of xs) if (t >= mint && t <= maxt) buf.pushValue(t, v);
    return null;
  };
}

function set(series: Record<string, [number, number][]>, withBulk = false): SeriesSet {
  const list: Series[] = Object.entries(series).map(([name, xs]) => ({
    labels: labelsFromRecord({ __name__: name }),
    iterator: () => iter(xs),
    ...(withBulk ? { readInto: bulk(xs) } : {}),
  }));
  let i = -1;
  return { next: () => ++i < list.length, at: () => list[i]!, err: () => null, warnings: [] };
}

function drain(s: SeriesSet): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  while (s.next()) {
    const it = s.at().iterator();
    const xs: [number, number][] = [];
    while (it.next()) xs.push([it.atT(), it.atV()]);
    out[labelsToRecord(s.at().labels).__name__!] = xs;
  }
  return out;
}

describe('mergeSeriesSets', () => {
  it('merges equal label sets in time order, each timestamp once, keeping label order', () => {
    const m = mergeSeriesSets([
      set({ a: [[1, 1], [3, 3]], c: [[1, 1]] }),
      set({ a: [[2, 2], [3, 30], [4, 4]], b: [[5, 5]] }),
      set({}),
    ]);
    const out = drain(m);
    expect(Object.keys(out)).toEqual(['a', 'b', 'c']);
    expect(out.a).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
  });

  it('seeks forward across sources', () => {
    const m = mergeSeriesSets([set({ a: [[1, 1], [10, 10]] }), set({ a: [[5, 5], [12, 12]] })]);
    expect(m.next()).toBe(true);
    const it = m.at().iterator();
    expect(it.seek(6)).toBe(true);
    expect(it.atT()).toBe(10);
    expect(it.seek(3)).toBe(true);
    expect(it.atT()).toBe(10);
    expect(it.next()).toBe(true);
    expect(it.atT()).toBe(12);
    expect(it.seek(13)).toBe(false);
  });
});

describe('merged series read in bulk', () => {
  const read = (parts: Record<string, [number, number][]>[], buf: SampleBuffer): Error | null | false => {
    const m = mergeSeriesSets(parts.map((p) => set(p, true)));
    expect(m.next()).toBe(true);
    return m.at().readInto!(buf, 0, 1000);
  };

  it('reads parts in time order one after the other, after other series already in the buffer', () => {
    const buf = new SampleBuffer(2);
    buf.pushValue(500, 9); // an earlier series of the same query, later in time
    expect(read([{ a: [[10, 1], [20, 2]] }, { a: [[30, 3], [40, 4]] }], buf)).toBe(null);
    expect(Array.from(buf.ts.subarray(0, buf.n))).toEqual([500, 10, 20, 30, 40]);
  });

  it('refuses overlapping parts, so the caller merges them sample by sample', () => {
    const buf = new SampleBuffer(2);
    buf.pushValue(5, 9);
    expect(read([{ a: [[10, 1], [30, 3]] }, { a: [[20, 2], [40, 4]] }], buf)).toBe(false);
  });
});

describe('MergedIterator', () => {
  it('equals a reference merge on random sources, apart or overlapping, with seeks', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    for (let round = 0; round < 500; round++) {
      const k = 1 + Math.floor(rnd() * 5);
      const apart = rnd() < 0.5;
      const sources: [number, number][][] = [];
      for (let s = 0; s < k; s++) {
        const xs: [number, number][] = [];
        let t = apart ? s * 1000 : Math.floor(rnd() * 50);
        const n = Math.floor(rnd() * 30);
        for (let i = 0; i < n; i++) {
          t += 1 + Math.floor(rnd() * (apart ? 20 : 5));
          xs.push([t, s * 1000 + i]);
        }
        sources.push(xs);
      }
      // Reference: each timestamp once, from the first source (in order) that has it.
      const byT = new Map<number, number>();
      for (const xs of sources) for (const [t, v] of xs) if (!byT.has(t)) byT.set(t, v);
      const want = [...byT].sort((a, b) => a[0] - b[0]);
      const m = new MergedIterator(sources.map(iter));
      const got: [number, number][] = [];
      const seekTo = rnd() < 0.3 ? Math.floor(rnd() * 3000) : null;
      if (seekTo !== null && m.seek(seekTo)) got.push([m.atT(), m.atV()]);
      while (m.next()) got.push([m.atT(), m.atV()]);
      expect(got, `round ${round}`).toEqual(seekTo === null ? want : want.filter(([t]) => t >= seekTo));
    }
  });
});
