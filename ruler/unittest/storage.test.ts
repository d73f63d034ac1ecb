import { describe, expect, it } from 'vitest';
import { Engine } from '../../promql/engine.js';
import { labelsFromRecord } from '../../tsdb/labels.js';
import { STALE_NAN } from '../../tsdb/storage.js';
import { LazyLoader, MemoryStorage } from './storage.js';

describe('rule unit-test storage with the engine', () => {
  it('gives the same answer every time: staleness is said outright, never read back from NaN payloads kept in arrays', async () => {
    // Before the fix, the stale marker at 2m was sometimes taken for a plain NaN once V8 had
    // optimised the code storing or loading it, so absent_over_time saw a sample at 7m on some runs.
    const ls = labelsFromRecord({ __name__: 'up', job: 'node' });
    const answers = new Set<string>();
    for (let run = 0; run < 300; run++) {
      const st = new MemoryStorage();
      st.append(ls, 0, 1);
      st.append(ls, 60_000, 1);
      st.append(ls, 120_000, STALE_NAN, true);
      const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1e6, timeoutMs: 10_000 });
      const r = await engine.rangeQuery(st, 'absent_over_time(up{job="node"}[5m])', 0, 540_000, 60_000);
      answers.add(JSON.stringify(r.value));
    }
    expect([...answers].map((a) => JSON.parse(a) as unknown)).toEqual([
      { type: 'matrix', series: [{ labels: [{ name: 'job', value: 'node' }], points: [420_000, 480_000, 540_000].map((t) => ({ t, v: 1 })) }] },
    ]);
  });

  it('refuses out-of-order samples and different values at one timestamp, accepts a repeat', () => {
    const st = new MemoryStorage();
    const ls = labelsFromRecord({ __name__: 'x' });
    st.append(ls, 10, 1);
    st.append(ls, 10, 1);
    expect(() => st.append(ls, 10, 2)).toThrow('duplicate sample for timestamp');
    expect(() => st.append(ls, 5, 1)).toThrow('out of order sample');
    expect(() => st.append(ls, 10, STALE_NAN, true)).toThrow('duplicate sample for timestamp');
  });

  it('gives the engine series in creation order, as Prometheus 2.42 reads the head unsorted', async () => {
    const st = new MemoryStorage();
    for (const [i, instance] of ['zeta', 'mid', 'alpha'].entries()) st.append(labelsFromRecord({ __name__: 'load1', instance }), i * 60_000, i + 1);
    const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1e6, timeoutMs: 10_000 });
    const order = async (q: Parameters<Engine['instantQuery']>[0]): Promise<string[]> => {
      const r = await engine.instantQuery(q, 'load1', 180_000);
      return r.value.type === 'vector' ? r.value.samples.map((s) => s.labels.find((l) => l.name === 'instance')!.value) : [];
    };
    expect(await order(st.engineView)).toEqual(['zeta', 'mid', 'alpha']);
    // Asked for sorted series directly, the storage still sorts.
    expect(await order(st)).toEqual(['alpha', 'mid', 'zeta']);
  });
});

describe("promtool's lazy loader", () => {
  const up = labelsFromRecord({ __name__: 'up' });
  const count = async (st: MemoryStorage, t: number): Promise<number> => {
    const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1e6, timeoutMs: 10_000 });
    const r = await engine.instantQuery(st, 'count_over_time(up[10m])', t);
    return r.value.type === 'vector' ? (r.value.samples[0]?.v ?? 0) : -1;
  };

  it('loads samples up to each time, and refuses a series whose labels are all empty without storing anything then', async () => {
    const st = new MemoryStorage();
    const ll = new LazyLoader(
      st,
      [
        { labels: up, values: [1, 2, 3] },
        { labels: labelsFromRecord({ a: '' }), values: [null, 5] },
      ],
      60_000,
    );
    expect(ll.appendTill(0)).toBeNull();
    expect(await count(st, 0)).toBe(1);
    // From the empty series' first sample on, every call fails and nothing more is stored.
    expect(ll.appendTill(60_000)?.message).toBe('empty labelset: invalid sample');
    expect(ll.appendTill(120_000)?.message).toBe('empty labelset: invalid sample');
    expect(await count(st, 120_000)).toBe(1);
  });

  it('drops samples the head would not take, silently', async () => {
    const st = new MemoryStorage();
    // An interval of 0 puts every sample at 0: the first one stays.
    const ll = new LazyLoader(st, [{ labels: up, values: [1, 2, 'stale'] }], 0);
    expect(ll.appendTill(0)).toBeNull();
    const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1e6, timeoutMs: 10_000 });
    const r = await engine.instantQuery(st, 'up', 0);
    expect(r.value.type === 'vector' ? r.value.samples.map((x) => x.v) : null).toEqual([1]);
  });
});
