/**
 * The evaluation core against hand-computed answers: lookback and staleness, range windows,
 * offset and @, range-query steps, sample limit, timeout and cancellation, selection once per
 * selector, and subquery step alignment.
 */

import { describe, expect, it } from 'vitest';
import { labelsToString } from '../tsdb/labels.js';
import { Engine, EngineError, type EngineOptions, type QueryValue } from './engine.js';
import { ParseError } from './errors.js';
import { MemoryQueryable, STALE_NAN } from './testing.js';

const S = 1000;
const M = 60 * S;
const DEFAULTS: EngineOptions = { lookbackDeltaMs: 5 * M, maxSamples: 1_000_000, timeoutMs: 10_000 };

function store(): MemoryQueryable {
  return new MemoryQueryable()
    .add({ __name__: 'a' }, [[0, 1], [60 * S, 2]])
    .add({ __name__: 'b' }, [[0, 1], [30 * S, STALE_NAN], [90 * S, 3]])
    .add({ __name__: 'c', x: '2' }, [[0, 20], [60 * S, 21], [120 * S, 22]])
    .add({ __name__: 'c', x: '1' }, [[0, 10], [60 * S, 11], [120 * S, 12]]);
}

/** An instant query's vector as `labels value` lines, in the engine's order. */
async function instant(q: string, t: number, s: MemoryQueryable = store(), opts: EngineOptions = DEFAULTS): Promise<string[]> {
  const r = await new Engine(opts).instantQuery(s, q, t);
  return show(r.value);
}

function show(v: QueryValue): string[] {
  switch (v.type) {
    case 'vector':
      return v.samples.map((x) => `${labelsToString(x.labels)} ${x.v}`);
    case 'scalar':
      return [`scalar ${v.v}`];
    case 'string':
      return [`string ${v.s}`];
    case 'matrix':
      return v.series.map((x) => `${labelsToString(x.labels)} ${x.points.map((p) => `${p.v}@${p.t / S}`).join(' ')}`);
  }
}

describe('instant vector selection', () => {
  it('looks back 5m, both ends included', async () => {
    expect(await instant('a', 60 * S)).toEqual(['{__name__="a"} 2']);
    expect(await instant('a', 59 * S)).toEqual(['{__name__="a"} 1']);
    expect(await instant('a', 360 * S)).toEqual(['{__name__="a"} 2']);
    expect(await instant('a', 360 * S + 1)).toEqual([]);
    expect(await instant('a', -1)).toEqual([]);
  });

  it('ends a series at a stale marker until the next sample', async () => {
    expect(await instant('b', 10 * S)).toEqual(['{__name__="b"} 1']);
    expect(await instant('b', 30 * S)).toEqual([]);
    expect(await instant('b', 60 * S)).toEqual([]);
    expect(await instant('b', 90 * S)).toEqual(['{__name__="b"} 3']);
  });

  it('applies offset (also negative) and @', async () => {
    expect(await instant('a offset 1m', 60 * S)).toEqual(['{__name__="a"} 1']);
    expect(await instant('a offset -1m', 0)).toEqual(['{__name__="a"} 2']);
    expect(await instant('a @ 0', 1000 * S)).toEqual(['{__name__="a"} 1']);
    expect(await instant('a @ 60 offset 1m', 1000 * S)).toEqual(['{__name__="a"} 1']);
  });

  it('sorts selector output by labels', async () => {
    expect(await instant('c', 0)).toEqual(['{__name__="c", x="1"} 10', '{__name__="c", x="2"} 20']);
  });
});

describe('range vectors', () => {
  it('covers [t - range, t] and skips stale markers', async () => {
    expect(await instant('a[1m]', 60 * S)).toEqual(['{__name__="a"} 1@0 2@60']);
    expect(await instant('a[1m]', 61 * S)).toEqual(['{__name__="a"} 2@60']);
    expect(await instant('b[100s]', 100 * S)).toEqual(['{__name__="b"} 1@0 3@90']);
    expect(await instant('a[1m] offset 1m', 120 * S)).toEqual(['{__name__="a"} 1@0 2@60']);
  });
});

