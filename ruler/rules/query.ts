/** Prometheus's EngineQueryFunc: an instant query whose result must be a vector or a scalar. */

import type { Expr } from '../../promql/ast.js';
import type { Engine } from '../../promql/engine.js';
import type { Queryable } from '../../tsdb/storage.js';
import type { RuleSample } from './types.js';

export async function instantVector(engine: Engine, q: Queryable, expr: Expr | string, t: number, signal?: AbortSignal): Promise<RuleSample[]> {
  const res = await engine.instantQuery(q, expr, t, signal);
  const v = res.value;
  if (v.type === 'vector') return v.samples.map((s) => ({ labels: s.labels, t: s.t, v: s.v }));
  if (v.type === 'scalar') return [{ labels: [], t: v.t, v: v.v }];
  throw new Error('rule result is not a vector or scalar');
}
