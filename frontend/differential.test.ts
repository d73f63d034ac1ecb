/**
 * The query-frontend changes how a range query is answered (split into parts, parts served from
 * the results cache, extents stitched) but never what: every range query of the PromQL
 * differential suite, run through a frontend that splits by the hour (so most queries become
 * several parts) with a results cache, equals the engine's unsplit answer — on the first run and
 * again when served from the cache, and for a shifted range that is partly cached.
 */

import { describe, expect, it } from 'vitest';
import { Engine, EngineError } from '../promql/engine.js';
import { DATA_END, MATRIX_QUERIES, RANGES, STALE_END, STALE_QUERIES, STALE_START, T0, VECTOR_QUERIES, generate, generateStale, randomQueries } from '../promql/engine-compat-data.js';
import { MemoryQueryable, STALE_NAN } from '../promql/testing.js';
import { labelsToRecord } from '../tsdb/labels.js';
import { goFormatFloat } from '../promql/literals.js';
import { MemoryCache } from './cache.js';
import { QueryFrontend } from './frontend.js';
import type { RangeRequest, RangeResponse } from './types.js';

const HOUR = 3600_000;

describe('query-frontend differential', () => {
  it('answers every range query of the suite as the unsplit, uncached engine does', async () => {
    const store = new MemoryQueryable();
    for (const s of [...generate(), ...generateStale(STALE_NAN)]) store.add(s.labels, s.samples);
    const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 50_000_000, timeoutMs: 120_000 });
    const direct = async (req: RangeRequest): Promise<RangeResponse | string> => {
      try {
        const r = await engine.rangeQuery(store, req.query, req.startMs, req.endMs, req.stepMs);
        const series = r.value.type === 'matrix' ? r.value.series : [];
        const result = series.map((s) => ({ metric: labelsToRecord(s.labels), values: s.points.map((p): [number, string] => [p.t / 1000, goFormatFloat(p.v)]) }));
        return r.warnings.length > 0 ? { resultType: 'matrix', result, warnings: r.warnings } : { resultType: 'matrix', result };
      } catch (e) {
        if (e instanceof EngineError || (e instanceof Error && e.name === 'ParseError')) return `error: ${e.message}`;
        throw e;
      }
    };
    const fe = new QueryFrontend({
      downstream: async (req) => {
        const r = await direct(req);
        if (typeof r === 'string') throw new Error(r);
        return r;
      },
      cache: new MemoryCache({ maxBytes: 256 << 20 }),
      limits: () => ({ maxQueryParallelism: 4, maxCacheFreshnessMs: 60_000, maxOutstandingPerTenant: 1000 }),
      splitIntervalMs: HOUR,
      alignWithStep: false,
      maxConcurrent: 4,
    });
    const viaFrontend = async (req: RangeRequest): Promise<RangeResponse | string> => {
      try {
        return await fe.rangeQuery(req);
      } catch (e) {
        return `error: ${(e as Error).message.replace(/^error: /, '')}`;
      }
    };

    const ranges = RANGES;
    const reqs: RangeRequest[] = [];
    const ms = (s: number): number => Math.round(s * 1000);
    for (const q of [...VECTOR_QUERIES, ...randomQueries(60, 7)]) for (const r of ranges) reqs.push({ tenant: 't', query: q, startMs: ms(r.start), endMs: ms(r.end), stepMs: ms(r.step) });
    for (const q of MATRIX_QUERIES) reqs.push({ tenant: 't', query: q, startMs: ms(T0 + 1800), endMs: ms(T0 + 3600), stepMs: 60_000 });
    for (const q of STALE_QUERIES) reqs.push({ tenant: 't', query: q, startMs: ms(STALE_START), endMs: ms(STALE_END + 400), stepMs: 30_000 });

    const failures: string[] = [];
    let compared = 0;
    for (const req of reqs) {
      const want = await direct(req);
      // First run (split, cache cold), second run (from the cache), then a range moved by 40 steps (partly cached).
      const moved = { ...req, startMs: req.startMs + 40 * req.stepMs, endMs: Math.min(req.endMs + 40 * req.stepMs, ms(DATA_END + 3600)) };
      const runs: [string, RangeRequest, RangeResponse | string][] = [
        ['split', req, want],
        ['cached', req, want],
        ['moved', moved, await direct(moved)],
      ];
      for (const [what, r, expected] of runs) {
        const got = await viaFrontend(r);
        compared++;
        if (JSON.stringify(got) !== JSON.stringify(expected)) failures.push(`${what} ${r.query} [${r.startMs}, ${r.endMs}, ${r.stepMs}]: ${JSON.stringify(got).slice(0, 200)} vs ${JSON.stringify(expected).slice(0, 200)}`);
      }
    }
    console.log(`frontend differential: ${compared - failures.length}/${compared} answers equal (${reqs.length} range queries, split hourly, cache hits ${fe.stats.cacheHits}, split parts ${fe.stats.splitQueries})`);
    if (failures.length > 0) console.log(failures.slice(0, 20).join('\n'));
    expect(failures.slice(0, 10)).toEqual([]);
    expect(fe.stats.cacheHits).toBeGreaterThan(reqs.length);
    expect(fe.stats.splitQueries).toBeGreaterThan(reqs.length);
  }, 300_000);
});