describe('literals and unary operators', () => {
  it('evaluates scalars, strings and unary minus', async () => {
    expect(await instant('-(1 + 2) * 3', 0)).toEqual(['scalar -9']);
    expect(await instant('"hello"', 0)).toEqual(['string hello']);
    expect(await instant('-c', 0)).toEqual(['{x="1"} -10', '{x="2"} -20']);
    expect(await instant('+c{x="1"}', 0)).toEqual(['{__name__="c", x="1"} 10']);
  });
});

describe('range queries', () => {
  it('evaluates every step and sorts series by labels', async () => {
    const r = await new Engine(DEFAULTS).rangeQuery(store(), 'c', 0, 120 * S, 60 * S);
    expect(show(r.value)).toEqual(['{__name__="c", x="1"} 10@0 11@60 12@120', '{__name__="c", x="2"} 20@0 21@60 22@120']);
  });

  it('keeps @ start() fixed across steps', async () => {
    const r = await new Engine(DEFAULTS).rangeQuery(store(), 'c{x="1"} @ start()', 0, 120 * S, 60 * S);
    expect(show(r.value)).toEqual(['{__name__="c", x="1"} 10@0 10@60 10@120']);
  });

  it('answers a scalar as one series without labels', async () => {
    const r = await new Engine(DEFAULTS).rangeQuery(store(), 'time()', 0, 120 * S, 60 * S);
    expect(show(r.value)).toEqual(['{} 0@0 60@60 120@120']);
  });

  it('refuses range-vector expressions', async () => {
    const e = await new Engine(DEFAULTS).rangeQuery(store(), 'a[1m]', 0, 60 * S, 60 * S).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).type).toBe('bad_data');
    expect((e as EngineError).message).toBe('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
  });
});

describe('limits and errors', () => {
  it('refuses to hold more samples than maxSamples', async () => {
    await expect(instant('c', 0, store(), { ...DEFAULTS, maxSamples: 2 })).resolves.toHaveLength(2);
    const e = await instant('c', 0, store(), { ...DEFAULTS, maxSamples: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).type).toBe('execution');
    expect((e as EngineError).message).toBe('query processing would load too many samples into memory in query execution');
    const r = await new Engine({ ...DEFAULTS, maxSamples: 5 }).rangeQuery(store(), 'c', 0, 120 * S, 60 * S).catch((x: unknown) => x);
    expect((r as EngineError).type).toBe('execution');
  });

  it('times out and can be canceled', async () => {
    const e = await instant('c', 0, store(), { ...DEFAULTS, timeoutMs: -1 }).catch((x: unknown) => x);
    expect((e as EngineError).type).toBe('timeout');
    expect((e as EngineError).message).toMatch(/^query timed out in /);
    const ac = new AbortController();
    ac.abort();
    const c = await new Engine(DEFAULTS).instantQuery(store(), 'c', 0, ac.signal).catch((x: unknown) => x);
    expect((c as EngineError).type).toBe('canceled');
  });

  it('throws the parser error for invalid input', async () => {
    await expect(instant('a +', 0)).rejects.toBeInstanceOf(ParseError);
  });

  it('selects each selector once per query', async () => {
    const s = store();
    await new Engine(DEFAULTS).rangeQuery(s, 'rate(c[2m]) + c', 0, 600 * S, 15 * S);
    expect(s.selects).toBe(2);
  });
});

describe('subqueries', () => {
  it('aligns inner steps to multiples of the step', async () => {
    expect(await instant('c{x="1"}[10m:3m]', 601 * S)).toEqual(['{__name__="c", x="1"} 12@180 12@360']);
    expect(await instant('count_over_time(c{x="1"}[10m:3m])', 600 * S)).toEqual(['{x="1"} 3']);
  });

  it('uses the default step (1m) when none is given', async () => {
    expect(await instant('count_over_time(c{x="1"}[5m:])', 300 * S)).toEqual(['{x="1"} 6']);
    expect(await instant('count_over_time(c{x="1"}[5m:])', 300 * S, store(), { ...DEFAULTS, defaultSubqueryStepMs: 30 * S })).toEqual(['{x="1"} 11']);
  });

  it('honours offset and @ on a subquery', async () => {
    expect(await instant('last_over_time(c{x="1"}[1m:1m] offset 1m)', 120 * S)).toEqual(['{__name__="c", x="1"} 11']);
    expect(await instant('last_over_time(c{x="1"}[1m:1m] @ 60)', 1000 * S)).toEqual(['{__name__="c", x="1"} 11']);
  });
});
