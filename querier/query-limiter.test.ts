import { describe, expect, it } from 'vitest';
import { TenantHead } from '../ingester/head.js';
import { batchOf } from '../ingester/testing.js';
import { Engine } from '../promql/engine.js';
import { EngineError } from '../promql/engine-types.js';
import type { Matcher } from '../tsdb/matchers.js';
import { mergeSeriesSets } from '../tsdb/merge.js';
import { type SeriesSet, emptySeriesSet } from '../tsdb/storage.js';
import { type Limits, limitsBlock } from '../util/limits.js';
import { buildBlock } from '../util/options.js';
import { tenantQueryable } from './query-api.js';
import { type FetchLimits, QueryLimiter } from './query-limiter.js';

const RANGE = 10_000;
const limits: Limits = buildBlock('limits', limitsBlock, {});

/** Two ingesters holding the same four series (a replication factor of 2), each sample 1 s apart over 30 s: 3 chunks per series per replica. */
function replicatedHeads(): TenantHead[] {
  return [0, 1].map(() => {
    const h = new TenantHead('t', RANGE);
    const series = ['a', 'b', 'c', 'd'].map((instance) => ({
      labels: { __name__: 'up', instance, job: instance === 'd' ? 'other' : 'node' },
      samples: Array.from({ length: 30 }, (_, i): [number, number] => [i * 1000, i]),
    }));
    const { batch, all } = batchOf(series);
    h.append(batch, all, all.length, limits, { appended: 0, discarded: 0, firstError: null, reasons: new Map(), createdSeries: 0 });
    return h;
  });
}

function readerOver(heads: TenantHead[]) {
  return {
    select: async (_tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesSet> =>
      heads.length === 0 ? emptySeriesSet : mergeSeriesSets(heads.map((h) => h.select(mint, maxt, matchers))),
    series: async () => [],
    labelNames: async () => [],
    labelValues: async () => [],
    metadata: async () => [],
    exemplars: async () => [],
  };
}

const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1_000_000, timeoutMs: 10_000 });

async function run(query: string, l: FetchLimits): Promise<string> {
  try {
    const r = await engine.rangeQuery(tenantQueryable(readerOver(replicatedHeads()), 't', l), query, 0, 29_000, 1000);
    return `ok ${r.value.type === 'matrix' ? r.value.series.length : -1}`;
  } catch (e) {
    return `${(e as EngineError).type}: ${(e as Error).message}`;
  }
}

describe('per-query fetch limits', () => {
  it('counts a series once across replicas and selectors, and every chunk of every replica', () => {
    const lim = new QueryLimiter({ maxFetchedSeries: 2, maxFetchedChunks: 0 });
    lim.add([{ name: 'a', value: '1' }], 3);
    lim.add([{ name: 'a', value: '1' }], 3);
    lim.add([{ name: 'a', value: '2' }], 3);
    expect(() => lim.add([{ name: 'a', value: '3' }], 0)).toThrow('the query hit the max number of series limit (limit: 2 series)');
    const chunks = new QueryLimiter({ maxFetchedSeries: 0, maxFetchedChunks: 5 });
    chunks.add([], 5);
    expect(() => chunks.add([], 1)).toThrow('the query hit the max number of chunks limit (limit: 5 chunks)');
  });

  it('lets a query through at its limits and fails it as an execution error past them', async () => {
    // 4 series; each replica reads 3 chunks per series (10 s chunk range over 30 s): 24 chunks.
    expect(await run('up', { maxFetchedSeries: 4, maxFetchedChunks: 24 })).toBe('ok 4');
    expect(await run('up', { maxFetchedSeries: 3, maxFetchedChunks: 0 })).toBe('execution: the query hit the max number of series limit (limit: 3 series)');
    expect(await run('up', { maxFetchedSeries: 0, maxFetchedChunks: 23 })).toBe('execution: the query hit the max number of chunks limit (limit: 23 chunks)');
    // Two selectors of one query share the counts; the same series selected twice counts once.
    expect(await run('up{job="node"} + on(instance) up', { maxFetchedSeries: 4, maxFetchedChunks: 0 })).toBe('ok 3');
    expect(await run('up{job="node"} + on(instance) up{job="other"}', { maxFetchedSeries: 3, maxFetchedChunks: 0 })).toBe(
      'execution: the query hit the max number of series limit (limit: 3 series)',
    );
    expect(await run('up{job="node"} or up{job="other"}', { maxFetchedSeries: 0, maxFetchedChunks: 23 })).toBe(
      'execution: the query hit the max number of chunks limit (limit: 23 chunks)',
    );
    // A narrower range reads fewer chunks.
    const r = await engine.rangeQuery(tenantQueryable(readerOver(replicatedHeads()), 't', { maxFetchedSeries: 0, maxFetchedChunks: 8 }), 'up', 0, 5000, 1000);
    expect(r.value.type === 'matrix' && r.value.series.length).toBe(4);
  });

  it('starts each query from zero', async () => {
    const q = tenantQueryable(readerOver(replicatedHeads()), 't', { maxFetchedSeries: 4, maxFetchedChunks: 0 });
    for (let i = 0; i < 3; i++) {
      const r = await engine.instantQuery(q, 'up', 29_000);
      expect(r.value.type === 'vector' && r.value.samples.length).toBe(4);
    }
  });
});
