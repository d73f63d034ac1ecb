import { describe, expect, it } from 'vitest';
import { type Limits, limitsBlock } from '../util/limits.js';
import { buildBlock } from '../util/options.js';
import { labelsFromRecord, labelsToRecord } from '../tsdb/labels.js';
import { Matcher } from '../tsdb/matchers.js';
import { XorIterator } from '../tsdb/chunkenc/xor.js';
import { type AppendLog, type AppendTally, TenantHead } from './head.js';
import type { MemSeries } from './series.js';
import { type TestSeries, batchOf } from './testing.js';

const limits: Limits = buildBlock('limits', limitsBlock, {});
const tally = (): AppendTally => ({ appended: 0, discarded: 0, firstError: null, reasons: new Map(), createdSeries: 0 });

function append(h: TenantHead, series: TestSeries[], log: AppendLog | null = null): AppendTally {
  const { batch, all } = batchOf(series);
  const t = tally();
  h.append(batch, all, all.length, limits, t, log);
  return t;
}

function dump(h: TenantHead): Record<string, [number, number][]> {
  const set = h.select(-Infinity, Infinity, [new Matcher('=~', '__name__', '.+')]);
  const out: Record<string, [number, number][]> = {};
  while (set.next()) {
    const it = set.at().iterator();
    const xs: [number, number][] = [];
    while (it.next()) xs.push([it.atT(), it.atV()]);
    out[JSON.stringify(labelsToRecord(set.at().labels))] = xs;
  }
  return out;
}

const RANGE = 10_000;

describe('head: logging, block cutting and truncation', () => {
  it('logs each new series before its samples, and only stored samples', () => {
    const h = new TenantHead('t', RANGE);
    const events: string[] = [];
    const log: AppendLog = {
      series: (s: MemSeries) => events.push(`series ${s.ref} ${s.metricName}`),
      sample: (ref, t) => events.push(`sample ${ref} ${t}`),
    };
    append(h, [{ labels: { __name__: 'a' }, samples: [[1, 1], [2, 2]] }], log);
    append(h, [{ labels: { __name__: 'a' }, samples: [[2, 2], [1, 5], [3, 3]] }, { labels: { __name__: 'b' }, samples: [[3, 1]] }], log);
    expect(events).toEqual(['series 0 a', 'sample 0 1', 'sample 0 2', 'sample 0 3', 'series 1 b', 'sample 1 3']);
  });

  it('refuses samples more than half a chunk range behind the newest as out of bounds', () => {
    const h = new TenantHead('t', RANGE);
    append(h, [{ labels: { __name__: 'a' }, samples: [[20_000, 1]] }]);
    const t = append(h, [{ labels: { __name__: 'b' }, samples: [[14_999, 1], [15_000, 2]] }]);
    expect(t.appended).toBe(1);
    expect(t.reasons.get('sample-out-of-bounds')).toBe(1);
    expect(t.firstError?.message).toMatch(/^user=t: err: out of bounds\. timestamp=1970-01-01T00:00:14\.999Z, series=\{__name__="b"\}$/);
  });

  it('gives whole chunks inside a range for a block, then forgets them and empty series', () => {
    const h = new TenantHead('t', RANGE);
    const xs = (from: number, to: number): [number, number][] => Array.from({ length: (to - from) / 1000 }, (_, i) => [from + i * 1000, i]);
    append(h, [
      { labels: { __name__: 'old' }, samples: xs(3000, 9000) },
      { labels: { __name__: 'both' }, samples: xs(5000, 25_000) },
    ]);
    expect(h.minTime()).toBe(3000);
    expect(h.maxTime()).toBe(24_000);
    const block = h.blockSeries(3000, 10_000);
    expect(block.map((s) => labelsToRecord(s.labels).__name__).sort()).toEqual(['both', 'old']);
    for (const s of block) {
      for (const c of s.chunks) {
        expect(c.minT).toBeGreaterThanOrEqual(3000);
        expect(c.maxT).toBeLessThan(10_000);
        const it = new XorIterator(c.bytes);
        while (it.next()) expect(it.atT()).toBeLessThan(10_000);
      }
    }
    expect(h.truncate(10_000)).toBe(1); // 'old' had nothing left
    expect(h.numSeries()).toBe(1);
    expect(h.minTime()).toBe(10_000);
    expect(Object.keys(dump(h))).toEqual(['{"__name__":"both"}']);
    expect(dump(h)['{"__name__":"both"}']![0]).toEqual([10_000, 5]);
    expect(h.labelValues('__name__', -Infinity, Infinity, [])).toEqual(['both']);
    // The cut range is closed for appends now.
    const t = append(h, [{ labels: { __name__: 'late' }, samples: [[9999, 1]] }]);
    expect(t.reasons.get('sample-out-of-bounds')).toBe(1);
    // A removed series comes back as a new one.
    const t2 = append(h, [{ labels: { __name__: 'old' }, samples: [[24_500, 1]] }]);
    expect(t2.createdSeries).toBe(1);
    expect(h.numSeries()).toBe(2);
  });

  it('restores series under their logged refs and maps a re-logged label set onto the same series', () => {
    const h = new TenantHead('t', RANGE);
    const s = h.restoreSeries(7, labelsFromRecord({ __name__: 'up', job: 'x' }));
    expect(s.ref).toBe(7);
    expect(h.restoreSample(s, 1000, 0x3ff00000, 0)).toBe(true);
    expect(h.restoreSample(s, 1000, 0x3ff00000, 0)).toBe(false);
    expect(h.restoreSeries(9, labelsFromRecord({ job: 'x', __name__: 'up' }))).toBe(s);
    // The push path finds the restored series by its bytes.
    const t = append(h, [{ labels: { __name__: 'up', job: 'x' }, samples: [[2000, 2]] }]);
    expect(t.createdSeries).toBe(0);
    expect(dump(h)).toEqual({ '{"__name__":"up","job":"x"}': [[1000, 1], [2000, 2]] });
    // New series get refs after the restored ones.
    const t2 = append(h, [{ labels: { __name__: 'new' }, samples: [[2000, 2]] }]);
    expect(t2.createdSeries).toBe(1);
    expect(h.seriesByRef(8)?.metricName).toBe('new');
  });
});
