import { describe, expect, it } from 'vitest';
import { QueryFrontend } from './frontend.js';
import { mergeResponses } from './merge.js';
import { doRequests, lastStepBeforeBoundary, splitQuery } from './split.js';
import { evaluatedSteps, expectedMatrix, fakeDownstream, until } from './testing.js';
import type { FrontendLimits, RangeRequest } from './types.js';

const DAY = 24 * 3600_000;
const HOUR = 3600_000;
const limits = (over: Partial<FrontendLimits> = {}) => (): FrontendLimits => ({ maxQueryParallelism: 14, maxCacheFreshnessMs: 60_000, maxOutstandingPerTenant: 100, ...over });
const req = (startMs: number, endMs: number, stepMs: number): RangeRequest => ({ tenant: 't', query: 'up', startMs, endMs, stepMs });

describe('lastStepBeforeBoundary', () => {
  it.each([
    // [t, step, interval, expected]
    [0, 15_000, DAY, DAY - 15_000],
    [7_000, 60_000, DAY, DAY - 53_000],
    [DAY - 15_000, 15_000, DAY, DAY - 15_000],
    [DAY - 1, 15_000, DAY, DAY - 1],
    [5, 10, 100, 95],
    [10, 30, 100, 70],
  ])('t=%d step=%d interval=%d → %d', (t, step, interval, want) => {
    expect(lastStepBeforeBoundary(t, step, interval)).toBe(want);
  });
});

describe('splitQuery', () => {
  it('splits at day boundaries as Cortex does', () => {
    expect(splitQuery(req(0, 2 * DAY, 15_000), DAY).map((r) => [r.startMs, r.endMs])).toEqual([
      [0, DAY - 15_000],
      [DAY, 2 * DAY],
    ]);
    expect(splitQuery(req(HOUR, 3 * DAY + HOUR, 3600_000), DAY).map((r) => [r.startMs, r.endMs])).toEqual([
      [HOUR, 23 * HOUR],
      [DAY, 2 * DAY - HOUR],
      [2 * DAY, 3 * DAY - HOUR],
      [3 * DAY, 3 * DAY + HOUR],
    ]);
  });

  it('leaves a query within one interval, or an instant, whole', () => {
    expect(splitQuery(req(HOUR, 5 * HOUR, 60_000), DAY)).toEqual([req(HOUR, 5 * HOUR, 60_000)]);
    expect(splitQuery(req(HOUR, HOUR, 60_000), DAY)).toEqual([req(HOUR, HOUR, 60_000)]);
    expect(splitQuery(req(0, 3 * DAY, 60_000), 0)).toEqual([req(0, 3 * DAY, 60_000)]);
  });

  it('evaluates every step exactly once, each part starting within its own interval', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 200; i++) {
      const step = [15_000, 60_000, 7 * 60_000 + 1, 3600_000, 5 * 3600_000, 13 * 3600_000, 2 * DAY][rand(7)]!;
      const start = 1_700_000_000_000 + rand(3 * DAY);
      const end = start + rand(10 * DAY);
      const whole = req(start, end, step);
      const parts = splitQuery(whole, DAY);
      expect(evaluatedSteps(parts)).toEqual(evaluatedSteps([whole]));
      expect(parts.at(-1)!.endMs).toBe(end);
      for (const [j, p] of parts.entries()) {
        expect(p.startMs).toBeLessThanOrEqual(p.endMs);
        // Every part but the last stays inside the interval it starts in.
        if (j < parts.length - 1) expect(Math.floor(p.endMs / DAY)).toBe(Math.floor(p.startMs / DAY));
      }
    }
  });
});

