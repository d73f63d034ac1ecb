import { describe, expect, it } from 'vitest';
import { type Cache, MemoryCache } from './cache.js';
import { QueryFrontend } from './frontend.js';
import { cacheKey, decodeEntry, encodeEntry, mergeExtents, partition } from './results-cache.js';
import { expectedMatrix, fakeDownstream } from './testing.js';
import type { FrontendLimits, RangeRequest } from './types.js';

const DAY = 24 * 3600_000;
const HOUR = 3600_000;
const MIN = 60_000;
const D0 = 19_000 * DAY; // a midnight, 2022-01-08
const FAR_FUTURE = D0 + 365 * DAY;

function setup(opts: { now?: () => number; freshnessMs?: number; cache?: Cache; splitIntervalMs?: number } = {}) {
  const fake = fakeDownstream();
  const cache = opts.cache ?? new MemoryCache({ maxBytes: 64 << 20 });
  const limits = (): FrontendLimits => ({ maxQueryParallelism: 14, maxCacheFreshnessMs: opts.freshnessMs ?? MIN, maxOutstandingPerTenant: 100 });
  const fe = new QueryFrontend({
    downstream: fake.handler,
    cache,
    now: opts.now ?? (() => FAR_FUTURE),
    limits,
    splitIntervalMs: opts.splitIntervalMs ?? DAY,
    alignWithStep: false,
    maxConcurrent: 16,
  });
  return { fake, fe, cache };
}

const q = (startMs: number, endMs: number, stepMs = MIN, extra: Partial<RangeRequest> = {}): RangeRequest => ({ tenant: 't1', query: 'rate(x[5m])', startMs, endMs, stepMs, ...extra });
const spans = (reqs: readonly RangeRequest[]) => reqs.map((r) => [r.startMs - D0, r.endMs - D0]);

