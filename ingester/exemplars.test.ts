import { describe, expect, it } from 'vitest';
import { type Labels, labelsFromRecord } from '../tsdb/labels.js';
import { Matcher } from '../tsdb/matchers.js';
import { type Exemplar, ExemplarStore } from './exemplars.js';

const series = (job: string): Labels => labelsFromRecord({ __name__: 'req_total', job });
const ex = (t: number, trace = `t${t}`): Exemplar => ({ labels: labelsFromRecord({ trace_id: trace }), t, hi: 0, lo: t });
const all = [[new Matcher('=', '__name__', 'req_total')]];

function add(s: ExemplarStore, job: string, e: Exemplar): string {
  return s.add(job, () => series(job), 1, e);
}

function times(s: ExemplarStore, start = -Infinity, end = Infinity): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const r of s.select(start, end, all)) out[r.seriesLabels.find((l) => l.name === 'job')!.value] = r.exemplars.map((e) => e.t);
  return out;
}

describe('exemplar storage', () => {
  it('keeps each series in time order and refuses duplicates and older exemplars', () => {
    const s = new ExemplarStore(10);
    expect(add(s, 'a', ex(1))).toBe('added');
    expect(add(s, 'a', ex(2))).toBe('added');
    expect(add(s, 'a', ex(2))).toBe('duplicate');
    expect(add(s, 'a', ex(2, 'other'))).toBe('out-of-order');
    expect(add(s, 'a', ex(1, 'late'))).toBe('out-of-order');
    expect(add(s, 'b', ex(1))).toBe('added');
    expect(times(s)).toEqual({ a: [1, 2], b: [1] });
    expect(times(s, 2, 5)).toEqual({ a: [2] });
  });

  it('overwrites the oldest exemplars of the tenant when full', () => {
    const s = new ExemplarStore(3);
    add(s, 'a', ex(1));
    add(s, 'b', ex(2));
    add(s, 'a', ex(3));
    add(s, 'a', ex(4)); // evicts a@1
    expect(times(s)).toEqual({ a: [3, 4], b: [2] });
    add(s, 'c', ex(5)); // evicts b@2: b has no exemplar left
    expect(times(s)).toEqual({ a: [3, 4], c: [5] });
    expect(s.size).toBe(3);
    // A series whose only exemplar was evicted starts again.
    expect(add(s, 'b', ex(1))).toBe('added');
    expect(times(s)).toEqual({ a: [4], b: [1], c: [5] });
  });

  it('selects by matcher sets, series sorted by labels', () => {
    const s = new ExemplarStore(10);
    add(s, 'z', ex(1));
    add(s, 'a', ex(1));
    add(s, 'm', ex(1));
    expect(s.select(0, 10, all).map((r) => r.seriesLabels)).toEqual([series('a'), series('m'), series('z')]);
    expect(s.select(0, 10, [[new Matcher('=', 'job', 'm')], [new Matcher('=~', 'job', 'z|q')]]).map((r) => r.seriesLabels)).toEqual([series('m'), series('z')]);
    expect(s.select(0, 10, [[new Matcher('=', 'job', 'none')]])).toEqual([]);
  });

  it('resizes keeping the newest, and is disabled at 0', () => {
    const s = new ExemplarStore(5);
    for (let t = 1; t <= 5; t++) add(s, t % 2 ? 'odd' : 'even', ex(t));
    s.resize(3);
    expect(times(s)).toEqual({ odd: [3, 5], even: [4] });
    s.resize(6);
    add(s, 'odd', ex(7));
    expect(times(s)).toEqual({ odd: [3, 5, 7], even: [4] });
    expect([...s.all()].map((x) => x.e.t)).toEqual([3, 4, 5, 7]);
    s.resize(0);
    expect(add(s, 'odd', ex(9))).toBe('disabled');
    expect(times(s)).toEqual({});
  });
});
