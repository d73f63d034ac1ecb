/**
 * Which subtrees Prometheus 2.42 evaluates once and repeats at every step (PreprocessExpr and
 * StepInvariantExpr in promql/engine.go): those whose value cannot change between steps —
 * selectors with `@`, literals, and what is built only from them by functions that do not read
 * the evaluation time. The engine evaluates the same subtrees once, so its results and its
 * sample counting follow Prometheus's, quirks included (an aggregation's parameter is ignored
 * when deciding, as in Prometheus).
 */

import { assertNever, type Expr } from './ast.js';

/** Functions whose value depends on the evaluation time (Prometheus's AtModifierUnsafeFunctions). */
const TIME_DEPENDENT = new Set(['days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year', 'predict_linear', 'time', 'timestamp']);

/** The nodes Prometheus wraps in a StepInvariantExpr. */
export function stepInvariantNodes(expr: Expr): Set<Expr> {
  const wrapped = new Set<Expr>();
  const visit = (e: Expr): boolean => {
    switch (e.kind) {
      case 'VectorSelector':
        return e.timestamp !== null || e.startOrEnd !== null;
      case 'MatrixSelector':
        return visit(e.vectorSelector);
      case 'SubqueryExpr':
        if (visit(e.expr)) wrapped.add(e.expr);
        return e.timestamp !== null || e.startOrEnd !== null;
      case 'AggregateExpr':
        return visit(e.expr);
      case 'BinaryExpr': {
        const l = visit(e.lhs);
        const r = visit(e.rhs);
        if (l && r) return true;
        if (l) wrapped.add(e.lhs);
        if (r) wrapped.add(e.rhs);
        return false;
      }
      case 'Call': {
        const inv = e.args.map(visit);
        if (!TIME_DEPENDENT.has(e.func.name) && inv.every((x) => x)) return true;
        e.args.forEach((a, i) => {
          if (inv[i]) wrapped.add(a);
        });
        return false;
      }
      case 'ParenExpr':
      case 'UnaryExpr':
        return visit(e.expr);
      case 'NumberLiteral':
      case 'StringLiteral':
        return true;
      default:
        return assertNever(e);
    }
  };
  if (visit(expr)) wrapped.add(expr);
  return wrapped;
}
