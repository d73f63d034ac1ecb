import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { Engine, EngineError } from './engine.js';
import { stepInvariantNodes } from './engine-preprocess.js';
import { parseExpr } from './parser.js';
import { print } from './printer.js';
import { MemoryQueryable } from './testing.js';
import type { Queryable } from '../tsdb/storage.js';

const wrapped = (q: string): string[] => [...stepInvariantNodes(parseExpr(q))].map((e: Expr) => print(e)).sort();

describe('step-invariant subtrees', () => {
  it('marks what Prometheus wraps in StepInvariantExpr', () => {
    expect(wrapped('1 + 2')).toEqual(['1 + 2']);
    expect(wrapped('sum(x @ 10) + y')).toEqual(['sum(x @ 10.000)']);
    expect(wrapped('x * 2')).toEqual(['2']);
    expect(wrapped('vector(1)')).toEqual(['vector(1)']);
    expect(wrapped('time()')).toEqual([]);
    expect(wrapped('timestamp(x @ 10)')).toEqual(['x @ 10.000']);
    expect(wrapped('rate(x[5m] @ 10)')).toEqual(['rate(x[5m] @ 10.000)']);
    expect(wrapped('max_over_time((vector(1))[5m:1m])')).toEqual(['(vector(1))']);
  });

  it('evaluates them once, so their samples are counted once', async () => {
    const s = new MemoryQueryable();
    const e = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 250, timeoutMs: 10_000 });
    const r = await e.rangeQuery(s, '1 + 2', 0, 144 * 60_000, 60_000);
    expect(r.value.type === 'matrix' && r.value.series[0]?.points.length).toBe(145);
    const err = await e.rangeQuery(s, 'time() + 2', 0, 144 * 60_000, 60_000).catch((x: unknown) => x);
    expect((err as EngineError).type).toBe('execution');
  });
});

describe('storage errors', () => {
  it('are internal errors', async () => {
    const broken: Queryable = {
      querier: () => ({
        select: () => Promise.reject(new Error('disk on fire')),
        labelValues: () => Promise.resolve([]),
        labelNames: () => Promise.resolve([]),
        close: () => undefined,
      }),
    };
    const err = await new Engine({ lookbackDeltaMs: 300_000, maxSamples: 100, timeoutMs: 10_000 }).instantQuery(broken, 'up', 0).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).type).toBe('internal');
    expect((err as EngineError).message).toBe('disk on fire');
  });
});
