/**
 * `@ start()` and `@ end()` mean the start and end of the query the user sent. Once the frontend
 * splits a range query, each part has its own start and end, so before splitting they are
 * replaced by the request's own timestamps (as Cortex's splitter does); queries without them
 * pass through untouched, text and cache key alike.
 */

import type { Expr } from '../promql/ast.js';
import { parseExpr } from '../promql/parser.js';
import { print } from '../promql/printer.js';

function resolve(e: Expr, startMs: number, endMs: number): boolean {
  let changed = false;
  if ((e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr') && e.startOrEnd !== null) {
    e.timestamp = e.startOrEnd === 'start' ? startMs : endMs;
    e.startOrEnd = null;
    changed = true;
  }
  switch (e.kind) {
    case 'MatrixSelector':
      return resolve(e.vectorSelector, startMs, endMs) || changed;
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return resolve(e.expr, startMs, endMs) || changed;
    case 'BinaryExpr': {
      const l = resolve(e.lhs, startMs, endMs);
      return resolve(e.rhs, startMs, endMs) || l || changed;
    }
    case 'AggregateExpr': {
      const p = e.param ? resolve(e.param, startMs, endMs) : false;
      return resolve(e.expr, startMs, endMs) || p || changed;
    }
    case 'Call':
      return e.args.map((a) => resolve(a, startMs, endMs)).some(Boolean) || changed;
    default:
      return changed;
  }
}

/** The query with `@ start()`/`@ end()` replaced by these times; unchanged when it has none or does not parse. */
export function resolveAtModifiers(query: string, startMs: number, endMs: number): string {
  if (!/start\s*\(|end\s*\(/.test(query)) return query;
  let expr: Expr;
  try {
    expr = parseExpr(query);
  } catch {
    return query;
  }
  return resolve(expr, startMs, endMs) ? print(expr) : query;
}

function latestAt(e: Expr): number {
  let t = -Infinity;
  if ((e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr') && e.timestamp !== null) t = e.timestamp;
  switch (e.kind) {
    case 'MatrixSelector':
      return Math.max(t, latestAt(e.vectorSelector));
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return Math.max(t, latestAt(e.expr));
    case 'BinaryExpr':
      return Math.max(t, latestAt(e.lhs), latestAt(e.rhs));
    case 'AggregateExpr':
      return Math.max(t, latestAt(e.expr), e.param ? latestAt(e.param) : -Infinity);
    case 'Call':
      return Math.max(t, ...e.args.map(latestAt));
    default:
      return t;
  }
}

/**
 * The latest `@ <timestamp>` of a query (after resolveAtModifiers), or null when it has none.
 * A result that reads data at such a time is only as final as that time is old, so the results
 * cache must not keep it while that time is within the freshness window (Cortex's rule).
 */
export function latestAtModifier(query: string): number | null {
  if (!query.includes('@')) return null;
  try {
    const t = latestAt(parseExpr(query));
    return t === -Infinity ? null : t;
  } catch {
    return null;
  }
}