describe('split by interval middleware', () => {
  it('answers with the same matrix as the unsplit query', async () => {
    const fake = fakeDownstream();
    const fe = new QueryFrontend({ downstream: fake.handler, cache: null, limits: limits(), splitIntervalMs: DAY, alignWithStep: false, maxConcurrent: 16 });
    const start = 1_700_000_123_000;
    const end = start + 5 * DAY + 7 * HOUR;
    const got = await fe.rangeQuery(req(start, end, 300_000));
    expect(got).toEqual(expectedMatrix(start, end, 300_000));
    // start is 22:15 UTC: the 5 days 7 hours touch 7 calendar days.
    expect(fake.requests.length).toBe(7);
    expect(fe.stats.splitQueries).toBe(7);
    expect(evaluatedSteps(fake.requests).sort((a, b) => a - b)).toEqual(evaluatedSteps([req(start, end, 300_000)]));
  });

  it('runs at most max_query_parallelism parts at once', async () => {
    const fake = fakeDownstream();
    fake.hold();
    const fe = new QueryFrontend({ downstream: fake.handler, cache: null, limits: limits({ maxQueryParallelism: 3 }), splitIntervalMs: DAY, alignWithStep: false, maxConcurrent: 16 });
    const p = fe.rangeQuery(req(0, 10 * DAY, 3600_000));
    await until(() => fake.inFlight() === 3);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(fake.inFlight()).toBe(3);
    fake.release();
    expect(await p).toEqual(expectedMatrix(0, 10 * DAY, 3600_000));
    expect(fake.maxInFlight()).toBe(3);
    expect(fake.requests.length).toBe(10);
  });

  it('passes a downstream error through unchanged and stops asking', async () => {
    const boom = new Error('querier exploded');
    let calls = 0;
    const fe = new QueryFrontend({
      downstream: async (r) => {
        calls++;
        if (r.startMs >= 2 * DAY) throw boom;
        return expectedMatrix(r.startMs, r.endMs, r.stepMs);
      },
      cache: null,
      limits: limits({ maxQueryParallelism: 1 }),
      splitIntervalMs: DAY,
      alignWithStep: false,
      maxConcurrent: 16,
    });
    await expect(fe.rangeQuery(req(0, 10 * DAY, 3600_000))).rejects.toBe(boom);
    expect(calls).toBe(3);
  });
});

describe('doRequests', () => {
  it('keeps the order of the requests', async () => {
    const reqs = [req(0, 10, 1), req(20, 30, 1), req(40, 50, 1)];
    const got = await doRequests(async (r) => {
      await new Promise((res) => setTimeout(res, 60 - r.startMs));
      return expectedMatrix(r.startMs, r.endMs, r.stepMs);
    }, reqs, 3);
    expect(got.map((g) => g.result[0]!.values[0]![0])).toEqual([0, 0.02, 0.04]);
  });
});

describe('doRequests abort', () => {
  it('rejects with the reason when the caller aborts, even if the downstream ignores its signal', async () => {
    const ac = new AbortController();
    let calls = 0;
    const p = doRequests(async (r) => {
      calls++;
      if (calls === 2) ac.abort(new Error('client went away'));
      await new Promise((res) => setTimeout(res, 5));
      return expectedMatrix(r.startMs, r.endMs, r.stepMs);
    }, [req(0, 10, 1), req(20, 30, 1), req(40, 50, 1), req(60, 70, 1)], 1, ac.signal);
    await expect(p).rejects.toThrow('client went away');
    expect(calls).toBe(2);
  });
});

describe('mergeResponses', () => {
  it('sorts series by labels, samples by time, and drops duplicate timestamps', () => {
    const merged = mergeResponses([
      { resultType: 'matrix', result: [{ metric: { job: 'b' }, values: [[3, '3'], [4, '4']] }] },
      { resultType: 'matrix', result: [{ metric: { job: 'b' }, values: [[1, '1'], [3, 'dup']] }, { metric: { job: 'a' }, values: [[1, '1']] }], warnings: ['w'] },
    ]);
    expect(merged).toEqual({
      resultType: 'matrix',
      result: [
        { metric: { job: 'a' }, values: [[1, '1']] },
        { metric: { job: 'b' }, values: [[1, '1'], [3, '3'], [4, '4']] },
      ],
      warnings: ['w'],
    });
  });
});
