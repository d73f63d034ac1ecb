/** Prometheus's EngineQueryFunc: an instant query whose result must be a vector or a scalar. */

import type { QueryValue } from '../../promql/engine.js';
import type { Queryable } from '../../tsdb/storage.js';
import type { RuleSample } from './types.js';

/** The part of the engine rules need (promql/engine.ts, or the querier's concurrency-limited engine). */
export interface InstantEngine {
  instantQuery(q: Queryable, query: string, timeMs: number, signal?: AbortSignal): Promise<{ readonly value: QueryValue }>;
}

export async function instantVector(engine: InstantEngine, q: Queryable, expr: string, t: number, signal?: AbortSignal): Promise<RuleSample[]> {
  const res = await engine.instantQuery(q, expr, t, signal);
  const v = res.value;
  if (v.type === 'vector') return v.samples.map((s) => ({ labels: s.labels, t: s.t, v: s.v }));
  if (v.type === 'scalar') return [{ labels: [], t: v.t, v: v.v }];
  throw new Error('rule result is not a vector or scalar');
}