describe('results cache', () => {
  it('answers a repeated query without asking downstream', async () => {
    const { fake, fe } = setup();
    const r = q(D0 + HOUR, D0 + 3 * DAY + 5 * HOUR);
    const first = await fe.rangeQuery(r);
    const calls = fake.requests.length;
    expect(calls).toBe(4);
    const second = await fe.rangeQuery(r);
    expect(fake.requests.length).toBe(calls);
    expect(second).toEqual(first);
    expect(second).toEqual(expectedMatrix(r.startMs, r.endMs, r.stepMs));
    expect(fe.stats.cacheHits).toBe(4);
    expect(fe.stats.cacheMisses).toBe(4);
  });

  it('fetches only the missing extent of an overlapping later query', async () => {
    const { fake, fe } = setup();
    await fe.rangeQuery(q(D0 + HOUR, D0 + 10 * HOUR));
    fake.requests.length = 0;
    const got = await fe.rangeQuery(q(D0 + 5 * HOUR, D0 + 14 * HOUR));
    expect(spans(fake.requests)).toEqual([[10 * HOUR, 14 * HOUR]]);
    expect(got).toEqual(expectedMatrix(D0 + 5 * HOUR, D0 + 14 * HOUR, MIN));
  });

  it('fetches both ends when a query covers a cached extent', async () => {
    const { fake, fe } = setup();
    await fe.rangeQuery(q(D0 + 2 * HOUR, D0 + 10 * HOUR));
    fake.requests.length = 0;
    const got = await fe.rangeQuery(q(D0 + HOUR, D0 + 12 * HOUR));
    expect(spans(fake.requests)).toEqual([
      [HOUR, 2 * HOUR],
      [10 * HOUR, 12 * HOUR],
    ]);
    expect(got).toEqual(expectedMatrix(D0 + HOUR, D0 + 12 * HOUR, MIN));
    // The extents were merged into one: a third query inside it asks nothing.
    fake.requests.length = 0;
    await fe.rangeQuery(q(D0 + HOUR, D0 + 12 * HOUR));
    expect(fake.requests).toEqual([]);
  });

  it('asks only for the new day when a multi-day query moves forward', async () => {
    const { fake, fe } = setup();
    await fe.rangeQuery(q(D0, D0 + 3 * DAY - 5 * MIN, 5 * MIN));
    fake.requests.length = 0;
    const got = await fe.rangeQuery(q(D0 + DAY, D0 + 4 * DAY - 5 * MIN, 5 * MIN));
    expect(spans(fake.requests)).toEqual([[3 * DAY, 4 * DAY - 5 * MIN]]);
    expect(got).toEqual(expectedMatrix(D0 + DAY, D0 + 4 * DAY - 5 * MIN, 5 * MIN));
  });

  it('never caches the freshness window: its part is fetched every time', async () => {
    const now = D0 + 12 * HOUR + 30_000;
    const { fake, fe, cache } = setup({ now: () => now, freshnessMs: 10 * MIN });
    const r = q(D0, D0 + 12 * HOUR);
    await fe.rangeQuery(r);
    // What was stored ends at or before now - freshness.
    const key = cacheKey(r, DAY);
    const { createHash } = await import('node:crypto');
    const [buf] = await cache.get([createHash('sha256').update(key).digest('hex')]);
    const extents = decodeEntry(key, buf!)!;
    expect(extents.length).toBe(1);
    expect(extents[0]!.end).toBeLessThanOrEqual(now - 10 * MIN);
    const lastSample = extents[0]!.response.result[0]!.values.at(-1)!;
    expect(lastSample[0] * 1000).toBeLessThanOrEqual(now - 10 * MIN);

    for (let i = 0; i < 2; i++) {
      fake.requests.length = 0;
      const got = await fe.rangeQuery(r);
      expect(got).toEqual(expectedMatrix(r.startMs, r.endMs, MIN));
      expect(fake.requests.length).toBe(1);
      expect(fake.requests[0]!.startMs).toBeLessThanOrEqual(now - 10 * MIN);
      expect(fake.requests[0]!.startMs).toBeGreaterThan(now - 10 * MIN - 2 * MIN);
      expect(fake.requests[0]!.endMs).toBe(r.endMs);
    }
  });

  it('does not cache a query wholly inside the freshness window', async () => {
    const now = D0 + 12 * HOUR;
    const { fake, fe } = setup({ now: () => now, freshnessMs: 10 * MIN });
    const r = q(now - 5 * MIN, now);
    await fe.rangeQuery(r);
    await fe.rangeQuery(r);
    expect(spans(fake.requests)).toEqual([
      [12 * HOUR - 5 * MIN, 12 * HOUR],
      [12 * HOUR - 5 * MIN, 12 * HOUR],
    ]);
    expect(fe.stats.cacheHits + fe.stats.cacheMisses).toBe(0);
  });

  it('neither reads nor writes the cache for no-store', async () => {
    const { fake, fe } = setup();
    const r = q(D0 + HOUR, D0 + 2 * HOUR);
    await fe.rangeQuery(r); // cached
    await fe.rangeQuery({ ...r, noCache: true });
    expect(fake.requests.length).toBe(2);
    const other = q(D0 + DAY + 5 * HOUR, D0 + DAY + 6 * HOUR); // another day: another entry
    await fe.rangeQuery({ ...other, noCache: true });
    await fe.rangeQuery(other); // not written by the no-store query: a miss
    expect(fake.requests.length).toBe(4);
    expect(fe.stats.cacheMisses).toBe(2);
  });

  it('does not cache an answer with warnings, but returns its warnings', async () => {
    const { fake, fe } = setup();
    fake.warnWhen = () => true;
    const r = q(D0 + HOUR, D0 + 2 * HOUR);
    const got = await fe.rangeQuery(r);
    expect(got.warnings).toEqual(['fake warning']);
    fake.warnWhen = () => false;
    const again = await fe.rangeQuery(r);
    expect(again.warnings).toBeUndefined();
    expect(fake.requests.length).toBe(2);
    await fe.rangeQuery(r);
    expect(fake.requests.length).toBe(2);
  });

  it('does not cache a request not aligned to its step', async () => {
    const { fake, fe } = setup();
    const r = q(D0 + HOUR + 1234, D0 + 2 * HOUR + 1234);
    await fe.rangeQuery(r);
    const got = await fe.rangeQuery(r);
    expect(fake.requests.length).toBe(2);
    expect(got).toEqual(expectedMatrix(r.startMs, r.endMs, MIN));
    expect(fe.stats.cacheHits + fe.stats.cacheMisses).toBe(0);
  });

  it('keys entries by tenant, query and step', async () => {
    const { fake, fe } = setup();
    const r = q(D0 + HOUR, D0 + 2 * HOUR);
    await fe.rangeQuery(r);
    await fe.rangeQuery({ ...r, tenant: 't2' });
    await fe.rangeQuery({ ...r, query: 'up' });
    await fe.rangeQuery({ ...r, stepMs: 2 * MIN });
    expect(fake.requests.length).toBe(4);
    expect(cacheKey(r, DAY)).toBe(`t1:rate(x[5m]):60000:${Math.floor((D0 + HOUR) / DAY)}`);
  });

  it('answers from downstream when the cache fails', async () => {
    const broken: Cache = {
      get: () => Promise.reject(new Error('cache down')),
      set: () => Promise.reject(new Error('cache down')),
    };
    const { fake, fe } = setup({ cache: broken });
    const r = q(D0 + HOUR, D0 + 2 * HOUR);
    expect(await fe.rangeQuery(r)).toEqual(expectedMatrix(r.startMs, r.endMs, MIN));
    expect(fake.requests.length).toBe(1);
    expect(fe.stats.cacheErrors).toBe(2);
  });

  it('reads a corrupt or foreign entry as a miss', async () => {
    expect(decodeEntry('k', Buffer.from('not json'))).toBeNull();
    expect(decodeEntry('k', encodeEntry('other', []))).toBeNull();
    expect(decodeEntry('k', encodeEntry('k', []))).toEqual([]);
  });
});

describe('partition and mergeExtents', () => {
  const ext = (start: number, end: number) => ({ start, end, response: expectedMatrix(start, end, MIN) });

  it('asks for the gaps around and between extents', () => {
    const { requests, cached } = partition(q(0, 100 * MIN), [ext(10 * MIN, 20 * MIN), ext(40 * MIN, 60 * MIN)]);
    expect(requests.map((r) => [r.startMs / MIN, r.endMs / MIN])).toEqual([
      [0, 10],
      [20, 40],
      [60, 100],
    ]);
    expect(cached.length).toBe(2);
  });

  it('ignores a tiny extent for a long request', () => {
    const { requests, cached } = partition(q(0, 100 * MIN), [ext(10 * MIN, 12 * MIN)]);
    expect(requests.map((r) => [r.startMs, r.endMs])).toEqual([[0, 100 * MIN]]);
    expect(cached).toEqual([]);
  });

  it('coalesces extents that overlap or touch within a step', () => {
    const merged = mergeExtents([ext(30 * MIN, 40 * MIN), ext(0, 10 * MIN), ext(11 * MIN, 20 * MIN), ext(5 * MIN, 8 * MIN)], MIN);
    expect(merged.map((e) => [e.start / MIN, e.end / MIN])).toEqual([
      [0, 20],
      [30, 40],
    ]);
    expect(merged[0]!.response).toEqual(expectedMatrix(0, 20 * MIN, MIN));
  });
});
